import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { ENV_NAMES, type LogEntry } from '../../src/signer/index.js';
import { startSignerServer, type SignerServer } from '../../src/signer/node/index.js';
import { CREDENTIALS, LEAD, startStandIn, VISIT } from '../helpers/signer.js';

let lp: LivePersonStandIn;
beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(() => lp.close());
beforeEach(() => lp.clear());

type Proxy = { url: string; port: number; close(): Promise<void> };

/**
 * A reverse proxy like nginx: `Host` becomes the upstream's (nginx's default,
 * `proxy_set_header Host $proxy_host`). With `forwarded`, the README's recipe: X-Forwarded-For
 * appended, X-Forwarded-Proto and -Host set from what the client sent.
 */
async function startProxy(upstream: string, { forwarded = false, proto = 'http' } = {}): Promise<Proxy> {
	const target = new URL(upstream);
	const server: Server = createServer((req, res) => {
		const headers: IncomingHttpHeaders = { ...req.headers, host: target.host };
		if (forwarded) {
			const prior = req.headers['x-forwarded-for'];
			headers['x-forwarded-for'] = `${prior ? `${prior}, ` : ''}${req.socket.remoteAddress}`;
			headers['x-forwarded-proto'] = proto;
			headers['x-forwarded-host'] = req.headers.host;
		}
		const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
			res.writeHead(answer.statusCode!, answer.headers);
			answer.pipe(res);
		});
		out.on('error', () => res.writeHead(502).end());
		req.pipe(out);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		close: () => {
			server.closeAllConnections();
			return new Promise((done) => server.close(() => done()));
		},
	};
}

/** A browser-like POST through the proxy, from a chosen loopback address (127.0.0.x is all this machine). */
function send(proxy: Proxy, { origin, from = '127.0.0.1', host }: { origin: string; from?: string; host?: string }) {
	return new Promise<{ status: number; headers: IncomingHttpHeaders; body: { error?: { code: string; message: string } } }>(
		(resolve, reject) => {
			const body = JSON.stringify({ ...VISIT, attributes: [LEAD] });
			const req = httpRequest(
				{
					host: '127.0.0.1',
					port: proxy.port,
					localAddress: from,
					method: 'POST',
					path: '/lp-ea/events',
					headers: { 'content-type': 'text/plain;charset=UTF-8', origin, ...(host ? { host } : {}) },
				},
				(res) => {
					let text = '';
					res.on('data', (d) => (text += d));
					res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text || '{}') }));
				},
			);
			req.on('error', reject);
			req.end(body);
		},
	);
}

let signer: SignerServer;
let proxy: Proxy;
let logs: LogEntry[];

async function start({ trustProxy, forwarded, proto }: { trustProxy: boolean; forwarded: boolean; proto?: string }) {
	logs = [];
	signer = await startSignerServer({
		signer: {
			accounts: '1234',
			consumerKey: CREDENTIALS.consumerKey,
			consumerSecret: CREDENTIALS.consumerSecret,
			accessToken: CREDENTIALS.token,
			accessTokenSecret: CREDENTIALS.tokenSecret,
			domain: lp.origin,
			trustProxy,
			rateLimit: { burst: 1, perMinute: 1 },
			log: (entry) => logs.push(entry),
		},
		names: ENV_NAMES,
		port: 0,
	});
	proxy = await startProxy(signer.url, { forwarded, ...(proto ? { proto } : {}) });
}
afterEach(async () => {
	await proxy?.close();
	await signer?.close();
});

describe('behind a proxy that rewrites Host, with LP_TRUST_PROXY', () => {
	test('the page on the proxy\'s origin is same-origin, and each client has its own rate limit', async () => {
		await start({ trustProxy: true, forwarded: true });
		const page = proxy.url;
		expect((await send(proxy, { origin: page, from: '127.0.0.2' })).status).toBe(200);
		expect((await send(proxy, { origin: page, from: '127.0.0.2' })).status).toBe(429);
		expect((await send(proxy, { origin: page, from: '127.0.0.3' })).status).toBe(200);
		expect(lp.received.filter((r) => r.verified)).toHaveLength(2);
		expect(logs.some((entry) => entry.warning)).toBe(false);
	});

	test('a client\'s own X-Forwarded-For does not buy it a fresh bucket', async () => {
		await start({ trustProxy: true, forwarded: true });
		const spoofed = (xff: string) =>
			new Promise<number>((resolve) => {
				const req = httpRequest(
					{ host: '127.0.0.1', port: proxy.port, localAddress: '127.0.0.4', method: 'POST', path: '/lp-ea/events', headers: { 'content-type': 'application/json', 'x-forwarded-for': xff } },
					(res) => resolve(res.resume().statusCode!),
				);
				req.end(JSON.stringify({ ...VISIT, attributes: [LEAD] }));
			});
		expect(await spoofed('1.1.1.1')).toBe(200);
		expect(await spoofed('2.2.2.2')).toBe(429);
	});

	test('TLS ended at the proxy: an https page on the public host is the endpoint\'s own origin', async () => {
		await start({ trustProxy: true, forwarded: true, proto: 'https' });
		const ok = await send(proxy, { origin: 'https://www.brand.example', host: 'www.brand.example' });
		expect(ok.status).toBe(200);
		expect(ok.headers['access-control-allow-origin']).toBeUndefined();
		// The scheme is part of the origin: plain http on that host is another origin.
		expect((await send(proxy, { origin: 'http://www.brand.example', host: 'www.brand.example', from: '127.0.0.5' })).status).toBe(403);
	});
});

describe('behind a proxy, without LP_TRUST_PROXY', () => {
	test('the first request with X-Forwarded-For logs one warning naming LP_TRUST_PROXY', async () => {
		await start({ trustProxy: false, forwarded: true });
		for (const from of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) await send(proxy, { origin: proxy.url, from });
		const warnings = logs.filter((entry) => entry.warning);
		expect(warnings).toHaveLength(1);
		expect(warnings[0]!.warning).toContain('LP_TRUST_PROXY');
	});

	test('the same-origin page is refused with a 403 that says which setting admits it, readable by the page', async () => {
		await start({ trustProxy: false, forwarded: true });
		const refused = await send(proxy, { origin: proxy.url });
		expect(refused.status).toBe(403);
		expect(refused.body.error!.code).toBe('forbidden');
		expect(refused.body.error!.message).toContain('LP_TRUST_PROXY');
		expect(refused.body.error!.message).toContain('LP_ALLOWED_ORIGINS');
		// CORS headers on the refusal: the page's lpEA reads "forbidden", not "network".
		expect(refused.headers['access-control-allow-origin']).toBe(proxy.url);
		expect(logs.at(-1)).toMatchObject({ status: 403, code: 'forbidden', origin: proxy.url });
		expect(lp.received).toHaveLength(0);
	});

	test('nginx\'s default (Host rewritten, no X-Forwarded-*): refused, naming LP_ALLOWED_ORIGINS, and logged', async () => {
		await start({ trustProxy: false, forwarded: false });
		const refused = await send(proxy, { origin: proxy.url });
		expect(refused.status).toBe(403);
		expect(refused.body.error!.message).toContain('LP_ALLOWED_ORIGINS');
		expect(logs.at(-1)).toMatchObject({ status: 403, origin: proxy.url });
	});
});
