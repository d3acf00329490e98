/// <reference types="node" />
import { createClient } from 'redis';
import type { DedupeStore, DedupeValue } from '../dedupe-store.js';
import { claimWithin, STORE_TIMEOUT_MS, within } from './bounded.js';

export type RedisStore = DedupeStore & { ready(): boolean; close(): Promise<void> };

export type RedisStoreOptions = {
	/**
	 * Told each time the store becomes usable (`true`) or stops being so (`false`, with
	 * node-redis's error), reconnect attempts included: the Node adapters say each change once.
	 */
	onState?: (ready: boolean, error?: Error) => void;
};

/** The signer's keys are hashes: the prefix keeps them apart from whatever else the Redis server holds. */
const PREFIX = 'lp-ea:';

/** What a timeout names. */
const REDIS = 'Redis';

/**
 * The de-duplication store shared by several signer instances, in Redis (node-redis). A claim
 * is one atomic `SET key value NX PX ttl GET`: it sets the key when nobody holds it and
 * otherwise returns what is held, so that concurrent requests on any instance forward once.
 *
 * Redis being unreachable never crashes the signer: the client reconnects on its own, and
 * meanwhile every command fails at once (no offline queue), which the signer answers with a
 * 503 and Retry-After; the page keeps the request and retries. Resolves once connected, or
 * after two seconds without. Node only: Workers cannot
 * open the socket, and this file is loaded only by the Node adapters.
 */
export async function createRedisStore(url: string, { onState }: RedisStoreOptions = {}): Promise<RedisStore> {
	const client = createClient({
		url,
		disableOfflineQueue: true,
		socket: { connectTimeout: STORE_TIMEOUT_MS, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000) },
	});
	let usable = false;
	const state = (ready: boolean, error?: Error) => {
		usable = ready;
		onState?.(ready, error);
	};
	let checked: Promise<void> | undefined;
	// Without a listener, a connection error would be thrown as an uncaught 'error' event.
	client.on('error', (error: Error) => state(false, error));
	// node-redis is 'ready' once connected, even where Redis wants a password it was not given:
	// only a command tells whether Redis takes ours (NOAUTH), so each new connection PINGs first.
	client.on('ready', () => {
		checked = within(client.ping(), REDIS).then(
			() => state(true),
			(error: Error) => state(false, error),
		);
	});
	// Waits a moment for the first connection, never longer: a signer starts even while Redis is down.
	await within(client.connect().then(() => checked), REDIS).catch(() => {});

	return {
		async claim(key, ttl, value = 'pending') {
			const set = client.set(PREFIX + key, value, { condition: 'NX', expiration: { type: 'PX', value: ttl }, GET: true });
			return claimWithin(set as Promise<DedupeValue | null>, REDIS, () => client.del(PREFIX + key));
		},
		async settle(key, value, ttl) {
			await within(client.set(PREFIX + key, value, { expiration: { type: 'PX', value: ttl } }), REDIS);
		},
		async release(key) {
			await within(client.del(PREFIX + key), REDIS);
		},
		ready: () => usable,
		async close() {
			client.destroy();
		},
	};
}
