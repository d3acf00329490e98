/// <reference types="node" />
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SignerHandler } from './handler.js';
import { connectionOf, toRequest, UnreadableRequest, writeResponse } from './node-http.js';
import { nodeSignerNow } from './node-signer.js';
import { jsonResponse } from './refusal.js';
import type { LogEntry, SettingNames, SignerOptions } from './settings.js';

export type NodeRoute = (request: Request, connection: ReturnType<typeof connectionOf>) => Promise<Response> | Response;

/**
 * One node:http request through a Web handler. A request that cannot even become a Web
 * Request is answered 400 here, and logged, since the handler never sees it.
 */
export async function serveNode(
	route: NodeRoute,
	req: IncomingMessage,
	res: ServerResponse,
	log: ((entry: LogEntry) => void) | undefined,
): Promise<void> {
	let request: Request;
	try {
		request = toRequest(req);
	} catch (error) {
		if (!(error instanceof UnreadableRequest)) throw error;
		log?.({ status: 400, code: 'bad-request', ms: 0 });
		return writeResponse(jsonResponse(400, { error: { code: 'bad-request', message: error.message } }, { connection: 'close' }), res);
	}
	await writeResponse(await route(request, connectionOf(req)), res);
}

export type SignerMiddleware = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * The signer as `(req, res, next)` middleware for Express, Connect and node:http: mount it
 * at the endpoint's path (`app.use('/lp-ea/events', createSignerMiddleware(options))`). It
 * answers every request it is given, and works whether or not a body parser
 * (`express.json()`, `express.text()`, `express.raw()`) ran before it. With `redisUrl`, requests
 * de-duplicate through Redis, shared by every instance.
 */
export function createSignerMiddleware(options: SignerOptions, names?: SettingNames): SignerMiddleware {
	const handle: SignerHandler = nodeSignerNow(options, names);
	return (req, res, next) => {
		serveNode(handle, req, res, options.log).catch((error: unknown) => {
			if (next) next(error);
			else if (!res.headersSent) res.writeHead(500).end();
		});
	};
}
