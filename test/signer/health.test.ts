/**
 * Health you can see: the health checks any HTTP/1.0 or 1.1 client gets, with or without a
 * Host; readiness that follows Redis; one line for each loss and recovery of Redis, never the
 * password. Against a real redis-server on loopback.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi, type MockInstance } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { ENV_NAMES, type SignerOptions } from '../../src/signer/index.js';
import { createSignerMiddleware, startSignerServer, type SignerServer } from '../../src/signer/node/index.js';
import { freePort, HAS_REDIS, NO_REDIS_LINE, startRedis, type RedisServer } from '../helpers/redis.js';
import { LEAD, signerOptions, startStandIn, VISIT } from '../helpers/signer.js';

const CLI = new URL('../../dist/signer-cli.mjs', import.meta.url).pathname;

let lp: LivePersonStandIn;
let server: SignerServer | undefined;
let said: MockInstance<typeof console.error>;

beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(() => lp.close());
beforeEach(() => {
	lp.clear();
	said = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(async () => {
	await server?.close();
	server = undefined;
	said.mockRestore();
});

/** What the signer said about Redis, line by line. */
const lines = () => said.mock.calls.map((call) => String(call[0])).filter((line) => line.includes('Redis'));

async function start(extra: Partial<SignerOptions> = {}) {
	server = await startSignerServer({ signer: { ...signerOptions(lp.origin), rateLimit: false, ...extra }, port: 0 });
	return server.url;
}

/** What a raw socket gets back for `request`, sent as is: no client library adds a Host. */
function raw(base: string, request: string): Promise<string> {
	const { port, hostname } = new URL(base);
	return new Promise((resolve, reject) => {
		const socket = connect(Number(port), hostname, () => socket.end(request));
		let text = '';
		socket.on('data', (d) => (text += d.toString('latin1')));
		socket.on('close', () => resolve(text));
		socket.on('error', reject);
	});
}

const status = async (base: string, path: string) => (await fetch(`${base}${path}`)).status;
const lead = (base: string, id?: string) =>
	fetch(`${base}/lp-ea/events`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ ...(id ? { id } : {}), ...VISIT, attributes: [LEAD] }),
	});

describe('health checks from any HTTP/1.0 or 1.1 client, with or without Host', () => {
	test.each([
		['GET /healthz HTTP/1.0\r\n\r\n', 200],
		['GET /livez HTTP/1.0\r\n\r\n', 200],
		['GET /readyz HTTP/1.0\r\n\r\n', 200],
		['HEAD /healthz HTTP/1.0\r\n\r\n', 200],
		['GET /healthz HTTP/1.1\r\nconnection: close\r\n\r\n', 200],
		['GET /readyz?probe=1 HTTP/1.1\r\nconnection: close\r\n\r\n', 200],
		['GET /livez HTTP/1.1\r\nhost: anything.example\r\nconnection: close\r\n\r\n', 200],
		['GET /healthz HTTP/1.0\r\nhost: 127.0.0.1\r\n\r\n', 200],
	])('%j: %i', async (request, expected) => {
		const base = await start();
		const answer = await raw(base, request);
		expect(answer).toMatch(new RegExp(`^HTTP/1\\.[01] ${expected} `));
		if (!request.startsWith('HEAD')) expect(answer).toContain('{"ok":true}');
	});

	test('anything else still needs a Host: the events path without one is refused 400, as before', async () => {
		const base = await start();
		const body = JSON.stringify({ ...VISIT, attributes: [LEAD] });
		const answer = await raw(base, `POST /lp-ea/events HTTP/1.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`);
		expect(answer).toMatch(/^HTTP\/1\.1 400 /);
		expect(lp.received).toHaveLength(0);
	});

	test('without Redis the signer is ready as soon as it listens; health checks are logged with their path', async () => {
		const logs: Array<{ status: number; path?: string }> = [];
		const base = await start({ log: (entry) => logs.push(entry) });
		expect(await status(base, '/readyz')).toBe(200);
		expect(await status(base, '/livez')).toBe(200);
		expect(logs).toEqual([expect.objectContaining({ status: 200, path: '/readyz' }), expect.objectContaining({ status: 200, path: '/livez' })]);
		expect(lines()).toEqual([]);
	});
});

