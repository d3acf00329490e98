/// <reference types="node" />
import { createClient } from 'redis';
import type { DedupeState, DedupeStore } from '../dedupe-store.js';

export type RedisStore = DedupeStore & { close(): Promise<void> };

/** No command waits longer: an unreachable Redis must turn into a quick "try again", not a hung request. */
const COMMAND_TIMEOUT_MS = 2_000;

function within<T>(promise: Promise<T>): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error('Redis did not answer in time')), COMMAND_TIMEOUT_MS);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The de-duplication store shared by several signer instances, in Redis (node-redis). A claim
 * is one atomic `SET key pending NX PX ttl GET`: it sets the key when nobody holds it and
 * otherwise returns what is held, so that concurrent requests on any instance forward once.
 *
 * Redis being unreachable never crashes the signer: the client reconnects on its own, and
 * meanwhile every command fails at once (no offline queue), which the signer answers with a
 * 503 and Retry-After; the page keeps the request and retries. Resolves once connected, or
 * after two seconds without. Node only: Workers cannot
 * open the socket, and this file is loaded only by the Node adapters.
 */
export async function createRedisStore(url: string): Promise<RedisStore> {
	const client = createClient({
		url,
		disableOfflineQueue: true,
		socket: { connectTimeout: COMMAND_TIMEOUT_MS, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000) },
	});
	// Without a listener, a connection error would be thrown as an uncaught 'error' event.
	client.on('error', () => {});
	// Waits a moment for the first connection, never longer: a signer starts even while Redis is down.
	await within(client.connect()).catch(() => {});

	return {
		async claim(key, ttl) {
			const held = await within(client.set(key, 'pending', { condition: 'NX', expiration: { type: 'PX', value: ttl }, GET: true }));
			return (held as DedupeState | null) ?? null;
		},
		async settle(key, state, ttl) {
			await within(client.set(key, state, { expiration: { type: 'PX', value: ttl } }));
		},
		async release(key) {
			await within(client.del(key));
		},
		async close() {
			client.destroy();
		},
	};
}
