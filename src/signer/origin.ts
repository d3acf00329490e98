import { isLoopback } from './address.js';
import { isListed, requestOrigin } from './allowed-origins.js';
import { printable } from './log-line.js';
import { because, Refusal } from './refusal.js';
import { lastEntry, type ConnectionInfo } from './connection.js';
import type { Incoming } from './exchange.js';
import type { Settings } from './settings.js';

export type OriginCheck = {
	/** Headers a browser needs to read the answer: set only for a listed cross-origin caller. */
	cors: Record<string, string>;
};

/** An origin from a scheme and a host header's value; undefined when it is not one. */
function originOf(scheme: string, host: string): URL | undefined {
	try {
		const own = new URL(`${scheme}://${host}`);
		return own.pathname === '/' && !own.username && !own.search && !own.hash ? own : undefined;
	} catch {
		return undefined;
	}
}

/**
 * The endpoint's own origin as the browser saw it: the request's scheme and its `Host`, or,
 * behind a trusted proxy, the scheme and host it forwarded. Malformed values are ignored.
 * `Host` rather than the URL's host because some hosts build `request.url` from their own
 * listening address: under `next start` it is `http://localhost:3000/…` whatever name the
 * page was loaded by, which made every page on the real host look foreign.
 */
export function ownOrigin(request: Incoming, trustProxy: boolean): URL {
	const requested = new URL(request.url);
	const hostHeader = request.header('host');
	const url = (hostHeader && hostHeader !== requested.host && originOf(requested.protocol.slice(0, -1), hostHeader)) || requested;
	if (!trustProxy) return url;
	const proto = lastEntry(request, 'x-forwarded-proto')?.toLowerCase();
	const host = lastEntry(request, 'x-forwarded-host');
	return originOf(proto === 'http' || proto === 'https' ? proto : url.protocol.slice(0, -1), host ?? url.host) ?? url;
}

const effectivePort = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');

/**
 * Same origin means the same scheme and host, http(s) only. A signer reached on a loopback
 * address (its Host not vouched for by a trusted proxy) takes only loopback names on its own
 * port as its own: a foreign name that resolves to 127.0.0.1 is a DNS rebinding attack.
 */
function isOwnOrigin(origin: URL, own: URL, loopbackBound: boolean): boolean {
	if (!/^https?:$/.test(origin.protocol) || origin.protocol !== own.protocol) return false;
	if (!loopbackBound) return origin.host === own.host;
	return isLoopback(origin.hostname) && effectivePort(origin) === effectivePort(own);
}

/**
 * The CORS headers of a refusal: the caller's Origin, whoever it is, so that a page reads
 * the code and message instead of a bare network error. A refusal gives nothing away.
 */
export const refusalCors = (origin: string): Record<string, string> => ({ 'access-control-allow-origin': origin, vary: 'Origin' });

/**
 * Why a page is refused, in terms of the setting that would admit it. An Origin that is no
 * origin at all (`null` from a sandboxed frame, a file: or data: page) no setting admits.
 */
function refusal(origin: string, parsed: URL | undefined, request: Incoming, settings: Settings): Refusal {
	const { names } = settings;
	if (!parsed) {
		return new Refusal(
			'forbidden',
			`origin ${printable(origin)} may not call this endpoint: it is not an origin ${names.allowedOrigins} can list (a sandboxed frame, a file: or data: page)`,
			refusalCors(origin),
		);
	}
	const forwarded = [...request.headerNames()].some((name) => name.startsWith('x-forwarded-'));
	// Our own host on another scheme, or a proxy's headers: TLS or the Host was changed on the way.
	const proxied = forwarded || parsed.hostname === new URL(request.url).hostname;
	const hint = !settings.trustProxy && proxied
		? ` (behind your own reverse proxy, set ${names.trustProxy}=1 so that the endpoint sees its own origin)`
		: '';
	return because('origin', new Refusal(
		'forbidden',
		`origin ${printable(origin)} may not call this endpoint: add it to ${names.allowedOrigins}${hint}`,
		refusalCors(origin),
	));
}

/**
 * Who may call. No Origin header: not a browser page (curl, a server), so CORS has nothing
 * to guard. The endpoint's own origin: the brand's own pages. A listed origin (compared
 * normalised, wildcards included): CORS headers for it, echoing the header as the browser
 * sent it. Anything else, `null` and whatever is not an origin included, is refused.
 */
export function checkOrigin(request: Incoming, connection: ConnectionInfo | undefined, settings: Settings): OriginCheck {
	const origin = request.header('origin');
	if (origin === null) return { cors: {} };
	const parsed = requestOrigin(origin);
	if (parsed && isListed(parsed, settings.allowedOrigins)) {
		return { cors: { 'access-control-allow-origin': origin, vary: 'Origin' } };
	}
	const loopbackBound = !settings.trustProxy && isLoopback(connection?.localAddress ?? '');
	if (parsed && isOwnOrigin(parsed, ownOrigin(request, settings.trustProxy), loopbackBound)) return { cors: {} };
	throw refusal(origin, parsed, request, settings);
}

export const PREFLIGHT_HEADERS = {
	'access-control-allow-methods': 'POST, OPTIONS',
	'access-control-allow-headers': 'content-type',
	'access-control-max-age': '600',
};
