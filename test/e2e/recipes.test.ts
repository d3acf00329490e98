import { createSigner } from 'lp-ea/signer';
import { startLivePerson, type LivePersonStandIn } from 'lp-ea/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request as forward, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { generated, snippet } from '../helpers/readme.js';
import { freePort } from '../helpers/redis.js';
import { CAN, launch, titled, until, type Engine, type Session, type Tab } from './engines/index.js';
import { STUB, startSite, type Site } from './site.js';

// The README's recipes for a brand's pages, run as printed in each engine: "Put it on your
// site" steps 2 and 3 under the printed hash policy and under a nonce policy, and "Express,
// the whole site" as a process of its own, the way a brand starts it.
const PASTE = /```html\n([\s\S]*?)\n```/.exec(generated('paste'))![1]!;
const CSP = /Content-Security-Policy: (.*)/.exec(generated('csp'))![1]!;
const FORM = snippet('upgrade-form');
const UPGRADE_JS = snippet('upgrade-js');
const { version: VERSION } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const BUNDLE = readFileSync('dist/lp-ea.min.js', 'utf8');
const credentials = { consumerKey: 'k', consumerSecret: 's', token: 't', tokenSecret: 'u' };
const VISIT = new URLSearchParams({ account: '1234', visitor: 'v-1', sid: 's-1' });

let lp: LivePersonStandIn;
let engine: Engine;
let session: Session;
let page: Tab;

beforeAll(async () => {
	lp = await startLivePerson({ accounts: ['1234'], credentials });
	engine = await launch();
});
afterAll(async () => {
	await engine?.close();
	await lp?.close();
});
beforeEach(async () => {
	lp.clear();
	session = await engine.session();
	page = await session.tab();
});
afterEach(() => session?.close());

/** Console errors, uncaught exceptions and CSP reports (Chromium and WebKit say those as errors). */
const consoleErrors = async () =>
	(await page.console()).filter((line) => line.type === 'error' || line.type === 'pageerror' || /content.security.policy/i.test(line.text));

const bundleLoaded = () => page.waitFor(() => 'LpEAError' in ((window as { lpEA?: object }).lpEA ?? {}), undefined, 10_000);

/** A person submits the form: types a ticket, clicks the button, and the browser goes to /thanks. */
async function submitLead(ticket: string) {
	await page.fill('input[name="ticket"]', ticket);
	await page.click('button');
	await until(async () => (await page.url()).includes('/thanks'));
}

/** Waits for the lead at the stand-in, then a second more for a POST that should not come. */
async function delivered(ticket: string) {
	await until(() => lp.received.some((r) => r.attributes?.some((a) => (a as { lead?: { leadId?: string } }).lead?.leadId === ticket)), 10_000);
	await new Promise((r) => setTimeout(r, 1_000));
	expect(lp.received).toMatchObject([
		{ verified: true, attributes: [{ type: 'lead', lead: { topic: 'upgrade', value: 200, currency: 'USD', leadId: ticket } }] },
	]);
}

describe(titled('"Put it on your site", steps 2 and 3 as printed'), () => {
	let site: Site;
	/** The form page's head and body, the thank-you page's head, and the policy the pages are served with. */
	const state = { head: '', body: '', thanks: '', csp: (_nonce: string) => '' };

	beforeAll(async () => {
		site = await startSite({
			endpoint: createSigner({ ...lp.signerOptions, rateLimit: false }),
			page: (url): { html: string; headers: Record<string, string> } | undefined => {
				if (url.pathname === '/js/upgrade.js') return { html: UPGRADE_JS, headers: { 'content-type': 'text/javascript' } };
				const nonce = randomBytes(16).toString('base64');
				const [head, body] = url.pathname === '/' ? [state.head, state.body] : url.pathname === '/thanks' ? [state.thanks, '<p>Thank you.</p>'] : [];
				if (body === undefined) return undefined;
				// The icon keeps the browser from asking for /favicon.ico, whose 404 would be a console error.
				const html = `<!doctype html><html><head><link rel="icon" href="data:,">${head}</head><body>${body}</body></html>`;
				return { html: html.replaceAll('{NONCE}', nonce), headers: { 'content-security-policy': state.csp(nonce) } };
			},
		});
	});
	afterAll(() => site?.close());
	beforeEach(() => (site.posts.length = 0));

	test("under the README's hash policy: the stub, the bundle and /js/upgrade.js run; the lead arrives verified, one POST, a clean console", async () => {
		Object.assign(state, { head: PASTE, body: FORM, thanks: PASTE, csp: () => CSP });
		await page.goto(`${site.origin}/?${VISIT}`);
		await bundleLoaded();
		await submitLead('T-hash');
		await delivered('T-hash');
		expect(site.posts).toHaveLength(1);
		if (CAN.console) expect(await consoleErrors()).toEqual([]);
	});

	test("under a nonce policy with 'strict-dynamic', as printed: the same", async () => {
		const policy = /Content-Security-Policy: (.*)/.exec(snippet('csp-nonce'))![1]!;
		const head = snippet('paste-nonce').replace('…the stub…', STUB.trimEnd());
		// Step 3's form without its script tag, which is paste-nonce's third line, with the nonce;
		// the thank-you page has the stub and the bundle (the first two) and no form to listen to.
		const form = /<form[\s\S]*<\/form>/.exec(FORM)![0];
		const thanks = head.split('\n').slice(0, 2).join('\n');
		Object.assign(state, { head, body: form, thanks, csp: (nonce: string) => policy.replace('{NONCE}', nonce) });
		await page.goto(`${site.origin}/?${VISIT}`);
		await bundleLoaded();
		await submitLead('T-nonce');
		await delivered('T-nonce');
		expect(site.posts).toHaveLength(1);
		if (CAN.console) expect(await consoleErrors()).toEqual([]);
	});

	test('the policy is enforced: the calling code as an inline script is refused and nothing is sent', async () => {
		const inline = FORM.replace('<script defer src="/js/upgrade.js"></script>', `<script>${UPGRADE_JS}</script>`);
		expect(inline).not.toBe(FORM); // the test inlines the calling code, or it proves nothing
		Object.assign(state, { head: PASTE, body: inline, thanks: PASTE, csp: () => CSP });
		await page.goto(`${site.origin}/?${VISIT}`);
		await bundleLoaded();
		await submitLead('T-inline');
		await new Promise((r) => setTimeout(r, 1_500));
		expect(site.posts).toEqual([]);
		if (CAN.console) await until(async () => (await page.console()).some((line) => /content.security.policy/i.test(line.text)), 5_000);
	});
});

