import { mkdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createSigner } from 'lp-ea/signer';
import { SAMPLE_VISIT, startDemo, type Demo } from '../../demo/server.mjs';
import { launch, titled, until, type Engine, type Session, type Tab } from './engines/index.js';
import { demoSigner, lpEaPage, startSite, type Site } from './site.js';

type Outcome = { ok: true } | { ok: false; name: string; code: string; status: number; message: string };

let demo: Demo;
/** A second signing endpoint on an origin of its own, for the cross-origin cases; a small body limit for a real 413. */
let crossSigner: Site;
/** Brand pages on origins of their own: one the cross-origin signer lists, one it does not. */
let listedPages: Site;
let foreignPages: Site;
let engine: Engine;
let session: Session;
let page: Tab;

/** Pages whose lp-ea tag carries `?attrs=…`: a real loopback site, as a brand's own test setup would have. */
const customPages = () => startSite({ page: (url) => lpEaPage('custom page', url.searchParams.get('attrs') ?? '') });

beforeAll(async () => {
	demo = await startDemo({ signer: { rateLimit: false, timeout: 1_500 } });
	listedPages = await customPages();
	foreignPages = await customPages();
	crossSigner = await startSite({
		endpoint: createSigner({
			...demoSigner(demo),
			allowedOrigins: listedPages.origin,
			maxBodyBytes: 4_096,
			rateLimit: false,
		}),
	});
	engine = await launch();
});

afterAll(async () => {
	await engine?.close();
	await Promise.all([crossSigner?.close(), listedPages?.close(), foreignPages?.close()]);
	await demo?.close();
});

beforeEach(async () => {
	demo.liveperson.clear();
	demo.posts.length = 0;
	crossSigner.posts.length = 0;
	crossSigner.preflights = 0;
	session = await engine.session();
	page = await session.tab();
});
afterEach(() => session?.close());

const query = (visit: Record<string, string> = SAMPLE_VISIT) => new URLSearchParams(visit).toString();
const bundleLoaded = (target = page) => target.waitFor(() => 'LpEAError' in ((window as { lpEA?: object }).lpEA ?? {}));

/** Opens a page of the brand site and waits for the bundle to have replaced the stub. */
async function open(path = `/?${query()}`, target = page) {
	await target.goto(`${demo.origin}${path}`);
	await bundleLoaded(target);
}

/** A page on `pages`' origin whose lp-ea script tag carries `attributes`. */
async function customPage(pages: Site, attributes: string, visit: Record<string, string> = SAMPLE_VISIT) {
	await page.goto(`${pages.origin}/page?${new URLSearchParams({ ...visit, attrs: attributes })}`);
	await bundleLoaded();
}

/** Runs an lp-ea call in the page and reports how its promise settled. */
function outcome(call: string): Promise<Outcome> {
	return page.evaluate(
		(source: string) =>
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
	) as Promise<Outcome>;
}

describe(titled('the visit'), () => {
	test('is read from the URL and kept for later pages of the tab', async () => {
		await open();
		expect(await page.evaluate(() => (window as any).lpEA.visit)).toEqual(SAMPLE_VISIT);
		await open('/thanks');
		expect(await page.evaluate(() => (window as any).lpEA.visit)).toEqual(SAMPLE_VISIT);
		expect(await page.text('#visit')).toContain(SAMPLE_VISIT.visitor);
	});

	test('a new tab without the URL parameters has none: no-visit', async () => {
		await open('/thanks');
		expect(await page.evaluate(() => (window as any).lpEA.visit)).toBeNull();
		expect(await outcome('lpEA.lead({ topic: "x" })')).toMatchObject({ ok: false, name: 'LpEAError', code: 'no-visit', status: 0 });
	});
});

describe(titled('end to end, signature verified by the stand-in'), () => {
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
		expect(await outcome('Promise.all([lpEA.lead({ leadId: "a" }), lpEA.service({ status: 2 }), lpEA.lead({ leadId: "b" })])')).toEqual({ ok: true });
		expect(demo.posts).toHaveLength(1);
		expect(demo.liveperson.received).toHaveLength(1);
		expect(demo.liveperson.received[0]?.attributes).toEqual([
			{ type: 'lead', lead: { leadId: 'a' } },
			{ type: 'service', service: { status: 2 } },
			{ type: 'lead', lead: { leadId: 'b' } },
		]);
	});

	test('the request is a same-origin JSON POST', async () => {
		await open();
		await outcome('lpEA.lead({ topic: "x" })');
		expect(demo.posts.map((post) => post.contentType)).toEqual(['application/json']);
	});
});

