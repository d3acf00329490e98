import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { HAS_REDIS, startRedis } from '../helpers/redis.js';
import { CREDENTIALS, LEAD, startStandIn, VISIT } from '../helpers/signer.js';

const CLI = new URL('../../dist/signer-cli.mjs', import.meta.url).pathname;

let lp: LivePersonStandIn;
beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(() => lp.close());

const env = () => ({
	PATH: process.env.PATH,
	...lp.env, // the stand-in's key and LP_DOMAIN
	LP_ACCOUNT: '1234',
	PORT: '0',
});

function run(environment: Record<string, string | undefined>) {
	const child = spawn(process.execPath, [CLI], { env: environment as NodeJS.ProcessEnv });
	let out = '';
	let err = '';
	child.stdout.on('data', (d) => (out += d));
	child.stderr.on('data', (d) => (err += d));
	return { child, out: () => out, err: () => err };
}

test.each(['LP_ACCOUNT', 'LP_CONSUMER_KEY', 'LP_CONSUMER_SECRET', 'LP_ACCESS_TOKEN', 'LP_ACCESS_TOKEN_SECRET'])(
	'start-up without %s stops with a message naming it, and prints no secret',
	async (name) => {
		const proc = run({ ...env(), [name]: undefined });
		const [code] = await once(proc.child, 'exit');
		expect(code).toBe(1);
		expect(proc.err()).toContain(name);
		for (const secret of [CREDENTIALS.consumerSecret, CREDENTIALS.tokenSecret]) {
			expect(proc.err() + proc.out()).not.toContain(secret);
		}
	},
);

test.each([
	['LP_DOMAIN', { LP_DOMAIN: 'http://evil.example' }],
	['LP_ALLOWED_ORIGINS', { LP_ALLOWED_ORIGINS: '*' }],
	['PORT', { PORT: 'eighty' }],
	['LP_CONSUMER_SECRET', { LP_CONSUMER_SECRET: `${CREDENTIALS.consumerSecret}\n` }],
])('a malformed %s stops the server, naming it', async (name, bad) => {
	const proc = run({ ...env(), ...bad });
	const [code] = await once(proc.child, 'exit');
	expect(code).toBe(1);
	expect(proc.err()).toContain(name);
	expect(proc.err()).not.toContain(CREDENTIALS.consumerSecret);
});

test('serves POST /lp-ea/events, GET /healthz, logs one line per request, stops on SIGTERM', async () => {
	const proc = run(env());
	while (!/listening on (\S+)\/lp-ea\/events/.test(proc.out())) await once(proc.child.stdout, 'data');
	const base = /listening on (\S+)\/lp-ea\/events/.exec(proc.out())![1];

	const ok = await fetch(`${base}/lp-ea/events`, {
		method: 'POST',
		headers: { 'content-type': 'text/plain;charset=UTF-8' },
		body: JSON.stringify({ ...VISIT, attributes: [LEAD] }),
	});
	expect(ok.status).toBe(200);
	expect(lp.received.at(-1)).toMatchObject({ verified: true, attributes: [LEAD] });
	expect((await fetch(`${base}/healthz`)).status).toBe(200);
	expect((await fetch(`${base}/elsewhere`)).status).toBe(404);
	const refused = await fetch(`${base}/lp-ea/events`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: '{}' });
	expect(refused.status).toBe(403);

	proc.child.kill('SIGTERM');
	const [code] = await once(proc.child, 'exit');
	expect(code).toBe(0);
	const lines = proc
		.out()
		.split('\n')
		.filter((line) => line.startsWith('{'))
		.map((line) => JSON.parse(line));
	expect(lines.map((line) => line.status)).toEqual([200, 200, 404, 403]);
	expect(lines.map((line) => line.path)).toEqual([undefined, '/healthz', '/elsewhere', undefined]);
	expect(lines[0]).toMatchObject({ account: '1234', visitor: expect.stringMatching(/^[0-9a-f]{16}$/) });
	const everything = proc.out() + proc.err();
	for (const secret of [CREDENTIALS.consumerSecret, CREDENTIALS.tokenSecret, VISIT.sid, VISIT.visitor, 'OAuth ']) {
		expect(everything).not.toContain(secret);
	}
});

