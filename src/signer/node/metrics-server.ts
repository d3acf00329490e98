/// <reference types="node" />
/**
 * The metrics on a port of their own (`LP_METRICS_PORT`), never on the public endpoint's: what
 * the signer counts (refused origins, LivePerson failing) is for the operator, not the world.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopback } from '../address.js';
import type { SignerMetrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

export type MetricsServer = { url: string; close(): Promise<void> };

/**
 * `GET /metrics` on `host:port` (404 elsewhere). A host beyond loopback is allowed (a
 * Prometheus in another container must reach it) but said on stderr at start, since anyone
 * who can reach it then reads the figures.
 */
export function serveMetrics(metrics: SignerMetrics, port: number, host = '127.0.0.1'): Promise<MetricsServer> {
	const server = createServer((req, res) => {
		const target = req.url ?? '';
		const path = target.includes('?') ? target.slice(0, target.indexOf('?')) : target;
		if (path === METRICS_PATH) return metrics(req, res);
		res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`nothing here: GET ${METRICS_PATH}\n`);
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			const info = server.address() as AddressInfo;
			const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
			const url = `http://${shownHost}:${info.port}${METRICS_PATH}`;
			if (!isLoopback(info.address)) {
				console.error(`lp-ea signer: metrics at ${url} can be reached from beyond this machine; keep the port off the public network (firewall it, or scrape through your own network)`);
			}
			resolve({
				url,
				close: () =>
					new Promise<void>((done) => {
						server.close(() => done());
						server.closeIdleConnections();
					}),
			});
		});
	});
}
