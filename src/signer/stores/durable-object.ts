import type { DedupeStore, DedupeValue } from '../dedupe-store.js';
import { claimWithin, within } from './bounded.js';
import { checkKey } from './dedupe-shard.js';

/** What the store calls on a shard's stub: the RPC methods of `LpEaDedupe` (lp-ea/signer/worker). */
export interface DedupeShardStub {
	claim(key: string, ttl: number, value: DedupeValue): Promise<DedupeValue | null>;
	settle(key: string, value: DedupeValue, ttl: number): Promise<void>;
	release(key: string): Promise<void>;
}

/** The part of a Durable Object namespace binding (`env.LP_DEDUPE`) the store uses. */
export interface DedupeNamespace {
	idFromName(name: string): unknown;
	get(id: unknown): DedupeShardStub;
}

/**
 * The shard that holds a key: its first character. The signer's keys are hashes, so every
 * account's ids spread evenly over 64 objects, and a key always lands on the same one, which is
 * all a claim's atomicity needs. One object per account would serialise a busy account's
 * requests through one object (a Durable Object takes about a thousand calls a second, and each
 * forward makes two); 64 give any account 64 times that. The count is fixed: changing it would
 * move keys to shards that do not hold them, and forget the window's ids.
 */
export const shardName = (key: string) => `lp-ea-dedupe:${checkKey(key)[0]}`;

/** What a timeout names. */
const OBJECT = 'The de-duplication Durable Object';

/**
 * The de-duplication store of a Worker, in Durable Objects (the class `LpEaDedupe` that
 * lp-ea/signer/worker exports, bound as `LP_DEDUPE`): shared by every isolate and location, so
 * that an id is forwarded once wherever its retries land. Calls are RPC on the shard's stub,
 * each within two seconds like the Redis store's: an unreachable object is a store error, which
 * the signer answers with a 503 and Retry-After, forwarding nothing.
 */
export function durableObjectStore(namespace: DedupeNamespace): DedupeStore {
	const shard = (key: string) => namespace.get(namespace.idFromName(shardName(key)));
	return {
		async claim(key, ttl, value = 'pending') {
			const stub = shard(key);
			return claimWithin(stub.claim(key, ttl, value), OBJECT, () => stub.release(key));
		},
		async settle(key, value, ttl) {
			await within(shard(key).settle(key, value, ttl), OBJECT);
		},
		async release(key) {
			await within(shard(key).release(key), OBJECT);
		},
	};
}
