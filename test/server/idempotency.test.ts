import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { createReporter, type Reporter, type ReporterOptions } from '../../src/server/index.js';
import { createSigner } from '../../src/signer/index.js';
import { createMemoryStore } from '../../src/signer/stores/memory.js';
import { freePort, HAS_REDIS, NO_REDIS_LINE, startRedis, type RedisServer } from '../helpers/redis.js';
import { post, signerOptions, startStandIn, VISIT } from '../helpers/signer.js';
import { rejection } from '../helpers/rejection.js';

// An idempotency key makes a call safe to repeat: the signer's de-duplication, with its rules
// (claims bound to a digest of the visit and attributes), in one process's memory or, shared
// with other processes and with the signing endpoint, in Redis.
if (!HAS_REDIS) console.log(NO_REDIS_LINE);

let lp: LivePersonStandIn;
const made: Reporter[] = [];
const KEY = 'ticket-1234-resolved';
const RESOLVED = { status: 'resolved', serviceId: 'T-1234' } as const;

beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(async () => {
	await Promise.all(made.map((r) => r.close()));
	await lp.close();
});
beforeEach(() => lp.clear());

const reporterWith = (options: Partial<ReporterOptions> = {}) => {
	const reporter = createReporter({ ...signerOptions(lp.origin), timeout: 5_000, attemptTimeout: 1_000, ...options });
	made.push(reporter);
	return reporter;
};

/** Every request that reached the stand-in: those it kept and those a fault answered. */
const requests = () => lp.received.length + lp.faulted;


/** The same suite for each place keys are remembered: each `pair()` is two reporters that share it. */
const STORES: Array<[string, () => Promise<[Reporter, Reporter]>, boolean]> = [
	['one reporter, in memory', async () => {
		const one = reporterWith();
		return [one, one];
	}, true],
	['two reporters sharing a dedupeStore', async () => {
		const dedupeStore = createMemoryStore();
		return [reporterWith({ dedupeStore }), reporterWith({ dedupeStore })];
	}, true],
];

let redis: RedisServer | undefined;
if (HAS_REDIS) {
	STORES.push(['two reporters sharing Redis (redisUrl), as two processes would', async () => {
		redis ??= await startRedis();
		return [reporterWith({ redisUrl: redis.url }), reporterWith({ redisUrl: redis.url })];
	}, true]);
}
afterAll(() => redis?.stop());

describe.each(STORES)('%s', (_, pair) => {
	test('two concurrent calls with one key: one request, both resolve', async () => {
		const [a, b] = await pair();
		// Answered slowly, so that the second call comes while the first is being forwarded.
		lp.setFault({ delayMs: 300 });
		await Promise.all([a.service(VISIT, RESOLVED, { idempotencyKey: KEY }), b.service(VISIT, RESOLVED, { idempotencyKey: KEY })]);
		expect(requests()).toBe(1);
		await lp.expectRequests(1, { visit: VISIT, attributes: [{ type: 'service', service: { status: 13, serviceId: 'T-1234' } }] });
	});

	test('a repeat after success is answered without a request; without a key, it is sent again', async () => {
		const [a, b] = await pair();
		await a.service(VISIT, RESOLVED, { idempotencyKey: `${KEY}-again` });
		await b.service(VISIT, RESOLVED, { idempotencyKey: `${KEY}-again` });
		await a.service(VISIT, RESOLVED, { idempotencyKey: `${KEY}-again` });
		expect(requests()).toBe(1);
		await b.service(VISIT, RESOLVED);
		await b.service(VISIT, RESOLVED);
		expect(requests()).toBe(3);
	});

	test('the same key with other attributes or another visit is refused bad-request (409), nothing sent', async () => {
		const [a, b] = await pair();
		const key = `${KEY}-reused`;
		await a.service(VISIT, RESOLVED, { idempotencyKey: key });
		const other = await rejection(b.service(VISIT, { ...RESOLVED, status: 'closed' }, { idempotencyKey: key }));
		expect(other).toMatchObject({ code: 'bad-request', status: 409, queued: false });
		expect(other.message).toMatch(/^idempotencyKey was already used for another call/);
		expect((await rejection(b.service({ ...VISIT, sid: 'another-sid' }, RESOLVED, { idempotencyKey: key }))).status).toBe(409);
		expect((await rejection(b.lead(VISIT, {}, { idempotencyKey: key }))).status).toBe(409);
		expect(requests()).toBe(1);
	});

	test('a key whose call failed is let go: the call retried later with it is delivered', async () => {
		const [a, b] = await pair();
		const key = `${KEY}-failed`;
		lp.setFault({ status: 401 });
		expect((await rejection(a.service(VISIT, RESOLVED, { idempotencyKey: key }))).code).toBe('unauthorized');
		await b.service(VISIT, RESOLVED, { idempotencyKey: key });
		expect([lp.faulted, lp.received.length]).toEqual([1, 1]);
	});

	test('retries within a call keep its key: a 500, then one delivery', async () => {
		const [a] = await pair();
		lp.setFault({ status: 500 });
		await a.service(VISIT, RESOLVED, { idempotencyKey: `${KEY}-retried` });
		await a.service(VISIT, RESOLVED, { idempotencyKey: `${KEY}-retried` });
		expect([lp.faulted, lp.received.length]).toEqual([1, 1]);
	});

	test("a visit LivePerson said had ended (404) stays refused under its key, without a request", async () => {
		const [a, b] = await pair();
		const key = `${KEY}-ended`;
		lp.setFault({ status: 404 });
		expect((await rejection(a.service(VISIT, RESOLVED, { idempotencyKey: key }))).code).toBe('not-found');
		expect(await rejection(b.service(VISIT, RESOLVED, { idempotencyKey: key }))).toMatchObject({ code: 'not-found', status: 404 });
		expect(requests()).toBe(1);
	});
});

