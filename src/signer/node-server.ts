/// <reference types="node" />
import { serve, type HttpBindings } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createSigner } from './handler.js';
import { jsonResponse } from './refusal.js';
import type { SettingNames, SignerOptions } from './settings.js';

export const EVENTS_PATH = '/lp-ea/events';

export type SignerServerOptions = {
	signer: SignerOptions;
	names?: SettingNames;
	port?: number;
	host?: string;
};

export type SignerServer = { url: string; close(): Promise<void> };

/**
 * The signer on Node: `POST|OPTIONS /lp-ea/events` and `GET /healthz`, through
 * @hono/node-server. Resolves once it listens.
 */
export function startSignerServer({ signer, names, port = 8787, host = '127.0.0.1' }: SignerServerOptions): Promise<SignerServer> {
	const handle = createSigner(signer, names);
	const fetch = (request: Request, env: HttpBindings) => {
		const { pathname } = new URL(request.url);
		if (pathname === EVENTS_PATH) return handle(request, { clientAddress: env.incoming.socket.remoteAddress });
		if (pathname === '/healthz' && request.method === 'GET') return jsonResponse(200, { ok: true });
		return jsonResponse(404, { error: { code: 'not-found', message: `nothing at ${pathname}: POST ${EVENTS_PATH}` } });
	};
	return new Promise((resolve, reject) => {
		const server = serve({ fetch: fetch as never, port, hostname: host }, (info: AddressInfo) => {
			const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
			resolve({
				url: `http://${shownHost}:${info.port}`,
				close: () =>
					new Promise<void>((done) => {
						server.close(() => done());
						// Keep-alive sockets would hold close() open; idle ones can go now.
						(server as import('node:http').Server).closeIdleConnections?.();
					}),
			});
		});
		server.once('error', reject);
	});
}
