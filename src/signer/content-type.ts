/**
 * Which request bodies the signer reads: JSON sent as `application/json` or `text/plain` (the
 * latter so that a cross-origin page needs no preflight), in UTF-8.
 */

const ACCEPTED_TYPES = new Set(['application/json', 'text/plain']);

/** What pages and servers send, lower-cased: accepted without taking the value apart. */
const COMMON = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8', 'text/plain;charset=utf-8', 'text/plain; charset=utf-8', 'text/plain']);

/**
 * A Content-Type as RFC 9110 writes it: `type/subtype *( OWS ";" OWS name=value )`, the
 * value a token or a quoted string (`charset="utf-8"`). Only a charset of UTF-8 (or none)
 * is accepted; other parameters are ignored.
 */
export function isAcceptedContentType(value: string | null): boolean {
	if (value === null) return false;
	const lower = value.toLowerCase();
	if (COMMON.has(lower)) return true;
	const [type = '', ...params] = lower.split(';');
	if (!ACCEPTED_TYPES.has(type.trim())) return false;
	for (const param of params) {
		const equals = param.indexOf('=');
		if (equals < 0 || param.slice(0, equals).trim() !== 'charset') continue;
		let charset = param.slice(equals + 1).trim();
		// A quoted string: its quotes off, its backslash escapes undone.
		if (charset.length >= 2 && charset.startsWith('"') && charset.endsWith('"')) charset = charset.slice(1, -1).replace(/\\(.)/g, '$1');
		if (charset !== 'utf-8') return false;
	}
	return true;
}