/** A site directory as a brand's: lp-ea and express installed, its own files under public/. */
function brandSite(): string {
	const dir = mkdtempSync(join(tmpdir(), 'lp-ea-express-site-'));
	mkdirSync(join(dir, 'node_modules'));
	symlinkSync(process.cwd(), join(dir, 'node_modules', 'lp-ea'));
	symlinkSync(realpathSync('node_modules/express'), join(dir, 'node_modules', 'express'));
	mkdirSync(join(dir, 'public', 'js'), { recursive: true });
	writeFileSync(join(dir, 'public', 'js', 'upgrade.js'), UPGRADE_JS);
	writeFileSync(join(dir, 'public', 'favicon.ico'), '');
	return dir;
}

/**
 * The browser's way in: a proxy that passes each request on untouched (Host included, as a
 * load balancer that keeps it) and counts the POSTs to the endpoint, which the recipe's
 * process does not log.
 */
async function countingProxy(port: number) {
	const posts: string[] = [];
	const server: Server = createServer((req, res) => {
		if (req.method === 'POST' && req.url === '/lp-ea/events') posts.push(req.headers.referer ?? '');
		const upstream = forward({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
			res.writeHead(answer.statusCode!, answer.headers);
			answer.pipe(res);
		});
		upstream.on('error', () => res.destroy());
		req.pipe(upstream);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
	return { origin, posts, close: () => new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done()))) };
}

describe(titled('"Express, the whole site" as printed'), () => {
	let dir: string;
	let child: ChildProcess;
	let proxy: Awaited<ReturnType<typeof countingProxy>>;
	let err = '';

	beforeAll(async () => {
		dir = brandSite();
		const port = await freePort();
		child = spawn(process.execPath, ['--input-type=module', '-e', snippet('express-site')], {
			cwd: dir,
			env: { PATH: process.env.PATH, ...lp.env, LP_ACCOUNT: '1234', PORT: String(port) },
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		child.stderr!.on('data', (d) => (err += d));
		for (let tries = 0; ; tries++) {
			if (child.exitCode !== null || tries > 400) throw new Error(`the recipe did not listen: ${err}`);
			if (await fetch(`http://127.0.0.1:${port}/thanks`).then(() => true, () => false)) break;
			await new Promise((r) => setTimeout(r, 25));
		}
		proxy = await countingProxy(port);
	});
	afterAll(async () => {
		child?.kill('SIGTERM');
		await proxy?.close();
		if (dir) rmSync(dir, { recursive: true, force: true });
	});
	beforeEach(() => (proxy.posts.length = 0));

	test("a lead from the form's file, under its nonce policy: verified, one POST, a clean console", async () => {
		await page.goto(`${proxy.origin}/?${VISIT}`);
		await bundleLoaded();
		await submitLead('T-express');
		await delivered('T-express');
		expect(proxy.posts).toEqual([`${proxy.origin}/?${VISIT}`]);
		await bundleLoaded(); // the thank-you page loads it too
		if (CAN.console) expect(await consoleErrors()).toEqual([]);
		expect(err).toBe('');
	});

	test("the bundle at its version's URL, cached as immutable; the page's nonce is new each time and on every script tag", async () => {
		const bundle = await fetch(`${proxy.origin}/lp-ea/${VERSION}/lp-ea.min.js`);
		expect(bundle.status).toBe(200);
		expect(bundle.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
		expect(bundle.headers.get('content-type')).toMatch(/javascript/);
		expect(await bundle.text()).toBe(BUNDLE);

		const pages = await Promise.all([1, 2].map(() => fetch(`${proxy.origin}/`)));
		const nonces = await Promise.all(
			pages.map(async (answer) => {
				const nonce = /script-src 'nonce-([^']+)' 'strict-dynamic'/.exec(answer.headers.get('content-security-policy') ?? '')![1]!;
				const html = await answer.text();
				const tags = html.match(/<script[^>]*>/g)!;
				expect(tags).toHaveLength(3);
				for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
				expect(html).toContain(`src="/lp-ea/${VERSION}/lp-ea.min.js"`);
				return nonce;
			}),
		);
		expect(nonces[0]).not.toBe(nonces[1]);
	});
});
