import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { createSigner } from '../../src/signer/index.js';
import { DedupeCallError, dedupeShard, SWEEP_EVERY_MS, type DedupeShard, type ShardRow, type ShardRows } from '../../src/signer/stores/dedupe-shard.js';
import { durableObjectStore, type DedupeNamespace, type DedupeShardStub } from '../../src/signer/stores/durable-object.js';
import { LEAD, post, signerOptions, startStandIn, VISIT } from '../helpers/signer.js';
import { storeContract } from '../helpers/store-contract.js';

/** A shard's table in a Map: what `storage.sql` holds, for the logic that runs on it. */
function mapRows(): ShardRows & { size: number } {
	const rows = new Map<string, ShardRow>();
	return {
		get: (key) => rows.get(key),
		put: (key, row) => void rows.set(key, { ...row }),
		delete: (key) => void rows.delete(key),
		deleteExpired: (now) => rows.forEach((row, key) => row.expires <= now && rows.delete(key)),
		earliest: () => (rows.size === 0 ? undefined : Math.min(...[...rows.values()].map((row) => row.expires))),
		get size() {
			return rows.size;
		},
	};
}

/**
 * A namespace of shard objects as the runtime gives them: one object per name, each call a
 * hop (a promise) before the object runs it and one after, the object's own step synchronous.
 */
function fakeNamespace(now: () => number) {
	const shards = new Map<string, DedupeShard>();
	const names: string[] = [];
	const hop = async <T>(call: () => T): Promise<T> => {
		await Promise.resolve();
		const result = call();
		await Promise.resolve();
		return result;
	};
	const namespace: DedupeNamespace = {
		idFromName: (name) => {
			names.push(name);
			return name;
		},
		get: (id) => {
			const shard = shards.get(id as string) ?? dedupeShard(mapRows(), now);
			shards.set(id as string, shard);
			return {
				claim: (key, ttl, value) => hop(() => shard.claim(key, ttl, value)),
				settle: (key, value, ttl) => hop(() => shard.settle(key, value, ttl)),
				release: (key) => hop(() => shard.release(key)),
			};
		},
	};
	return { namespace, shards, names };
}

let clock = 1_700_000_000_000;
const now = () => clock;

describe('the Durable Object store, on a namespace of shard objects', () => {
	let backing = fakeNamespace(now);
	beforeEach(() => {
		backing = fakeNamespace(now);
	});
	storeContract(
		(count) => Array.from({ length: count }, () => durableObjectStore(backing.namespace)),
		async (ms) => void (clock += ms),
	);

	test('a key always lands on the same shard, and the keys of one account spread over 64', async () => {
		const store = durableObjectStore(backing.namespace);
		const keys = Array.from({ length: 640 }, (_, i) => `${'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[i % 64]}key${i}`);
		for (const key of keys) expect(await store.claim(key, 5_000)).toBeNull();
		expect(backing.shards.size).toBe(64);
		backing.names.length = 0;
		for (const key of keys) expect(await store.claim(key, 5_000)).toBe('pending');
		expect(backing.shards.size).toBe(64);
		expect(new Set(backing.names).size).toBe(64);
	});

	test('a malformed key is refused before any shard is asked', async () => {
		const store = durableObjectStore(backing.namespace);
		for (const key of ['', 'a'.repeat(65), 'has space', 'ünïcode', 'colon:key']) {
			await expect(store.claim(key, 5_000)).rejects.toBeInstanceOf(DedupeCallError);
		}
		expect(backing.names).toEqual([]);
	});
});

