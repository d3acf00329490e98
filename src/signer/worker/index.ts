/**
 * lp-ea/signer/worker: the signing endpoint as a Workers module. Configured from `env` with
 * the Node server's names (LP_ACCOUNT, LP_CONSUMER_KEY, …), one signer per isolate so that
 * the rate limit and the domain cache last across requests, the client address from
 * Cloudflare's `CF-Connecting-IP`. With the `LpEaDedupe` Durable Object bound as `LP_DEDUPE`,
 * request ids are remembered in it, across isolates and locations; without, per isolate.
 */
import { ENV_NAMES, optionsFromEnv, type Env } from '../env.js';
import { webHandler } from '../exchange.js';
import { lazyCore } from '../lazy.js';
import { signerRoutes } from '../routes.js';
import { ConfigProblems, type SignerOptions } from '../settings.js';
import { DEDUPE_BINDING, dedupeStoreFromEnv, PER_ISOLATE_NOTE } from './binding.js';

export { LpEaDedupe } from './dedupe-object.js';
export { durableObjectStore, type DedupeNamespace, type DedupeShardStub } from '../stores/durable-object.js';

/** Errors name the binding where the Node server would name a `dedupeStore` option. */
const NAMES = { ...ENV_NAMES, dedupeStore: DEDUPE_BINDING };

/** The signer's options from `env`, every setting at fault reported at once. Called once per isolate. */
function workerOptions(env: Record<string, unknown>): SignerOptions {
	const problems = new ConfigProblems();
	const options = problems.check(() => optionsFromEnv(env as Env), undefined);
	const dedupeStore = problems.check(() => dedupeStoreFromEnv(env), undefined);
	problems.throwIfAny();
	if (!dedupeStore) console.warn(PER_ISOLATE_NOTE);
	return { ...options!, dedupeStore };
}

let routes: ReturnType<typeof webHandler> | undefined;

export default {
	fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
		// lazyCore's default log: one JSON line per request on stdout, as the Node server's.
		routes ??= webHandler(signerRoutes(lazyCore(() => workerOptions(env), NAMES)));
		const clientAddress = request.headers.get('cf-connecting-ip') ?? undefined;
		return routes(request, { clientAddress, addressFromPlatform: clientAddress !== undefined });
	},
};