test('the start line says the de-duplication window and where ids are remembered', async () => {
	for (const [extra, window, where] of [
		[{}, '3600000 ms', /in this process's memory/],
		[{ LP_DEDUPE_WINDOW_MS: '7200000' }, '7200000 ms', /in this process's memory/],
	] as const) {
		const proc = run({ ...env(), ...extra });
		while (!/listening on (\S+)\/lp-ea\/events.*\n/.test(proc.out())) await once(proc.child.stdout, 'data');
		proc.child.kill('SIGTERM');
		await once(proc.child, 'exit');
		const line = proc.out().split('\n').find((l) => l.includes('listening on'))!;
		expect(line).toContain(`with a de-duplication window of ${window} (LP_DEDUPE_WINDOW_MS), ids`);
		expect(line).toMatch(where);
	}
});

test('a timeout the de-duplication window cannot hold stops the server, naming both settings', async () => {
	const proc = run({ ...env(), LP_TIMEOUT_MS: '900000', LP_DEDUPE_WINDOW_MS: '1800000' });
	const [code] = await once(proc.child, 'exit');
	expect(code).toBe(1);
	expect(proc.err()).toMatch(/^lp-ea-signer: LP_TIMEOUT_MS .*LP_DEDUPE_WINDOW_MS/);
	expect(proc.err().trim().split('\n')).toHaveLength(1);
	expect(proc.out()).not.toContain('listening');
});

test('every problem is reported at once, each by name, with no value echoed', async () => {
	const pasted = 'sk_live_PASTED_BY_MISTAKE';
	const proc = run({
		...env(),
		LP_ACCOUNT: `12/34,${pasted}`,
		LP_ALLOWED_ORIGINS: `https://ok.example,${pasted}2`,
		LP_CONSUMER_KEY: undefined,
		LP_TIMEOUT_MS: 'soon',
		PORT: '0x1F90',
	});
	const [code] = await once(proc.child, 'exit');
	expect(code).toBe(1);
	for (const name of ['LP_ACCOUNT', 'LP_ALLOWED_ORIGINS', 'LP_CONSUMER_KEY', 'LP_TIMEOUT_MS', 'PORT']) expect(proc.err()).toContain(name);
	expect(proc.err().trim().split('\n')).toHaveLength(5);
	expect(proc.err() + proc.out()).not.toContain(pasted);
	expect(proc.err()).not.toContain('12/34');
	expect(proc.err()).not.toContain('soon');
});

test.each([
	['LP_TIMEOUT_MS', '99999999999'],
	['LP_TIMEOUT_MS', '0'],
	['LP_BODY_TIMEOUT_MS', '3000000000'],
	['LP_HEADERS_TIMEOUT_MS', '1e4'],
	['LP_MAX_BODY_BYTES', '0'],
	['LP_MAX_IN_FLIGHT', '-1'],
	['LP_RATE_LIMIT', '0/10'],
	['LP_TRUST_PROXY', 'yes please'],
	['PORT', '65536'],
	['PORT', ' 80'],
	['PORT', '0x1F90'],
])('%s=%j is out of bounds: the server does not start', async (name, value) => {
	const proc = run({ ...env(), [name]: value });
	const [code] = await once(proc.child, 'exit');
	expect(code).toBe(1);
	expect(proc.err()).toContain(name);
	expect(proc.out()).not.toContain('listening');
});

test('--help lists the settings, --version prints the package version; neither starts a server', async () => {
	const helped = spawn(process.execPath, [CLI, '--help']);
	let usage = '';
	helped.stdout.on('data', (d) => (usage += d));
	expect((await once(helped, 'exit'))[0]).toBe(0);
	for (const name of ['LP_ACCOUNT', 'LP_TRUST_PROXY', 'LP_ALLOWED_ORIGINS', 'PORT']) expect(usage).toContain(name);
	const versioned = spawn(process.execPath, [CLI, '--version']);
	let version = '';
	versioned.stdout.on('data', (d) => (version += d));
	expect((await once(versioned, 'exit'))[0]).toBe(0);
	const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
	expect(version.trim()).toBe(pkg.version);
});

test.each([
	['LP_REDIS_URL', { LP_REDIS_URL: 'http://user:hunter2@example' }, 'hunter2'],
	// A path that is not a database number: node-redis itself would throw, quoting the URL.
	['LP_REDIS_URL', { LP_REDIS_URL: 'redis://user:hunter2@localhost/abc' }, 'hunter2'],
	['LP_DEDUPE_WINDOW_MS', { LP_DEDUPE_WINDOW_MS: 'an hour' }, 'an hour'],
])('a malformed %s stops the server, naming it and not its value', async (name, bad, value) => {
	const proc = run({ ...env(), ...bad });
	const [code] = await once(proc.child, 'exit');
	expect(code).toBe(1);
	expect(proc.err()).toContain(name);
	expect(proc.err()).not.toContain(value);
});

describe.skipIf(!HAS_REDIS)('with LP_REDIS_URL', () => {
	test('two CLI instances on one Redis forward an id once, and a restarted one still knows it', async () => {
		const redis = await startRedis();
		const started: ReturnType<typeof run>[] = [];
		const start = async () => {
			const proc = run({ ...env(), LP_REDIS_URL: redis.url });
			started.push(proc);
			while (!/listening on (\S+)\/lp-ea\/events/.test(proc.out())) await once(proc.child.stdout, 'data');
			return /listening on (\S+)\/lp-ea\/events/.exec(proc.out())![1]!;
		};
		const stop = async (proc: ReturnType<typeof run>) => {
			proc.child.kill('SIGTERM');
			await once(proc.child, 'exit');
		};
		try {
			lp.clear();
			const body = JSON.stringify({ id: 'cli-redis-request-01', ...VISIT, attributes: [LEAD] });
			const send = (base: string) => fetch(`${base}/lp-ea/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
			const [a, b] = await Promise.all([start(), start()]);
			// Where ids are remembered is said at start; the URL (it may hold a password) is not.
			expect(started[0]!.out()).toMatch(/de-duplication window of 3600000 ms \(LP_DEDUPE_WINDOW_MS\), ids in Redis \(LP_REDIS_URL\)/);
			expect(started[0]!.out()).not.toContain(redis.url);
			expect((await send(a)).status).toBe(200);
			expect((await send(b)).status).toBe(200);
			await stop(started[0]!);
			const restarted = await start();
			expect((await send(restarted)).status).toBe(200);
			expect(lp.received.filter((r) => r.status === 200)).toHaveLength(1);
		} finally {
			await Promise.all(started.filter((p) => p.child.exitCode === null).map(stop));
			await redis.stop();
		}
	});
});
