import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { startCli } from '../helpers/cli.js';

// `lp-ea-stand-in` as a developer runs it: the built bin, its printed block pasted into the
// shell that runs lp-ea-signer, requests sent through that signer.
const STAND_IN = new URL('../../dist/stand-in-cli.mjs', import.meta.url).pathname;
const SIGNER = new URL('../../dist/signer-cli.mjs', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; bin: Record<string, string> };

type Running = { child: ChildProcessWithoutNullStreams; out: () => string; err: () => string; until: (pattern: RegExp) => Promise<RegExpExecArray> };
const running: Running[] = [];

function run(command: string, args: string[], env: Record<string, string | undefined> = {}): Running {
	const child = spawn(command, args, { env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv });
	let out = '';
	let err = '';
	child.stdout.on('data', (d) => (out += d));
	child.stderr.on('data', (d) => (err += d));
	const until = async (pattern: RegExp) => {
		const deadline = Date.now() + 10_000;
		for (;;) {
			const match = pattern.exec(out);
			if (match) return match;
			if (Date.now() > deadline || child.exitCode !== null) throw new Error(`never printed ${pattern}:\n${out}\n${err}`);
			await new Promise((r) => setTimeout(r, 25));
		}
	};
	const proc = { child, out: () => out, err: () => err, until };
	running.push(proc);
	return proc;
}
afterEach(async () => {
	for (const { child } of running.splice(0)) {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGKILL');
			await once(child, 'exit');
		}
	}
});

const standIn = (args: string[], env: Record<string, string> = {}) => run(process.execPath, [STAND_IN, ...args], env);
const exited = async (proc: Running) => (proc.child.exitCode ?? (await once(proc.child, 'exit'))[0]) as number;
const lead = { type: 'lead', lead: { topic: 'upgrade' } };
const post = (url: string, visit: Record<string, string>) =>
	fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...visit, attributes: [lead] }) });

