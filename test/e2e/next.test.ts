import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { snippet } from '../helpers/readme.js';
import { freePort } from '../helpers/redis.js';
import { startStandIn } from '../helpers/signer.js';
import { launch, titled, until, type Engine, type Session, type Tab } from './engines/index.js';

// The README's Next.js recipe the way a brand runs it: its five files, as printed, in a new
// app with the packed package installed, built by `next build` and served by `next start`,
// the signer configured by the environment against the LivePerson stand-in. A route handler
// called directly cannot show what broke here before: under `next start`, `request.url`
// names the listening address, not the host the page was loaded by.
const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const APP = mkdtempSync(join(tmpdir(), 'lp-ea-next-'));
const VISIT = { account: '1234', visitor: 'next-visitor-1', sid: 'next-sid-1' };

let lp: LivePersonStandIn;
let server: ChildProcess | undefined;
let origin: string;
let engine: Engine;
let session: Session;
let page: Tab;

function write(path: string, content: string) {
	mkdirSync(dirname(join(APP, path)), { recursive: true });
	writeFileSync(join(APP, path), content);
}

/** What `npm install lp-ea` gives a brand: the packed package, its dependencies and Next.js beside it. */
async function install() {
	const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', APP], { cwd: REPO });
	const [{ filename }] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ filename: string }];
	const installed = join(APP, 'node_modules/lp-ea');
	mkdirSync(installed, { recursive: true });
	await run('tar', ['-xzf', join(APP, filename), '-C', installed, '--strip-components=1']);
	const { dependencies } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
	const brands = ['next', 'react', 'react-dom', 'typescript', '@types/react', '@types/react-dom', '@types/node'];
	for (const name of [...Object.keys(dependencies), ...brands]) {
		const target = join(APP, 'node_modules', name);
		mkdirSync(dirname(target), { recursive: true });
		symlinkSync(join(REPO, 'node_modules', name), target, 'dir');
	}
	mkdirSync(join(APP, 'node_modules/.bin'));
	symlinkSync('../next/dist/bin/next', join(APP, 'node_modules/.bin/next'));
}

