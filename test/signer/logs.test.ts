import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi, type MockInstance } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { createSigner, ENV_NAMES, lazySigner, optionsFromEnv, SignerConfigError, type LogEntry, type SignerOptions } from '../../src/signer/index.js';
import { createSignerMiddleware, startSignerServer } from '../../src/signer/node/index.js';
import { snippet } from '../helpers/readme.js';
import { CREDENTIALS, LEAD, signerOptions, startStandIn, VISIT } from '../helpers/signer.js';
import { listenForFile } from '../helpers/listen.js';

// One line per request where the signer runs, unless told otherwise: `log: false` for none,
// a function for the brand's logger. createSigner, the building block, logs only when asked.
let lp: LivePersonStandIn;
let stdout: MockInstance<typeof console.log>;
// The Node adapters write their lines to process.stdout together, once per turn of the event loop.
let written: string[] = [];
let stderr: MockInstance<typeof console.error>;
const listen = listenForFile();

beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(async () => {
	await lp.close();
});
beforeEach(() => {
	lp.clear();
	stdout = vi.spyOn(console, 'log').mockImplementation(() => {});
	written = [];
	vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
		written.push(String(chunk));
		return true;
	});
	stderr = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

const options = (extra: Partial<SignerOptions> = {}): SignerOptions => ({
	...signerOptions(lp.origin),
	allowedOrigins: 'https://shop.example',
	rateLimit: false,
	...extra,
});

const BODY = JSON.stringify({ ...VISIT, attributes: [LEAD] });
// A C1 control (NEL) in a refused Origin: a log viewer could take it for a line break.
const HOSTILE_ORIGIN = 'https://evil.example\u0085{"status":200}';

/** What a line must never hold: the API key's secrets, the Authorization scheme, the raw visitor and sid. */
const NEVER = [CREDENTIALS.consumerSecret, CREDENTIALS.tokenSecret, CREDENTIALS.token, 'OAuth ', 'oauth_', VISIT.sid, VISIT.visitor, '\u0085'];

/** What reached stdout, by console.log or in the Node adapters' writes, once their turn has passed. */
async function out(): Promise<string[]> {
	await new Promise((resolve) => setImmediate(resolve));
	return [...stdout.mock.calls.map(([line]) => line as string), ...written.join('').split('\n').filter(Boolean)];
}

/** The lines written to stdout, each parsed: they must all be JSON objects. */
async function lines(): Promise<Array<Record<string, unknown>>> {
	return (await out()).map((line) => {
		expect(typeof line).toBe('string');
		expect(line).not.toContain('\n');
		return JSON.parse(line) as Record<string, unknown>;
	});
}

function expectTwoEntries(entries: Array<Record<string, unknown>>) {
	const visitor = createHash('sha256').update(VISIT.visitor).digest('hex').slice(0, 16);
	expect(entries).toEqual([
		{ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), status: 200, ms: expect.any(Number), account: '1234', visitor },
		{ time: expect.any(String), status: 403, code: 'forbidden', ms: expect.any(Number), origin: 'https://evil.example\\u{85}{"status":200}' },
	]);
	for (const secret of NEVER) expect(JSON.stringify([stdout.mock.calls, written])).not.toContain(JSON.stringify(secret).slice(1, -1));
}

const twoPosts = async (url: string) => {
	for (const origin of [undefined, HOSTILE_ORIGIN]) {
		const headers: Record<string, string> = { 'content-type': 'application/json', ...(origin ? { origin } : {}) };
		const response = await fetch(url, { method: 'POST', headers, body: BODY });
		await response.text();
	}
};

const webPosts = async (handle: (request: Request) => Promise<Response>) => {
	for (const origin of [undefined, HOSTILE_ORIGIN]) {
		const headers = new Headers({ 'content-type': 'application/json' });
		if (origin) headers.set('origin', origin);
		await (await handle(new Request('https://brand.example/lp-ea/events', { method: 'POST', headers, body: BODY }))).text();
	}
};