describe(titled('every error code reaches page JS'), () => {
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
		demo.liveperson.setFault(fault);
		expect(await outcome('lpEA.lead({ topic: "x" })')).toEqual({ ok: true });
		const ids = demo.posts.map((post) => post.id);
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
		await customPage(listedPages, `data-endpoint="${crossSigner.origin}/lp-ea/events"`);
		expect(await outcome('lpEA.lead({ topic: "x".repeat(8000) })')).toMatchObject({ code: 'too-large', status: 413 });
	});

	test('network 0: nothing answers at the endpoint', async () => {
		await customPage(listedPages, 'data-endpoint="http://127.0.0.1:9/lp-ea/events"');
		expect(await outcome('lpEA.lead()')).toMatchObject({ code: 'network', status: 0 });
	});

	test('a rejected call nobody handles is reported once with console.error', async () => {
		await open();
		await page.evaluate(() => {
			(window as any).lpEA.lead({ value: 'lots' });
		});
		const errors = await until(async () => {
			const lines = (await page.console()).filter((line) => line.type === 'error');
			return lines.length > 0 ? lines.map((line) => line.text) : undefined;
		});
		expect(errors.join('\n')).toMatch(/\[lp-ea\] invalid: lead\.value/);
	});
});

describe(titled('loading'), () => {
	test('calls made through the stub before the bundle loads are sent once it does', async () => {
		const release = listedPages.holdBundle();
		await page.goto(`${listedPages.origin}/page?${new URLSearchParams({ ...SAMPLE_VISIT, attrs: `data-endpoint="${crossSigner.origin}/lp-ea/events"` })}`, { wait: 'dom' });
		const queued = await page.evaluate(() => {
			const lpEA = (window as any).lpEA;
			(window as any).early = Promise.all([lpEA.lead({ leadId: 'early-1' }), lpEA.service({ status: 'resolved' })]);
			return { queued: lpEA.q.length, loaded: 'LpEAError' in lpEA };
		});
		expect(queued).toEqual({ queued: 2, loaded: false });
		await new Promise((r) => setTimeout(r, 300));
		expect(demo.liveperson.received).toHaveLength(0);
		release();
		await page.evaluate(() => (window as any).early.then(() => 'settled'));
		expect(demo.liveperson.received).toHaveLength(1);
		expect(demo.liveperson.received[0]?.attributes).toEqual([
			{ type: 'lead', lead: { leadId: 'early-1' } },
			{ type: 'service', service: { status: 13 } },
		]);
	});

	test('data-endpoint decides where the calls go', async () => {
		await customPage(listedPages, `data-endpoint="${crossSigner.origin}/lp-ea/events"`);
		expect(await outcome('lpEA.lead()')).toEqual({ ok: true });
		expect(crossSigner.posts).toHaveLength(1);
		expect(demo.posts).toHaveLength(0);
	});
});

describe(titled('cross-origin'), () => {
	test('a listed origin: delivered as text/plain with no preflight, signature verified', async () => {
		await customPage(listedPages, `data-endpoint="${crossSigner.origin}/lp-ea/events"`);
		expect(await outcome('lpEA.lead({ leadId: "cross" })')).toEqual({ ok: true });
		expect(crossSigner.posts).toHaveLength(1);
		expect(crossSigner.preflights).toBe(0);
		expect(crossSigner.posts[0]?.contentType).toBe('text/plain;charset=UTF-8');
		expect(demo.liveperson.received[0]).toMatchObject({ verified: true, attributes: [{ type: 'lead', lead: { leadId: 'cross' } }] });
	});

	test('a foreign origin is refused and nothing reaches LivePerson', async () => {
		await customPage(foreignPages, `data-endpoint="${crossSigner.origin}/lp-ea/events"`);
		const result = await outcome('lpEA.lead({ leadId: "foreign" })');
		// The refusal carries CORS headers, so the page reads why (forbidden), not a bare network error.
		expect(result).toMatchObject({ ok: false, code: 'forbidden', status: 403 });
		expect(demo.liveperson.received).toHaveLength(0);
	});
});

describe(titled('the demo, as a person sees it'), () => {
	test('after a submit, the thank-you page shows the lead, signature verified (screenshot saved)', async () => {
		await open();
		await page.setViewport(1200, 800);
		await page.fill('#lead-form [name=leadId]', 'screenshot-lead');
		await page.click('#lead-form button[type=submit]');
		await page.waitFor(() => location.pathname === '/thanks' && !!document.querySelector('#received li.verified'));
		expect(await page.text('#received')).toContain('screenshot-lead');
		expect(await page.text('#received')).toContain('signature verified');
		await open();
		await page.click('#service-form [data-stay]');
		await page.waitFor(() => !!document.querySelector('[data-result="service"].ok'));
		await page.waitFor(() => document.querySelectorAll('#received li.verified').length >= 2);
		mkdirSync('test-results', { recursive: true });
		await page.screenshot(`test-results/demo-after-submit-${engine.name}.png`);
	});
});
