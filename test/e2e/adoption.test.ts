import { serve } from '@hono/node-server';
import { readFileSync } from 'node:fs';
import { createSigner } from 'lp-ea/signer';
import { startSignerServer, type SignerServer } from 'lp-ea/signer/node';
import { startLivePerson, type LivePersonStandIn } from 'lp-ea/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startDemo, type Demo } from '../../demo/server.mjs';
import { generated } from '../helpers/readme.js';
import { launch } from './browser.js';

// A brand developer's first hour, in Chromium: the README's paste block and CSP header as
// written, the SRI tag, the demo's console, and the Troubleshooting rows a page can meet.
const BUNDLE = readFileSync('dist/lp-ea.min.js', 'utf8');
const PASTE = /```html\n([\s\S]*?)\n```/.exec(generated('paste'))![1]!;
const CSP = /Content-Security-Policy: (.*)/.exec(generated('csp'))![1]!;
const SRI = /integrity="([^"]+)"/.exec(generated('sri'))![1]!;
const credentials = { consumerKey: 'k', consumerSecret: 's', token: 't', tokenSecret: 'u' };
const VISIT = new URLSearchParams({ account: '1234', visitor: 'v-1', sid: 's-1' });

type Site = { origin: string; html: string; csp?: string; close(): void };
let lp: LivePersonStandIn;
let site: Site;
let crossSigner: SignerServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let consoleErrors: string[];

/** A brand site: its page (with an optional CSP), the bundle, and the signer on its own origin. */
function startSite(): Promise<Site> {
	const handle = createSigner({ ...lp.signerOptions, rateLimit: false });
	return new Promise((resolve) => {
		const state = { html: '', csp: undefined as string | undefined };
		const server = serve({ port: 0, hostname: '127.0.0.1', fetch: (request: Request) => {
			const { pathname } = new URL(request.url);
			if (pathname === '/lp-ea/events') return handle(request);
			if (pathname === '/lp-ea.min.js') return new Response(BUNDLE, { headers: { 'content-type': 'text/javascript' } });
			if (pathname === '/page') {
				const headers: Record<string, string> = { 'content-type': 'text/html' };
				if (state.csp) headers['content-security-policy'] = state.csp;
				return new Response(`<!doctype html><html><head><link rel="icon" href="data:,">${state.html}</head><body></body></html>`, { headers });
			}
			return new Response('not here', { status: 404 });
		} }, (info) =>
			resolve(
				Object.assign(state, { origin: `http://127.0.0.1:${info.port}`, close: () => server.close() }),
			),
		);
	});
}

beforeAll(async () => {
	lp = await startLivePerson({ accounts: ['1234'], credentials });
	site = await startSite();
	crossSigner = await startSignerServer({ signer: { ...lp.signerOptions, allowedOrigins: site.origin, rateLimit: false }, port: 0 });
	browser = await launch();
});
afterAll(async () => {
	await browser?.close();
	await crossSigner?.close();
	site?.close();
	await lp?.close();
});
beforeEach(async () => {
	lp.clear();
	site.csp = undefined;
	context = await browser.newContext();
	page = await context.newPage();
	consoleErrors = [];
	page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
	page.on('pageerror', (error) => consoleErrors.push(String(error)));
});
afterEach(() => context.close());

async function openSite(html: string, csp?: string) {
	site.html = html;
	site.csp = csp;
	await page.goto(`${site.origin}/page?${VISIT}`);
}

const bundleLoaded = () => page.waitForFunction(() => 'LpEAError' in ((window as { lpEA?: object }).lpEA ?? {}), null, { timeout: 10_000 });

function outcome(call: string) {
	return page.evaluate(
		(source) =>
			(new Function(`return ${source}`)() as Promise<void>).then(
				() => ({ ok: true }) as const,
				(e: { code: string; status: number; message: string }) => ({ ok: false as const, code: e.code, status: e.status, message: e.message }),
			),
		call,
	);
}

describe("the README's paste block", () => {
	test('under the README\'s CSP: the stub runs, the bundle loads, a lead arrives verified, no console error', async () => {
		await openSite(PASTE, CSP);
		await bundleLoaded();
		expect(await outcome('lpEA.lead({ topic: "csp", value: 1 })')).toEqual({ ok: true });
		expect(lp.received[0]).toMatchObject({ verified: true, attributes: [{ type: 'lead', lead: { topic: 'csp', value: 1 } }] });
		expect(consoleErrors).toEqual([]);
	});

	test('the CSP is really enforced: with one byte of the stub changed, Chromium refuses it', async () => {
		const changed = PASTE.replace('(window)', '(self)');
		expect(changed).not.toBe(PASTE); // the test changes a byte, or it proves nothing
		await openSite(changed, CSP);
		await bundleLoaded(); // the bundle is 'self'; only the inline stub is refused
		expect(consoleErrors.join('\n')).toMatch(/inline script.* violates the following Content Security Policy directive/);
	});

	test('the SRI tag loads the bundle it was made for, and refuses another', async () => {
		const tag = (integrity: string) => `<script async src="/lp-ea.min.js" integrity="${integrity}" crossorigin="anonymous"></script>`;
		await openSite(tag(SRI));
		await bundleLoaded();
		expect(consoleErrors).toEqual([]);

		await openSite(tag(SRI.replace(/.{4}=*$/, 'AAAA')));
		await page.waitForTimeout(0);
		await expect.poll(() => consoleErrors.join('\n'), { timeout: 10_000 }).toMatch(/integrity/);
		expect(await page.evaluate(() => 'lpEA' in window)).toBe(false);
	});
});

describe('Troubleshooting rows, as a page meets them', () => {
	const tag = (endpoint: string) => `<script async src="/lp-ea.min.js" data-endpoint="${endpoint}"></script>`;

	test('network: a connect-src without the cross-origin signer', async () => {
		await openSite(tag(`${crossSigner.url}/lp-ea/events`), "script-src 'self'; connect-src 'self'");
		await bundleLoaded();
		expect(await outcome('lpEA.lead()')).toMatchObject({ ok: false, code: 'network', status: 0 });
		expect(consoleErrors.join('\n')).toMatch(/connect.* violates the following Content Security Policy directive: "connect-src/i);
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

describe('the demo', () => {
	let demo: Demo;
	beforeAll(async () => {
		demo = await startDemo({ signer: { rateLimit: false } });
	});
	afterAll(() => demo?.close());

	test('its pages log no error and fail no request, favicon included', async () => {
		const failed: string[] = [];
		page.on('response', (response) => response.status() >= 400 && failed.push(`${response.status()} ${response.url()}`));
		// Leaving a page cuts its live view's event stream (ERR_ABORTED): that is no failure.
		page.on('requestfailed', (request) => request.failure()?.errorText !== 'net::ERR_ABORTED' && failed.push(`failed ${request.url()}`));
		for (const path of [`/?${new URLSearchParams({ account: '1234', visitor: 'v-1', sid: 's-1' })}`, '/thanks']) {
			await page.goto(`${demo.origin}${path}`);
			await bundleLoaded();
			// Chromium asks for a page's icon once it has loaded: an icon the page declares, or /favicon.ico.
			expect(await page.evaluate(() => document.querySelector('link[rel="icon"]')?.getAttribute('href'))).toMatch(/^data:image\/svg\+xml,/);
		}
		const favicon = await fetch(`${demo.origin}/favicon.ico`);
		expect(favicon.status).toBe(404); // nothing serves it: the declared icon is what keeps the console clean
		expect(failed).toEqual([]);
		expect(consoleErrors).toEqual([]);
	});
});
