/**
 * lp-ea/signer/worker: the signing endpoint as a Workers module. Configured from `env` with
 * the Node server's names (LP_ACCOUNT, LP_CONSUMER_KEY, …), one signer per isolate so that
 * the rate limit and the domain cache last across requests, the client address from
 * Cloudflare's `CF-Connecting-IP`.
 */
import { ENV_NAMES, optionsFromEnv, type Env } from '../env.js';
import { webHandler } from '../exchange.js';
import { lazyCore } from '../lazy.js';
import { signerRoutes } from '../routes.js';

let routes: ReturnType<typeof webHandler> | undefined;

export default {
	fetch(request: Request, env: Env): Promise<Response> {
		// lazyCore's default log: one JSON line per request on stdout, as the Node server's.
		routes ??= webHandler(signerRoutes(lazyCore(() => optionsFromEnv(env), ENV_NAMES)));
		const clientAddress = request.headers.get('cf-connecting-ip') ?? undefined;
		return routes(request, { clientAddress, addressFromPlatform: clientAddress !== undefined });
	},
};
