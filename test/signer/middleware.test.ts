import express from 'express';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import type { LogEntry } from '../../src/signer/index.js';
import { ENV_NAMES, optionsFromEnv } from '../../src/signer/index.js';
import { createSignerMiddleware } from '../../src/signer/node/index.js';
import { snippet } from '../helpers/readme.js';
import { freePort, HAS_REDIS, startRedis } from '../helpers/redis.js';
import { LEAD, signerOptions, startStandIn, VISIT } from '../helpers/signer.js';
import { listenForFile } from '../helpers/listen.js';

let lp: LivePersonStandIn;
const listen = listenForFile();
const logs: LogEntry[] = [];

beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(async () => {
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
	test('a malformed Redis URL is said when the middleware is made and answered 500, naming the option and not the value', async () => {
		const said: string[] = [];
		const error = console.error;
		console.error = (line: string) => said.push(line);
		let signer: ReturnType<typeof createSignerMiddleware>;
		try {
			signer = createSignerMiddleware({ ...signerOptions(lp.origin), redisUrl: 'redis://user:hunter2@localhost/abc' });
		} finally {
			console.error = error;
		}
		expect(said).toEqual([expect.stringMatching(/^lp-ea signer: redisUrl must be a URL such as redis:/)]);
		const base = await listen(createServer((req, res) => signer(req, res)));
		const response = await fetch(`${base}/lp-ea/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...VISIT, attributes: [LEAD] }) });
		const text = await response.text();
		expect(response.status).toBe(500);
		expect(text).toContain('redisUrl');
		expect(said.join() + text).not.toContain('hunter2');
		expect(signer.ready()).toBe(false);
	});

});

describe("README's Express recipe, run as it is: readiness, and a graceful shutdown on SIGTERM", () => {
	/** The recipe in a process of its own (lp-ea resolves to this package's dist/), configured from the environment. */
	async function runRecipe(extra: Record<string, string>) {
		const port = await freePort();
		const child = spawn(process.execPath, ['--input-type=module', '-e', snippet('express')], {
			env: {
				PATH: process.env.PATH,
				...lp.env, // the stand-in's key and LP_DOMAIN
				LP_ACCOUNT: '1234',
				PORT: String(port),
				...extra,
			},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let err = '';
		child.stderr.on('data', (d) => (err += d));
		const base = `http://127.0.0.1:${port}`;
		const exited = once(child, 'exit');
		for (let tries = 0; ; tries++) {
			if (child.exitCode !== null || tries > 200) throw new Error(`the recipe did not listen: ${err}`);
			if (await fetch(`${base}/readyz`).then(() => true, () => false)) break;
			await new Promise((r) => setTimeout(r, 25));
		}
		/** SIGTERM, then how long the process took to exit on its own, and its exit code. */
		const stop = async () => {
			const sent = Date.now();
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
			const [code, signal] = await exited;
			clearTimeout(timer);
			return { ms: Date.now() - sent, code, signal, err };
		};
		const post = () =>
			fetch(`${base}/lp-ea/events`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ id: `recipe-${Date.now()}-0001`, ...VISIT, attributes: [LEAD] }),
			});
		return { base, post, stop };
	}

	test('without Redis: ready, serves, and exits on SIGTERM', async () => {
		const recipe = await runRecipe({});
		expect((await fetch(`${recipe.base}/readyz`)).status).toBe(200);
		expect((await recipe.post()).status).toBe(200);
		const { ms, code, signal } = await recipe.stop();
		expect({ code, signal }).toEqual({ code: 0, signal: null });
		expect(ms).toBeLessThan(5_000);
	});

	test.skipIf(!HAS_REDIS)('with Redis: ready once connected, and on SIGTERM the Redis connection no longer keeps the process alive', async () => {
		const redis = await startRedis();
		try {
			const recipe = await runRecipe({ LP_REDIS_URL: redis.url });
			await expect.poll(async () => (await fetch(`${recipe.base}/readyz`)).status, { timeout: 5_000 }).toBe(200);
			expect((await recipe.post()).status).toBe(200);
			const { ms, code, signal } = await recipe.stop();
			console.log(`Express recipe with Redis: exited ${ms} ms after SIGTERM`);
			expect({ code, signal }).toEqual({ code: 0, signal: null });
			expect(ms).toBeLessThan(5_000);
		} finally {
			await redis.stop();
		}
	});

	test('with Redis unreachable: not ready, the page told to retry, and still exits on SIGTERM', async () => {
		const recipe = await runRecipe({ LP_REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
		expect((await fetch(`${recipe.base}/readyz`)).status).toBe(503);
		expect((await recipe.post()).status).toBe(503);
		const { ms, code, signal, err } = await recipe.stop();
		expect({ code, signal }).toEqual({ code: 0, signal: null });
		expect(ms).toBeLessThan(5_000);
		expect(err).toMatch(/cannot reach Redis at 127\.0\.0\.1:\d+ \(LP_REDIS_URL\)/);
	});
});

describe('a missing or malformed setting', () => {
	async function post(handler: ReturnType<typeof createSignerMiddleware>) {
		const base = await listen(createServer((req, res) => handler(req, res)));
		return fetch(`${base}/lp-ea/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...VISIT, attributes: [LEAD] }) });
	}

	test('from the environment (a function): said once at start, then every request answered 500 naming each setting, never a value', async () => {
		const said: string[] = [];
		const error = console.error;
		console.error = (line: string) => said.push(line);
		let signer: ReturnType<typeof createSignerMiddleware>;
		try {
			signer = createSignerMiddleware(() => optionsFromEnv({ LP_ACCOUNT: '1234', LP_CONSUMER_KEY: 'sekrit-key', LP_TIMEOUT_MS: 'soon' }), ENV_NAMES);
		} finally {
			console.error = error;
		}
		expect(said).toHaveLength(1);
		for (const name of ['LP_CONSUMER_SECRET', 'LP_ACCESS_TOKEN', 'LP_ACCESS_TOKEN_SECRET', 'LP_TIMEOUT_MS']) expect(said[0]).toContain(name);
		expect(signer.ready()).toBe(false);
		for (let i = 0; i < 2; i++) {
			const response = await post(signer);
			expect(response.status).toBe(500);
			const text = await response.text();
			const body = JSON.parse(text) as { error: { code: string; message: string } };
			expect(body.error.code).toBe('server-error');
			expect(body.error.message).toMatch(/misconfigured: .*LP_CONSUMER_SECRET/);
			expect(text).not.toContain('sekrit');
		}
		expect(said).toHaveLength(1);
		await signer.close();
		expect(lp.received).toHaveLength(0);
	});

	test('in the options themselves: the same 500, naming the option', async () => {
		const error = console.error;
		console.error = () => {};
		let signer: ReturnType<typeof createSignerMiddleware>;
		try {
			signer = createSignerMiddleware({ ...signerOptions(lp.origin), consumerSecret: '' });
		} finally {
			console.error = error;
		}
		const response = await post(signer);
		expect(response.status).toBe(500);
		expect(((await response.json()) as { error: { message: string } }).error.message).toContain('consumerSecret');
	});
});