test('is the package bin lp-ea-stand-in, with a shebang', () => {
	expect(pkg.bin['lp-ea-stand-in']).toBe('dist/stand-in-cli.mjs');
	expect(readFileSync(STAND_IN, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
});

test('prints a block that, pasted before lp-ea-signer, makes a signer it verifies; a line per request; SIGINT stops it', async () => {
	const lp = standIn(['--port', '0', '--account', '1234,5678', '--consumer-secret', "it's $HOME"]);
	await lp.until(/Requests, as they come:\n/);
	const origin = /a local LivePerson on (http:\/\/127\.0\.0\.1:\d+), accounts 1234, 5678\n/.exec(lp.out())?.[1];
	expect(origin).toBeDefined();
	const block = lp.out().split('\n').filter((line) => line.startsWith('export '));
	expect(block.map((line) => line.split('=')[0])).toEqual(['LP_ACCOUNT', 'LP_CONSUMER_KEY', 'LP_CONSUMER_SECRET', 'LP_ACCESS_TOKEN', 'LP_ACCESS_TOKEN_SECRET', 'LP_DOMAIN'].map((name) => `export ${name}`));

	// The block exactly as printed, then the signer, in one POSIX shell.
	const signer = run('sh', ['-c', `${block.join('\n')}\nexec "${process.execPath}" "${SIGNER}"`], { PORT: '0' });
	const url = (await signer.until(/listening on (\S+\/lp-ea\/events)/))[1]!;
	expect((await post(url, { account: '5678', visitor: 'v1', sid: 's1' })).status).toBe(200);
	await lp.until(/ 200 delivered \(lead\): account 5678, visitor v1, sid s1\n/);
	expect(lp.out()).toMatch(/\n\d{4}-\d\d-\d\dT[\d:.]+Z 200 delivered/);

	// A signer with another secret: the stand-in says why it refused.
	const wrong = await startCli({ LP_ACCOUNT: '1234', LP_CONSUMER_KEY: 'test-key', LP_CONSUMER_SECRET: 'not-the-one-given', LP_ACCESS_TOKEN: 'test-token', LP_ACCESS_TOKEN_SECRET: 'test-token-secret', LP_DOMAIN: origin! });
	try {
		expect((await post(wrong.url, { account: '1234', visitor: 'v2', sid: 's2' })).status).toBe(401);
		await lp.until(/ 401 not verified \(signature does not match\): account 1234, visitor v2, sid s2\n/);
	} finally {
		await wrong.stop();
	}

	lp.child.kill('SIGINT');
	expect(await exited(lp)).toBe(0);
	expect(lp.out()).toContain('lp-ea-stand-in: SIGINT, stopping');
	expect(lp.err()).toBe('');
});

test('SIGTERM stops it too, and the port is free again', async () => {
	const first = standIn(['--port', '0']);
	const port = (await first.until(/on http:\/\/127\.0\.0\.1:(\d+)/))[1]!;
	first.child.kill('SIGTERM');
	expect(await exited(first)).toBe(0);
	const again = standIn([], { LP_STAND_IN_PORT: port });
	await again.until(new RegExp(`on http://127\\.0\\.0\\.1:${port}, account 12345678\\n`));
});

test('defaults to test credentials and account 12345678; the variables are LP_STAND_IN_*, never the signer\'s LP_*', async () => {
	const lp = standIn(['--port', '0'], { LP_ACCOUNT: '999', LP_CONSUMER_SECRET: 'the-real-secret', LP_STAND_IN_CONSUMER_KEY: 'from-env', LP_STAND_IN_ACCOUNT: '42' });
	await lp.until(/Requests, as they come:/);
	expect(lp.out()).toContain("export LP_ACCOUNT='42'\nexport LP_CONSUMER_KEY='from-env'\nexport LP_CONSUMER_SECRET='test-secret'\n");
	expect(lp.out()).not.toContain('the-real-secret');
});

test('a flag wins over its variable', async () => {
	const lp = standIn(['--port', '0', '--account', '7'], { LP_STAND_IN_ACCOUNT: '42' });
	await lp.until(/Requests, as they come:/);
	expect(lp.out()).toContain("export LP_ACCOUNT='7'\n");
});

test('--help and --version, even with a bad variable', async () => {
	const help = standIn(['--help'], { LP_STAND_IN_PORT: 'eighty' });
	expect(await exited(help)).toBe(0);
	expect(help.out()).toMatch(/^Usage: lp-ea-stand-in \[options\]\n/);
	for (const flag of ['--account', '--consumer-key', '--consumer-secret', '--access-token', '--access-token-secret', '--port', '--host', 'LP_STAND_IN_PORT']) {
		expect(help.out()).toContain(flag);
	}
	const version = standIn(['-v']);
	expect(await exited(version)).toBe(0);
	expect(version.out()).toBe(`${pkg.version}\n`);
});

describe('bad input: a clear message on stderr and exit 1, nothing started', () => {
	test.each([
		[['--prot', '1'], {}, ['unknown option --prot (see lp-ea-stand-in --help)']],
		[['--port'], {}, ['--port needs a value (see lp-ea-stand-in --help)']],
		[['8788'], {}, ['unexpected argument "8788" (see lp-ea-stand-in --help)']],
		[['--port', '65536'], {}, ['--port must be a whole number from 0 to 65535']],
		[[], { LP_STAND_IN_PORT: '-1' }, ['LP_STAND_IN_PORT must be a whole number written in decimal digits']],
		[['--account', ''], {}, ['--account is required: the account id(s) to serve']],
		[['--account', '12/34'], {}, ["--account entry 1 is not an account id (digits, letters, '-', '_', '.')"]],
		[['--host', '0.0.0.0'], {}, ['--host must be a loopback address (127.0.0.1, ::1 or localhost): lp-ea-signer accepts a plain-http LP_DOMAIN only there']],
		// Every problem at once, and never the value that was wrong.
		[['--consumer-secret', ' s3cr3t', '--access-token', ''], { LP_STAND_IN_HOST: 'example.com' }, [
			'--consumer-secret must not start or end with white space',
			'--access-token is required',
			'LP_STAND_IN_HOST must be a loopback address (127.0.0.1, ::1 or localhost): lp-ea-signer accepts a plain-http LP_DOMAIN only there',
		]],
	])('%j %j', async (args, env, lines) => {
		const proc = standIn(args, env as Record<string, string>);
		expect(await exited(proc)).toBe(1);
		expect(proc.err()).toBe(lines.map((line) => `lp-ea-stand-in: ${line}\n`).join(''));
		expect(proc.out()).toBe('');
	});

	test('a port in use is named, with the way out', async () => {
		const first = standIn(['--port', '0']);
		const port = (await first.until(/on http:\/\/127\.0\.0\.1:(\d+)/))[1]!;
		const second = standIn(['--port', port]);
		expect(await exited(second)).toBe(1);
		expect(second.err()).toBe(`lp-ea-stand-in: could not listen on 127.0.0.1:${port} (EADDRINUSE); --port 0 picks a free port\n`);
	});
});
