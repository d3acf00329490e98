import { serve } from '@hono/node-server';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { DEMO_CREDENTIALS, SAMPLE_VISIT, startDemo, type Demo } from '../../demo/server.mjs';
import { startSignerServer } from 'lp-ea/signer/node';
import { launch, until } from './browser.js';

type Outcome = { ok: true } | { ok: false; name: string; code: string; status: number; message: string };

let demo: Demo;
let crossSigner: { url: string; close(): Promise<void> };
/** Brand pages on origins of their own: one the cross-origin signer lists, one it does not. */
let listedPages: PageServer;
let foreignPages: PageServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const STUB = readFileSync('dist/lp-ea.stub.min.js', 'utf8');
const BUNDLE = readFileSync('dist/lp-ea.min.js', 'utf8');

type PageServer = { origin: string; close(): void };

/**
 * A real server for pages with a chosen script tag (`/page?attrs=…&account=…`). Pages
 * fulfilled by Playwright count as public to Chromium, which then guards calls to loopback;
 * a real loopback page is what a brand's own test setup would be.
 */
function startPageServer(): Promise<PageServer> {
	return new Promise((resolve) => {
		const server = serve(
			{
				port: 0,
				hostname: '127.0.0.1',
				fetch: (request: Request) => {
					const url = new URL(request.url);
					if (url.pathname === '/lp-ea.min.js') return new Response(BUNDLE, { headers: { 'content-type': 'text/javascript' } });
					const attributes = url.searchParams.get('attrs') ?? '';
					return new Response(
						`<!doctype html><html><head><script>${STUB}</script>
						<script async src="/lp-ea.min.js" ${attributes}></script></head><body>custom page</body></html>`,
						{ headers: { 'content-type': 'text/html' } },
					);
				},
			},
			(info) => resolve({ origin: `http://127.0.0.1:${info.port}`, close: () => server.close() }),
		);
	});
}

beforeAll(async () => {
	demo = await startDemo({ signer: { rateLimit: false, timeout: 1_500 } });
	listedPages = await startPageServer();
	foreignPages = await startPageServer();
	// A second signing endpoint on another origin, for the cross-origin cases; small body limit for a real 413.
	crossSigner = await startSignerServer({
		signer: {
			accounts: '1234',
			consumerKey: DEMO_CREDENTIALS.consumerKey,
			consumerSecret: DEMO_CREDENTIALS.consumerSecret,
			accessToken: DEMO_CREDENTIALS.token,
			accessTokenSecret: DEMO_CREDENTIALS.tokenSecret,
			domain: demo.liveperson.origin,
			allowedOrigins: listedPages.origin,
			maxBodyBytes: 4_096,
			rateLimit: false,
		},
		port: 0,
	});
	browser = await launch();
});

afterAll(async () => {
	await browser?.close();
	await crossSigner?.close();
	listedPages?.close();
	foreignPages?.close();
	await demo?.close();
});

beforeEach(async () => {
	demo.liveperson.clear();
	context = await browser.newContext();
	page = await context.newPage();
});
afterEach(() => context.close());

const query = (visit: Record<string, string> = SAMPLE_VISIT) => new URLSearchParams(visit).toString();

/** Opens a page of the brand site and waits for the bundle to have replaced the stub. */
async function open(path = `/?${query()}`, target = page) {
	await target.goto(`${demo.origin}${path}`);
	await target.waitForFunction(() => 'LpEAError' in (window as unknown as { lpEA: object }).lpEA);
}

/** A page on `pages`' origin whose lp-ea script tag carries `attributes`. */
async function customPage(pages: PageServer, attributes: string, visit: Record<string, string> = SAMPLE_VISIT) {
	await page.goto(`${pages.origin}/page?${new URLSearchParams({ ...visit, attrs: attributes })}`);
	await page.waitForFunction(() => 'LpEAError' in (window as unknown as { lpEA: object }).lpEA);
}