describe.skipIf(!HAS_REDIS)('Redis', () => {
	test("shared with the signing endpoint: a page's request id is a key the reporter will not send again", async () => {
		redis ??= await startRedis();
		const { createRedisStore } = await import('../../src/signer/stores/redis.js');
		const store = await createRedisStore(redis.url);
		try {
			const signer = createSigner({ ...signerOptions(lp.origin), rateLimit: false, dedupeStore: store });
			const attributes = [{ type: 'service', service: { status: 13, serviceId: 'T-1234' } }];
			const response = await signer(post({ id: `${KEY}-page`, ...VISIT, attributes }));
			expect(response.status).toBe(200);
			await reporterWith({ redisUrl: redis.url }).service(VISIT, RESOLVED, { idempotencyKey: `${KEY}-page` });
			expect(requests()).toBe(1);
		} finally {
			await store.close();
		}
	});

	test('unreachable: a call with a key sends nothing and rejects server-error (503) within its timeout; one without a key is sent', async () => {
		const reporter = reporterWith({ redisUrl: `redis://127.0.0.1:${await freePort()}`, timeout: 3_000 });
		const started = Date.now();
		const error = await rejection(reporter.service(VISIT, RESOLVED, { idempotencyKey: `${KEY}-no-redis` }));
		expect(error).toMatchObject({ code: 'server-error', status: 503, queued: false });
		expect(error.message).toMatch(/^the de-duplication store \(redisUrl or dedupeStore\) cannot be reached/);
		expect(Date.now() - started).toBeLessThanOrEqual(3_100);
		expect(requests()).toBe(0);
		await reporter.service(VISIT, RESOLVED);
		expect(requests()).toBe(1);
	});

	test("close() lets go of Redis, and a closed reporter refuses calls", async () => {
		redis ??= await startRedis();
		const probe = createClient({ url: redis.url });
		await probe.connect();
		try {
			const clients = async () => (await probe.clientList()).length;
			const before = await clients();
			const reporter = createReporter({ ...signerOptions(lp.origin), redisUrl: redis.url });
			await reporter.service(VISIT, RESOLVED, { idempotencyKey: `${KEY}-close` });
			expect(await clients()).toBe(before + 1);
			await reporter.close();
			await expect.poll(clients).toBe(before);
			expect(await rejection(reporter.lead(VISIT))).toMatchObject({ code: 'network', status: 0 });
			expect(requests()).toBe(1);
		} finally {
			probe.destroy();
		}
	});
});

test('close() waits for the calls under way', async () => {
	const reporter = createReporter({ ...signerOptions(lp.origin), timeout: 3_000 });
	lp.setFault({ delayMs: 300 });
	let delivered = false;
	const call = reporter.lead(VISIT).then(() => (delivered = true));
	await new Promise((r) => setTimeout(r, 50));
	await reporter.close();
	expect(delivered).toBe(true);
	await call;
});