beforeAll(async () => {
	await install();
	write('package.json', JSON.stringify({ name: 'brand-site', private: true, ...JSON.parse(snippet('next-package-json')) }, null, 2));
	write('app/lp-ea/events/route.ts', snippet('next-route'));
	write('proxy.ts', snippet('next-proxy'));
	write('app/layout.tsx', snippet('next-layout'));
	write('app/upgrade-form.tsx', snippet('next-form'));
	// The brand's own pages.
	write('app/page.tsx', `import { UpgradeForm } from './upgrade-form';\n\nexport default function Home() {\n  return <main><UpgradeForm /></main>;\n}\n`);
	write('app/thanks/page.tsx', `export default function Thanks() {\n  return <main id="thanks">Thank you</main>;\n}\n`);
	// A site has an icon; without one the browser's request for /favicon.ico is a console error.
	write('app/icon.svg', '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>');
	// Strict, as many brands' are: the form's types must hold under it. Next.js adds the rest.
	write('tsconfig.json', JSON.stringify({ compilerOptions: { strict: true } }));
	// Not the brand's: this app's node_modules are links into this repository, and Turbopack
	// follows links only inside its root.
	write('next.config.mjs', `export default { turbopack: { root: '/' } };\n`);

	const env = { PATH: process.env.PATH, HOME: process.env.HOME, NEXT_TELEMETRY_DISABLED: '1' };
	const started = Date.now();
	// `npm run build`, so that the recipe's prebuild copies the bundle into public/.
	await run('npm', ['run', 'build'], { cwd: APP, env, maxBuffer: 16 << 20 }).catch((error: { stdout: string; stderr: string }) => {
		throw new Error(`next build failed:\n${error.stdout}\n${error.stderr}`);
	});
	console.log(`${titled('next build')} took ${((Date.now() - started) / 1000).toFixed(1)} s`);

	lp = await startStandIn();
	const port = await freePort();
	origin = `http://127.0.0.1:${port}`;
	server = spawn(process.execPath, [join(APP, 'node_modules/next/dist/bin/next'), 'start', '-H', '127.0.0.1', '-p', String(port)], {
		cwd: APP,
		env: { ...env, ...lp.env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	server.stdout!.on('data', (chunk) => (output += chunk));
	server.stderr!.on('data', (chunk) => (output += chunk));
	await until(() => fetch(`${origin}/thanks`).then((r) => r.ok, () => false), 30_000).catch(() => {
		throw new Error(`next start did not answer:\n${output}`);
	});
	engine = await launch();
	session = await engine.session();
	page = await session.tab();
}, 300_000);

afterAll(async () => {
	await session?.close();
	await engine?.close();
	if (server && server.exitCode === null) {
		server.kill();
		await once(server, 'exit');
	}
	await lp?.close();
	rmSync(APP, { recursive: true, force: true });
});

test(titled('each page gets a nonce policy with strict-dynamic, and the stub and bundle carry its nonce'), async () => {
	const nonces = new Set<string>();
	for (let i = 0; i < 2; i++) {
		const response = await fetch(`${origin}/?${new URLSearchParams(VISIT)}`);
		const csp = response.headers.get('content-security-policy') ?? '';
		const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
		expect(nonce, csp).toBeDefined();
		expect(csp).toMatch(/script-src [^;]*'strict-dynamic'/);
		expect(csp).toMatch(/connect-src 'self'/);
		const html = await response.text();
		expect(html).toContain(`<script nonce="${nonce}">(r=>{if(r.lpEA)return;`);
		expect(html).toMatch(new RegExp(`<script async="" src="/lp-ea-[0-9.]+\\.min\\.js" nonce="${nonce}" data-endpoint="/lp-ea/events">`));
		nonces.add(nonce!);
	}
	expect(nonces.size).toBe(2);
});

test(titled('the form reports its lead through the route: 200, forwarded once and verified, with no CSP complaint'), async () => {
	const leadId = `next-${engine.name}-${Date.now()}`;
	await page.goto(`${origin}/?${new URLSearchParams(VISIT)}`);
	// The bundle ran under the nonce policy (the stub alone has no LpEAError).
	await page.waitFor(() => 'LpEAError' in ((window as { lpEA?: object }).lpEA ?? {}), undefined, 10_000);
	await page.fill('input[name="ticket"]', leadId);
	await page.click('button');
	await page.waitFor(() => location.pathname === '/thanks');

	const forwarded = await until(() => {
		const found = lp.received.filter((r) => JSON.stringify(r.attributes).includes(leadId));
		return found.length ? found : undefined;
	}).catch(async () => {
		throw new Error(`the lead never reached LivePerson; the page's console: ${JSON.stringify(await page.console())}`);
	});
	// LivePerson answered 200, so the route did too (it answers 200 exactly then): not the 403
	// a page on a real host name got when the own origin came from `request.url`.
	expect(forwarded[0]).toMatchObject({ verified: true, status: 200, account: VISIT.account, visitor: VISIT.visitor, sid: VISIT.sid });
	expect(forwarded[0]!.attributes).toEqual([{ type: 'lead', lead: { topic: 'upgrade', value: 200, currency: 'USD', leadId } }]);

	// The next page of the visit: lp-ea is loaded again and knows the visit from the tab's
	// session. A call that resolves is one the route answered 200 (any other status rejects).
	await page.waitFor(() => 'LpEAError' in ((window as { lpEA?: object }).lpEA ?? {}), undefined, 10_000);
	const second = await page.evaluate(
		(id: string) =>
			(window as unknown as { lpEA: { lead(fields: object): Promise<void> } }).lpEA
				.lead({ topic: 'thanks', leadId: id })
				.then(() => 'ok', (error: { code: string; status: number }) => `${error.code} ${error.status}`),
		`${leadId}-thanks`,
	);
	expect(second).toBe('ok');

	// Nothing sent twice: no retry of an answered request, no second copy from the outbox.
	await new Promise((r) => setTimeout(r, 1_000));
	expect(lp.received.filter((r) => JSON.stringify(r.attributes).includes(`"${leadId}"`))).toHaveLength(1);
	expect(lp.received.filter((r) => JSON.stringify(r.attributes).includes(`"${leadId}-thanks"`))).toHaveLength(1);

	const lines = await page.console();
	expect(lines.filter((line) => line.type === 'error' || line.type === 'pageerror' || /content.security.policy/i.test(line.text))).toEqual([]);
});

test(titled("the form's `/// <reference>` must come before 'use client', as the README says"), async () => {
	// The same component with the two lines swapped: TypeScript then reads the reference as a
	// plain comment, and `window.lpEA` is unknown.
	const [first, second, ...rest] = snippet('next-form').split('\n');
	write('order-check/upgrade-form.tsx', [second, first, ...rest].join('\n'));
	write('order-check/tsconfig.json', JSON.stringify({ extends: '../tsconfig.json', include: ['upgrade-form.tsx'] }));
	const tsc = join(APP, 'node_modules/typescript/bin/tsc');
	const failed = await run(process.execPath, [tsc, '--noEmit', '-p', 'order-check'], { cwd: APP }).then(
		() => '',
		(error: { stdout: string }) => error.stdout,
	);
	expect(failed).toContain("Property 'lpEA' does not exist");
});
