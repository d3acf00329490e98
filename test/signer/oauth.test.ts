import fc from 'fast-check';
import oauth from 'oauth-sign';
import { describe, expect, test } from 'vitest';
import {
	baseUri,
	createNonce,
	createOAuthSigner,
	hmacSha1,
	normalizeParameters,
	percentEncode,
	signatureBaseString,
	webHmac,
	type Hmac,
} from '../../src/signer/oauth.js';
import { nodeHmac } from '../../src/signer/node/platform.js';

// Each path's HMAC (Web Crypto, node:crypto) against the same vectors and the same independent implementation.
const HMACS: Array<{ name: string; hmac: Hmac }> = [
	{ name: 'Web Crypto', hmac: webHmac },
	{ name: 'node:crypto', hmac: nodeHmac },
];

// The published vectors of ../shared/reference/oauth1-vectors.md, as fixed expectations.
describe.each(HMACS)('published vectors ($name)', ({ hmac }) => {
	test('RFC 5849 §3.4.1.1: base string and signature, with form body parameters', async () => {
		const url = new URL('http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b');
		const body = [...new URLSearchParams('c2&a3=2+q')];
		const oauthFields: Array<[string, string]> = [
			['oauth_consumer_key', '9djdj82h48djs9d2'],
			['oauth_token', 'kkk9d7dh3k39sjv7'],
			['oauth_signature_method', 'HMAC-SHA1'],
			['oauth_timestamp', '137131201'],
			['oauth_nonce', '7d8f3e4a'],
		];
		const base = signatureBaseString('POST', url, [...body, ...oauthFields]);
		expect(base).toBe(
			'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
		);
		expect(await hmacSha1('j49sk3j29djd', 'dh893hdasih9', base, hmac)).toBe('r6/TJjbCOr97/+UU0NsvSne7s5g=');
	});

	const twitter = async (path: string) => {
		const url = new URL(`https://api.twitter.com${path}`);
		const params: Array<[string, string]> = [
			['include_entities', 'true'],
			['status', 'Hello Ladies + Gentlemen, a signed OAuth request!'],
			['oauth_consumer_key', 'xvz1evFS4wEEPTGEFPHBog'],
			['oauth_nonce', 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg'],
			['oauth_signature_method', 'HMAC-SHA1'],
			['oauth_timestamp', '1318622958'],
			['oauth_token', '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb'],
			['oauth_version', '1.0'],
		];
		return hmacSha1(
			'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
			'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
			signatureBaseString('POST', url, params),
			hmac,
		);
	};

	test('Twitter developer docs example, and the URL is part of what is signed', async () => {
		expect(await twitter('/1.1/statuses/update.json')).toBe('hCtSmYh+iHYCEqBWrE7C7hYmtUk=');
		expect(await twitter('/1/statuses/update.json')).toBe('tnnArxj06cWHq44gCs1OSKk/jLY=');
	});

	test('OAuth Core 1.0a Appendix A.5 (GET with query parameters)', async () => {
		const url = new URL('http://photos.example.net/photos?file=vacation.jpg&size=original');
		const base = signatureBaseString('GET', url, [
			['oauth_consumer_key', 'dpf43f3p2l4k3l03'],
			['oauth_token', 'nnch734d00sl2jdk'],
			['oauth_nonce', 'kllo9940pd9333jh'],
			['oauth_timestamp', '1191242096'],
			['oauth_signature_method', 'HMAC-SHA1'],
			['oauth_version', '1.0'],
		]);
		expect(await hmacSha1('kd94hf93k423kf44', 'pfkkdhi9sl3r4s00', base, hmac)).toBe('tR3+Ty81lMeYAr/Fid0kMTYa/WM=');
	});
});

describe('the rules, one test each', () => {
	test('nonces: 128 bits as hex, never repeated, across refills of the random pool', () => {
		const nonces = Array.from({ length: 2_000 }, createNonce);
		for (const nonce of nonces) expect(nonce).toMatch(/^[0-9a-f]{32}$/);
		expect(new Set(nonces).size).toBe(nonces.length);
	});

	test('percent-encoding: unreserved stay, ! * \' ( ) and space are encoded, hex upper-case', () => {
		expect(percentEncode("AZaz09-._~")).toBe('AZaz09-._~');
		expect(percentEncode("!*'() ")).toBe('%21%2A%27%28%29%20');
		expect(percentEncode('é/+=&')).toBe('%C3%A9%2F%2B%3D%26');
	});

	test('base URI: lower-case scheme and host, default ports dropped, no query or fragment', () => {
		expect(baseUri(new URL('HTTP://Example.COM:80/r?x=1#f'))).toBe('http://example.com/r');
		expect(baseUri(new URL('https://example.com:443/r'))).toBe('https://example.com/r');
		expect(baseUri(new URL('https://example.com:8443/r'))).toBe('https://example.com:8443/r');
	});

	test('parameters are encoded first, then sorted by name, then by value', () => {
		// Raw, "z" sorts before "é"; encoded, "%C3%A9" sorts before "z". Equal names sort by value.
		expect(normalizeParameters([['z', '2'], ['é', '1'], ['a', 'z'], ['a', 'y']])).toBe('%C3%A9=1&a=y&a=z&z=2');
	});

	test.each(HMACS)('the signing key always carries the "&", even for an empty token secret ($name)', async ({ hmac }) => {
		const withToken = await hmacSha1('cs', '', 'text', hmac);
		const { createHmac } = await import('node:crypto');
		expect(withToken).toBe(createHmac('sha1', 'cs&').update('text').digest('base64'));
	});

	test.each(HMACS)('the Authorization header carries every oauth_* field, encoded, and a signature that verifies ($name)', async ({ hmac }) => {
		const url = new URL('https://lo.v.liveperson.net/api/account/1234/monitoring/visitors/xyz/visits/current/events?v=1&sid=rty.uio');
		const sign = createOAuthSigner({ consumerKey: 'ck', consumerSecret: 'cs', token: 'tk', tokenSecret: 'ts' }, hmac);
		const header = await sign({
			method: 'POST',
			url,
			timestamp: 1700000000,
			nonce: 'n0nce',
		});
		const fields = Object.fromEntries(
			header.slice(6).split(', ').map((f) => {
				const [, name, value] = /^(\w+)="(.*)"$/.exec(f)!;
				return [name, decodeURIComponent(value!)];
			}),
		);
		expect(fields).toMatchObject({
			oauth_consumer_key: 'ck',
			oauth_nonce: 'n0nce',
			oauth_signature_method: 'HMAC-SHA1',
			oauth_timestamp: '1700000000',
			oauth_token: 'tk',
			oauth_version: '1.0',
		});
		const { oauth_signature, ...signed } = fields;
		const expected = oauth.hmacsign('POST', baseUri(url), { ...signed, v: '1', sid: 'rty.uio' }, 'cs', 'ts');
		expect(oauth_signature).toBe(expected);
	});
});

describe.each(HMACS)('against an independent implementation (oauth-sign), over generated inputs ($name)', ({ hmac }) => {
	// Reserved characters, unicode (BMP and astral), empty strings and repeated names.
	const tricky = fc.oneof(
		fc.string({ unit: fc.constantFrom(...'!*\'()%&=+/?#[]@:;, ~._-aZ09é€'.split('')), maxLength: 12 }),
		fc.string({ unit: 'grapheme', maxLength: 8 }),
		fc.constant(''),
	);
	const name = fc.oneof(fc.constantFrom('a', 'b', 'sid', 'v', 'x y'), tricky.filter((s) => s.length > 0));

	test('base string and signature agree for thousands of requests', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(fc.tuple(name, tricky), { maxLength: 6 }),
				fc.constantFrom('http://example.com/p', 'https://Host.Example:8443/a%20b/c', 'https://lo.v.liveperson.net/api'),
				tricky,
				tricky,
				async (pairs, base, consumerSecret, tokenSecret) => {
					const url = new URL(base);
					for (const [n, v] of pairs) url.searchParams.append(n, v);
					const ours = await hmacSha1(consumerSecret, tokenSecret, signatureBaseString('POST', url, []), hmac);
					// oauth-sign takes decoded parameters; repeated names as arrays.
					const params: Record<string, string | string[]> = Object.create(null);
					for (const [n, v] of url.searchParams) {
						const seen = params[n];
						params[n] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
					}
					expect(ours).toBe(oauth.hmacsign('POST', baseUri(url), params, consumerSecret, tokenSecret));
				},
			),
			{ numRuns: 2000 },
		);
	});
});
