/// <reference types="node" />
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { printable } from '../log-line.js';
import { EVENTS_PATH, healthAnswer, signerRoutes } from '../routes.js';
import { DEFAULT_BODY_TIMEOUT_MS, OPTION_NAMES, SignerConfigError, type LogEntry, type SettingNames, type SignerOptions } from '../settings.js';
import { rememberConnection, writeAnswer } from './http.js';
import { serveNode } from './middleware.js';
import { nodeSigner } from './signer.js';

export { EVENTS_PATH };

export type SignerServerOptions = {
	signer: SignerOptions;
	names?: SettingNames;
	port?: number;
	host?: string;
	/** Milliseconds a client may take to send its request headers. Default 10,000. */
	headersTimeout?: number;
};

export type SignerServer = { url: string; close(): Promise<void> };

/** How often Node looks for clients past their deadline; its default (30 s) lets them linger. */
const DEADLINE_CHECK_MS = 1_000;

/** The answer Node would give to a request it could not parse, and the status to log. */
function clientErrorStatus(error: NodeJS.ErrnoException): number {
	if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
	if (error.code === 'HPE_HEADER_OVERFLOW') return 431;
	return 400;
}

function answerClientError(error: NodeJS.ErrnoException, socket: Socket, log: ((entry: LogEntry) => void) | undefined) {
	// A client that went away mid-request was refused by nobody: nothing to answer or log.
	if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
		socket.destroy();
		return;
	}
	const status = clientErrorStatus(error);
	log?.({ status, code: status === 408 ? 'timeout' : 'bad-request', ms: 0 });
	socket.end(`HTTP/1.1 ${status} ${status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
	socket.destroySoon();
}

/** The path of a request target, without its query. */
const pathOf = (target: string) => {
	const query = target.indexOf('?');
	return query < 0 ? target : target.slice(0, query);
};

/**
 * The signer on Node: `POST|OPTIONS /lp-ea/events` and `GET /healthz`, `/livez`, `/readyz`
 * (503 while Redis cannot be used). Redis refusing LP_REDIS_URL's credentials at start stops
 * it with a SignerConfigError; Redis unreachable does not: it starts not ready and retries,
 * as an orchestrator expects of a dependency that may come up later. Clients get
 * `headersTimeout` for their headers and the signer's `bodyTimeout` more for the body, so that
 * slow clients are dropped in seconds, not minutes. Resolves once it listens.
 */
export async function startSignerServer({
	signer,
	names,
	port = 8787,
	host = '127.0.0.1',
	headersTimeout = 10_000,
}: SignerServerOptions): Promise<SignerServer> {
	const { handle, ready, close: closeStore, refused } = await nodeSigner(signer, names, true);
	if (refused) {
		await closeStore();
		throw new SignerConfigError((names ?? OPTION_NAMES).redisUrl, refused);
	}
	const routes = signerRoutes(handle, ready);
	const log = signer.log;
	const server: Server = createServer(
		{
			headersTimeout,
			requestTimeout: headersTimeout + (signer.bodyTimeout ?? DEFAULT_BODY_TIMEOUT_MS),
			connectionsCheckingInterval: Math.min(DEADLINE_CHECK_MS, headersTimeout),
			// Node would answer an HTTP/1.1 request without Host 400 itself; health checks need none
			// (toIncoming still refuses such a request anywhere else).
			requireHostHeader: false,
		},
		(req, res) => {
			const started = Date.now();
			// Health checks from the request line alone, before anything asks for a Host.
			const target = req.url ?? '';
			const health = target === EVENTS_PATH ? undefined : healthAnswer(req.method ?? '', pathOf(target), ready);
			if (health) {
				log?.({ status: health.status, ms: Date.now() - started, path: printable(pathOf(target)) });
				return writeAnswer(health, res);
			}
			serveNode(
				async (request, connection) => {
					const response = await routes(request, connection);
					// The handler logs its own requests; the rest are the adapter's to log.
					const path = new URL(request.url).pathname;
					if (path !== EVENTS_PATH) log?.({ status: response.status, ms: Date.now() - started, path: printable(path) });
					return response;
				},
				req,
				res,
				log,
			).catch(() => res.destroy());
		},
	);
	server.on('connection', rememberConnection);
	server.on('clientError', (error, socket) => answerClientError(error, socket as Socket, log));
	return new Promise((resolve, reject) => {
		server.once('error', (error) => void closeStore().then(() => reject(error)));
		server.listen(port, host, () => {
			const info = server.address() as AddressInfo;
			const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
			resolve({
				url: `http://${shownHost}:${info.port}`,
				close: () =>
					new Promise<void>((done) => {
						server.close(() => void closeStore().then(done));
						// Keep-alive sockets would hold close() open; idle ones can go now.
						server.closeIdleConnections();
					}),
			});
		});
	});
}
