/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Incoming, SignerCore } from '../exchange.js';
import { adapterLog, withDefaultLog } from '../log-line.js';
import { logToStdout } from './stdout-log.js';
import { misconfigured } from '../misconfigured.js';
import { refusalCors } from '../origin.js';
import { jsonAnswer } from '../refusal.js';
import { SignerConfigError, type LogEntry, type SettingNames, type SignerOptions } from '../settings.js';
import { connectionOf, toIncoming, UnreadableRequest, writeAnswer } from './http.js';
import { nodeSignerNow } from './signer.js';
import { adapterMetrics, type SignerMetrics } from './metrics.js';

/**
 * One node:http request through the signer (or its routes). A request whose URL cannot be
 * told is answered 400 here, and logged, since the signer never sees it.
 */
export async function serveNode(
	route: SignerCore,
	req: IncomingMessage,
	res: ServerResponse,
	log: ((entry: LogEntry) => void) | undefined,
): Promise<void> {
	let request: Incoming;
	try {
		request = toIncoming(req);
	} catch (error) {
		if (!(error instanceof UnreadableRequest)) throw error;
		log?.({ status: 400, code: 'bad-request', ms: 0 });
		const origin = req.headers.origin;
		const headers = { ...(origin ? refusalCors(origin) : {}), connection: 'close' };
		return writeAnswer(jsonAnswer(400, { error: { code: 'bad-request', message: error.message } }, headers), res);
	}
	writeAnswer(await route(request, connectionOf(req)), res);
}

export type SignerMiddleware = ((req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void) & {
	/** Whether the signer can do its job right now (its de-duplication store reachable): for your own `/readyz`. */
	ready(): boolean;
	/**
	 * Lets go of what the middleware opened (the Redis connection): call it once your server has
	 * closed, or the connection keeps the process alive.
	 */
	close(): Promise<void>;
	/**
	 * The signer's Prometheus metrics as `(req, res)`, to mount where you want them
	 * (`app.get('/metrics', signer.metrics)`); `signer.metrics.registry` for your own use.
	 */
	metrics: SignerMetrics;
};

/**
 * The signer as `(req, res, next)` middleware for Express, Connect and node:http: mount it
 * at the endpoint's path (`app.use('/lp-ea/events', createSignerMiddleware(options))`). It
 * answers every request it is given, and works whether or not a body parser
 * (`express.json()`, `express.text()`, `express.raw()`) ran before it. It reads the body
 * straight from the socket and reaches LivePerson through undici's pool (see platform.ts);
 * with `redisUrl`, requests de-duplicate through Redis, shared by every instance, and
 * `close()` lets go of the connection on shutdown.
 *
 * `options` may be a function (`() => optionsFromEnv(process.env)`): it is called now, and a
 * missing or malformed setting, there or in the options, is said once on stderr and answered
 * 500 naming the setting on every request, as the Workers module does, instead of throwing
 * while the brand's app starts and taking the whole site down with it.
 *
 * It logs one JSON line per request on stdout, as lp-ea-signer does, unless `log` is `false`
 * or a function of the brand's (`log: (entry) => logger.info(entry)`).
 */
export function createSignerMiddleware(options: SignerOptions | (() => SignerOptions), names?: SettingNames): SignerMiddleware {
	let signer: { handle: SignerCore; ready(): boolean; close(): Promise<void> };
	let given: SignerOptions | undefined;
	let counted: ReturnType<typeof adapterMetrics> | undefined;
	try {
		given = withDefaultLog(typeof options === 'function' ? options() : options, logToStdout);
		counted = adapterMetrics(given.metrics);
		signer = nodeSignerNow({ ...given, metrics: counted.observer }, names);
	} catch (error) {
		if (!(error instanceof SignerConfigError)) throw error;
		signer = { handle: misconfigured(error, adapterLog(given, logToStdout)), ready: () => false, close: async () => {} };
	}
	const log = adapterLog(given, logToStdout);
	const { handle, ready, close } = signer;
	const middleware = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => {
		serveNode(handle, req, res, log).catch((error: unknown) => {
			if (next) next(error);
			else if (!res.headersSent) res.writeHead(500).end();
		});
	};
	return Object.assign(middleware, { ready, close, metrics: (counted ?? adapterMetrics(undefined)).metrics });
}
