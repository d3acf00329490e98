import { createSigner } from 'lp-ea/signer';
import { startSignerServer, type SignerServer } from 'lp-ea/signer/node';
import { startLivePerson, type LivePersonStandIn } from 'lp-ea/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startDemo, type Demo } from '../../demo/server.mjs';
import { generated } from '../helpers/readme.js';
import { CAN, launch, titled, until, type Engine, type Session, type Tab } from './engines/index.js';
import { startSite, type Site } from './site.js';

// A brand developer's first hour, in each engine: the README's paste block and CSP header as
// written, the SRI tag, the demo's console, and the Troubleshooting rows a page can meet.
const PASTE = /```html\n([\s\S]*?)\n```/.exec(generated('paste'))![1]!;
const CSP = /Content-Security-Policy: (.*)/.exec(generated('csp'))![1]!;
const SRI = /integrity="([^"]+)"/.exec(generated('sri'))![1]!;
const credentials = { consumerKey: 'k', consumerSecret: 's', token: 't', tokenSecret: 'u' };
const CAN_CONSOLE = CAN.console;
const VISIT = new URLSearchParams({ account: '1234', visitor: 'v-1', sid: 's-1' });

/**
 * Records the page's CSP violations as the standard event reports them, in every engine
 * alike (their console wording differs). An external script of the site's own: the policies
 * under test allow 'self', and an inline one would itself be refused.
 */
const WATCH = `window.violations = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective + ' ' + (e.blockedURI || '')));`;

let lp: LivePersonStandIn;
/** The brand site: its page (`state.html`, with an optional CSP), the bundle, and the signer on its own origin. */
let site: Site;
const state = { html: '', csp: undefined as string | undefined };
let crossSigner: SignerServer;
let engine: Engine;
let session: Session;
let page: Tab;

beforeAll(async () => {
	lp = await startLivePerson({ accounts: ['1234'], credentials });
	site = await startSite({
		endpoint: createSigner({ ...lp.signerOptions, rateLimit: false }),
		page: (url): { html: string; headers?: Record<string, string> } | undefined => {
			if (url.pathname === '/csp-watch.js') return { html: WATCH, headers: { 'content-type': 'text/javascript' } };
			if (url.pathname !== '/page') return undefined;
			const html = `<!doctype html><html><head><link rel="icon" href="data:,"><script src="/csp-watch.js"></script>${state.html}</head><body></body></html>`;
			return { html, headers: state.csp ? { 'content-security-policy': state.csp } : undefined };
		},
	});
	crossSigner = await startSignerServer({ signer: { ...lp.signerOptions, allowedOrigins: site.origin, rateLimit: false }, port: 0 });
	engine = await launch();
});
afterAll(async () => {
	await engine?.close();
	await crossSigner?.close();
	await site?.close();
	await lp?.close();
});
beforeEach(async () => {
	lp.clear();
	state.csp = undefined;
	session = await engine.session();
	page = await session.tab();
});
afterEach(() => session?.close());

async function openSite(html: string, csp?: string) {
	state.html = html;
	state.csp = csp;
	await page.goto(`${site.origin}/page?${VISIT}`);
}

/** Console errors and uncaught exceptions so far. */
const consoleErrors = async () =>
	(await page.console()).filter((line) => line.type === 'error' || line.type === 'pageerror').map((line) => line.text);
const violations = () => page.evaluate(() => (window as unknown as { violations: string[] }).violations);

const bundleLoaded = () => page.waitFor(() => 'LpEAError' in ((window as { lpEA?: object }).lpEA ?? {}), undefined, 10_000);

function outcome(call: string) {
	return page.evaluate(
		(source: string) =>
			(new Function(`return ${source}`)() as Promise<void>).then(
				() => ({ ok: true }) as const,
				(e: { code: string; status: number; message: string }) => ({ ok: false as const, code: e.code, status: e.status, message: e.message }),
			),
		call,
	);
}

