import { SignerConfigError } from './config-error.js';

/** One listed `scheme://*.suffix[:port]`: any host one or more labels under `suffix`, never `suffix` itself. */
type Wildcard = { protocol: string; suffix: string; port: string };

/** The origins allowed to call cross-origin, normalised once at start. */
export type AllowedOrigins = { readonly exact: ReadonlySet<string>; readonly wildcards: readonly Wildcard[] };

export const NO_ORIGINS: AllowedOrigins = { exact: new Set(), wildcards: [] };

/** Labels as a normalised host has them (lower case, IDN as punycode); empty labels are not. */
const LABELS = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

/** Scheme, `://`, then no `/`, `?`, `#`, `@`, white space or control (which `new URL()` would drop): what an origin looks like before it is parsed. */
const ORIGIN_SHAPE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\\\s\u0000-\u001f\u007f]+$/i;

/**
 * An origin as `new URL()` normalises it (scheme and host in lower case, IDN as punycode, the
 * default port dropped), or why the text is not one. A trailing slash is forgiven: it is how
 * origins are often pasted from an address bar.
 */
function parseOrigin(text: string): URL | string {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return 'it is not a URL';
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'its scheme must be http or https';
	if (url.username || url.password || text.includes('@')) return 'it has a user or password';
	if (url.search || url.hash || /[?#]/.test(text)) return 'it has a query or fragment';
	if (url.pathname !== '/' || !ORIGIN_SHAPE.test(text.replace(/\/$/, ''))) return 'it has a path';
	return url;
}

/** A listed wildcard, `https://*.example.com`, or why it is not one. */
function parseWildcard(text: string): Wildcard | string {
	const match = /^([a-z][a-z0-9+.-]*:\/\/)\*\.(.*)$/i.exec(text);
	if (!match) return 'a wildcard must be a whole first label, as in https://*.example.com';
	const apex = parseOrigin(`${match[1]}${match[2]}`);
	if (typeof apex === 'string') return apex;
	// One `*`, before a domain of two labels at least: `https://*.com` (or `*.com.`, its
	// fully-qualified form) would let every site in, and `*.*.example.com` matches nothing.
	// Public suffixes of two labels (`*.co.uk`) cannot be told without a list: the operator's to avoid.
	const labels = apex.hostname.replace(/\.$/, '').split('.');
	if (match[2]!.includes('*') || labels.length < 2 || labels.includes('') || apex.hostname.startsWith('[')) {
		return 'a wildcard must stand before a domain of two labels or more, as in https://*.example.com';
	}
	return { protocol: apex.protocol, suffix: `.${apex.hostname}`, port: apex.port };
}

/**
 * Listed origins, each normalised through `new URL()`. Anything that is not an origin (a
 * path, a query, credentials, another scheme, `*` or `null`) stops the start naming the
 * setting and the entry's position, never its text: it may hold a password.
 */
export function parseAllowedOrigins(entries: readonly string[], setting: string): AllowedOrigins {
	const exact = new Set<string>();
	const wildcards: Wildcard[] = [];
	entries.forEach((entry, index) => {
		const parsed = entry.includes('*') ? parseWildcard(entry) : parseOrigin(entry);
		if (typeof parsed === 'string') {
			throw new SignerConfigError(
				setting,
				`entry ${index + 1} is not an origin: ${parsed} (list origins such as https://www.example.com, or https://*.example.com for its subdomains)`,
			);
		}
		if (parsed instanceof URL) exact.add(parsed.origin);
		else wildcards.push(parsed);
	});
	return { exact, wildcards };
}

/**
 * A request's `Origin` as a normalised origin, or undefined when it is not one (`null`, a
 * path, credentials): browsers send the serialised origin, nothing else is compared.
 */
export function requestOrigin(header: string): URL | undefined {
	const parsed = parseOrigin(header);
	return typeof parsed === 'string' || header.endsWith('/') ? undefined : parsed;
}

/** Whether a normalised origin is listed, exactly or under a wildcard (same scheme and port, one label or more). */
export function isListed(origin: URL, allowed: AllowedOrigins): boolean {
	if (allowed.exact.has(origin.origin)) return true;
	return allowed.wildcards.some(
		({ protocol, suffix, port }) =>
			origin.protocol === protocol &&
			origin.port === port &&
			origin.hostname.endsWith(suffix) &&
			LABELS.test(origin.hostname.slice(0, -suffix.length)),
	);
}
