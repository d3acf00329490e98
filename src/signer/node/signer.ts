/// <reference types="node" />
import type { SignerCore } from '../exchange.js';
import { createSignerCore } from '../handler.js';
import type { DedupeStore } from '../dedupe-store.js';
import type { Readiness } from '../routes.js';
import type { RedisStore, RedisStoreOptions } from '../stores/redis.js';
import { Refusal, refusalAnswer } from '../refusal.js';
import { checkRedisUrl, OPTION_NAMES, SignerConfigError, type SettingNames, type SignerOptions } from '../settings.js';
import { withNodePlatform } from './platform.js';
import { watchRedis } from './redis-watch.js';

export type NodeSigner = {
	handle: SignerCore;
	/** What `GET /readyz` answers: the de-duplication store usable (a store with no `ready()` always is). */
	ready: Readiness;
	close(): Promise<void>;
	/** Set when Redis refused the credentials at start: why, for the server to stop with. */
	refused?: string;
};

/** The Node adapters' word on Redis, on stderr, as their other start-up lines. */
const sayRedis = (line: string) => console.error(`lp-ea signer: ${line}`);

const readiness = (store: DedupeStore | undefined): Readiness => () => store?.ready?.() ?? true;

/**
 * The Redis store when `redisUrl` is set (and no store was given). Imported only here, on
 * demand, so that the Web-standard signer never pulls a Redis client into a Workers bundle.
 */
export async function redisStoreFor(
	signer: SignerOptions,
	names: SettingNames = OPTION_NAMES,
	options: RedisStoreOptions = {},
): Promise<RedisStore | undefined> {
	if (!signer.redisUrl || signer.dedupeStore) return undefined;
	checkRedisUrl(signer.redisUrl, names.redisUrl);
	const { createRedisStore } = await import('../stores/redis.js');
	try {
		return await createRedisStore(signer.redisUrl, options);
	} catch {
		// node-redis's own words may quote the URL, password included: ours never do.
		throw new SignerConfigError(names.redisUrl, 'was refused by the Redis client: check its form, redis://[user:password@]host[:port][/db]');
	}
}

/**
 * The signer as the Node adapters run it: Node's faster transport, HMAC and hash injected
 * (platform.ts), and with `redisUrl` a Redis de-duplication store, watched so that each loss
 * and recovery of Redis is said once (redis-watch.ts). The server waits for the store's first
 * connection attempt before it listens; `close()` lets go of it.
 */
export async function nodeSigner(signer: SignerOptions, names: SettingNames = OPTION_NAMES, refusalIsFatal = false): Promise<NodeSigner> {
	const watch = signer.redisUrl && !signer.dedupeStore ? watchRedis(signer.redisUrl, names.redisUrl, sayRedis) : undefined;
	const store = await redisStoreFor(signer, names, { onState: watch?.onState });
	try {
		const { refused } = watch?.started(refusalIsFatal) ?? {};
		const options = withNodePlatform(store ? { ...signer, dedupeStore: store } : signer);
		return {
			handle: createSignerCore(options, names),
			ready: readiness(store ?? signer.dedupeStore),
			close: async () => store?.close(),
			...(refused ? { refused } : {}),
		};
	} catch (error) {
		await store?.close();
		throw error;
	}
}

/**
 * The same for middleware, which must be made synchronously: every setting is checked now,
 * and with `redisUrl` the store connects in the background while the first requests wait.
 * Credentials Redis refuses are said, not fatal: the host's process is not ours to stop.
 */
export function nodeSignerNow(signer: SignerOptions, names?: SettingNames): NodeSigner {
	if (!signer.redisUrl || signer.dedupeStore) {
		return { handle: createSignerCore(withNodePlatform(signer), names), ready: readiness(signer.dedupeStore), close: async () => {} };
	}
	createSignerCore({ ...signer, redisUrl: undefined }, names);
	checkRedisUrl(signer.redisUrl, (names ?? OPTION_NAMES).redisUrl);
	const made = nodeSigner(signer, names);
	let current: NodeSigner | undefined;
	// Never an unhandled rejection in the host's process: a store that cannot be made is said
	// once, and every request is answered 500 (the page keeps it and retries).
	made.then(
		(done) => (current = done),
		(error: unknown) => console.error(`lp-ea signer: ${(error as Error).message}`),
	);
	return {
		handle: async (request, connection) => {
			let done: NodeSigner;
			try {
				done = await made;
			} catch {
				return refusalAnswer(new Refusal('server-error', 'the signing endpoint failed'));
			}
			return done.handle(request, connection);
		},
		// Not ready until the store has been made and answers.
		ready: () => current?.ready() ?? false,
		close: () => made.then((done) => done.close(), () => {}),
	};
}
