/**
 * The Node adapter against hostile clients, over real sockets on loopback: slow clients,
 * clients that hang up, hostile headers, DNS rebinding.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import type { LogEntry, SignerOptions } from '../../src/signer/index.js';
import { createSignerMiddleware, startSignerServer, type SignerServer } from '../../src/signer/node/index.js';
import { LEAD, signerOptions, startStandIn, VISIT } from '../helpers/signer.js';

let lp: LivePersonStandIn;
let server: SignerServer | undefined;
let logs: LogEntry[];
const BODY = JSON.stringify({ ...VISIT, attributes: [LEAD] });

beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(() => lp.close());
beforeEach(() => {
	lp.clear();
	logs = [];
});
afterEach(async () => {
	await server?.close();
	server = undefined;
});

async function start(extra: Partial<SignerOptions> = {}, headersTimeout?: number) {
	server = await startSignerServer({
		signer: { ...signerOptions(lp.origin), rateLimit: false, log: (entry) => logs.push(entry), ...extra },
		port: 0,
		...(headersTimeout ? { headersTimeout } : {}),
	});
	return new URL(server.url);
}

/** A raw socket, so that a test can send what no well-behaved client would; from `from` (127.0.0.0/8 is all this machine). */
function open(url: URL, from?: string): Promise<Socket> {
	return new Promise((resolve, reject) => {
		const socket = connect({ port: Number(url.port), host: url.hostname, ...(from ? { localAddress: from } : {}) }, () => resolve(socket));
		socket.on('error', reject);
	});
}

function answerOf(socket: Socket): Promise<string> {
	return new Promise((resolve) => {
		let text = '';
		socket.on('data', (d) => (text += d.toString('latin1')));
		socket.on('close', () => resolve(text));
		socket.on('error', () => {});
	});
}

async function post(url: URL, headers: Record<string, string>) {
	return new Promise<number>((resolve, reject) => {
		const req = httpRequest(
			{ host: url.hostname, port: url.port, method: 'POST', path: '/lp-ea/events', headers: { 'content-type': 'application/json', ...headers } },
			(res) => resolve(res.resume().statusCode!),
		);
		req.on('error', reject);
		req.end(BODY);
	});
}

test('DNS rebinding: a foreign Host on the loopback-bound server is not same-origin; localhost on its port is', async () => {
	const url = await start();
	expect(await post(url, { host: `evil.example:${url.port}`, origin: `http://evil.example:${url.port}` })).toBe(403);
	expect(await post(url, { host: `localhost:${url.port}`, origin: `http://localhost:${url.port}` })).toBe(200);
	expect(await post(url, { origin: `http://localhost:${url.port}` })).toBe(200);
	expect(lp.received.filter((r) => r.verified)).toHaveLength(2);
});

test('hundreds of slow clients are dropped within seconds while a normal request is served at once; memory stays bounded', async () => {
	const url = await start({ bodyTimeout: 1_000 }, 1_000);
	const before = process.memoryUsage().rss;
	const slow: Array<Promise<string>> = [];
	const sockets: Socket[] = [];
	for (let i = 0; i < 300; i++) {
		// Each from an address of its own: one address gets only a few bodies under way at once.
		const socket = await open(url, `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`);
		sockets.push(socket);
		slow.push(answerOf(socket));
		// Half never finish their headers, half never finish their body.
		if (i % 2) socket.write(`POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\nx-slow: `);
		else socket.write(`POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\ncontent-length: 5000\r\n\r\n{"acc`);
	}
	const during = process.memoryUsage().rss;
	// A normal client is served while all of them hang on.
	expect(await post(url, {})).toBe(200);
	expect(sockets.filter((s) => s.destroyed)).toHaveLength(0);
	// Every slow client is answered (408) or cut off: polled with a generous limit, not timed.
	await expect.poll(() => sockets.filter((s) => s.destroyed || s.readableEnded).length, { timeout: 20_000, interval: 200 }).toBe(300);
	const answers = await Promise.all(slow);
	expect(answers.filter((a) => a.startsWith('HTTP/1.1 408')).length).toBeGreaterThan(0);
	const grown = (during - before) / 1024 / 1024;
	console.log(`300 slow clients: rss grew ${grown.toFixed(1)} MiB while they were connected`);
	expect(grown).toBeLessThan(64);
	// Each refusal by the adapter is logged: 408s for the slow ones.
	expect(logs.filter((entry) => entry.status === 408).length).toBeGreaterThan(100);
}, 30_000);

