/// <reference types="node" />
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Answer } from '../exchange.js';
import { adapterLog, printable, withDefaultLog } from '../log-line.js';
import { logToStdout } from './stdout-log.js';
import { refusalCors } from '../origin.js';
import { jsonAnswer } from '../refusal.js';
import { EVENTS_PATH, healthAnswer, signerRoutes } from '../routes.js';
import { DEFAULT_BODY_TIMEOUT_MS, OPTION_NAMES, SignerConfigError, type LogEntry, type SettingNames, type SignerOptions } from '../settings.js';
import { rememberConnection, writeAnswer } from './http.js';
import { serveNode } from './middleware.js';
import { adapterMetrics, type SignerMetrics } from './metrics.js';
import { serveMetrics, type MetricsServer } from './metrics-server.js';
import { nodeSigner } from './signer.js';

export { EVENTS_PATH };

export type SignerServerOptions = {
	signer: SignerOptions;
	names?: SettingNames;
	port?: number;
	host?: string;
	/** Milliseconds a client may take to send its request headers. Default 10,000. */
	headersTimeout?: number;
	/** Serve the metrics at `GET /metrics` on this port of their own (0: any free one). Unset: not served. */
	metricsPort?: number;
	/** Where the metrics port listens. Default `127.0.0.1`. */
	metricsHost?: string;
};

export type SignerServer = {
	url: string;
	/** The metrics' URL, when `metricsPort` was given. */
	metricsUrl?: string;
	/** What the server counts: `signer.metrics` when it was `signerMetrics()`'s, otherwise metrics of its own. */
	metrics: SignerMetrics;
	close(): Promise<void>;
};

/** How often Node looks for clients past their deadline; its default (30 s) lets them linger. */
const DEADLINE_CHECK_MS = 1_000;

/** What the adapter answers a request Node could not parse: [status, reason phrase, log code, message]. */
function clientErrorAnswer(error: NodeJS.ErrnoException): [number, string, string, string] {
	if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'Request Timeout', 'timeout', 'the request did not arrive in time'];
	// Its own code in the log: "bad-request" would send the operator looking at the body.
	if (error.code === 'HPE_HEADER_OVERFLOW') return [431, 'Request Header Fields Too Large', 'headers-too-large', 'the request headers are too large'];
	return [400, 'Bad Request', 'bad-request', 'the request could not be parsed'];
}

/**
 * The Origin of a request Node could not parse, from the bytes it was parsing (a browser sends
 * its headers in one write, so they are there), so that a page can read the refusal.
 */
function originIn(error: { rawPacket?: Buffer }): string | undefined {
	const origin = /\r\norigin:[ \t]*([^\r\n]*?)[ \t]*\r\n/i.exec(error.rawPacket?.toString('latin1') ?? '')?.[1];
	// Echoed into a header written by hand: only what an origin can be, nothing that could break the line.
	return origin && /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(origin) ? origin : undefined;
}

/** An Answer as bytes on a socket that node:http no longer answers for. */
function rawAnswer({ status, headers, body }: Answer, reason: string): string {
	const lines = Object.entries({ ...headers, connection: 'close', 'content-length': String(Buffer.byteLength(body ?? '')) });
	return `HTTP/1.1 ${status} ${reason}\r\n${lines.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body ?? ''}`;
}

function answerClientError(error: NodeJS.ErrnoException, socket: Socket, log: ((entry: LogEntry) => void) | undefined) {
	// A client that went away mid-request was refused by nobody: nothing to answer or log.
	if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || error.code === 'HPE_INVALID_EOF_STATE' || !socket.writable) {
		socket.destroy();
		return;
	}
	const [status, reason, code, message] = clientErrorAnswer(error);
	log?.({ status, code, ms: 0 });
	const origin = originIn(error as { rawPacket?: Buffer });
	const answer = jsonAnswer(status, { error: { code: status === 408 ? 'timeout' : 'bad-request', message } }, origin ? refusalCors(origin) : {});
	socket.end(rawAnswer(answer, reason));
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
 * slow clients are dropped in seconds, not minutes. Logs one JSON line per request on stdout
 * unless `signer.log` is `false` or a function. Resolves once it listens.
 */
export async function startSignerServer({
	signer: given,
	names,
	port = 8787,
	host = '127.0.0.1',
	headersTimeout = 10_000,
	metricsPort,
	metricsHost,
}: SignerServerOptions): Promise<SignerServer> {
	const signer = withDefaultLog(given, logToStdout);
	const { metrics, observer } = adapterMetrics(signer.metrics);
	const { handle, ready, close: closeStore, refused } = await nodeSigner({ ...signer, metrics: observer }, names, true);
	if (refused) {
		await closeStore();
		throw new SignerConfigError((names ?? OPTION_NAMES).redisUrl, refused);
	}
	const routes = signerRoutes(handle, ready);
	const log = adapterLog(signer, logToStdout);
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
	let metricsServer: MetricsServer | undefined;
	try {
		metricsServer = metricsPort === undefined ? undefined : await serveMetrics(metrics, metricsPort, metricsHost);
	} catch (error) {
		await closeStore();
		throw error;
	}
	return new Promise((resolve, reject) => {
		server.once('error', (error) => void Promise.all([closeStore(), metricsServer?.close()]).then(() => reject(error)));
		server.listen(port, host, () => {
			const info = server.address() as AddressInfo;
			const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
			resolve({
				url: `http://${shownHost}:${info.port}`,
				...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
				metrics,
				close: () =>
					new Promise<void>((done) => {
						server.close(() => void closeStore().then(done));
						// Keep-alive sockets would hold close() open; idle ones can go now.
						server.closeIdleConnections();
					}).then(() => metricsServer?.close()),
			});
		});
	});
}
