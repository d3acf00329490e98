import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { startCli } from '../helpers/cli.js';
import { snippet } from '../helpers/readme.js';
import { freePort } from '../helpers/redis.js';
import { LEAD, startStandIn, VISIT } from '../helpers/signer.js';

// The README's "Behind nginx" location block as printed, in Debian's nginx, in front of the
// real lp-ea-signer: the page's own origin is let through only because of its headers and
// LP_TRUST_PROXY, since nginx replaces Host with the upstream's.
const NGINX = process.env.NGINX_PATH || '/usr/sbin/nginx';
const HAS_NGINX = existsSync(NGINX);
const suite = HAS_NGINX ? describe : describe.skip;
const why = HAS_NGINX ? '' : ` [skipped: ${NGINX} not found; apt-get install -y nginx-light, or set NGINX_PATH]`;

const BLOCK = snippet('nginx');
/** The address the printed block proxies to: the one place the test changes, to the signer's free port. */
const PRINTED_UPSTREAM = 'http://127.0.0.1:8787;';

type Nginx = { origin: string; stop(): Promise<void> };

/** nginx as a non-daemon child, everything of its own (config, pid, temp files) in a temporary prefix. */
async function startNginx(upstream: string): Promise<Nginx> {
	expect(BLOCK.split(PRINTED_UPSTREAM)).toHaveLength(2);
	const dir = mkdtempSync(join(tmpdir(), 'lp-ea-nginx-'));
	const port = await freePort();
	const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((name) => `${name}_temp_path ${join(dir, name)};`).join('\n  ');
	writeFileSync(
		join(dir, 'nginx.conf'),
		`worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log stderr;
events { worker_connections 64; }
http {
  access_log off;
  ${temp}
  server {
    listen 127.0.0.1:${port};
${BLOCK.replace(PRINTED_UPSTREAM, `${upstream};`)
	.split('\n')
	.map((line) => `    ${line}`)
	.join('\n')}
    location / { default_type text/html; return 200 'the brand page'; }
  }
}
`,
	);
	const child: ChildProcess = spawn(NGINX, ['-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	let err = '';
	child.stderr!.on('data', (d) => (err += d));
	const origin = `http://127.0.0.1:${port}`;
	for (let tries = 0; ; tries++) {
		if (child.exitCode !== null || tries > 200) throw new Error(`nginx did not start: ${err}`);
		if (await fetch(origin).then(() => true, () => false)) break;
		await new Promise((r) => setTimeout(r, 25));
	}
	return {
		origin,
		async stop() {
			if (child.exitCode === null) {
				child.kill('SIGQUIT'); // nginx's graceful shutdown
				await new Promise((done) => child.once('exit', done));
			}
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

let lp: LivePersonStandIn;
const stops: Array<() => Promise<void>> = [];

beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(async () => {
	for (const stop of stops.reverse()) await stop();
	await lp?.close();
});
beforeEach(() => lp.clear());

/** lp-ea-signer with the stand-in's settings (and `extra`), behind the printed block. */
async function behindNginx(extra: Record<string, string>): Promise<string> {
	const signer = await startCli({ ...lp.env, LP_ACCOUNT: '1234,5678', LP_RATE_LIMIT: 'off', ...extra });
	stops.push(signer.stop);
	const nginx = await startNginx(new URL(signer.url).origin);
	stops.push(nginx.stop);
	return nginx.origin;
}

/** What a page's lpEA.lead() sends from `origin` to the site at `site`: the browser sets Host to the site's, Origin to the page's. */
const call = (site: string, origin: string) =>
	fetch(`${site}/lp-ea/events`, {
		method: 'POST',
		headers: { 'content-type': 'text/plain;charset=UTF-8', origin },
		body: JSON.stringify({ ...VISIT, attributes: [LEAD] }),
	});

suite(`the README's nginx block in a real nginx${why}`, () => {
	let site: string;
	beforeAll(async () => {
		site = await behindNginx({ LP_TRUST_PROXY: '1' });
	}, 20_000);

	test('with LP_TRUST_PROXY=1: a call from the site\'s own page is signed and verified; the rest of the site is nginx\'s', async () => {
		const response = await call(site, site);
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({});
		expect(lp.received).toMatchObject([{ verified: true, attributes: [LEAD] }]);
		expect(await (await fetch(site)).text()).toBe('the brand page');
	});

	test('a page of another origin is refused 403, nothing forwarded', async () => {
		const response = await call(site, 'https://evil.example');
		expect(response.status).toBe(403);
		expect((await response.json()).error.code).toBe('forbidden');
		expect(lp.received).toEqual([]);
	});

	test('a body over client_max_body_size is refused by nginx before the signer', async () => {
		const response = await fetch(`${site}/lp-ea/events`, { method: 'POST', headers: { origin: site }, body: 'x'.repeat(70_000) });
		expect(response.status).toBe(413);
		expect(lp.received).toEqual([]);
	});

	test('without LP_TRUST_PROXY the same call is refused: nginx replaced Host, as the README says', async () => {
		const untrusting = await behindNginx({});
		const response = await call(untrusting, untrusting);
		expect(response.status).toBe(403);
		expect((await response.json()).error.message).toContain('LP_ALLOWED_ORIGINS');
		expect(lp.received).toEqual([]);
	}, 20_000);
});
