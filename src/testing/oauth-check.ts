import oauth from 'oauth-sign';

/** The API key the stand-in accepts: the same four values the signing endpoint is given. */
export type Credentials = { consumerKey: string; consumerSecret: string; token: string; tokenSecret: string };

/** LivePerson's window for `oauth_timestamp`, either side of its own clock. */
export const TIMESTAMP_WINDOW_S = 300;

/** `OAuth a="1", b="2"` as a Map of decoded fields; undefined when it is not that shape. */
export function parseAuthorization(header: string | undefined): Map<string, string> | undefined {
	if (!header?.startsWith('OAuth ')) return undefined;
	const fields = new Map<string, string>();
	for (const part of header.slice(6).split(',')) {
		const match = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
		if (!match) return undefined;
		try {
			fields.set(match[1]!, decodeURIComponent(match[2]!));
		} catch {
			return undefined; // a malformed %-escape
		}
	}
	return fields;
}

/**
 * Why a request's OAuth 1.0 signature is refused, or undefined when it is good. The signature
 * is recomputed with oauth-sign, not with lp-ea's signer, so a mistake shared by both cannot
 * pass unseen. `seen` is the nonce memory (`timestamp:nonce` → when), or undefined to skip it.
 */
export function checkSignature(
	authorization: string | undefined,
	url: URL,
	credentials: Credentials,
	seen: Map<string, number> | undefined,
	now = Date.now(),
): string | undefined {
	const auth = parseAuthorization(authorization);
	if (!auth) return 'no OAuth Authorization header';
	if (auth.get('oauth_signature_method') !== 'HMAC-SHA1') return 'signature method is not HMAC-SHA1';
	if (auth.get('oauth_version') !== undefined && auth.get('oauth_version') !== '1.0') return 'oauth_version is not 1.0';
	if (auth.get('oauth_consumer_key') !== credentials.consumerKey) return 'unknown consumer key';
	if (auth.get('oauth_token') !== credentials.token) return 'unknown token';
	const timestamp = Number(auth.get('oauth_timestamp'));
	if (!Number.isInteger(timestamp) || Math.abs(now / 1000 - timestamp) > TIMESTAMP_WINDOW_S) {
		return 'timestamp outside the window';
	}
	const nonce = auth.get('oauth_nonce');
	if (!nonce) return 'no nonce';
	const key = `${timestamp}:${nonce}`;
	if (seen?.has(key)) return 'nonce used before';
	const params: Record<string, string> = {};
	for (const [name, value] of url.searchParams) params[name] = value;
	for (const [name, value] of auth) if (name !== 'oauth_signature' && name !== 'realm') params[name] = value;
	const expected = oauth.hmacsign('POST', `${url.origin}${url.pathname}`, params, credentials.consumerSecret, credentials.tokenSecret);
	if (expected !== auth.get('oauth_signature')) return 'signature does not match';
	if (seen) {
		seen.set(key, now);
		for (const [old, at] of seen) if (now - at > TIMESTAMP_WINDOW_S * 2000) seen.delete(old);
	}
	return undefined;
}
