import { createSigner } from 'lp-ea/signer';
import { startLivePerson, type LivePersonStandIn } from 'lp-ea/testing';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { startCli } from '../helpers/cli.js';

// lp-ea/testing as a brand's own integration test would use it: through the package's
// exports, with the brand's accounts and credentials, the real signer pointed at it.
const credentials = { consumerKey: 'brand-key', consumerSecret: 'brand-secret', token: 'brand-token', tokenSecret: 'brand-token-secret' };
const visit = { account: '9001', visitor: 'visitor-1', sid: 'session-1' };
const lead = { type: 'lead', lead: { topic: 'upgrade', value: 200, leadId: 'L-1' } };

let lp: LivePersonStandIn;
beforeAll(async () => {
	lp = await startLivePerson({ accounts: ['9001'], credentials });
});
afterAll(() => lp.close());
beforeEach(() => lp.clear());

const signer = (overrides: Record<string, unknown> = {}) => createSigner({ ...lp.signerOptions, rateLimit: false, ...overrides });

const post = (handle: ReturnType<typeof createSigner>, attributes: unknown[] = [lead], envelope: Partial<typeof visit> = {}) =>
	handle(
		new Request('https://brand.example/lp-ea/events', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ ...visit, ...envelope, attributes }),
		}),
	);

test('starts on a free loopback port and gives the signer its options and environment', () => {
	expect(lp.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	expect(lp.origin).not.toMatch(/:0$/);
	expect(lp.signerOptions).toEqual({
		accounts: '9001',
		consumerKey: 'brand-key',
		consumerSecret: 'brand-secret',
		accessToken: 'brand-token',
		accessTokenSecret: 'brand-token-secret',
		domain: lp.origin,
	});
	expect(lp.env).toMatchObject({ LP_ACCOUNT: '9001', LP_ACCESS_TOKEN: 'brand-token', LP_DOMAIN: lp.origin });
});

test('keeps what the signer forwarded, with the signature verified', async () => {
	const response = await post(signer());
	expect(response.status).toBe(200);
	const [record] = await lp.waitForRequests(1);
	expect(record).toMatchObject({ ...visit, v: '1', status: 200, verified: true, attributes: [lead] });
	expect(Date.parse(record!.at)).not.toBeNaN();
});

test('a signer with the wrong secret is refused, and the record says why', async () => {
	const response = await post(signer({ consumerSecret: 'not-the-brand-secret' }));
	expect(response.status).toBe(401);
	expect(lp.received).toEqual([expect.objectContaining({ status: 401, verified: false, reason: 'signature does not match' })]);
});

test('an account the stand-in does not know is answered 422, as LivePerson does', async () => {
	const response = await post(signer({ accounts: '9001,9002' }), [lead], { account: '9002' });
	expect(response.status).toBe(422);
	expect(lp.received).toEqual([expect.objectContaining({ account: '9002', status: 422, verified: true })]);
});

test('fails on demand: a status, for the given number of requests, then behaves again', async () => {
	const handle = signer();
	lp.setFault({ status: 500, times: 2 });
	expect((await post(handle)).status).toBe(500);
	expect((await post(handle)).status).toBe(500);
	expect((await post(handle)).status).toBe(200);
	// Faulted requests stand for LivePerson failing before it looked: only the third is kept, and counted apart.
	expect(lp.received).toHaveLength(1);
	expect(lp.faulted).toBe(2);
	lp.clear();
	expect(lp.faulted).toBe(0);
});

test('fails on demand: a dropped connection is a bad gateway, a hang a timeout', async () => {
	const handle = signer({ timeout: 300 });
	lp.setFault({ reset: true });
	expect(await (await post(handle)).json()).toMatchObject({ error: { code: 'bad-gateway' } });
	lp.setFault({ hang: true });
	expect(await (await post(handle)).json()).toMatchObject({ error: { code: 'timeout' } });
	expect(lp.received).toHaveLength(0);
	expect(lp.faulted).toBe(2);
});

test("fails on demand with a fault's headers, such as a 429's Retry-After", async () => {
	lp.setFault({ status: 429, headers: { 'retry-after': '7' } });
	const events = `${lp.origin}/api/account/9001/monitoring/visitors/visitor-1/visits/current/events?v=1&sid=session-1`;
	const pushedBack = await fetch(events, { method: 'POST', body: '[]' });
	expect([pushedBack.status, pushedBack.headers.get('retry-after')]).toEqual([429, '7']);
	// Only the faulted answer has them.
	expect((await fetch(events, { method: 'POST', body: '[]' })).headers.get('retry-after')).toBeNull();
});

test('setFault(undefined) and clear() undo a fault', async () => {
	const handle = signer();
	lp.setFault({ status: 429, times: 5 });
	lp.setFault(undefined);
	expect((await post(handle)).status).toBe(200);
	lp.setFault({ status: 429, times: 5 });
	lp.clear();
	expect(lp.received).toHaveLength(0);
	expect((await post(handle)).status).toBe(200);
});

test('waitForRequests waits for requests still to come, and says how many came when they do not', async () => {
	const waiting = lp.waitForRequests(2, 10_000);
	await post(signer());
	await post(signer());
	expect(await waiting).toHaveLength(2);
	await expect(lp.waitForRequests(3, 100)).rejects.toThrow('received 2 of 3 requests within 100 ms');
});

test('lp-ea-signer configured from lp.env forwards to the stand-in', async () => {
	const cli = await startCli(lp.env);
	try {
		const response = await fetch(cli.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...visit, attributes: [lead] }) });
		expect(response.status).toBe(200);
		expect(lp.received[0]).toMatchObject({ verified: true, attributes: [lead] });
	} finally {
		await cli.stop();
	}
});

test('answers the domain API with its own host, so a signer without a domain finds it', async () => {
	const response = await fetch(`${lp.origin}/api/account/9001/service/smt/baseURI.json?version=1.0`);
	expect(await response.json()).toEqual({ service: 'smt', account: '9001', baseURI: new URL(lp.origin).host });
});
