import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { startLivePerson } from '../../demo/liveperson-stand-in.mjs';
import { ENV_NAMES } from '../../src/signer/index.js';
import { snippet } from '../helpers/readme.js';
import { CREDENTIALS, LEAD } from '../helpers/signer.js';

// The README's "Workers without wrangler" recipe as printed: its config.capnp and worker.js in
// a directory with lp-ea installed, served by the pinned workerd the way a brand starts it.
const WORKERD: string = createRequire(import.meta.url)('workerd').default;
const CONFIG = snippet('workerd-config');
/** The account the printed config serves: its one `text` binding. */
const ACCOUNT = /\(name = "LP_ACCOUNT", text = "([^"]+)"\)/.exec(CONFIG)![1]!;
const VISIT = { account: ACCOUNT, visitor: 'A3MWU2ZTU2NmMwNzRiN2Vl', sid: 'AsfghSCZT6-Sno2AJw7ZAA' };

let lp: LivePersonStandIn;
let dir: string;
const running: ChildProcess[] = [];

beforeAll(async () => {
	lp = await startLivePerson({ accounts: [ACCOUNT], credentials: CREDENTIALS });
	dir = mkdtempSync(join(tmpdir(), 'lp-ea-workerd-recipe-'));
	mkdirSync(join(dir, 'node_modules'));
	symlinkSync(process.cwd(), join(dir, 'node_modules', 'lp-ea'));
	writeFileSync(join(dir, 'worker.js'), `${snippet('worker-js')}\n`);
	writeFileSync(join(dir, 'config.capnp'), CONFIG);
});
afterAll(async () => {
	for (const child of running) if (child.exitCode === null) child.kill('SIGTERM');
	await lp?.close();
	if (dir) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => lp.clear());

/**
 * `workerd serve config.capnp` in the recipe's directory with exactly `env`, its socket moved
 * to a free port (the printed 8787 may be taken here): resolves with the URL it listens on.
 */
async function serve(env: Record<string, string>): Promise<{ url: string; logs: () => string }> {
	const child = spawn(WORKERD, ['serve', 'config.capnp', '--socket-addr', 'http=127.0.0.1:0', '--control-fd', '3'], {
		cwd: dir,
		env: { PATH: process.env.PATH, ...env },
		stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
	});
	running.push(child);
	let logs = '';
	child.stdout!.on('data', (d) => (logs += d));
	child.stderr!.on('data', (d) => (logs += d));
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`workerd did not listen: ${logs}`)), 20_000);
		child.once('exit', (code) => reject(new Error(`workerd exited ${code}: ${logs}`)));
		let pending = '';
		(child.stdio[3] as Readable).on('data', (chunk) => {
			pending += chunk;
			const match = /"event":"listen","socket":"http","port":(\d+)/.exec(pending);
			if (match) {
				clearTimeout(timer);
				resolve(`http://127.0.0.1:${match[1]}`);
			}
		});
	});
	return { url, logs: () => logs };
}

const post = (url: string) =>
	fetch(`${url}/lp-ea/events`, {
		method: 'POST',
		headers: { 'content-type': 'text/plain;charset=UTF-8' },
		body: JSON.stringify({ ...VISIT, attributes: [LEAD] }),
	});

/** The stand-in's LP_* variables without the account, which the config sets itself. */
const secrets = () => Object.fromEntries(Object.entries(lp.env).filter(([name]) => name !== 'LP_ACCOUNT'));

describe('the README\'s workerd config, as printed', () => {
	test('with the settings in the environment: a lead is answered 200 and arrives verified', async () => {
		const { url } = await serve(secrets());
		const response = await post(url);
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({});
		expect(lp.received).toMatchObject([{ verified: true, account: ACCOUNT, visitor: VISIT.visitor, attributes: [LEAD] }]);
	}, 30_000);

	test('a secret missing from the environment: 500 naming it, nothing forwarded', async () => {
		const { LP_ACCESS_TOKEN_SECRET: _left, ...rest } = secrets();
		expect(_left).toBeTruthy(); // the test leaves a secret out, or it proves nothing
		const { url, logs } = await serve(rest);
		const response = await post(url);
		expect(response.status).toBe(500);
		const { error } = (await response.json()) as { error: { code: string; message: string } };
		expect(error.code).toBe('server-error');
		expect(error.message).toContain('LP_ACCESS_TOKEN_SECRET');
		expect(error.message).not.toContain(CREDENTIALS.consumerSecret);
		expect(logs()).not.toContain(CREDENTIALS.consumerSecret);
		expect(lp.received).toEqual([]);
	}, 30_000);

	test('every binding is one of the Worker\'s settings, and every required one is bound', () => {
		const bound = [...CONFIG.matchAll(/\(name = "([^"]+)", (?:text|fromEnvironment) = /g)].map((m) => m[1]);
		const settings = Object.values(ENV_NAMES);
		for (const name of bound) expect(settings, name).toContain(name);
		expect(bound).toEqual(expect.arrayContaining(REQUIRED));
	});
});

const REQUIRED = [ENV_NAMES.accounts, ENV_NAMES.consumerKey, ENV_NAMES.consumerSecret, ENV_NAMES.accessToken, ENV_NAMES.accessTokenSecret];

describe('the README\'s wrangler.toml (wrangler needs Node 22: its names are checked here, not deployed)', () => {
	const toml = snippet('wrangler-toml');
	const vars = toml.slice(toml.indexOf('[vars]'));
	/** [vars] keys, the commented-out examples included: a brand uncomments them as they are. */
	const keys = [...vars.matchAll(/^#? ?([A-Z_]+) = /gm)].map((m) => m[1]!);
	const secretNames = [...toml.matchAll(/wrangler secret put (\S+)/g)].map((m) => m[1]!);

	test('each [vars] key and each secret is one of the Worker\'s settings; the required ones are all there', () => {
		expect(keys.length).toBeGreaterThan(0);
		expect(secretNames.length).toBeGreaterThan(0);
		const settings = Object.values(ENV_NAMES);
		for (const name of [...keys, ...secretNames]) expect(settings, name).toContain(name);
		expect([...keys, ...secretNames]).toEqual(expect.arrayContaining(REQUIRED));
	});

	test('main is the one-line module the README names, and the compatibility date is one the pinned workerd knows', () => {
		expect(/^main = "(.+)"$/m.exec(toml)![1]).toBe('src/worker.js');
		expect(snippet('worker-js')).toBe("export { default } from 'lp-ea/signer/worker';");
		const date = /^compatibility_date = "(\d{4})-(\d{2})-(\d{2})"$/m.exec(toml)!.slice(1).join('');
		const pinned = /^1\.(\d{8})\./.exec(JSON.parse(readFileSync('package.json', 'utf8')).devDependencies.workerd)![1]!;
		expect(Number(date)).toBeLessThanOrEqual(Number(pinned));
		expect(/compatibilityDate = "([^"]+)"/.exec(CONFIG)![1]).toBe(/^compatibility_date = "(.+)"$/m.exec(toml)![1]);
	});
});
