import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import type { LogEntry } from '../../src/signer/index.js';
import { createSignerMiddleware } from '../../src/signer/node/index.js';
import { LEAD, signerOptions, startStandIn, VISIT } from '../helpers/signer.js';

let lp: LivePersonStandIn;
const servers: Server[] = [];
const logs: LogEntry[] = [];

beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(async () => {
	for (const server of servers) server.closeAllConnections();
	await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
	await lp.close();
});
beforeEach(() => {
	lp.clear();
	logs.length = 0;
});

const middleware = () =>
	createSignerMiddleware({
		...signerOptions(lp.origin),
		allowedOrigins: 'https://shop.example',
		rateLimit: false,
		log: (entry) => logs.push(entry),
	});

async function listen(server: Server): Promise<string> {
	servers.push(server);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Express 5 apps as brands write them: the signer mounted with or without body parsers before it. */
const apps: Array<[string, (app: express.Express) => void]> = [
	['no body parser', () => {}],
	['express.json() first', (app) => app.use(express.json())],
	['express.text() first', (app) => app.use(express.text())],
	['express.json() and express.text() first', (app) => app.use(express.json(), express.text())],
	['express.raw() first', (app) => app.use(express.raw({ type: '*/*' }))],
];

describe.each(apps)('Express 5 with %s', (_name, parsers) => {
	let base: string;
	beforeAll(async () => {
		const app = express();
		parsers(app);
		app.use('/lp-ea/events', middleware());
		app.get('/', (_req, res) => {
			res.send('the brand page');
		});
		base = await listen(createServer(app));
	});

	const post = (body: string, headers: Record<string, string>) =>
		fetch(`${base}/lp-ea/events`, { method: 'POST', headers, body });

	test('JSON: signed, verified, answered 200', async () => {
		const response = await post(JSON.stringify({ ...VISIT, attributes: [LEAD] }), { 'content-type': 'application/json' });
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({});
		expect(lp.received).toMatchObject([{ verified: true, attributes: [LEAD] }]);
	});

	test('text/plain from a listed origin: 200 with CORS headers', async () => {
		const response = await post(JSON.stringify({ ...VISIT, attributes: [LEAD] }), {
			'content-type': 'text/plain;charset=UTF-8',
			origin: 'https://shop.example',
		});
		expect(response.status).toBe(200);
		expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
		expect(lp.received).toMatchObject([{ verified: true, attributes: [LEAD] }]);
	});

	test('the preflight: 204 for a listed origin, 403 for another', async () => {
		const preflight = (origin: string) =>
			fetch(`${base}/lp-ea/events`, {
				method: 'OPTIONS',
				headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
			});
		const ok = await preflight('https://shop.example');
		expect(ok.status).toBe(204);
		expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
		expect((await preflight('https://evil.example')).status).toBe(403);
	});

	test('refusals are the signer\'s own: invalid attributes 400, a foreign account 403, nothing forwarded', async () => {
		const bad = await post(JSON.stringify({ ...VISIT, attributes: [{ type: 'lead', lead: { value: 'x' } }] }), { 'content-type': 'application/json' });
		expect(bad.status).toBe(400);
		expect((await bad.json()).error.message).toMatch(/^attributes\[0\]\.lead\.value/);
		const foreign = await post(JSON.stringify({ ...VISIT, account: '9999', attributes: [LEAD] }), { 'content-type': 'application/json' });
		expect(foreign.status).toBe(403);
		expect(lp.received).toHaveLength(0);
	});

	test('the rest of the app is untouched', async () => {
		expect(await (await fetch(base)).text()).toBe('the brand page');
	});
});

describe('plain node:http', () => {
	let base: string;
	beforeAll(async () => {
		const signer = middleware();
		base = await listen(
			createServer((req, res) => {
				if (req.url === '/lp-ea/events') return signer(req, res);
				res.writeHead(404).end();
			}),
		);
	});

	test('JSON and text/plain bodies are signed and forwarded', async () => {
		for (const type of ['application/json', 'text/plain;charset=UTF-8']) {
			const response = await fetch(`${base}/lp-ea/events`, {
				method: 'POST',
				headers: { 'content-type': type },
				body: JSON.stringify({ ...VISIT, attributes: [LEAD] }),
			});
			expect(response.status, type).toBe(200);
		}
		expect(lp.received.filter((r) => r.verified)).toHaveLength(2);
		expect(logs.map((entry) => entry.status)).toEqual([200, 200]);
	});

	test('the body limit holds on the stream', async () => {
		const response = await fetch(`${base}/lp-ea/events`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: 'x'.repeat(200_000),
		});
		expect(response.status).toBe(413);
	});
});

describe('with redisUrl', () => {
	test('a malformed Redis URL is refused when the middleware is made, naming the option and not the value', () => {
		expect(() => createSignerMiddleware({ ...signerOptions(lp.origin), redisUrl: 'redis://user:hunter2@localhost/abc' })).toThrow(
			/^redisUrl must be a URL such as redis:/,
		);
		expect(() => createSignerMiddleware({ ...signerOptions(lp.origin), redisUrl: 'redis://user:hunter2@localhost/abc' })).not.toThrow(/hunter2/);
	});

});
