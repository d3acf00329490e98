import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { startSignerServer, type SignerServer } from '../../src/signer/node/index.js';
import { ENV_NAMES, optionsFromEnv } from '../../src/signer/index.js';
import { CREDENTIALS, LEAD, startStandIn, VISIT } from '../helpers/signer.js';
import { startWorkers, type Workers } from './workerd.js';

let lp: LivePersonStandIn;
let workers: Workers;
let node: SignerServer;

const env = (extra: Record<string, string> = {}) => ({
	LP_ACCOUNT: '1234,5678',
	LP_CONSUMER_KEY: CREDENTIALS.consumerKey,
	LP_CONSUMER_SECRET: CREDENTIALS.consumerSecret,
	LP_ACCESS_TOKEN: CREDENTIALS.token,
	LP_ACCESS_TOKEN_SECRET: CREDENTIALS.tokenSecret,
	LP_ALLOWED_ORIGINS: 'https://shop.example',
	...extra,
});

beforeAll(async () => {
	lp = await startStandIn();
	const common = env({ LP_DOMAIN: lp.origin });
	workers = await startWorkers({
		signer: common,
		// No LP_DOMAIN: the domain comes from the lookup API (the stand-in, on loopback).
		lookup: env({ LP_DOMAIN_API: lp.origin }),
		limited: { ...common, LP_RATE_LIMIT: '2/1' },
		misconfigured: { ...common, LP_ACCOUNT: '', LP_TIMEOUT_MS: 'soon' },
		// [vars] entries of the wrong type, as wrangler passes JSON ones: never silently ignored.
		mistyped: { ...common, LP_ALLOWED_ORIGINS: ['https://shop.example'], LP_DOMAIN: { host: lp.origin }, LP_MAX_IN_FLIGHT: [8] },
	});
	node = await startSignerServer({ signer: optionsFromEnv(common), names: ENV_NAMES, port: 0 });
}, 30_000);
afterAll(async () => {
	await workers?.close();
	await node?.close();
	await lp?.close();
});
beforeEach(() => lp.clear());

const send = (base: string, body: unknown, headers: Record<string, string> = {}, method = 'POST') =>
	fetch(`${base}/lp-ea/events`, {
		method,
		headers: { 'content-type': 'application/json', ...headers },
		body: method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
	});

