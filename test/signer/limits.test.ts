/**
 * Limits no single client can exhaust, and refusals a page can read: slow bodies hold no
 * in-flight slot and only a few per address are read at once; the rate limit sees through
 * ports in X-Forwarded-For and limits an IPv6 /48 as well as each /64; every refusal carries
 * CORS headers; a quoted charset is still UTF-8.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import type { LogEntry, SignerOptions } from '../../src/signer/index.js';
import { startSignerServer, type SignerServer } from '../../src/signer/node/index.js';
import { SIGNER_PATHS } from '../helpers/paths.js';
import { LEAD, post, signerOptions, startStandIn, streamingPost, VISIT } from '../helpers/signer.js';

const SHOP = 'https://shop.example';
const BODY = JSON.stringify({ ...VISIT, attributes: [LEAD] });
const lead = (headers: Record<string, string> = {}) => post({ ...VISIT, attributes: [LEAD] }, { headers });

/** Whatever is forwarded, answered 200 at once; or held until `release()` when `hold` is set. */
function upstream({ hold = false } = {}) {
	const held: Array<() => void> = [];
	const fetch = (() =>
		new Promise<Response>((resolve) => {
			const answer = () => resolve(new Response('{}', { status: 200 }));
			if (hold) held.push(answer);
			else answer();
		})) as typeof globalThis.fetch;
	return { fetch, release: () => held.splice(0).forEach((answer) => answer()), held };
}