/** Runs an lp-ea call in the page and reports how its promise settled. */
function outcome(call: string): Promise<Outcome> {
	return page.evaluate(
		(source) =>
			(new Function(`return ${source}`)() as Promise<void>).then(
				() => ({ ok: true }) as const,
				(e: { name: string; code: string; status: number; message: string }) => ({
					ok: false as const,
					name: e.name,
					code: e.code,
					status: e.status,
					message: e.message,
				}),
			),
		call,
	);
}


describe('the visit', () => {
	test('is read from the URL and kept for later pages of the tab', async () => {
		await open();
		expect(await page.evaluate(() => (window as any).lpEA.visit)).toEqual(SAMPLE_VISIT);
		await open('/thanks');
		expect(await page.evaluate(() => (window as any).lpEA.visit)).toEqual(SAMPLE_VISIT);
		expect(await page.textContent('#visit')).toContain(SAMPLE_VISIT.visitor);
	});

	test('a new tab without the URL parameters has none: no-visit', async () => {
		await open('/thanks');
		expect(await page.evaluate(() => (window as any).lpEA.visit)).toBeNull();
		expect(await outcome('lpEA.lead({ topic: "x" })')).toMatchObject({ ok: false, name: 'LpEAError', code: 'no-visit', status: 0 });
	});
});

describe('end to end, signature verified by the stand-in', () => {
	test('lead', async () => {
		await open();
		expect(await outcome('lpEA.lead({ topic: "upgrade", value: 200, currency: "USD", leadId: "e2e-1" })')).toEqual({ ok: true });
		expect(demo.liveperson.received).toHaveLength(1);
		expect(demo.liveperson.received[0]).toMatchObject({
			verified: true,
			...SAMPLE_VISIT,
			attributes: [{ type: 'lead', lead: { topic: 'upgrade', value: 200, currency: 'USD', leadId: 'e2e-1' } }],
		});
	});

	test('service, status by name', async () => {
		await open();
		expect(await outcome('lpEA.service({ topic: "add user", status: "waiting-for-customer-response", category: "account", serviceId: "s1" })')).toEqual({ ok: true });
		expect(demo.liveperson.received[0]).toMatchObject({ verified: true, attributes: [{ type: 'service', service: { status: 10 } }] });
	});

	test('calls in one task share one request, in order', async () => {
		await open();
		const posts: string[] = [];
		page.on('request', (r) => r.url().endsWith('/lp-ea/events') && posts.push(r.method()));
		expect(await outcome('Promise.all([lpEA.lead({ leadId: "a" }), lpEA.service({ status: 2 }), lpEA.lead({ leadId: "b" })])')).toEqual({ ok: true });
		expect(posts).toEqual(['POST']);
		expect(demo.liveperson.received).toHaveLength(1);
		expect(demo.liveperson.received[0]?.attributes).toEqual([
			{ type: 'lead', lead: { leadId: 'a' } },
			{ type: 'service', service: { status: 2 } },
			{ type: 'lead', lead: { leadId: 'b' } },
		]);
	});

	test('the request is a same-origin JSON POST', async () => {
		await open();
		const types: string[] = [];
		page.on('request', (r) => r.url().endsWith('/lp-ea/events') && types.push(`${r.method()} ${r.headers()['content-type']}`));
		await outcome('lpEA.lead({ topic: "x" })');
		expect(types).toEqual(['POST application/json']);
	});
});

