/**
 * The driver layer itself, in this run's engine: every operation the browser suites use, on a
 * small page server, so that a suite failing in one engine is about lp-ea, not the driver.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { CAN, launch, needs, titled, type Engine, type Session, type Tab } from './engines/index.js';

let engine: Engine;
let server: Server;
let origin: string;
let session: Session;
let tab: Tab;
/** What the server saw: method, path and Referer of each request. */
let seen: Array<{ method: string; path: string; referer?: string }>;

const PAGES: Record<string, string> = {
	'/form': `<form action="/done" method="get"><input name="q"><button type="submit">go</button></form>
		<p id="out">initial</p>
		<script>console.log('hello from', location.pathname); console.error('an error line');</script>`,
	'/done': `<p id="out">done</p>`,
	'/throws': `<script>setTimeout(() => { throw new Error('uncaught here'); }, 0);</script>`,
};

beforeAll(async () => {
	engine = await launch();
	server = createServer((request, response) => {
		const path = request.url!.split('?')[0]!;
		seen.push({ method: request.method!, path, referer: request.headers.referer });
		if (request.method === 'POST') {
			request.resume();
			request.on('end', () => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
			return;
		}
		const body = PAGES[path];
		response
			.writeHead(body ? 200 : 404, { 'content-type': 'text/html' })
			.end(`<!doctype html><html><head><link rel="icon" href="data:,"></head><body>${body ?? 'not here'}</body></html>`);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
	await engine?.close();
	server?.close();
});
beforeEach(async () => {
	seen = [];
	session = await engine.session();
	tab = await session.tab();
});
afterEach(() => session?.close());

describe(titled('the driver layer'), () => {
	test('goto, evaluate with an argument and a promise, text', async () => {
		await tab.goto(`${origin}/form`);
		expect(await tab.evaluate((n: number) => Promise.resolve(n * 2), 21)).toBe(42);
		expect(await tab.evaluate(() => ({ path: location.pathname, list: [1, 'a', null] }))).toEqual({ path: '/form', list: [1, 'a', null] });
		expect(await tab.text('#out')).toBe('initial');
		expect(await tab.url()).toBe(`${origin}/form`);
	});

	test('an evaluate that rejects rejects with its message', async () => {
		await tab.goto(`${origin}/form`);
		await expect(tab.evaluate(() => Promise.reject(new Error('nope from the page')))).rejects.toThrow(/nope from the page/);
	});

	test('fill and a real click submit the form; waitFor sees the next page', async () => {
		await tab.goto(`${origin}/form`);
		await tab.fill('input[name=q]', 'typed text');
		await tab.click('button[type=submit]');
		await tab.waitFor(() => location.pathname === '/done' && document.readyState === 'complete');
		expect(await tab.url()).toBe(`${origin}/done?q=typed+text`);
		expect(seen.find((r) => r.path === '/done')?.referer).toBe(`${origin}/form`);
	});

	test('waitFor gives up with an error once its time is over', async () => {
		await tab.goto(`${origin}/form`);
		await expect(tab.waitFor(() => false, undefined, 300)).rejects.toThrow();
	});

	test('reload, back and forward', async () => {
		await tab.goto(`${origin}/form`);
		await tab.evaluate(() => sessionStorage.setItem('mark', 'kept'));
		await tab.goto(`${origin}/done`);
		await tab.back();
		await tab.waitFor(() => location.pathname === '/form');
		await tab.forward();
		await tab.waitFor(() => location.pathname === '/done');
		await tab.reload();
		expect(await tab.evaluate(() => sessionStorage.getItem('mark'))).toBe('kept');
	});

	test('console lines and uncaught errors, across navigations', async () => {
		await tab.goto(`${origin}/form`);
		await tab.goto(`${origin}/throws`);
		await new Promise((r) => setTimeout(r, 300));
		const lines = await tab.console();
		expect(lines).toContainEqual({ type: 'log', text: 'hello from /form' });
		expect(lines).toContainEqual({ type: 'error', text: 'an error line' });
		expect(lines.some((line) => line.type === 'pageerror' && /uncaught here/.test(line.text))).toBe(true);
	});

	test('a POST made by a page carries the page as its Referer', async () => {
		await tab.goto(`${origin}/form?from=this-page`);
		await tab.evaluate(() => fetch('/collect', { method: 'POST', body: 'x', keepalive: true }).then((r) => r.text()));
		expect(seen.find((r) => r.method === 'POST')?.referer).toBe(`${origin}/form?from=this-page`);
	});

	test('tabs of one session share localStorage; another session starts empty', async () => {
		await tab.goto(`${origin}/form`);
		await tab.evaluate(() => localStorage.setItem('shared', 'yes'));
		if (CAN.tabs) {
			const second = await session.tab();
			await second.goto(`${origin}/done`);
			expect(await second.evaluate(() => localStorage.getItem('shared'))).toBe('yes');
			expect(await tab.text('#out')).toBe('initial'); // the first tab is still itself
			await second.close();
		}
		const other = await engine.session();
		try {
			const elsewhere = await other.tab();
			await elsewhere.goto(`${origin}/form`);
			expect(await elsewhere.evaluate(() => localStorage.getItem('shared'))).toBeNull();
		} finally {
			await other.close();
		}
	});

	needs('offline')('setOffline takes the session off the network and back', async () => {
		await tab.goto(`${origin}/form`);
		await session.setOffline(true);
		expect(await tab.evaluate(() => fetch('/collect', { method: 'POST', body: 'x' }).then(() => 'answered', () => 'failed'))).toBe('failed');
		await session.setOffline(false);
		expect(await tab.evaluate(() => fetch('/collect', { method: 'POST', body: 'x' }).then(() => 'answered', () => 'failed'))).toBe('answered');
	});
});
