import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, expect, test, vi } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { snippet } from '../helpers/readme.js';
import { CREDENTIALS, LEAD, post, startStandIn, VISIT } from '../helpers/signer.js';

const ROUTE = '../fixtures/next-app/app/lp-ea/events/route.js';
const SAVED = { ...process.env };
const SETTINGS = {
	LP_ACCOUNT: '1234',
	LP_CONSUMER_KEY: CREDENTIALS.consumerKey,
	LP_CONSUMER_SECRET: CREDENTIALS.consumerSecret,
	LP_ACCESS_TOKEN: CREDENTIALS.token,
	LP_ACCESS_TOKEN_SECRET: CREDENTIALS.tokenSecret,
};

let lp: LivePersonStandIn;
beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(() => lp.close());
beforeEach(() => {
	vi.resetModules();
	for (const name of Object.keys(process.env)) if (name.startsWith('LP_')) delete process.env[name];
	lp.clear();
});
afterAll(() => {
	process.env = SAVED;
});

test("the fixture is the README's route handler, so these tests are of what brands paste", () => {
	const fixture = readFileSync(new URL(ROUTE.replace(/\.js$/, '.ts'), import.meta.url), 'utf8');
	// Its own leading comment aside.
	expect(fixture.replace(/^(\/\/.*\n)+/, '').trimEnd()).toBe(snippet('next-route'));
});

const lead = (headers: Record<string, string> = {}) => post({ ...VISIT, attributes: [LEAD] }, { headers });

test('Next.js route: importing it without settings does not throw; the first request fails clearly', async () => {
	const route = await import(ROUTE);
	const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
	const response = await route.POST(lead());
	expect(response.status).toBe(500);
	const { error } = await response.json();
	expect(error.code).toBe('server-error');
	for (const name of Object.keys(SETTINGS)) expect(error.message).toContain(name);
	// Logged once for the operator, not once per request.
	await route.POST(lead());
	expect(errors).toHaveBeenCalledTimes(1);
	errors.mockRestore();
	expect(lp.received).toHaveLength(0);
});

test('Next.js route: one signer for all requests, client address from the platform\'s X-Forwarded-For', async () => {
	Object.assign(process.env, SETTINGS, { LP_DOMAIN: lp.origin, LP_RATE_LIMIT: '1/1', LP_TRUST_PROXY: '1' });
	const route = await import(ROUTE);
	expect((await route.POST(lead({ 'x-forwarded-for': '203.0.113.9' }))).status).toBe(200);
	// The same signer, so the same bucket: the limit holds across requests.
	expect((await route.POST(lead({ 'x-forwarded-for': '203.0.113.9' }))).status).toBe(429);
	expect((await route.POST(lead({ 'x-forwarded-for': '198.51.100.4' }))).status).toBe(200);
	expect((await route.OPTIONS(new Request('https://brand.example/lp-ea/events', { method: 'OPTIONS' }))).status).toBe(204);
	expect(lp.received.filter((r) => r.verified)).toHaveLength(2);
});

test.each(['lp-ea/signer', 'lp-ea/signer/node', 'lp-ea/signer/worker'])('require(%j) works from CommonJS', (name) => {
	const script = `const m = require(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m).sort()));`;
	const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
	expect(child.stderr).toBe('');
	expect(child.status).toBe(0);
	const names = JSON.parse(child.stdout);
	const expected: Record<string, string[]> = {
		'lp-ea/signer': ['createSigner', 'lazySigner', 'optionsFromEnv', 'ENV_NAMES', 'SignerConfigError'],
		'lp-ea/signer/node': ['createSignerMiddleware', 'startSignerServer'],
		'lp-ea/signer/worker': ['default'],
	};
	expect(names).toEqual(expect.arrayContaining(expected[name]!));
});
