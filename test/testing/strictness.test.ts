import oauth from 'oauth-sign';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import type { LivePersonStandIn } from 'lp-ea/testing';
import { CREDENTIALS, LEAD, startStandIn, VISIT } from '../helpers/signer.js';

// The stand-in is the judge of every signer test, so its own strictness is tested here,
// with requests signed by oauth-sign.
let lp: LivePersonStandIn;
beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(() => lp.close());
beforeEach(() => lp.clear());

type Options = { nonce?: string; timestamp?: number; query?: string; override?: string | null; secret?: string; account?: string };

function signed({ nonce = `n${Math.random()}`, timestamp = Math.floor(Date.now() / 1000), query = `v=1&sid=${VISIT.sid}`, override = 'PUT', secret = CREDENTIALS.consumerSecret, account = VISIT.account }: Options = {}) {
	const url = new URL(`/api/account/${account}/monitoring/visitors/${VISIT.visitor}/visits/current/events?${query}`, lp.origin);
	const fields: Record<string, string> = {
		oauth_consumer_key: CREDENTIALS.consumerKey,
		oauth_nonce: nonce,
		oauth_signature_method: 'HMAC-SHA1',
		oauth_timestamp: String(timestamp),
		oauth_token: CREDENTIALS.token,
		oauth_version: '1.0',
	};
	const params = { ...fields, ...Object.fromEntries(url.searchParams) };
	fields.oauth_signature = oauth.hmacsign('POST', `${url.origin}${url.pathname}`, params, secret, CREDENTIALS.tokenSecret);
	const headers: Record<string, string> = {
		authorization: `OAuth ${Object.entries(fields).map(([k, v]) => `${k}="${oauth.rfc3986(v)}"`).join(', ')}`,
		'content-type': 'application/json',
	};
	if (override) headers['x-http-method-override'] = override;
	return { url, init: { method: 'POST', headers, body: JSON.stringify([LEAD]) } };
}

function signedRequest(options: Options = {}) {
	const { url, init } = signed(options);
	return fetch(url, init);
}

test('a correctly signed request is answered 200 {} and kept', async () => {
	const response = await signedRequest();
	expect(response.status).toBe(200);
	expect(await response.json()).toEqual({});
	expect(lp.received[0]).toMatchObject({ verified: true, attributes: [LEAD] });
});

test('a replayed nonce is refused 401', async () => {
	expect((await signedRequest({ nonce: 'once' })).status).toBe(200);
	expect((await signedRequest({ nonce: 'once' })).status).toBe(401);
	expect(lp.received[1]?.reason).toBe('nonce used before');
});

test('a timestamp outside five minutes is refused 401', async () => {
	expect((await signedRequest({ timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
	expect((await signedRequest({ timestamp: Math.floor(Date.now() / 1000) + 600 })).status).toBe(401);
});

test('a wrong secret is refused 401', async () => {
	expect((await signedRequest({ secret: 'wrong' })).status).toBe(401);
	expect(lp.received[0]?.reason).toBe('signature does not match');
});

test('a valid signature moved to another sid is refused 401', async () => {
	const { url, init } = signed();
	url.searchParams.set('sid', 'another-session');
	expect((await fetch(url, init)).status).toBe(401);
	expect(lp.received[0]?.reason).toBe('signature does not match');
});

test('v and sid are required (400), and so is x-http-method-override: PUT (400)', async () => {
	expect((await signedRequest({ query: `sid=${VISIT.sid}` })).status).toBe(400);
	expect((await signedRequest({ query: 'v=1' })).status).toBe(400);
	expect((await signedRequest({ override: null })).status).toBe(400);
	expect((await signedRequest({ override: 'DELETE' })).status).toBe(400);
});

test('an unknown account is 422', async () => {
	expect((await signedRequest({ account: '4321' })).status).toBe(422);
});