describe('every error code reaches page JS', () => {
	const forced: Array<[string, { status?: number; hang?: boolean }, string, number]> = [
		['LivePerson 400', { status: 400 }, 'bad-request', 400],
		['LivePerson 401', { status: 401 }, 'unauthorized', 401],
		['LivePerson 404 (visit ended)', { status: 404 }, 'not-found', 404],
	];
	test.each(forced)('%s → %s %i', async (_name, fault, code, status) => {
		await open();
		demo.liveperson.setFault(fault);
		expect(await outcome('lpEA.lead({ topic: "x" })')).toMatchObject({ ok: false, name: 'LpEAError', code, status });
	});

	// What can succeed later is retried with the same id: the call resolves, LivePerson gets it once.
	const retried: Array<[string, { status?: number; hang?: boolean }]> = [
		['LivePerson 429', { status: 429 }],
		['LivePerson 500', { status: 500 }],
		['LivePerson 503', { status: 503 }],
		['LivePerson hangs', { hang: true }],
	];
	test.each(retried)('%s once → retried, delivered once', async (_name, fault) => {
		await open();
		const ids: string[] = [];
		page.on('request', (r) => r.url().endsWith('/lp-ea/events') && ids.push(JSON.parse(r.postData()!).id));
		demo.liveperson.setFault(fault);
		expect(await outcome('lpEA.lead({ topic: "x" })')).toEqual({ ok: true });
		expect(ids).toHaveLength(2);
		expect(ids[1]).toBe(ids[0]);
		expect(demo.liveperson.received.filter((r) => r.status === 200)).toHaveLength(1);
	});

	test('invalid-account 422: an account the signer serves but LivePerson does not know', async () => {
		await open(`/?${query({ ...SAMPLE_VISIT, account: '4321' })}`);
		expect(await outcome('lpEA.lead()')).toMatchObject({ code: 'invalid-account', status: 422 });
	});

	test('forbidden 403: an account the signer does not serve; nothing reaches LivePerson', async () => {
		await open(`/?${query({ ...SAMPLE_VISIT, account: '9999' })}`);
		expect(await outcome('lpEA.lead()')).toMatchObject({ code: 'forbidden', status: 403 });
		expect(demo.liveperson.received).toHaveLength(0);
	});

	test('invalid 0: nothing is sent and the message names the field', async () => {
		await open();
		const result = await outcome('lpEA.service({ status: "approve" })');
		expect(result).toMatchObject({ code: 'invalid', status: 0 });
		expect((result as { message: string }).message).toMatch(/^service\.status/);
		expect(demo.liveperson.received).toHaveLength(0);
	});

	test('too-large 413: a body over the signing endpoint\'s limit', async () => {
		await customPage(listedPages, `data-endpoint="${crossSigner.url}/lp-ea/events"`);
		expect(await outcome('lpEA.lead({ topic: "x".repeat(8000) })')).toMatchObject({ code: 'too-large', status: 413 });
	});

	test('network 0: nothing answers at the endpoint', async () => {
		await customPage(listedPages, 'data-endpoint="http://127.0.0.1:9/lp-ea/events"');
		expect(await outcome('lpEA.lead()')).toMatchObject({ code: 'network', status: 0 });
	});

	test('a rejected call nobody handles is reported once with console.error', async () => {
		await open();
		const errors: string[] = [];
		page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
		await page.evaluate(() => {
			(window as any).lpEA.lead({ value: 'lots' });
		});
		await until(() => errors.length > 0);
		expect(errors.join('\n')).toMatch(/\[lp-ea\] invalid: lead\.value/);
	});
});

describe('loading', () => {
	test('calls made through the stub before the bundle loads are sent once it does', async () => {
		let release!: () => void;
		const held = new Promise<void>((r) => (release = r));
		await page.route(`${demo.origin}/lp-ea.min.js`, async (route) => {
			await held;
			await route.continue();
		});
		await page.goto(`${demo.origin}/?${query()}`, { waitUntil: 'domcontentloaded' });
		const queued = await page.evaluate(() => {
			const lpEA = (window as any).lpEA;
			(window as any).early = Promise.all([lpEA.lead({ leadId: 'early-1' }), lpEA.service({ status: 'resolved' })]);
			return { queued: lpEA.q.length, loaded: 'LpEAError' in lpEA };
		});
		expect(queued).toEqual({ queued: 2, loaded: false });
		await new Promise((r) => setTimeout(r, 300));
		expect(demo.liveperson.received).toHaveLength(0);
		release();
		await page.evaluate(() => (window as any).early);
		expect(demo.liveperson.received).toHaveLength(1);
		expect(demo.liveperson.received[0]?.attributes).toEqual([
			{ type: 'lead', lead: { leadId: 'early-1' } },
			{ type: 'service', service: { status: 13 } },
		]);
	});

	test('data-endpoint decides where the calls go', async () => {
		await customPage(listedPages, `data-endpoint="${crossSigner.url}/lp-ea/events"`);
		const urls: string[] = [];
		page.on('request', (r) => urls.push(r.url()));
		expect(await outcome('lpEA.lead()')).toEqual({ ok: true });
		expect(urls).toContain(`${crossSigner.url}/lp-ea/events`);
	});
});