describe.each([
	['lazySigner (the Next.js route handler)', (extra: Partial<SignerOptions>) => lazySigner(() => options(extra)), 'web'],
	['createSignerMiddleware', (extra: Partial<SignerOptions>) => createSignerMiddleware(options(extra)), 'node'],
	['createSignerMiddleware, given a function', (extra: Partial<SignerOptions>) => createSignerMiddleware(() => options(extra)), 'node'],
] as const)('%s', (_name, make, kind) => {
	const drive = async (extra: Partial<SignerOptions>) => {
		const signer = make(extra);
		if (kind === 'web') await webPosts(signer as (request: Request) => Promise<Response>);
		else await twoPosts(`${await listen(createServer(signer as Parameters<typeof createServer>[1]))}/lp-ea/events`);
	};

	test('logs one JSON line per request on stdout by default, with no secret, no raw id and nothing unescaped', async () => {
		await drive({});
		expectTwoEntries(await lines());
		expect(stderr).not.toHaveBeenCalled();
	});

	test('log: false logs nothing', async () => {
		await drive({ log: false });
		expect(await out()).toEqual([]);
		expect(lp.received).toHaveLength(1);
	});

	test("a function receives each entry instead (the brand's logger)", async () => {
		const entries: LogEntry[] = [];
		await drive({ log: (entry) => entries.push(entry) });
		expect(await out()).toEqual([]);
		expect(entries.map((entry) => [entry.status, entry.code])).toEqual([[200, undefined], [403, 'forbidden']]);
		expect(entries[0]).toMatchObject({ account: '1234', visitor: expect.stringMatching(/^[0-9a-f]{16}$/) });
	});
});

test('misconfigured, lazySigner and the middleware say the settings at fault once on stderr, never their values, and log each 500', async () => {
	const handle = lazySigner(() => optionsFromEnv({ LP_ACCOUNT: '1234', LP_CONSUMER_KEY: 'sekrit-key', LP_TIMEOUT_MS: 'soon' }), ENV_NAMES);
	const middleware = createSignerMiddleware(() => optionsFromEnv({ LP_ACCOUNT: '1234', LP_CONSUMER_KEY: 'sekrit-key', LP_TIMEOUT_MS: 'soon' }), ENV_NAMES);
	await webPosts(handle);
	await twoPosts(`${await listen(createServer(middleware))}/lp-ea/events`);
	const entries = await lines();
	expect(entries).toHaveLength(4);
	for (const entry of entries) expect(entry).toMatchObject({ status: 500, code: 'server-error' });
	expect(stderr).toHaveBeenCalledTimes(2);
	for (const [line] of stderr.mock.calls) expect(line).toMatch(/^lp-ea signer: .*LP_TIMEOUT_MS.*LP_CONSUMER_SECRET/);
	expect(JSON.stringify([entries, stderr.mock.calls])).not.toContain('sekrit');
});

test('createSigner, the building block, logs only when given a log', async () => {
	await webPosts(createSigner(options()));
	expect(await out()).toEqual([]);
	const entries: LogEntry[] = [];
	await webPosts(createSigner(options({ log: (entry) => entries.push(entry) })));
	expect(entries).toHaveLength(2);
});

test('startSignerServer logs by default too, its health checks included, and log: false silences it', async () => {
	const server = await startSignerServer({ signer: options(), port: 0 });
	try {
		await twoPosts(`${server.url}/lp-ea/events`);
		await (await fetch(`${server.url}/healthz`)).text();
		const entries = await lines();
		expectTwoEntries(entries.slice(0, 2));
		expect(entries[2]).toMatchObject({ status: 200, path: '/healthz' });
	} finally {
		await server.close();
	}
	stdout.mockClear();
	written = [];
	const quiet = await startSignerServer({ signer: options({ log: false }), port: 0 });
	try {
		await twoPosts(`${quiet.url}/lp-ea/events`);
		expect(await out()).toEqual([]);
	} finally {
		await quiet.close();
	}
});

test('a log that is neither a function nor false is refused by name', () => {
	expect(() => createSigner(options({ log: 'stdout' as never }))).toThrow(SignerConfigError);
	expect(() => createSigner(options({ log: 'stdout' as never }))).toThrow('log must be a function that takes each log entry, or false to log nothing');
});

test("the README's log snippet, run as printed against dist/: the quiet middleware logs nothing, the handler's entries reach the logger", async () => {
	const script = `
const logger = { info: (entry, message) => console.log(message, JSON.stringify(entry)) };
${snippet('log')}
import { createServer } from 'node:http';
const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(BODY)} };
await (await handle(new Request('https://brand.example/lp-ea/events', post))).text();
const server = createServer(quiet).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
await (await fetch(\`http://127.0.0.1:\${server.address().port}/lp-ea/events\`, post)).text();
server.close();
`;
	const { stdout: out, stderr: err } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
		env: { PATH: process.env.PATH, ...lp.env, LP_ACCOUNT: '1234' },
	});
	expect(err).toBe('');
	const [message, entry] = out.trim().split(' ');
	expect(out.trim().split('\n')).toHaveLength(1);
	expect(message).toBe('lp-ea');
	expect(JSON.parse(entry!)).toMatchObject({ status: 200, account: '1234' });
	expect(lp.received).toHaveLength(2);
});
