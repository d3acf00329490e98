import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { CREDENTIALS, LEAD, startStandIn, VISIT } from '../helpers/signer.js';
import { storeContract } from '../helpers/store-contract.js';
import { startWorkers, type Workers } from './workerd.js';

let lp: LivePersonStandIn;
let workers: Workers;

const PER_ISOLATE = /de-duplicating per isolate, in memory: .* bind the LpEaDedupe Durable Object as LP_DEDUPE/g;

/** A Durable Object that stands for one that cannot be reached: every call fails, and says so in the log. */
const BROKEN = `import { DurableObject } from 'cloudflare:workers';
const fail = () => { console.log('lp-ea-test: fault injected'); throw new Error('Durable Object storage is unavailable'); };
export class LpEaDedupe extends DurableObject { claim() { fail(); } settle() { fail(); } release() { fail(); } }
export default { fetch: () => new Response('nothing here', { status: 404 }) };
`;

/** The store as the signer uses it (through the bundle's own durableObjectStore), or a shard's stub called directly. */
const PROBE = `import { durableObjectStore } from './worker.mjs';
export default {
	async fetch(request, env) {
		const { op, args, shard } = await request.json();
		const target = shard === undefined ? durableObjectStore(env.LP_DEDUPE) : env.LP_DEDUPE.get(env.LP_DEDUPE.idFromName(shard));
		try {
			return Response.json({ held: (await target[op](...args)) ?? null });
		} catch (error) {
			return Response.json({ error: error.message }, { status: 500 });
		}
	},
};
`;

beforeAll(async () => {
	lp = await startStandIn();
	const env = {
		LP_ACCOUNT: '1234,5678',
		LP_CONSUMER_KEY: CREDENTIALS.consumerKey,
		LP_CONSUMER_SECRET: CREDENTIALS.consumerSecret,
		LP_ACCESS_TOKEN: CREDENTIALS.token,
		LP_ACCESS_TOKEN_SECRET: CREDENTIALS.tokenSecret,
		LP_DOMAIN: lp.origin,
		LP_RATE_LIMIT: 'off',
		LP_TIMEOUT_MS: '2000',
	};
	workers = await startWorkers(
		{ one: env, two: env, plain: env, faulty: env, misbound: { ...env, LP_DEDUPE: 'LpEaDedupe' }, broken: {}, probe: {} },
		{
			// Worker `one` hosts the namespace; `two` is another isolate bound to the same objects.
			durableObjects: [
				{ className: 'LpEaDedupe', host: 'one', binding: 'LP_DEDUPE', boundIn: ['one', 'two', 'probe'] },
				{ className: 'LpEaDedupe', host: 'broken', binding: 'LP_DEDUPE', boundIn: ['faulty'] },
			],
			sources: { broken: BROKEN, probe: PROBE },
		},
	);
}, 30_000);
afterAll(async () => {
	await workers?.close();
	await lp?.close();
});
beforeEach(() => lp.clear());

let serial = 0;
/** A fresh id for each test, 16 to 64 characters of the contract's alphabet. */
const freshId = () => `durable-object-id-${Date.now()}-${++serial}`;