describe('cross-origin', () => {
	test('a listed origin: delivered as text/plain with no preflight, signature verified', async () => {
		await customPage(listedPages, `data-endpoint="${crossSigner.url}/lp-ea/events"`);
		const methods: string[] = [];
		const types: string[] = [];
		page.on('request', (r) => {
			if (!r.url().startsWith(crossSigner.url)) return;
			methods.push(r.method());
			types.push(r.headers()['content-type'] ?? '');
		});
		expect(await outcome('lpEA.lead({ leadId: "cross" })')).toEqual({ ok: true });
		expect(methods).toEqual(['POST']);
		expect(types).toEqual(['text/plain;charset=UTF-8']);
		expect(demo.liveperson.received[0]).toMatchObject({ verified: true, attributes: [{ type: 'lead', lead: { leadId: 'cross' } }] });
	});

	test('a foreign origin is refused and nothing reaches LivePerson', async () => {
		await customPage(foreignPages, `data-endpoint="${crossSigner.url}/lp-ea/events"`);
		const result = await outcome('lpEA.lead({ leadId: "foreign" })');
		// The refusal carries CORS headers, so the page reads why (forbidden), not a bare network error.
		expect(result).toMatchObject({ ok: false, code: 'forbidden', status: 403 });
		expect(demo.liveperson.received).toHaveLength(0);
	});
});

describe('submit, then navigate', () => {
	test('a lead from a submit handler arrives even though the page leaves at once: 20 of 20', async () => {
		const RUNS = 20;
		const SLOW_MS = 400;
		demo.liveperson.setFault({ delayMs: SLOW_MS, times: RUNS });
		const navigatedAt: number[] = [];
		for (let i = 0; i < RUNS; i++) {
			await open();
			await page.fill('#lead-form [name=leadId]', `nav-${i}`);
			await Promise.all([page.waitForURL(/\/thanks/), page.click('#lead-form button[type=submit]')]);
			navigatedAt.push(Date.now());
		}
		const received = await until(() => {
			const ids = demo.liveperson.received.flatMap((r) => (r.attributes ?? []).map((a: any) => a.lead?.leadId));
			return ids.filter((id: string) => id?.startsWith('nav-')).length === RUNS ? ids : undefined;
		}, 20_000);
		expect(new Set(received).size).toBe(RUNS);
		expect(demo.liveperson.received.every((r) => r.verified)).toBe(true);
		// The navigation really came first: each page had left well before LivePerson answered.
		const answeredAt = demo.liveperson.received.map((r) => Date.parse(r.at));
		const leftFirst = navigatedAt.filter((t, i) => t < answeredAt[i]!).length;
		expect(leftFirst).toBe(RUNS);
	});
});

describe('the demo, as a person sees it', () => {
	test('after a submit, the thank-you page shows the lead, signature verified (screenshot saved)', async () => {
		await open();
		await page.setViewportSize({ width: 1200, height: 800 });
		await page.fill('#lead-form [name=leadId]', 'screenshot-lead');
		await Promise.all([page.waitForURL(/\/thanks/), page.click('#lead-form button[type=submit]')]);
		await page.waitForSelector('#received li.verified');
		expect(await page.textContent('#received')).toContain('screenshot-lead');
		expect(await page.textContent('#received')).toContain('signature verified');
		await open();
		await page.click('#service-form [data-stay]');
		await page.waitForSelector('[data-result="service"].ok');
		await page.waitForFunction(() => document.querySelectorAll('#received li.verified').length >= 2);
		mkdirSync('test-results', { recursive: true });
		await page.screenshot({ path: 'test-results/demo-after-submit.png', fullPage: true });
	});
});