/** A body that never arrives whole: one byte, then nothing. */
const trickling = () => streamingPost(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{')) }));

describe.each(SIGNER_PATHS)('$name', ({ create }) => {
	describe('slow bodies', () => {
		test('hold no in-flight slot: with maxInFlight 2, five bodies still arriving from one client leave a request from another served at once', async () => {
			const signer = create({ ...signerOptions('lo.v.liveperson.net'), rateLimit: false, maxInFlight: 2, bodyTimeout: 2_000, fetch: upstream().fetch });
			const slow = Array.from({ length: 5 }, () => signer(trickling(), { clientAddress: '203.0.113.5' }));
			const started = Date.now();
			const served = await signer(lead(), { clientAddress: '198.51.100.7' });
			expect(served.status).toBe(200);
			expect(Date.now() - started).toBeLessThan(500);
			// The slow ones end at their deadline, as before.
			expect((await Promise.all(slow)).map((r) => r.status)).toEqual([408, 408, 408, 408, 408]);
		});

		test('past maxBodiesPerClient from one client, 429 with Retry-After and CORS at once; other clients unaffected', async () => {
			const signer = create({
				...signerOptions('lo.v.liveperson.net'),
				allowedOrigins: SHOP,
				rateLimit: false,
				maxBodiesPerClient: 3,
				bodyTimeout: 1_000,
				fetch: upstream().fetch,
			});
			const slow = Array.from({ length: 3 }, () => signer(trickling(), { clientAddress: '2001:db8:1:2::5' }));
			const request = trickling();
			request.headers.set('origin', SHOP);
			// Another host of the same /64 is the same client.
			const refused = await signer(request, { clientAddress: '2001:db8:1:2::6' });
			expect(refused.status).toBe(429);
			expect(refused.headers.get('retry-after')).toBe('1');
			expect(refused.headers.get('access-control-allow-origin')).toBe(SHOP);
			expect((await refused.json()).error).toMatchObject({ code: 'rate-limited', message: expect.stringContaining('still sending their bodies') });
			expect((await signer(lead(), { clientAddress: '2001:db8:1:3::5' })).status).toBe(200);
			await Promise.all(slow);
			// Once they are done, the client may send again.
			expect((await signer(lead(), { clientAddress: '2001:db8:1:2::5' })).status).toBe(200);
		});
	});

	test('the busy 503 (in-flight cap) carries CORS headers and Retry-After, so a page reads server-error, not network', async () => {
		const lp = upstream({ hold: true });
		const signer = create({ ...signerOptions('lo.v.liveperson.net'), allowedOrigins: SHOP, rateLimit: false, maxInFlight: 1, fetch: lp.fetch });
		const first = signer(lead());
		await expect.poll(() => lp.held.length).toBe(1);
		const busy = await signer(lead({ origin: SHOP }));
		expect(busy.status).toBe(503);
		expect(busy.headers.get('retry-after')).toBe('1');
		expect(busy.headers.get('access-control-allow-origin')).toBe(SHOP);
		lp.release();
		expect((await first).status).toBe(200);
	});

	describe('the rate limit', () => {
		const limited = (extra: Partial<SignerOptions> = {}) =>
			create({ ...signerOptions('lo.v.liveperson.net'), rateLimit: { burst: 1, perMinute: 1 }, fetch: upstream().fetch, ...extra });

		test.each([
			['198.51.100.8:52311', '198.51.100.8:52312', '198.51.100.8'],
			['[2001:db8::9]:52311', '[2001:db8::9]:52312', '2001:db8::9'],
			['[::ffff:198.51.100.9]:443', '198.51.100.9:444', '::ffff:198.51.100.9'],
		])('behind a proxy that appends ports (%s): a new port is not a new client', async (first, second, bare) => {
			const signer = limited({ trustProxy: true });
			const from = (address: string) => signer(lead({ 'x-forwarded-for': `203.0.113.250, ${address}` }), { clientAddress: '10.0.0.2' });
			expect((await from(first)).status).toBe(200);
			expect((await from(second)).status).toBe(429);
			expect((await from(bare)).status).toBe(429);
		});

		test('a bare IPv6 address is not taken for one with a port', async () => {
			const signer = limited({ trustProxy: true });
			const from = (address: string) => signer(lead({ 'x-forwarded-for': address }));
			expect((await from('2001:db8:5::1')).status).toBe(200);
			// Its last group looks like a port, but it is another /64.
			expect((await from('2001:db8:6::1')).status).toBe(200);
		});

		test('an IPv6 /48 is limited as a whole too, at 16 times the allowance of one /64', async () => {
			const signer = limited();
			const statuses: number[] = [];
			for (let subnet = 1; subnet <= 17; subnet++) {
				statuses.push((await signer(lead(), { clientAddress: `2001:db8:77:${subnet.toString(16)}::1` })).status);
			}
			expect(statuses).toEqual([...Array(16).fill(200), 429]);
			// Another /48 has its own; IPv4 clients are untouched.
			expect((await signer(lead(), { clientAddress: '2001:db8:78:1::1' })).status).toBe(200);
			expect((await signer(lead(), { clientAddress: '198.51.100.20' })).status).toBe(200);
		});
	});

	describe('content types', () => {
		const signer = create({ ...signerOptions('lo.v.liveperson.net'), rateLimit: false, fetch: upstream().fetch });
		test.each(['application/json; charset="utf-8"', 'text/plain;charset="UTF-8"', 'Application/JSON ; Charset = "utf-8"', 'application/json; foo=bar; charset=utf-8'])(
			'%j is UTF-8 JSON: 200',
			async (type) => {
				expect((await signer(lead({ 'content-type': type }))).status).toBe(200);
			},
		);
		test.each(['application/json; charset="latin1"', 'text/plain; charset=iso-8859-1', 'text/html', 'application/jsonx', ''])('%j: 415', async (type) => {
			expect((await signer(lead({ 'content-type': type }))).status).toBe(415);
		});
	});
});

describe('the Node server over real sockets', () => {
	let lp: LivePersonStandIn;
	let server: SignerServer | undefined;
	let logs: LogEntry[];
	const sockets: Socket[] = [];

	beforeAll(async () => {
		lp = await startStandIn();
	});
	afterAll(() => lp.close());
	beforeEach(() => {
		lp.clear();
		logs = [];
	});
	afterEach(async () => {
		for (const socket of sockets.splice(0)) socket.destroy();
		lp.setFault(undefined);
		await server?.close();
		server = undefined;
	});

	async function start(extra: Partial<SignerOptions> = {}) {
		server = await startSignerServer({
			signer: { ...signerOptions(lp.origin), allowedOrigins: SHOP, rateLimit: false, log: (entry) => logs.push(entry), ...extra },
			port: 0,
		});
		return new URL(server.url);
	}

	/** A raw socket from `from` (127.0.0.0/8 is all this machine): one client address each. */
	function open(url: URL, from = '127.0.0.1'): Promise<Socket> {
		return new Promise((resolve, reject) => {
			const socket = connect({ port: Number(url.port), host: url.hostname, localAddress: from }, () => resolve(socket));
			sockets.push(socket);
			socket.on('error', reject);
		});
	}

	/** What the socket is answered within `ms`, or '' when nothing came. */
	function answerWithin(socket: Socket, ms: number): Promise<string> {
		return new Promise((resolve) => {
			let text = '';
			const timer = setTimeout(() => resolve(text), ms);
			socket.on('data', (d) => {
				text += d.toString('latin1');
				if (text.includes('\r\n\r\n')) {
					clearTimeout(timer);
					resolve(text);
				}
			});
			socket.on('close', () => {
				clearTimeout(timer);
				resolve(text);
			});
		});
	}

	/** A body announced whole and sent one byte of: it will not arrive within the test. */
	async function slowBody(url: URL, from: string, headers = '') {
		const socket = await open(url, from);
		socket.write(`POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\n${headers}content-length: ${BODY.length}\r\n\r\n{`);
		return socket;
	}

	/** A whole request, timed: its status line and how long it took. */
	async function timed(url: URL, from: string, request: string) {
		const socket = await open(url, from);
		const started = Date.now();
		const answer = answerWithin(socket, 5_000);
		socket.write(request);
		const text = await answer;
		return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), text, ms: Date.now() - started };
	}

	const valid = (url: URL, headers = '') =>
		`POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\n${headers}content-length: ${BODY.length}\r\nconnection: close\r\n\r\n${BODY}`;

	test('LP_MAX_IN_FLIGHT=8: 8 connections sending one body byte each leave a valid request served at once', async () => {
		const url = await start({ maxInFlight: 8 });
		for (let i = 0; i < 8; i++) await slowBody(url, '127.0.0.2');
		// The server has read their headers: a request after them on another socket is answered.
		const served = await timed(url, '127.0.0.3', valid(url));
		expect(served.status).toBe(200);
		expect(served.ms).toBeLessThan(1_000);
		console.log(`maxInFlight 8, 8 slow bodies held: a valid request answered 200 in ${served.ms} ms`);
	});

	test('defaults: 800 slow bodies from one address: 16 are read, the rest refused 429 at once, another address served at once', async () => {
		const url = await start();
		const answers: Array<Promise<string>> = [];
		let slowest = 0;
		for (let i = 0; i < 800; i++) {
			const socket = await open(url, '127.0.0.2');
			const sent = Date.now();
			const answer = answerWithin(socket, 3_000);
			socket.write(`POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\norigin: ${SHOP}\r\ncontent-length: ${BODY.length}\r\n\r\n{`);
			answers.push(answer.then((text) => ((slowest = text ? Math.max(slowest, Date.now() - sent) : slowest), text)));
		}
		const served = await timed(url, '127.0.0.3', valid(url));
		expect(served.status).toBe(200);
		const texts = await Promise.all(answers);
		const refused = texts.filter((t) => t.startsWith('HTTP/1.1 429'));
		expect(texts.filter((t) => t === '')).toHaveLength(16);
		expect(refused).toHaveLength(784);
		expect(refused[0]!.toLowerCase()).toContain(`access-control-allow-origin: ${SHOP}`);
		expect(refused[0]!.toLowerCase()).toContain('retry-after: 1');
		console.log(`800 slow bodies from one address (defaults): 16 held, 784 refused 429, each within ${slowest} ms of its headers; a request from another address answered 200 in ${served.ms} ms`);
	}, 30_000);

	test('every refusal a page can get carries CORS headers for its Origin', async () => {
		const url = await start({ maxInFlight: 1, maxBodyBytes: 4_096, maxBodiesPerClient: 1, bodyTimeout: 500, rateLimit: { burst: 3, perMinute: 1 } });
		const origin = `origin: ${SHOP}\r\n`;
		const seen: Record<string, number> = {};
		const check = async (name: string, from: string, request: string, expected = SHOP) => {
			const { status, text } = await timed(url, from, request);
			seen[name] = status;
			const head = text.slice(0, text.indexOf('\r\n\r\n')).toLowerCase();
			expect(head.split('\r\n'), `${name} (${status}) without CORS headers`).toContain(`access-control-allow-origin: ${expected}`);
		};
		const withBody = (body: string, headers = '') =>
			`POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\n${origin}${headers}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;

		await check('415', '127.0.0.10', withBody(BODY, 'content-type: application/xml\r\n'));
		await check('413', '127.0.0.11', withBody('x'.repeat(5_000), 'content-type: application/json\r\n'));
		await check('400', '127.0.0.12', withBody('{"account":', 'content-type: application/json\r\n'));
		await check('403 account', '127.0.0.13', withBody(JSON.stringify({ ...VISIT, account: '9999', attributes: [LEAD] }), 'content-type: application/json\r\n'));
		await check('405', '127.0.0.14', `GET /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\n${origin}connection: close\r\n\r\n`);
		await check('408', '127.0.0.15', `POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\n${origin}content-type: application/json\r\ncontent-length: 50\r\n\r\n{`);
		await check('431', '127.0.0.16', `POST /lp-ea/events HTTP/1.1\r\nhost: ${url.host}\r\n${origin}cookie: ${'c'.repeat(20_000)}\r\n\r\n`);
		await check('403 origin', '127.0.0.17', withBody(BODY, 'content-type: application/json\r\n').replace(SHOP, 'https://evil.example'), 'https://evil.example');
		// From one address: three requests, then its rate limit.
		for (let i = 0; i < 3; i++) await timed(url, '127.0.0.18', valid(url));
		await check('429 rate', '127.0.0.18', withBody(BODY, 'content-type: application/json\r\n'));
		// One body under way is this address's share.
		await slowBody(url, '127.0.0.19');
		await check('429 bodies', '127.0.0.19', withBody(BODY, 'content-type: application/json\r\n'));
		// One request at LivePerson, which does not answer, holds the only in-flight slot.
		lp.setFault({ hang: true });
		const holder = await open(url, '127.0.0.20');
		holder.write(valid(url));
		// Its body is on loopback in a moment; the stand-in keeps no record of a request it hangs.
		await new Promise((r) => setTimeout(r, 300));
		await check('503 busy', '127.0.0.21', withBody(BODY, 'content-type: application/json\r\n'));

		expect(seen).toEqual({
			'415': 415,
			'413': 413,
			'400': 400,
			'403 account': 403,
			'405': 405,
			'408': 408,
			'431': 431,
			'403 origin': 403,
			'429 rate': 429,
			'429 bodies': 429,
			'503 busy': 503,
		});
		// 431 is logged as what it is, not as a bad body.
		expect(logs).toContainEqual(expect.objectContaining({ status: 431, code: 'headers-too-large' }));
	}, 20_000);
});