describe(titled("the README's paste block"), () => {
	test('under the README\'s CSP: the stub runs, the bundle loads, a lead arrives verified, no console error', async () => {
		await openSite(PASTE, CSP);
		await bundleLoaded();
		expect(await outcome('lpEA.lead({ topic: "csp", value: 1 })')).toEqual({ ok: true });
		expect(lp.received[0]).toMatchObject({ verified: true, attributes: [{ type: 'lead', lead: { topic: 'csp', value: 1 } }] });
		expect(await violations()).toEqual([]);
		if (CAN_CONSOLE) expect(await consoleErrors()).toEqual([]);
	});

	test('the CSP is really enforced: with one byte of the stub changed, the browser refuses it', async () => {
		const changed = PASTE.replace('(window)', '(self)');
		expect(changed).not.toBe(PASTE); // the test changes a byte, or it proves nothing
		await openSite(changed, CSP);
		await bundleLoaded(); // the bundle is 'self'; only the inline stub is refused
		expect(await violations()).toEqual([expect.stringMatching(/^script-src(-elem)? inline$/)]);
		if (CAN_CONSOLE) await until(async () => (await page.console()).some((line) => /content.security.policy/i.test(line.text)));
	});

	test('the SRI tag loads the bundle it was made for, and refuses another', async () => {
		const tag = (integrity: string) => `<script async src="/lp-ea.min.js" integrity="${integrity}" crossorigin="anonymous"></script>`;
		await openSite(tag(SRI));
		await bundleLoaded();
		if (CAN_CONSOLE) expect(await consoleErrors()).toEqual([]);

		await openSite(tag(SRI.replace(/.{4}=*$/, 'AAAA')));
		// Refused: the script's error event has fired, and nothing defined lpEA.
		await page.waitFor(() => document.readyState === 'complete');
		await new Promise((r) => setTimeout(r, 500));
		expect(await page.evaluate(() => 'lpEA' in window)).toBe(false);
		if (CAN_CONSOLE) await until(async () => (await page.console()).some((line) => /integrity/i.test(line.text)), 10_000);
	});
});

describe(titled('Troubleshooting rows, as a page meets them'), () => {
	const tag = (endpoint: string) => `<script async src="/lp-ea.min.js" data-endpoint="${endpoint}"></script>`;

	test('network: a connect-src without the cross-origin signer', async () => {
		await openSite(tag(`${crossSigner.url}/lp-ea/events`), "script-src 'self'; connect-src 'self'");
		await bundleLoaded();
		expect(await outcome('lpEA.lead()')).toMatchObject({ ok: false, code: 'network', status: 0 });
		expect(await violations()).toContainEqual(`connect-src ${crossSigner.url}/lp-ea/events`);
		if (CAN_CONSOLE) expect((await page.console()).map((line) => line.text).join('\n')).toMatch(/connect-src/);
		expect(lp.received).toHaveLength(0);
	});

	test('the same page with the signer in connect-src is delivered', async () => {
		await openSite(tag(`${crossSigner.url}/lp-ea/events`), `script-src 'self'; connect-src 'self' ${crossSigner.url}`);
		await bundleLoaded();
		expect(await outcome('lpEA.lead()')).toEqual({ ok: true });
		expect(lp.received[0]).toMatchObject({ verified: true });
	});

	test('network: a wrong path on a cross-origin signer', async () => {
		await openSite(tag(`${crossSigner.url}/events`));
		await bundleLoaded();
		expect(await outcome('lpEA.lead()')).toMatchObject({ ok: false, code: 'network', status: 0 });
	});

	test('not-found 404: a wrong path on the page\'s own origin', async () => {
		await openSite(tag('/lp-ea/event'));
		await bundleLoaded();
		expect(await outcome('lpEA.lead()')).toMatchObject({ ok: false, code: 'not-found', status: 404, message: 'the signing endpoint answered 404' });
	});

	test('network: the signer is down', async () => {
		await openSite(tag('http://127.0.0.1:9/lp-ea/events'));
		await bundleLoaded();
		expect(await outcome('lpEA.lead()')).toMatchObject({ ok: false, code: 'network', message: expect.stringContaining('could not reach the signing endpoint at http://127.0.0.1:9/lp-ea/events') });
	});
});

describe(titled('the demo'), () => {
	let demo: Demo;
	beforeAll(async () => {
		demo = await startDemo({ signer: { rateLimit: false } });
	});
	afterAll(() => demo?.close());

	test('its pages log no error and fail no request, favicon included', async () => {
		const loaded = new Set<string>();
		for (const path of [`/?${new URLSearchParams({ account: '1234', visitor: 'v-1', sid: 's-1' })}`, '/thanks']) {
			await page.goto(`${demo.origin}${path}`);
			await bundleLoaded();
			// A browser asks for a page's icon once it has loaded: an icon the page declares, or /favicon.ico.
			expect(await page.evaluate(() => document.querySelector('link[rel="icon"]')?.getAttribute('href'))).toMatch(/^data:image\/svg\+xml,/);
			for (const name of await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name))) loaded.add(name);
		}
		// Every resource the pages loaded answers 2xx when asked again (the live view's event stream only its headers).
		const failed: string[] = [];
		for (const url of [...loaded].filter((name) => name.startsWith(demo.origin) && !name.endsWith('/lp-ea/events'))) {
			const controller = new AbortController();
			const answer = await fetch(url, { signal: controller.signal });
			controller.abort();
			if (answer.status >= 400) failed.push(`${answer.status} ${url}`);
		}
		expect([...loaded].some((url) => url.endsWith('/lp-ea.min.js'))).toBe(true);
		const favicon = await fetch(`${demo.origin}/favicon.ico`);
		expect(favicon.status).toBe(404); // nothing serves it: the declared icon is what keeps the console clean
		expect(failed).toEqual([]);
		if (CAN_CONSOLE) expect(await consoleErrors()).toEqual([]);
	});
});