async function send(worker: string, body: unknown) {
	const response = await fetch(`${workers.urls[worker]}/lp-ea/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
	return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
}

describe('lp-ea/signer/worker with the LpEaDedupe Durable Object (LP_DEDUPE), in workerd', () => {
	test('concurrent requests with one id on two isolates are forwarded once; the other is told to try again, then answered 200', async () => {
		lp.setFault({ delayMs: 300, times: 10 });
		const body = { id: freshId(), ...VISIT, attributes: [LEAD] };
		const answers = await Promise.all([send('one', body), send('two', body), send('one', body), send('two', body)]);
		// Each isolate's repeat waits for its own first request; the isolate that found the other's claim is told 503.
		expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 503, 503]);
		expect(answers.filter((a) => a.status === 503).map((a) => a.retryAfter)).toEqual(['1', '1']);
		expect((await Promise.all([send('one', body), send('two', body)])).map((a) => a.status)).toEqual([200, 200]);
		expect(lp.received).toHaveLength(1);
	});

	test('an accepted request repeated on the other isolate is answered 200 {} without forwarding', async () => {
		const body = { id: freshId(), ...VISIT, attributes: [LEAD] };
		expect(await send('one', body)).toMatchObject({ status: 200, body: {} });
		expect(await send('two', body)).toMatchObject({ status: 200, body: {} });
		expect(await send('two', body)).toMatchObject({ status: 200, body: {} });
		expect(lp.received).toHaveLength(1);
	});

	test('a request whose forward failed is let go: its retry on the other isolate is forwarded', async () => {
		lp.setFault({ status: 500 });
		const body = { id: freshId(), ...VISIT, attributes: [LEAD] };
		const failed = await send('one', body);
		expect(failed.status).toBeGreaterThanOrEqual(500);
		// The stand-in keeps no record of a request it failed on purpose.
		expect(lp.received).toHaveLength(0);
		expect(await send('two', body)).toMatchObject({ status: 200, body: {} });
		expect(await send('one', body)).toMatchObject({ status: 200, body: {} });
		expect(lp.received).toHaveLength(1);
	});

	test('the same id with another visitor and other attributes is refused 409 on the other isolate', async () => {
		const body = { id: freshId(), ...VISIT, attributes: [LEAD] };
		expect((await send('one', body)).status).toBe(200);
		const reused = await send('two', { ...body, visitor: 'someone-else', attributes: [{ type: 'purchase', total: 990, currency: 'USD' }] });
		expect(reused.status).toBe(409);
		expect(reused.body.error).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/different request/) });
		expect((await send('two', body)).status).toBe(200);
		expect(lp.received).toHaveLength(1);
	});

	test('an object that fails: 503 with Retry-After and nothing forwarded, never fail open', async () => {
		const before = workers.logs().split('lp-ea-test: fault injected').length;
		const answer = await send('faulty', { id: freshId(), ...VISIT, attributes: [LEAD] });
		expect(answer.status).toBe(503);
		expect(Number(answer.retryAfter)).toBeGreaterThan(0);
		expect(answer.body.error.message).toMatch(/de-duplication store/);
		await expect.poll(() => workers.logs().split('lp-ea-test: fault injected').length).toBeGreaterThan(before);
		expect(lp.received).toHaveLength(0);
	});

	test('LP_DEDUPE that is not a Durable Object binding fails requests with a 500 naming it, never de-duplicates per isolate quietly', async () => {
		const answer = await send('misbound', { id: freshId(), ...VISIT, attributes: [LEAD] });
		expect(answer.status).toBe(500);
		expect(answer.body.error.message).toMatch(/LP_DEDUPE must be a Durable Object namespace binding of the class LpEaDedupe/);
		expect(lp.received).toHaveLength(0);
	});

	test('without the binding, the log says once that ids are remembered per isolate, naming the binding', async () => {
		// The bound isolates above said nothing of the kind.
		expect(workers.logs().match(PER_ISOLATE)).toBeNull();
		for (let i = 0; i < 3; i++) expect((await send('plain', { id: freshId(), ...VISIT, attributes: [LEAD] })).status).toBe(200);
		await expect.poll(() => workers.logs().match(PER_ISOLATE)?.length ?? 0).toBe(1);
		expect(workers.logs().match(PER_ISOLATE)).toHaveLength(1);
	});
});

describe('the LpEaDedupe object, called as the signer calls it, in workerd', () => {
	const call = async (op: string, args: unknown[], shard?: string) => {
		const response = await fetch(workers.urls.probe!, { method: 'POST', body: JSON.stringify({ op, args, shard }) });
		const answer = (await response.json()) as { held?: string | null; error?: string };
		if (answer.error !== undefined) throw new Error(answer.error);
		return answer.held as never;
	};
	// Each "client" is the probe isolate's store; the objects are the real ones, SQLite-backed.
	const client = () => ({
		claim: (key: string, ttl: number, value?: string) => call('claim', value === undefined ? [key, ttl] : [key, ttl, value]),
		settle: (key: string, value: string, ttl: number) => call('settle', [key, value, ttl]),
		release: (key: string) => call('release', [key]),
	});
	// Fresh keys for each test: the objects outlive it.
	let suffix = '';
	beforeEach(() => void (suffix = `-${Date.now()}-${++serial}`));
	storeContract(
		(count) =>
			Array.from({ length: count }, () => {
				const c = client();
				return { claim: (k, t, v) => c.claim(k + suffix, t, v), settle: (k, v, t) => c.settle(k + suffix, v, t), release: (k) => c.release(k + suffix) };
			}),
		(ms) => new Promise((done) => setTimeout(done, ms)),
	);

	test('a malformed call straight to the object is refused, and stores nothing', async () => {
		const key = `malformed-${Date.now()}`;
		for (const args of [[key, -1, 'pending'], [key, 5_000, 'pending\n'], [`bad key ${key}`, 5_000, 'pending'], [key, 5_000, { state: 'pending' }], [key, '5000']]) {
			await expect(call('claim', args, `lp-ea-dedupe:${key[0]}`), JSON.stringify(args)).rejects.toThrow(/DedupeCallError|de-duplication object/);
		}
		expect(await call('claim', [key, 5_000])).toBeNull();
	});
});