describe('lp-ea/signer/worker in workerd', () => {
	test('a valid envelope is signed with Web Crypto and verified by the stand-in', async () => {
		const response = await send(workers.urls.signer!, { ...VISIT, attributes: [LEAD] }, { 'content-type': 'text/plain;charset=UTF-8' });
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({});
		expect(lp.received).toHaveLength(1);
		expect(lp.received[0]).toMatchObject({ verified: true, account: '1234', visitor: VISIT.visitor, attributes: [LEAD] });
	});

	test('without LP_DOMAIN the domain is looked up once per isolate, then kept', async () => {
		for (let i = 0; i < 3; i++) expect((await send(workers.urls.lookup!, { ...VISIT, attributes: [LEAD] })).status).toBe(200);
		expect(lp.received.filter((r) => r.verified)).toHaveLength(3);
	});

	test('GET /healthz, /livez and /readyz answer, other paths 404', async () => {
		for (const path of ['/healthz', '/livez', '/readyz']) expect((await fetch(`${workers.urls.signer}${path}`)).status, path).toBe(200);
		expect((await fetch(`${workers.urls.signer}/elsewhere`)).status).toBe(404);
	});

	const refusals: Array<[string, unknown, Record<string, string>, string?]> = [
		['an account not served', { ...VISIT, account: '9999', attributes: [LEAD] }, {}],
		['a foreign Origin', { ...VISIT, attributes: [LEAD] }, { origin: 'https://evil.example' }],
		['a listed Origin', { ...VISIT, attributes: [LEAD] }, { origin: 'https://shop.example' }],
		['a body that is not JSON', '{"account":', {}],
		['an unsafe visitor id', { ...VISIT, visitor: 'a/b', attributes: [LEAD] }, {}],
		['an unknown attribute type', { ...VISIT, attributes: [{ type: 'cartt' }] }, {}],
		['XML', '<a/>', { 'content-type': 'application/xml' }],
		['a body over the limit', { ...VISIT, attributes: [{ type: 'lead', lead: { topic: 'x'.repeat(70_000) } }] }, {}],
		['GET', undefined, {}, 'GET'],
		['a preflight from a listed origin', undefined, { origin: 'https://shop.example', 'access-control-request-method': 'POST' }, 'OPTIONS'],
	];

	test.each(refusals)('%s: the same answer as the Node server', async (_name, body, headers, method) => {
		const answer = async (base: string) => {
			const response = await send(base, body, headers, method);
			const text = await response.text();
			return {
				status: response.status,
				code: text ? JSON.parse(text).error?.code : undefined,
				cors: response.headers.get('access-control-allow-origin'),
				allow: response.headers.get('access-control-allow-methods') ?? response.headers.get('allow'),
			};
		};
		const [inWorkers, onNode] = [await answer(workers.urls.signer!), await answer(node.url)];
		expect(inWorkers).toEqual(onNode);
		expect(inWorkers.status).not.toBe(500);
		if (!String(_name).startsWith('a listed')) expect(lp.received).toHaveLength(0);
	});

	test('the rate limit lasts across requests and is kept per CF-Connecting-IP', async () => {
		const from = (ip: string) => send(workers.urls.limited!, { ...VISIT, attributes: [LEAD] }, { 'cf-connecting-ip': ip });
		expect((await from('203.0.113.7')).status).toBe(200);
		expect((await from('203.0.113.7')).status).toBe(200);
		const refused = await from('203.0.113.7');
		expect(refused.status).toBe(429);
		expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
		// Another client has its own bucket; an IPv6 client is one /64.
		expect((await from('198.51.100.1')).status).toBe(200);
		expect((await from('2001:db8:1:2::1')).status).toBe(200);
		expect((await from('2001:db8:1:2::2')).status).toBe(200);
		expect((await from('2001:db8:1:2:ffff::3')).status).toBe(429);
		expect(lp.received).toHaveLength(5);
	});

	test('a misconfigured Worker fails its requests with a 500 naming every setting at fault, and no value', async () => {
		const response = await send(workers.urls.misconfigured!, { ...VISIT, attributes: [LEAD] });
		expect(response.status).toBe(500);
		const { error } = await response.json();
		expect(error.message).toContain('LP_ACCOUNT');
		expect(error.message).toContain('LP_TIMEOUT_MS');
		expect(error.message).not.toContain('soon');
		expect(lp.received).toHaveLength(0);
	});

	test('[vars] of the wrong type (a JSON array or object) fail requests with a 500 naming each setting', async () => {
		const response = await send(workers.urls.mistyped!, { ...VISIT, attributes: [LEAD] }, { origin: 'https://shop.example' });
		expect(response.status).toBe(500);
		const { error } = await response.json();
		expect(error.message).toContain('LP_ALLOWED_ORIGINS must be a string, not an array');
		expect(error.message).toContain('LP_DOMAIN must be a string, not an object');
		expect(error.message).toContain('LP_MAX_IN_FLIGHT must be a whole number, not an array');
		expect(lp.received).toHaveLength(0);
	});

	test('logs one JSON line per request, with no secret, and no proxy warning for Cloudflare\'s own X-Forwarded-For', async () => {
		await send(workers.urls.signer!, { ...VISIT, attributes: [LEAD] }, { 'cf-connecting-ip': '203.0.113.1', 'x-forwarded-for': '203.0.113.1' });
		await expect.poll(() => workers.logs(), { timeout: 5_000 }).toMatch(/"status":200/);
		expect(workers.logs()).not.toContain('warning');
		for (const secret of [CREDENTIALS.consumerSecret, CREDENTIALS.tokenSecret, VISIT.sid, 'OAuth ']) {
			expect(workers.logs()).not.toContain(secret);
		}
	});
});