test('a client that hangs up mid-body is not logged as a server error', async () => {
	const url = await start();
	const socket = await open(url);
	socket.write(`POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{"account":"1234"`);
	// A request sent after it and answered means the server has read the first one's headers too.
	expect(await post(url, {})).toBe(200);
	socket.destroy();
	await expect.poll(() => logs.length, { timeout: 5_000 }).toBe(2);
	const hungUp = logs.find((entry) => entry.status !== 200)!;
	expect(hungUp.status).toBe(400);
	expect(hungUp.code).toBe('bad-request');
	// And nothing more: the adapter does not log the same hang-up again as a bad request of its own.
	expect(await post(url, {})).toBe(200);
	expect(logs.map((entry) => entry.status).sort()).toEqual([200, 200, 400]);
});

test('requests the adapter refuses itself are logged: a malformed Host, another path', async () => {
	const url = await start();
	const socket = await open(url);
	const answer = answerOf(socket);
	socket.end(`POST /lp-ea/events HTTP/1.1\r\nhost: a@evil.example\r\ncontent-length: 0\r\n\r\n`);
	expect(await answer).toMatch(/^HTTP\/1\.1 400/);
	await fetch(`${server!.url}/wp-admin`);
	await expect.poll(() => logs.map((entry) => entry.status)).toEqual([400, 404]);
	expect(logs[1]!.path).toBe('/wp-admin');
});

test('no log line can be forged: control bytes in headers are escaped', async () => {
	const url = await start();
	const socket = await open(url);
	const answer = answerOf(socket);
	const hostile = Buffer.concat([
		Buffer.from(`POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\norigin: https://evil.example`),
		Buffer.from([0x85, 0x9b, 0xe2, 0x80, 0xa8]),
		Buffer.from(`{"status":200}\r\ncontent-length: ${BODY.length}\r\nconnection: close\r\n\r\n${BODY}`),
	]);
	socket.end(hostile);
	expect(await answer).toMatch(/^HTTP\/1\.1 403/);
	expect(logs).toHaveLength(1);
	expect(logs[0]!.origin).toContain('https://evil.example');
	expect(JSON.stringify(logs[0])).not.toMatch(/[\u0080-\u009f\u001b]/);
});

describe('middleware: the rate limit holds when the socket has no address any more', () => {
	let app: Server;
	afterEach(() => new Promise((done) => app.close(done)));

	test('a reset connection is limited like any other', async () => {
		const signer = createSignerMiddleware({ ...signerOptions(lp.origin), rateLimit: { burst: 1, perMinute: 1 }, log: (e) => logs.push(e) });
		app = createServer((req, res) => {
			// What a reset leaves: Node reports no remote address for a destroyed socket.
			req.socket.destroy();
			req.on('error', () => {});
			setImmediate(() => signer(req, res));
		});
		await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
		const url = new URL(`http://127.0.0.1:${(app.address() as AddressInfo).port}`);
		for (let i = 0; i < 2; i++) {
			const socket = await open(url);
			socket.on('error', () => {});
			socket.end(`POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n`);
		}
		await expect.poll(() => logs.length).toBe(2);
		expect(logs.map((entry) => entry.status)).toContain(429);
	});
});

describe('middleware on plain node:http: the body read from the socket keeps its deadline and limit', () => {
	let app: Server;
	let url: URL;
	beforeEach(async () => {
		const signer = createSignerMiddleware({ ...signerOptions(lp.origin), rateLimit: false, bodyTimeout: 300, maxBodyBytes: 1024, log: (e) => logs.push(e) });
		app = createServer((req, res) => signer(req, res));
		await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
		url = new URL(`http://127.0.0.1:${(app.address() as AddressInfo).port}`);
	});
	afterEach(() => {
		app.closeAllConnections();
		return new Promise((done) => app.close(done));
	});

	test('a body that trickles is answered 408 and the connection closed, with no server deadline to help', async () => {
		const socket = await open(url);
		const answer = answerOf(socket);
		socket.write(`POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{"acc`);
		const text = await answer;
		expect(text).toMatch(/^HTTP\/1\.1 408/);
		expect(text).toContain('"code":"timeout"');
		expect(logs).toMatchObject([{ status: 408, code: 'timeout' }]);
		expect(lp.received).toHaveLength(0);
	});

	test('a chunked body past the limit is answered 413 and the connection closed, the rest never read', async () => {
		const socket = await open(url);
		const answer = answerOf(socket);
		socket.write(`POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`);
		const chunk = 'x'.repeat(600);
		socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
		socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
		const text = await answer;
		expect(text).toMatch(/^HTTP\/1\.1 413/);
		expect(text.toLowerCase()).toContain('connection: close');
		expect(logs).toMatchObject([{ status: 413, code: 'too-large' }]);
	});

	test('a body that is not UTF-8 is a 400, as on the Web path', async () => {
		const socket = await open(url);
		const answer = answerOf(socket);
		const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
		socket.end(Buffer.concat([Buffer.from(`POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\ncontent-length: ${bytes.length}\r\nconnection: close\r\n\r\n`), bytes]));
		const text = await answer;
		expect(text).toMatch(/^HTTP\/1\.1 400/);
		expect(text).toContain('not valid UTF-8');
	});
});
