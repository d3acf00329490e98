/// <reference types="node" />
import type { SignerCore } from '../exchange.js';
import { createSignerCore } from '../handler.js';
import type { RedisStore } from '../stores/redis.js';
import { Refusal, refusalAnswer } from '../refusal.js';
import { checkRedisUrl, OPTION_NAMES, SignerConfigError, type SettingNames, type SignerOptions } from '../settings.js';
import { withNodePlatform } from './platform.js';

export type NodeSigner = { handle: SignerCore; close(): Promise<void> };

/**
 * The Redis store when `redisUrl` is set (and no store was given). Imported only here, on
 * demand, so that the Web-standard signer never pulls a Redis client into a Workers bundle.
 */
export async function redisStoreFor(signer: SignerOptions, names: SettingNames = OPTION_NAMES): Promise<RedisStore | undefined> {
	if (!signer.redisUrl || signer.dedupeStore) return undefined;
	checkRedisUrl(signer.redisUrl, names.redisUrl);
	const { createRedisStore } = await import('../stores/redis.js');
	try {
		return await createRedisStore(signer.redisUrl);
	} catch {
		// node-redis's own words may quote the URL, password included: ours never do.
		throw new SignerConfigError(names.redisUrl, 'was refused by the Redis client: check its form, redis://[user:password@]host[:port][/db]');
	}
}

/**
 * The signer as the Node adapters run it: Node's faster transport, HMAC and hash injected
 * (platform.ts), and with `redisUrl` a Redis de-duplication store. The server waits for
 * the store before it listens; `close()` lets go of it.
 */
export async function nodeSigner(signer: SignerOptions, names?: SettingNames): Promise<NodeSigner> {
	const store = await redisStoreFor(signer, names);
	try {
		const options = withNodePlatform(store ? { ...signer, dedupeStore: store } : signer);
		return { handle: createSignerCore(options, names), close: async () => store?.close() };
	} catch (error) {
		await store?.close();
		throw error;
	}
}

/**
 * The same for middleware, which must be made synchronously: every setting is checked now,
 * and with `redisUrl` the store connects in the background while the first requests wait.
 */
export function nodeSignerNow(signer: SignerOptions, names?: SettingNames): SignerCore {
	if (!signer.redisUrl || signer.dedupeStore) return createSignerCore(withNodePlatform(signer), names);
	createSignerCore({ ...signer, redisUrl: undefined }, names);
	checkRedisUrl(signer.redisUrl, (names ?? OPTION_NAMES).redisUrl);
	const ready = nodeSigner(signer, names);
	// Never an unhandled rejection in the host's process: a store that cannot be made is said
	// once, and every request is answered 500 (the page keeps it and retries).
	ready.catch((error: unknown) => console.error(`lp-ea signer: ${(error as Error).message}`));
	return async (request, connection) => {
		let made: NodeSigner;
		try {
			made = await ready;
		} catch {
			return refusalAnswer(new Refusal('server-error', 'the signing endpoint failed'));
		}
		return made.handle(request, connection);
	};
}
