import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { byLabel, nonZero, parseExposition, value } from '../helpers/metrics.js';
import { README, snippet } from '../helpers/readme.js';
import { CREDENTIALS, LEAD, post, startStandIn, VISIT } from '../helpers/signer.js';

// The README's Next.js metrics recipe, file for file (test/fixtures/next-metrics).
const FILES = {
	'next-metrics-lib': 'lib/lp-ea.ts',
	'next-metrics-events': 'app/lp-ea/events/route.ts',
	'next-metrics-route': 'app/metrics/route.ts',
};
const fixture = (path: string) => new URL(`../fixtures/next-metrics/${path}`, import.meta.url);

let lp: LivePersonStandIn;
const SAVED = { ...process.env };
beforeAll(async () => {
	lp = await startStandIn();
	Object.assign(process.env, {
		LP_ACCOUNT: '1234',
		LP_CONSUMER_KEY: CREDENTIALS.consumerKey,
		LP_CONSUMER_SECRET: CREDENTIALS.consumerSecret,
		LP_ACCESS_TOKEN: CREDENTIALS.token,
		LP_ACCESS_TOKEN_SECRET: CREDENTIALS.tokenSecret,
		LP_DOMAIN: lp.origin,
		METRICS_TOKEN: 'scraper-token-for-the-test',
	});
});
afterAll(async () => {
	process.env = SAVED;
	await lp.close();
});

test.each(Object.entries(FILES))('the README snippet %s is %s as tested', (name, path) => {
	expect(readFileSync(fixture(path), 'utf8')).toBe(`${snippet(name)}\n`);
});

test('Next.js route handlers: the events route counts, app/metrics/route.ts serves the figures to the scraper only', async () => {
	const events = await import(fixture(FILES['next-metrics-events']).pathname);
	const route = await import(fixture(FILES['next-metrics-route']).pathname);
	const lead = (id: string, headers: Record<string, string> = {}) => events.POST(post({ ...VISIT, id, attributes: [LEAD] }, { headers }));
	expect((await lead('next-metrics-id-0001')).status).toBe(200);
	expect((await lead('next-metrics-id-0001')).status).toBe(200);
	expect((await lead('next-metrics-id-0002', { origin: 'https://evil.example' })).status).toBe(403);
	lp.setFault({ status: 500 });
	expect((await lead('next-metrics-id-0003')).status).toBe(500);

	const scrape = (headers: Record<string, string> = {}) => route.GET(new Request('https://brand.example/metrics', { headers }));
	expect((await scrape()).status).toBe(404);
	expect((await scrape({ authorization: 'Bearer not-it' })).status).toBe(404);
	const response: Response = await scrape({ authorization: 'Bearer scraper-token-for-the-test' });
	expect(response.status).toBe(200);
	expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
	const samples = parseExposition(await response.text());
	expect(nonZero(byLabel(samples, 'lp_ea_requests_total', 'code'))).toEqual({ ok: 2, forbidden: 1, 'server-error': 1 });
	expect(byLabel(samples, 'lp_ea_forwards_total', 'status')).toEqual({ 200: 1, 500: 1 });
	expect(value(samples, 'lp_ea_dedupe_hits_total')).toBe(1);
	expect(nonZero(byLabel(samples, 'lp_ea_refusals_total', 'reason'))).toEqual({ origin: 1 });
	const labelValues = samples.flatMap((s) => Object.values(s.labels)).join('\n');
	for (const sent of [VISIT.visitor, VISIT.sid, 'next-metrics-id', 'evil.example']) expect(labelValues).not.toContain(sent);
});

/** The metric names a signer's registry exports, histograms with their series' suffixes. */
async function exported(): Promise<Set<string>> {
	const { signerMetrics } = await import('../../src/signer/node/index.js');
	const names = (await signerMetrics().registry.getMetricsAsJSON()).flatMap((m) =>
		String(m.type) === 'histogram' ? [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name],
	);
	return new Set(names);
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool']);

/** The metric names an expression selects: label matchers, ranges, strings, grouping lists and functions left out. */
function metricsIn(expr: string): string[] {
	const bare = expr
		.replace(/"(?:[^"\\]|\\.)*"/g, '')
		.replace(/\{[^}]*\}/g, '')
		.replace(/\[[^\]]*\]/g, '')
		.replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, '');
	return [...bare.matchAll(/([a-zA-Z_:][\w:]*)(\s*\()?/g)].filter(([, name, call]) => !call && !PROMQL_WORDS.has(name!)).map(([, name]) => name!);
}

test("the README's alert rules name only metrics the signer exports", async () => {
	const names = await exported();
	const exprs = [...snippet('alerts').matchAll(/^\s*expr:\s*(.+)$/gm)].map((m) => m[1]!);
	expect(exprs).toHaveLength(3);
	for (const expr of exprs) {
		const used = metricsIn(expr);
		expect(used.length).toBeGreaterThan(0);
		for (const name of used) expect(names, `${name} in ${expr}`).toContain(name);
	}
});

test("the README's metrics table lists exactly what the signer exports", async () => {
	const section = /### Metrics\n([\s\S]*?)\n### |### Metrics\n([\s\S]*?)\n## /.exec(README)!;
	const listed = [...(section[1] ?? section[2])!.matchAll(/^\| `(lp_ea_\w+)` \| (\w+) \|/gm)].map((m) => m[1]);
	const { signerMetrics } = await import('../../src/signer/node/index.js');
	const metrics = await signerMetrics().registry.getMetricsAsJSON();
	expect(listed.sort()).toEqual(metrics.map((m) => m.name).sort());
});
