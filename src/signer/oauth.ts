/**
 * OAuth 1.0 (RFC 5849) HMAC-SHA1 signing, with Web Crypto by default so that the same code
 * runs in Node, Workers and Deno; the HMAC itself can be injected.
 */

export type OAuthCredentials = {
	consumerKey: string;
	consumerSecret: string;
	token: string;
	tokenSecret: string;
};

const SUB_DELIMS = /[!'()*]/g;

/** RFC 5849 §3.6: the unreserved set stays, everything else is %XX in upper-case hex. */
export function percentEncode(value: string): string {
	const encoded = encodeURIComponent(value);
	// Most values (ids, keys, the nonce) hold none of the five that encodeURIComponent leaves.
	return /[!'()*]/.test(encoded)
		? encoded.replace(SUB_DELIMS, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
		: encoded;
}

/** §3.4.1.2: scheme and host in lower case, default port dropped, no query or fragment. */
export function baseUri(url: URL): string {
	return `${url.protocol}//${url.host}${url.pathname}`;
}

type Pair = readonly [string, string];

/** Encoded pairs sorted by name, then value (byte order: they are ASCII once encoded), joined. */
function joinSorted(encoded: Pair[]): string {
	return encoded
		.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
		.map(([name, value]) => `${name}=${value}`)
		.join('&');
}

const encodePair = ([name, value]: Pair): Pair => [percentEncode(name), percentEncode(value)];

/** §3.4.1.3.2: encode each name and value, sort by name then value, join. */
export function normalizeParameters(parameters: ReadonlyArray<Pair>): string {
	return joinSorted(parameters.map(encodePair));
}

/**
 * §3.4.1: the string that is signed. The URL's query parameters (form-decoded, as
 * URLSearchParams does) are signed along with `parameters`, which holds the oauth_* fields
 * and, for a form-encoded body, the body's parameters.
 */
export function signatureBaseString(method: string, url: URL, parameters: ReadonlyArray<Pair>): string {
	const all = [...url.searchParams, ...parameters];
	return [method.toUpperCase(), percentEncode(baseUri(url)), percentEncode(normalizeParameters(all))].join('&');
}

function toBase64(bytes: ArrayBuffer): string {
	let binary = '';
	for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
	return btoa(binary);
}

const encoder = new TextEncoder();

/**
 * HMAC-SHA1, keyed once: given the key, a function from text to its signature in base64.
 * The default is Web Crypto; a platform with a faster one injects it (Node: `createHmac`).
 */
export type Hmac = (key: string) => (text: string) => string | Promise<string>;

/** Web Crypto's HMAC-SHA1. The key is imported once, not extractable. */
export const webHmac: Hmac = (key) => {
	const imported = crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
	return async (text) => toBase64(await crypto.subtle.sign('HMAC', await imported, encoder.encode(text)));
};

/** §3.4.2: the HMAC-SHA1 key is both secrets, encoded, the '&' always present. */
function signingKey(consumerSecret: string, tokenSecret: string): string {
	return `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
}

export async function hmacSha1(consumerSecret: string, tokenSecret: string, text: string, hmac: Hmac = webHmac): Promise<string> {
	return hmac(signingKey(consumerSecret, tokenSecret))(text);
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const NONCE_BYTES = 16;
// Random bytes drawn 4 KiB at a time: one call to the random source per 256 nonces, not per nonce.
const pool = new Uint8Array(4096);
let used = pool.length;

/** A fresh nonce: 128 bits from the platform's cryptographic random source, as hex. Each byte is used once. */
export function createNonce(): string {
	if (used === pool.length) {
		crypto.getRandomValues(pool);
		used = 0;
	}
	let nonce = '';
	for (const end = used + NONCE_BYTES; used < end; used++) nonce += HEX[pool[used]!];
	return nonce;
}

export type SignRequest = {
	method: string;
	url: URL;
	/** Seconds since the epoch. */
	timestamp: number;
	nonce: string;
};

/**
 * Makes `Authorization: OAuth …` header values for requests whose body is not
 * form-encoded. The key is imported once, and what does not change between requests (the
 * key, the token, the method and version fields) is encoded once: per request, only the
 * nonce, the timestamp and the URL's own parameters are.
 */
export function createOAuthSigner(credentials: OAuthCredentials, hmac: Hmac = webHmac) {
	const mac = hmac(signingKey(credentials.consumerSecret, credentials.tokenSecret));
	const consumerKey = percentEncode(credentials.consumerKey);
	const token = percentEncode(credentials.token);
	const fixed: Pair[] = [
		['oauth_consumer_key', consumerKey],
		['oauth_signature_method', 'HMAC-SHA1'],
		['oauth_token', token],
		['oauth_version', '1.0'],
	];
	return async ({ method, url, timestamp, nonce }: SignRequest): Promise<string> => {
		const encodedNonce = percentEncode(nonce);
		const seconds = percentEncode(String(timestamp));
		const parameters: Pair[] = [...fixed, ['oauth_nonce', encodedNonce], ['oauth_timestamp', seconds]];
		for (const pair of url.searchParams) parameters.push(encodePair(pair));
		const signature = await mac(`${method.toUpperCase()}&${percentEncode(baseUri(url))}&${percentEncode(joinSorted(parameters))}`);
		// The fields in name order, as the signature's own are: consumer key, nonce, signature, method, timestamp, token, version.
		return `OAuth oauth_consumer_key="${consumerKey}", oauth_nonce="${encodedNonce}", oauth_signature="${percentEncode(signature)}", oauth_signature_method="HMAC-SHA1", oauth_timestamp="${seconds}", oauth_token="${token}", oauth_version="1.0"`;
	};
}

export type OAuthSigner = ReturnType<typeof createOAuthSigner>;