describe("a shard's logic (the LpEaDedupe object's, on its table)", () => {
	test('fails closed: a malformed key, ttl or value is refused with a DedupeCallError and stores nothing', () => {
		const rows = mapRows();
		const shard = dedupeShard(rows, now);
		const malformed: Array<[unknown, unknown, unknown]> = [
			[undefined, 5_000, 'pending'],
			[42, 5_000, 'pending'],
			['key-ok', 0, 'pending'],
			['key-ok', -1, 'pending'],
			['key-ok', 1.5, 'pending'],
			['key-ok', '5000', 'pending'],
			['key-ok', Number.POSITIVE_INFINITY, 'pending'],
			['key-ok', 2 ** 31, 'pending'],
			['key-ok', 5_000, ''],
			['key-ok', 5_000, 'x'.repeat(257)],
			['key-ok', 5_000, 'pending\naccepted'],
			['key-ok', 5_000, { state: 'pending' }],
		];
		for (const [key, ttl, value] of malformed) {
			expect(() => shard.claim(key, ttl, value), JSON.stringify([key, ttl, value])).toThrow(DedupeCallError);
			expect(() => shard.settle(key, value, ttl)).toThrow(DedupeCallError);
		}
		expect(() => shard.release('../other')).toThrow(DedupeCallError);
		expect(rows.size).toBe(0);
		expect(shard.claim('key-ok', 5_000, 'pending:digest')).toBeNull();
		expect(rows.size).toBe(1);
	});

	test('a row past its expiry is free on read, before any sweep ran', () => {
		const rows = mapRows();
		const shard = dedupeShard(rows, now);
		shard.settle('expiring', 'accepted:d', 1_000);
		clock += 999;
		expect(shard.claim('expiring', 5_000, 'pending:e')).toBe('accepted:d');
		clock += 1;
		expect(shard.claim('expiring', 5_000, 'pending:e')).toBeNull();
	});

	test('the sweep deletes what expired, wakes again for what is left (never sooner than a minute), and not at all once empty', () => {
		const rows = mapRows();
		const shard = dedupeShard(rows, now);
		shard.claim('short', 1_000, 'pending');
		shard.settle('long', 'accepted', 3 * SWEEP_EVERY_MS);
		expect(shard.sweep()).toBe(clock + SWEEP_EVERY_MS);
		expect(rows.size).toBe(2);
		clock += 1_000;
		expect(shard.sweep()).toBe(clock - 1_000 + 3 * SWEEP_EVERY_MS);
		expect(rows.size).toBe(1);
		clock += 3 * SWEEP_EVERY_MS;
		expect(shard.sweep()).toBeUndefined();
		expect(rows.size).toBe(0);
	});
});

describe('the signer on the Durable Object store', () => {
	let lp: LivePersonStandIn;
	beforeAll(async () => {
		lp = await startStandIn();
	});
	afterAll(() => lp.close());
	beforeEach(() => lp.clear());
	const options = () => ({ ...signerOptions(lp.origin), rateLimit: false as const, timeout: 1_000 });

	test('two signers (two isolates) sharing the namespace forward one id once, even at the same moment', async () => {
		lp.setFault({ delayMs: 200 });
		const { namespace } = fakeNamespace(Date.now);
		const [a, b] = [createSigner({ ...options(), dedupeStore: durableObjectStore(namespace) }), createSigner({ ...options(), dedupeStore: durableObjectStore(namespace) })];
		const body = { id: 'shared-object-id-0001', ...VISIT, attributes: [LEAD] };
		const first = await Promise.all([a(post(body)), b(post(body))]);
		expect(first.map((r) => r.status).sort()).toEqual([200, 503]);
		expect((await Promise.all([a(post(body)), b(post(body))])).map((r) => r.status)).toEqual([200, 200]);
		expect(lp.received).toHaveLength(1);
	});

	/** A namespace whose objects fail every call as `fail` says, counting the calls. */
	function faultyNamespace(fail: (call: string) => Promise<never> | undefined) {
		const calls: string[] = [];
		const stub: DedupeShardStub = {
			claim: () => {
				calls.push('claim');
				return fail('claim') ?? Promise.resolve(null);
			},
			settle: async () => void calls.push('settle'),
			release: async () => void calls.push('release'),
		};
		return { namespace: { idFromName: (name: string) => name, get: () => stub } satisfies DedupeNamespace, calls };
	}

	test('an object that cannot be reached: 503 with Retry-After, nothing forwarded, never fail open', async () => {
		const { namespace, calls } = faultyNamespace(() => Promise.reject(new Error('Durable Object reset because its code was updated')));
		const signer = createSigner({ ...options(), dedupeStore: durableObjectStore(namespace) });
		const response = await signer(post({ id: 'object-unreachable-01', ...VISIT, attributes: [LEAD] }));
		expect(response.status).toBe(503);
		expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
		expect((await response.json()).error.message).toMatch(/de-duplication store/);
		expect(calls).toEqual(['claim']);
		expect(lp.received).toHaveLength(0);
	});

	test('an object that answers too late: 503 after two seconds; a late claim that was ours is let go', async () => {
		let answer: (held: null) => void = () => {};
		const { namespace, calls } = faultyNamespace((call) => (call === 'claim' ? (new Promise((resolve) => (answer = resolve as never)) as Promise<never>) : undefined));
		const signer = createSigner({ ...options(), dedupeStore: durableObjectStore(namespace) });
		const started = Date.now();
		const response = await signer(post({ id: 'object-answers-late-1', ...VISIT, attributes: [LEAD] }));
		expect(response.status).toBe(503);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
		expect(Date.now() - started).toBeLessThan(4_000);
		expect(calls).toEqual(['claim']);
		answer(null);
		await expect.poll(() => calls).toEqual(['claim', 'release']);
		expect(lp.received).toHaveLength(0);
	});
});
