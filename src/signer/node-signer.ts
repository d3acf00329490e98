/// <reference types="node" />
import { createSigner, type SignerHandler } from './handler.js';
import type { RedisStore } from './redis-store.js';
import { checkRedisUrl, OPTION_NAMES, type SettingNames, type SignerOptions } from './settings.js';

export type NodeSigner = { handle: SignerHandler; close(): Promise<void> };

/**
 * The Redis store when `redisUrl` is set (and no store was given). Imported only here, on
 * demand, so that the Web-standard signer never pulls a Redis client into a Workers bundle.
 */
export async function redisStoreFor(signer: SignerOptions, names: SettingNames = OPTION_NAMES): Promise<RedisStore | undefined> {
	if (!signer.redisUrl || signer.dedupeStore) return undefined;
	checkRedisUrl(signer.redisUrl, names.redisUrl);
	const { createRedisStore } = await import('./redis-store.js');
	return createRedisStore(signer.redisUrl);
}

/**
 * The signer as the Node adapters run it: with `redisUrl`, its de-duplication store is Redis.
 * The server waits for the store before it listens; `close()` lets go of it.
 */
export async function nodeSigner(signer: SignerOptions, names?: SettingNames): Promise<NodeSigner> {
	const store = await redisStoreFor(signer, names);
	try {
		return { handle: createSigner(store ? { ...signer, dedupeStore: store } : signer, names), close: async () => store?.close() };
	} catch (error) {
		await store?.close();
		throw error;
	}
}

/**
 * The same for middleware, which must be made synchronously: every setting is checked now,
 * and with `redisUrl` the store connects in the background while the first requests wait.
 */
export function nodeSignerNow(signer: SignerOptions, names?: SettingNames): SignerHandler {
	if (!signer.redisUrl || signer.dedupeStore) return createSigner(signer, names);
	createSigner({ ...signer, redisUrl: undefined }, names);
	checkRedisUrl(signer.redisUrl, (names ?? OPTION_NAMES).redisUrl);
	const ready = nodeSigner(signer, names);
	return async (request, connection) => (await ready).handle(request, connection);
}
