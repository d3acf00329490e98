import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { createSigner } from '../../src/signer/index.js';
import { redisStoreFor } from '../../src/signer/node/signer.js';
import { createRedisStore, type RedisStore } from '../../src/signer/stores/redis.js';
import { freePort, HAS_REDIS, NO_REDIS_LINE, startRedis, type RedisServer } from '../helpers/redis.js';
import { LEAD, post, signerOptions, startStandIn, VISIT } from '../helpers/signer.js';

if (!HAS_REDIS) console.log(NO_REDIS_LINE);

describe.skipIf(!HAS_REDIS)('the Redis store, against a real redis-server', () => {
	let redis: RedisServer;
	let lp: LivePersonStandIn;
	const stores: RedisStore[] = [];
	const store = async () => {
		const created = await createRedisStore(redis.url);
		stores.push(created);
		return created;
	};

	beforeAll(async () => {
		[redis, lp] = await Promise.all([startRedis(), startStandIn()]);
	});
	afterAll(async () => {
		await Promise.all(stores.map((s) => s.close()));
		await Promise.all([redis?.stop(), lp?.close()]);
	});

	test('claims are atomic: of many concurrent claims from several clients, exactly one wins', async () => {
		const clients = await Promise.all([store(), store(), store()]);
		const claims = await Promise.all(Array.from({ length: 30 }, (_, i) => clients[i % 3]!.claim('lp-ea:t:concurrent', 5_000)));
		expect(claims.filter((c) => c === null)).toHaveLength(1);
		expect(claims.filter((c) => c === 'pending')).toHaveLength(29);
	});

	test('a claim holds the value it is given (state and digest) and gives it to the claims after it', async () => {
		const s = await store();
		expect(await s.claim('lp-ea:t:v', 5_000, 'pending:digest-a')).toBeNull();
		expect(await s.claim('lp-ea:t:v', 5_000, 'pending:digest-b')).toBe('pending:digest-a');
		await s.settle('lp-ea:t:v', 'accepted:digest-a', 5_000);
		expect(await s.claim('lp-ea:t:v', 5_000, 'pending:digest-b')).toBe('accepted:digest-a');
	});

	test('settle records the outcome, release lets go, PX expires', async () => {
		const s = await store();
		expect(await s.claim('lp-ea:t:a', 5_000)).toBeNull();
		await s.settle('lp-ea:t:a', 'accepted', 5_000);
		expect(await s.claim('lp-ea:t:a', 5_000)).toBe('accepted');
		await s.release('lp-ea:t:a');
		expect(await s.claim('lp-ea:t:a', 150)).toBeNull();
		await new Promise((r) => setTimeout(r, 400));
		expect(await s.claim('lp-ea:t:a', 5_000)).toBeNull();
	});

	test('two signer instances sharing Redis forward one id once, even at the same moment', async () => {
		lp.clear();
		lp.setFault({ delayMs: 300 });
		const options = { ...signerOptions(lp.origin), rateLimit: false as const, timeout: 2_000 };
		const [a, b] = [createSigner({ ...options, dedupeStore: await store() }), createSigner({ ...options, dedupeStore: await store() })];
		const body = { id: 'shared-redis-id-0001', ...VISIT, attributes: [LEAD] };
		const first = await Promise.all([a(post(body)), b(post(body)), a(post(body)), b(post(body))]);
		// Each instance's repeat waits for its own first request; the instance whose claim found the
		// other's is told to try again, and its repeat with it.
		expect(first.map((r) => r.status).sort()).toEqual([200, 200, 503, 503]);
		expect([first[0]!.status, first[1]!.status]).toEqual([first[2]!.status, first[3]!.status]);
		expect(first.filter((r) => r.status === 503).map((r) => r.headers.get('retry-after'))).toEqual(['1', '1']);
		const repeats = await Promise.all([a(post(body)), b(post(body))]);
		expect(repeats.map((r) => r.status)).toEqual([200, 200]);
		expect(lp.received.filter((r) => r.status === 200)).toHaveLength(1);
	});

	test('a claim is bound to what is forwarded: the same id with another visitor and a purchase is refused 409 on the other instance', async () => {
		lp.clear();
		const options = { ...signerOptions(lp.origin), rateLimit: false as const };
		const [a, b] = [createSigner({ ...options, dedupeStore: await store() }), createSigner({ ...options, dedupeStore: await store() })];
		const body = { id: 'redis-reused-id-0001', ...VISIT, attributes: [LEAD] };
		expect((await a(post(body))).status).toBe(200);
		const reused = await b(post({ ...body, visitor: 'someone-else', attributes: [{ type: 'purchase', total: 990, currency: 'USD' }] }));
		expect(reused.status).toBe(409);
		expect((await reused.json()).error).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/different request/) });
		expect((await b(post(body))).status).toBe(200);
		expect(lp.received).toHaveLength(1);
	});

	test('a claim whose answer came after the store gave up (Redis stalled over 2 s) is let go: the retry is forwarded', async () => {
		lp.clear();
		const handler = createSigner({ ...signerOptions(lp.origin), rateLimit: false, dedupeStore: await store() });
		const body = { id: 'late-set-after-stall-01', ...VISIT, attributes: [LEAD] };
		const admin = createClient({ url: redis.url });
		await admin.connect();
		try {
			// Write commands wait 2.5 s: the SET of the claim arrives, and is done, after the signer stopped waiting.
			await admin.sendCommand(['CLIENT', 'PAUSE', '2500', 'WRITE']);
			const stalled = await handler(post(body));
			expect(stalled.status).toBe(503);
			expect(lp.received).toHaveLength(0);
			await new Promise((r) => setTimeout(r, 1_000));
			// The late SET left nothing behind: the page's retry goes through, once.
			const retry = await handler(post(body));
			expect(await retry.json()).toEqual({});
			expect(retry.status).toBe(200);
			expect(lp.received.filter((r) => r.status === 200)).toHaveLength(1);
		} finally {
			await admin.sendCommand(['CLIENT', 'UNPAUSE']);
			admin.destroy();
		}
	});

	test('Redis going away: 503 with Retry-After and nothing forwarded; back again: forwarded once', async () => {
		lp.clear();
		const handler = createSigner({ ...signerOptions(lp.origin), rateLimit: false, dedupeStore: await store() });
		const body = { id: 'while-redis-is-down-01', ...VISIT, attributes: [LEAD] };
		await redis.stop();
		const down = await handler(post(body));
		expect(down.status).toBe(503);
		expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(lp.received).toHaveLength(0);
		await redis.start();
		let status = 0;
		for (let tries = 0; tries < 100 && status !== 200; tries++) {
			status = (await handler(post(body))).status;
			if (status !== 200) await new Promise((r) => setTimeout(r, 100));
		}
		expect(status).toBe(200);
		expect((await handler(post(body))).status).toBe(200);
		expect(lp.received.filter((r) => r.status === 200)).toHaveLength(1);
	});

	test('an unreachable Redis from the start: quick 503s, no crash', async () => {
		const nobody = await createRedisStore(`redis://127.0.0.1:${await freePort()}`);
		stores.push(nobody);
		const handler = createSigner({ ...signerOptions(lp.origin), rateLimit: false, dedupeStore: nobody });
		const started = Date.now();
		const response = await handler(post({ id: 'nobody-listens-here-1', ...VISIT, attributes: [LEAD] }));
		expect(response.status).toBe(503);
		expect(Date.now() - started).toBeLessThan(5_000);
	});
});

test('a malformed LP_REDIS_URL stops the start with a message that names it and not its value', async () => {
	const options = { ...signerOptions('http://127.0.0.1:1'), redisUrl: 'http://user:s3cret@example' };
	await expect(redisStoreFor(options, { redisUrl: 'LP_REDIS_URL' } as never)).rejects.toThrow(/^LP_REDIS_URL must be a URL such as redis:\/\//);
	await expect(redisStoreFor(options, { redisUrl: 'LP_REDIS_URL' } as never)).rejects.not.toThrow(/s3cret/);
});
