import express from 'express';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { ENV_NAMES } from '../../src/signer/index.js';
import { createSignerMiddleware, signerMetrics, startSignerServer } from '../../src/signer/node/index.js';
import { startCli } from '../helpers/cli.js';
import { byLabel, nonZero, parseExposition, scrape, value, type Sample } from '../helpers/metrics.js';
import { freePort } from '../helpers/redis.js';
import { LEAD, signerOptions, startStandIn, VISIT } from '../helpers/signer.js';
import { listenForFile } from '../helpers/listen.js';

const CLI = new URL('../../dist/signer-cli.mjs', import.meta.url).pathname;

let lp: LivePersonStandIn;
const listen = listenForFile();
beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(async () => {
	await lp.close();
});
beforeEach(() => lp.clear());

const EVIL = 'https://evil.example';
const IDS = ['metrics-test-id-0001', 'metrics-test-id-0002', 'metrics-test-id-0003'];

/**
 * Real traffic of every kind at an endpoint: two accepted, a repeat, an id reused for another
 * request, a refused origin, an account not served, LivePerson failing, a body that is not JSON.
 */
async function traffic(endpoint: string): Promise<number[]> {
	const send = (body: unknown, headers: Record<string, string> = {}) =>
		fetch(endpoint, {
			method: 'POST',
			headers: { 'content-type': 'application/json', ...headers },
			body: typeof body === 'string' ? body : JSON.stringify(body),
		}).then(async (response) => (await response.arrayBuffer(), response.status));
	const statuses = [
		await send({ ...VISIT, id: IDS[0], attributes: [LEAD] }),
		await send({ ...VISIT, id: IDS[1], attributes: [LEAD] }),
		await send({ ...VISIT, id: IDS[0], attributes: [LEAD] }),
		await send({ ...VISIT, id: IDS[0], attributes: [{ type: 'lead', lead: { topic: 'another' } }] }),
		await send({ ...VISIT, id: 'metrics-test-id-evil', attributes: [LEAD] }, { origin: EVIL }),
		await send({ ...VISIT, account: '9999', attributes: [LEAD] }),
	];
	lp.setFault({ status: 500 });
	statuses.push(await send({ ...VISIT, id: IDS[2], attributes: [LEAD] }));
	statuses.push(await send('{ not json'));
	return statuses;
}

const EXPECTED_STATUSES = [200, 200, 200, 409, 403, 403, 500, 400];

/** What that traffic must read as, whichever host served it. */
function expectFigures(samples: Sample[]) {
	expect(nonZero(byLabel(samples, 'lp_ea_requests_total', 'code'))).toEqual({ ok: 3, 'bad-request': 2, forbidden: 2, 'server-error': 1 });
	expect(byLabel(samples, 'lp_ea_forwards_total', 'status')).toEqual({ 200: 2, 500: 1 });
	expect(value(samples, 'lp_ea_upstream_duration_seconds_count')).toBe(3);
	expect(value(samples, 'lp_ea_upstream_duration_seconds_bucket', { le: '+Inf' })).toBe(3);
	expect(value(samples, 'lp_ea_dedupe_hits_total')).toBe(1);
	expect(value(samples, 'lp_ea_dedupe_conflicts_total')).toBe(1);
	expect(nonZero(byLabel(samples, 'lp_ea_refusals_total', 'reason'))).toEqual({ origin: 1, account: 1, invalid: 1 });
	expect(nonZero(byLabel(samples, 'lp_ea_store_errors_total', 'operation'))).toEqual({});
	expect(value(samples, 'lp_ea_in_flight')).toBe(0);
	// Nothing a request chose is a label: not the visitor, sid, ids or the refused origin.
	const labelValues = samples.flatMap((s) => Object.values(s.labels));
	for (const sent of [VISIT.visitor, VISIT.sid, ...IDS, 'metrics-test-id-evil', EVIL, 'evil', '9999']) {
		expect(labelValues.filter((v) => v.includes(sent))).toEqual([]);
	}
}

