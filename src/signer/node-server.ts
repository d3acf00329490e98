/// <reference types="node" />
import { serve, type HttpBindings } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createSigner, type SignerHandler } from './handler.js';
import { jsonResponse } from './refusal.js';
import type { RedisStore } from './redis-store.js';
import { OPTION_NAMES, SignerConfigError, type SettingNames, type SignerOptions } from './settings.js';

export const EVENTS_PATH = '/lp-ea/events';

/**
 * The Redis store when `redisUrl` is set (and no store was given). Imported only here, on
 * demand, so that the Web-standard signer never pulls a Redis client into a Workers bundle.
 */
export async function redisStoreFor(signer: SignerOptions, names: SettingNames = OPTION_NAMES): Promise<RedisStore | undefined> {
	if (!signer.redisUrl || signer.dedupeStore) return undefined;
	let url: URL | undefined;
	try {
		url = new URL(signer.redisUrl);
	} catch {
		// reported below, without the value: it may hold a password
	}
	if (!url || !/^rediss?:$/.test(url.protocol)) throw new SignerConfigError(names.redisUrl, 'must be a redis:// or rediss:// URL');
	const { createRedisStore } = await import('./redis-store.js');
	return createRedisStore(signer.redisUrl);
}

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
export async function startSignerServer({ signer, names, port = 8787, host = '127.0.0.1' }: SignerServerOptions): Promise<SignerServer> {
	const store = await redisStoreFor(signer, names);
	let handle: SignerHandler;
	try {
		handle = createSigner(store ? { ...signer, dedupeStore: store } : signer, names);
	} catch (error) {
		await store?.close();
		throw error;
	}
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
						server.close(() => store?.close().then(() => done()) ?? done());
						// Keep-alive sockets would hold close() open; idle ones can go now.
						(server as import('node:http').Server).closeIdleConnections?.();
					}),
			});
		});
		server.once('error', reject);
	});
}