if (!HAS_REDIS) console.log(NO_REDIS_LINE);

describe.skipIf(!HAS_REDIS)('readiness follows Redis', () => {
	let redis: RedisServer | undefined;
	afterEach(async () => {
		await redis?.stop();
		redis = undefined;
	});

	test('Redis lost and back: /readyz 503 then 200, /healthz and /livez 200 throughout, one line each, none per request', async () => {
		redis = await startRedis();
		const base = await start({ redisUrl: redis.url });
		const where = `Redis at 127.0.0.1:${redis.port} (redisUrl)`;
		expect(await status(base, '/readyz')).toBe(200);
		expect(lines()).toEqual([`lp-ea signer: de-duplicating through ${where}`]);

		const stopped = Date.now();
		await redis.stop();
		await expect.poll(() => status(base, '/readyz'), { timeout: 5_000, interval: 10 }).toBe(503);
		const noticed = Date.now() - stopped;
		expect(await status(base, '/healthz')).toBe(200);
		expect(await status(base, '/livez')).toBe(200);
		// Requests while it is down, and reconnect attempts for 2.5 s: not a line more.
		for (let i = 0; i < 20; i++) expect((await lead(base, `while-down-${String(i).padStart(8, '0')}`)).status).toBe(503);
		await new Promise((r) => setTimeout(r, 2_500));
		expect(lines()).toHaveLength(2);
		expect(lines()[1]).toMatch(new RegExp(`^lp-ea signer: lost ${where.replace(/[().]/g, '\\$&')}: .+; not ready \\(GET /readyz answers 503\\)`));

		const restarted = Date.now();
		await redis.start();
		await expect.poll(() => status(base, '/readyz'), { timeout: 10_000, interval: 10 }).toBe(200);
		const recovered = Date.now() - restarted;
		expect((await lead(base, 'after-redis-is-back-01')).status).toBe(200);
		expect(lines()).toEqual([
			`lp-ea signer: de-duplicating through ${where}`,
			expect.stringMatching(/^lp-ea signer: lost Redis/),
			`lp-ea signer: ${where} answers again: ready`,
		]);
		console.log(`Redis stopped: /readyz 503 after ${noticed} ms; restarted (after 2.5 s down): /readyz 200 after ${recovered} ms`);
		expect(noticed).toBeLessThan(1_000);
		expect(recovered).toBeLessThan(3_000);
	}, 30_000);

	test('Redis unreachable at start: the server starts not ready, says so naming the host, and becomes ready when Redis comes', async () => {
		const port = await freePort();
		const started = Date.now();
		const base = await start({ redisUrl: `redis://:hunter2@127.0.0.1:${port}` });
		expect(Date.now() - started).toBeLessThan(3_000);
		expect(await status(base, '/readyz')).toBe(503);
		expect(await status(base, '/healthz')).toBe(200);
		const refused = await lead(base, 'before-redis-comes-01');
		expect(refused.status).toBe(503);
		expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
		expect(lines()).toEqual([
			expect.stringMatching(
				new RegExp(`^lp-ea signer: cannot reach Redis at 127\\.0\\.0\\.1:${port} \\(redisUrl\\): .*ECONNREFUSED.*; starting not ready \\(GET /readyz answers 503\\), retrying$`),
			),
		]);
		redis = await startRedis(['--requirepass', 'hunter2'], port);
		await expect.poll(() => status(base, '/readyz'), { timeout: 10_000, interval: 20 }).toBe(200);
		expect((await lead(base, 'before-redis-comes-01')).status).toBe(200);
		expect(lines()[1]).toBe(`lp-ea signer: Redis at 127.0.0.1:${port} (redisUrl) answers: ready`);
		expect(said.mock.calls.flat().join('\n')).not.toContain('hunter2');
	}, 30_000);

	test.each([
		['a wrong password', 'redis://:not-the-password@127.0.0.1', /WRONGPASS/],
		['no password where one is required', 'redis://127.0.0.1', /NOAUTH/],
	])('%s at start stops the server with an error naming the setting and the host, never the password', async (_, url, why) => {
		redis = await startRedis(['--requirepass', 'the-password']);
		const failed = await startSignerServer({
			signer: { ...signerOptions(lp.origin), redisUrl: `${url}:${redis.port}` },
			names: ENV_NAMES,
			port: 0,
		}).catch((error: Error) => error);
		expect(failed).toBeInstanceOf(Error);
		const { message, name } = failed as Error;
		expect(name).toBe('SignerConfigError');
		expect(message).toMatch(new RegExp(`^LP_REDIS_URL was refused by Redis at 127\\.0\\.0\\.1:${redis.port}: `));
		expect(message).toMatch(why);
		expect(message).not.toMatch(/not-the-password|the-password/);
	});

	test('the middleware, whose host process is not its to stop, says a refused password and stays not ready', async () => {
		redis = await startRedis(['--requirepass', 'the-password']);
		const signer = createSignerMiddleware({ ...signerOptions(lp.origin), redisUrl: `redis://:not-it@127.0.0.1:${redis.port}` }, ENV_NAMES);
		expect(signer.ready()).toBe(false);
		await expect.poll(() => lines(), { timeout: 5_000 }).toEqual([
			expect.stringMatching(new RegExp(`^lp-ea signer: LP_REDIS_URL was refused by Redis at 127\\.0\\.0\\.1:${redis.port}: WRONGPASS .*; starting not ready`)),
		]);
		expect(signer.ready()).toBe(false);
		await signer.close();
		expect(said.mock.calls.flat().join('\n')).not.toContain('not-it');
	});

	describe('lp-ea-signer', () => {
		const env = (redisUrl: string) => ({
			PATH: process.env.PATH,
			...lp.env, // the stand-in's key and LP_DOMAIN
			LP_ACCOUNT: '1234',
			LP_REDIS_URL: redisUrl,
			PORT: '0',
		});
		function run(redisUrl: string) {
			const child = spawn(process.execPath, [CLI], { env: env(redisUrl) });
			let out = '';
			let err = '';
			child.stdout.on('data', (d) => (out += d));
			child.stderr.on('data', (d) => (err += d));
			return { child, out: () => out, err: () => err };
		}

		test('a password Redis refuses: exits 1 with one line naming LP_REDIS_URL and the host, not the password', async () => {
			redis = await startRedis(['--requirepass', 'the-password']);
			const proc = run(`redis://default:wrong-one@127.0.0.1:${redis.port}`);
			const [code] = await once(proc.child, 'exit');
			expect(code).toBe(1);
			expect(proc.err().trim()).toMatch(new RegExp(`^lp-ea-signer: LP_REDIS_URL was refused by Redis at 127\\.0\\.0\\.1:${redis.port}: WRONGPASS .*; check its user and password$`));
			expect(proc.out()).not.toContain('listening');
			expect(proc.err() + proc.out()).not.toContain('wrong-one');
		});

		test('Redis unreachable: listens, says why on stderr naming LP_REDIS_URL and the host, /readyz 503, /healthz 200', async () => {
			const port = await freePort();
			const proc = run(`redis://:hunter2@127.0.0.1:${port}`);
			try {
				while (!/listening on (\S+)\/lp-ea\/events/.test(proc.out())) await once(proc.child.stdout, 'data');
				const base = /listening on (\S+)\/lp-ea\/events/.exec(proc.out())![1]!;
				expect(proc.err()).toMatch(new RegExp(`cannot reach Redis at 127\\.0\\.0\\.1:${port} \\(LP_REDIS_URL\\): .*ECONNREFUSED`));
				expect(await status(base, '/readyz')).toBe(503);
				expect(await status(base, '/healthz')).toBe(200);
				expect(proc.err() + proc.out()).not.toContain('hunter2');
			} finally {
				proc.child.kill('SIGTERM');
				await once(proc.child, 'exit');
			}
		});
	});
});