describe('lp-ea-signer with LP_METRICS_PORT', () => {
	let cli: Awaited<ReturnType<typeof startCli>>;
	let metricsUrl: string;
	beforeAll(async () => {
		const { LP_DOMAIN: _, ...key } = lp.env;
		// No LP_DOMAIN: the domain is looked up (once, then cached) through the stand-in's domain API.
		cli = await startCli({ ...key, LP_DOMAIN_API: lp.origin, LP_ACCOUNT: '1234', LP_METRICS_PORT: '0' });
		metricsUrl = /metrics at (\S+)/.exec(cli.output())![1]!;
	});
	afterAll(() => cli.stop());

	test('counts real traffic exactly, scraped over HTTP', async () => {
		// It says where its endpoint is: http://127.0.0.1:…/lp-ea/events.
		expect(await traffic(cli.url)).toEqual(EXPECTED_STATUSES);
		expect(lp.received.filter((r) => r.verified)).toHaveLength(2);
		const samples = await scrape(metricsUrl);
		expectFigures(samples);
		expect(nonZero(byLabel(samples, 'lp_ea_domain_lookups_total', 'outcome'))).toEqual({ ok: 1 });
		// Its own process: Node's process metrics are there too.
		expect(value(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
	});

	test('the metrics port binds loopback by default; the public port has no /metrics', async () => {
		expect(new URL(metricsUrl).hostname).toBe('127.0.0.1');
		expect(new URL(metricsUrl).port).not.toBe(new URL(cli.url).port);
		expect((await fetch(new URL('/metrics', cli.url))).status).toBe(404);
		expect((await fetch(new URL('/lp-ea/events', metricsUrl), { method: 'POST', body: '{}' })).status).toBe(404);
		expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(405);
	});
});

test('lp-ea-signer --help lists LP_METRICS_PORT and LP_METRICS_HOST', async () => {
	const child = spawn(process.execPath, [CLI, '--help']);
	let out = '';
	child.stdout.on('data', (d) => (out += d));
	await once(child, 'exit');
	expect(out).toContain('LP_METRICS_PORT');
	expect(out).toContain('LP_METRICS_HOST');
});

test.each([
	['LP_METRICS_PORT', { LP_METRICS_PORT: '9x' }],
	['LP_METRICS_PORT', { LP_METRICS_PORT: '70000' }],
	['LP_METRICS_HOST', { LP_METRICS_PORT: '0', LP_METRICS_HOST: 'a host' }],
	['LP_METRICS_HOST', { LP_METRICS_HOST: '127.0.0.1' }],
])('a malformed %s stops lp-ea-signer, naming it', async (name, bad) => {
	const child = spawn(process.execPath, [CLI], { env: { PATH: process.env.PATH, ...lp.env, PORT: '0', ...bad } });
	let err = '';
	child.stderr.on('data', (d) => (err += d));
	const [code] = await once(child, 'exit');
	expect(code).toBe(1);
	expect(err).toContain(name);
});

test('startSignerServer: a metrics host beyond loopback is allowed, and said at start', async () => {
	const said = vi.spyOn(console, 'error').mockImplementation(() => {});
	const server = await startSignerServer({ signer: signerOptions(lp.origin), port: 0, metricsPort: 0, metricsHost: '0.0.0.0' });
	try {
		expect(new URL(server.metricsUrl!).hostname).toBe('0.0.0.0');
		expect(said.mock.calls.flat().join('\n')).toMatch(/metrics at http:\/\/0\.0\.0\.0:\d+\/metrics can be reached from beyond this machine/);
	} finally {
		said.mockRestore();
		await server.close();
	}
});

test('startSignerServer: Redis unreachable counts store errors, forwards nothing', async () => {
	const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
	const port = await freePort();
	const server = await startSignerServer({
		signer: { ...signerOptions(lp.origin), redisUrl: `redis://127.0.0.1:${port}` },
		names: ENV_NAMES,
		port: 0,
		metricsPort: 0,
	});
	try {
		const send = () =>
			fetch(`${server.url}/lp-ea/events`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ ...VISIT, id: IDS[0], attributes: [LEAD] }),
			});
		expect((await send()).status).toBe(503);
		expect((await send()).status).toBe(503);
		const samples = await scrape(server.metricsUrl!);
		expect(nonZero(byLabel(samples, 'lp_ea_store_errors_total', 'operation'))).toEqual({ claim: 2 });
		expect(nonZero(byLabel(samples, 'lp_ea_requests_total', 'code'))).toEqual({ 'server-error': 2 });
		expect(byLabel(samples, 'lp_ea_forwards_total', 'status')).toEqual({});
		expect(lp.received).toHaveLength(0);
	} finally {
		errors.mockRestore();
		await server.close();
	}
});

describe('Express: signer.metrics mounted where the brand wants it', () => {
	test('counts real traffic exactly; lp-ea has a registry of its own, without process metrics', async () => {
		const app = express();
		const signer = createSignerMiddleware({ ...signerOptions(lp.origin), rateLimit: false });
		app.use('/lp-ea/events', signer);
		app.get('/internal/metrics', signer.metrics);
		const base = await listen(createServer(app));
		expect(await traffic(`${base}/lp-ea/events`)).toEqual(EXPECTED_STATUSES);
		const response = await fetch(`${base}/internal/metrics`);
		expect(response.headers.get('content-type')).toBe(signer.metrics.registry.contentType);
		const samples = parseExposition(await response.text());
		expectFigures(samples);
		// LP_DOMAIN set: nothing looked up.
		expect(nonZero(byLabel(samples, 'lp_ea_domain_lookups_total', 'outcome'))).toEqual({});
		expect(samples.some((s) => s.name.startsWith('process_'))).toBe(false);
		expect(parseExposition(await signer.metrics.registry.metrics())).toEqual(samples);
	});

	test("the brand's registry: lp-ea's metrics beside the brand's own; two signers add up there, apart elsewhere", async () => {
		const registry = new Registry();
		const own = new Counter({ name: 'brand_orders_total', help: 'orders', registers: [registry] });
		own.inc(4);
		const metrics = signerMetrics({ registry });
		const first = createSignerMiddleware({ ...signerOptions(lp.origin), metrics });
		const second = createSignerMiddleware({ ...signerOptions(lp.origin), metrics: signerMetrics({ registry }) });
		const apart = createSignerMiddleware(signerOptions(lp.origin));
		expect(first.metrics).toBe(metrics);
		const app = express();
		app.use('/one', first);
		app.use('/two', second);
		app.use('/three', apart);
		const base = await listen(createServer(app));
		const lead = (path: string, id: string) =>
			fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...VISIT, id, attributes: [LEAD] }) });
		expect((await lead('/one', 'registry-test-id-0001')).status).toBe(200);
		expect((await lead('/two', 'registry-test-id-0002')).status).toBe(200);
		expect((await lead('/three', 'registry-test-id-0003')).status).toBe(200);
		const samples = parseExposition(await registry.metrics());
		expect(value(samples, 'brand_orders_total')).toBe(4);
		expect(value(samples, 'lp_ea_requests_total', { code: 'ok' })).toBe(2);
		expect(value(parseExposition(await apart.metrics.registry.metrics()), 'lp_ea_requests_total', { code: 'ok' })).toBe(1);
	});

	test('an observer of your own is told too, and signer.metrics still counts', async () => {
		const answered: string[] = [];
		const signer = createSignerMiddleware({ ...signerOptions(lp.origin), metrics: { answered: (code) => answered.push(code) } });
		const base = await listen(createServer(signer));
		await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...VISIT, attributes: [LEAD] }) });
		expect(answered).toEqual(['ok']);
		expect(value(parseExposition(await signer.metrics.registry.metrics()), 'lp_ea_requests_total', { code: 'ok' })).toBe(1);
	});
});
