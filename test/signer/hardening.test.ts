/**
 * Findings of a hostile-client review, one test (or a few) each. Each failed on the signer
 * as it was before the review; see the report in the commit that added this file.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createSigner, type LogEntry, type SignerHandler } from '../../src/signer/index.js';
import { SIGNER_PATHS } from '../helpers/paths.js';
import { LEAD, post, signerOptions, streamingPost, VISIT } from '../helpers/signer.js';

const lead = (headers: Record<string, string> = {}, url?: string) => post({ ...VISIT, attributes: [LEAD] }, { headers, ...(url ? { url } : {}) });

/** Whatever the signer forwards, answered 200 at once: so a test sees what would have gone out. */
function recordingFetch() {
	const sent: URL[] = [];
	const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
		const request = input instanceof Request ? input : new Request(input, init);
		sent.push(new URL(request.url));
		return new Response('{}', { status: 200 });
	};
	return { sent, fetch: fetch as typeof globalThis.fetch };
}

/** Settles with the handler's answer, or with 'still waiting' after `ms`: a hang must not hang the test. */
async function within(ms: number, answer: Promise<Response>): Promise<Response | 'still waiting'> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const late = new Promise<'still waiting'>((resolve) => (timer = setTimeout(() => resolve('still waiting'), ms)));
	return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

describe.each(SIGNER_PATHS)('$name', ({ create, node }) => {
	describe('the rate limit never fails open', () => {
		const limited = () => {
			const { fetch } = recordingFetch();
			return create({ ...signerOptions('lo.v.liveperson.net'), rateLimit: { burst: 1, perMinute: 1 }, fetch });
		};

		test('a client whose address is unknown is still limited', async () => {
			const signer = limited();
			expect((await signer(lead())).status).toBe(200);
			expect((await signer(lead())).status).toBe(429);
			expect((await signer(lead(), { clientAddress: undefined })).status).toBe(429);
		});

		test('an IPv4 client is one bucket however the socket spells it', async () => {
			const signer = limited();
			expect((await signer(lead(), { clientAddress: '::ffff:203.0.113.9' })).status).toBe(200);
			expect((await signer(lead(), { clientAddress: '203.0.113.9' })).status).toBe(429);
			expect((await signer(lead(), { clientAddress: '::FFFF:203.0.113.9' })).status).toBe(429);
		});

		test('an IPv6 client is its /64: rotating the low bits buys no fresh bucket', async () => {
			const signer = limited();
			expect((await signer(lead(), { clientAddress: '2001:db8:aa:bb::1' })).status).toBe(200);
			for (const address of ['2001:db8:aa:bb::2', '2001:0db8:00aa:00bb:ffff:ffff:ffff:ffff', '[2001:db8:aa:bb:1:2:3:4]']) {
				expect((await signer(lead(), { clientAddress: address })).status, address).toBe(429);
			}
			expect((await signer(lead(), { clientAddress: '2001:db8:aa:bc::1' })).status).toBe(200);
		});
	});

	describe('the domain lookup', () => {
		let lookupServer: Server;
		let lookupApi: string;
		let hangBody = true;
		let baseURI = 'lo.v.liveperson.net';
		let forwardedTo: string[] = [];
		beforeAll(async () => {
			// Headers at once, then a body that never ends (or ends after the test): a lookup API gone wrong.
			lookupServer = createServer((req, res) => {
				if (req.method === 'POST') {
					forwardedTo.push(req.headers.host!);
					return res.writeHead(200).end('{}');
				}
				res.writeHead(200, { 'content-type': 'application/json' });
				res.write('{"baseURI":');
				if (!hangBody) res.end(`${JSON.stringify(baseURI)}}`);
			});
			await new Promise<void>((resolve) => lookupServer.listen(0, '127.0.0.1', resolve));
			lookupApi = `http://127.0.0.1:${(lookupServer.address() as AddressInfo).port}`;
		});
		afterAll(() => {
			lookupServer.closeAllConnections();
			lookupServer.close();
		});

		test('is bounded as a whole, body included; a request that joins it waits no longer than its own deadline', async () => {
			hangBody = true;
			const signer = create({ ...signerOptions('unused'), domain: undefined, domainApi: lookupApi, timeout: 300, rateLimit: false });
			const first = signer(lead());
			await new Promise((r) => setTimeout(r, 100));
			const joined = signer(lead());
			for (const answer of await Promise.all([within(5_000, first), within(5_000, joined)])) {
				expect(answer).not.toBe('still waiting');
				const response = answer as Response;
				expect(response.status).toBe(504);
				expect((await response.json()).error.code).toBe('timeout');
			}
		});

		test.each(['evil.example', 'https://evil.example', 'evilliveperson.net', 'liveperson.net.evil.example'])(
			'an answer off liveperson.net and off this loopback API (%s) is refused with 502, nothing forwarded',
			async (answer) => {
				hangBody = false;
				baseURI = answer;
				forwardedTo = [];
				const signer = create({ ...signerOptions('unused'), domain: undefined, domainApi: lookupApi, timeout: 2_000, rateLimit: false });
				const response = await signer(lead());
				expect(response.status).toBe(502);
				expect((await response.json()).error.code).toBe('bad-gateway');
				expect(forwardedTo).toEqual([]);
			},
		);

		test('an answer naming this loopback API is used, read whole through this path\'s transport', async () => {
			hangBody = false;
			baseURI = new URL(lookupApi).host;
			forwardedTo = [];
			const signer = create({ ...signerOptions('unused'), domain: undefined, domainApi: lookupApi, timeout: 2_000, rateLimit: false });
			expect((await signer(lead())).status).toBe(200);
			expect(forwardedTo).toEqual([baseURI]);
		});

		test('a transport that ignores its timeout does not hold a request past its deadline', async () => {
			// The Web default's fetch, or the transport itself where the Node adapters replace it.
			const stalled = node
				? { transport: () => new Promise<never>(() => {}) }
				: { fetch: (() => new Promise<Response>(() => {})) as typeof globalThis.fetch };
			const signer = create({ ...signerOptions('unused'), domain: undefined, timeout: 200, rateLimit: false, ...stalled });
			const answer = await within(5_000, signer(lead()));
			expect(answer).not.toBe('still waiting');
			expect((answer as Response).status).toBe(504);
		});
	});

	describe('same origin means scheme and host, http(s) only', () => {
		const { fetch } = recordingFetch();
		const signer = create({ ...signerOptions('lo.v.liveperson.net'), rateLimit: false, fetch });

		test.each(['ftp://brand.example', 'http://brand.example', 'ws://brand.example', 'https://brand.example:8443', 'https://brand.example.evil.com'])(
			'%s is not the https://brand.example endpoint\'s own origin',
			async (origin) => {
				const response = await signer(lead({ origin }));
				expect(response.status).toBe(403);
			},
		);

		test('https://brand.example is', async () => {
			expect((await signer(lead({ origin: 'https://brand.example' }))).status).toBe(200);
			expect((await signer(lead({ origin: 'https://BRAND.example:443' }))).status).toBe(200);
		});

		test('on a loopback address, a foreign name is DNS rebinding, not the same origin; loopback names on its port are', async () => {
			const local = { clientAddress: '127.0.0.1', localAddress: '127.0.0.1' };
			const at = (host: string) => `http://${host}/lp-ea/events`;
			expect((await signer(lead({ origin: 'http://evil.example:8787' }, at('evil.example:8787')), local)).status).toBe(403);
			expect((await signer(lead({ origin: 'http://localhost:8787' }, at('localhost:8787')), local)).status).toBe(200);
			expect((await signer(lead({ origin: 'http://127.0.0.1:8787' }, at('localhost:8787')), local)).status).toBe(200);
			expect((await signer(lead({ origin: 'http://localhost:9999' }, at('localhost:8787')), local)).status).toBe(403);
			// Not on loopback (a public interface): the Host is the site's own name.
			expect((await signer(lead({ origin: 'http://brand.example' }, at('brand.example')), { localAddress: '10.0.0.5' })).status).toBe(200);
		});
	});

	describe('LivePerson is the only host the signer talks to', () => {
		let elsewhere: Server;
		let upstream: Server;
		let reached: string[];
		let status = 307;
		const listen = async (server: Server) => {
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		};
		let upstreamOrigin: string;
		beforeAll(async () => {
			elsewhere = createServer((req, res) => {
				reached.push(`${req.method} ${req.url}`);
				res.writeHead(200).end('{}');
			});
			const target = await listen(elsewhere);
			upstream = createServer((_req, res) => {
				res.writeHead(status, { location: `${target}/stolen`, 'content-type': 'text/plain' });
				res.end('upstream-body-must-not-leak');
			});
			upstreamOrigin = await listen(upstream);
		});
		afterAll(() => {
			for (const server of [elsewhere, upstream]) {
				server.closeAllConnections();
				server.close();
			}
		});

		test.each([301, 302, 303, 307, 308])('a %i from LivePerson is answered 502 and never followed', async (redirect) => {
			status = redirect;
			reached = [];
			const signer = create({ ...signerOptions(upstreamOrigin), rateLimit: false });
			const response = await signer(lead());
			expect(response.status).toBe(502);
			const text = await response.text();
			expect(text).toContain('bad-gateway');
			expect(text).not.toContain('upstream-body-must-not-leak');
			expect(reached).toEqual([]);
		});
	});

	describe('bounded resources', () => {
		test('past maxInFlight requests at once, 503 with Retry-After; then served again', async () => {
			const held: Array<() => void> = [];
			const fetch = (() =>
				new Promise<Response>((resolve) => held.push(() => resolve(new Response('{}', { status: 200 }))))) as typeof globalThis.fetch;
			const signer = create({ ...signerOptions('lo.v.liveperson.net'), rateLimit: false, maxInFlight: 2, fetch });
			const busy = [signer(lead()), signer(lead())];
			await expect.poll(() => held.length).toBe(2);
			const refused = await signer(lead());
			expect(refused.status).toBe(503);
			expect(refused.headers.get('retry-after')).toBe('1');
			expect((await refused.json()).error.code).toBe('server-error');
			for (const release of held) release();
			expect((await Promise.all(busy)).map((r) => r.status)).toEqual([200, 200]);
			const again = signer(lead());
			await expect.poll(() => held.length).toBe(3);
			held[2]!();
			expect((await again).status).toBe(200);
		});

		test('a body that trickles past its deadline is refused with 408', async () => {
			const signer = create({ ...signerOptions('lo.v.liveperson.net'), rateLimit: false, bodyTimeout: 200 });
			let cancelled = false;
			const trickle = new ReadableStream<Uint8Array>({
				start(controller) {
					controller.enqueue(new TextEncoder().encode('{"account":'));
				},
				cancel() {
					cancelled = true;
				},
			});
			const request = streamingPost(trickle);
			const answer = await within(5_000, signer(request));
			expect(answer).not.toBe('still waiting');
			expect((answer as Response).status).toBe(408);
			expect(cancelled).toBe(true);
		});
	});

	describe('logs', () => {
		test('a refused origin is logged, printable: no control character can start a forged line', async () => {
			const logs: LogEntry[] = [];
			const signer: SignerHandler = create({ ...signerOptions('lo.v.liveperson.net'), rateLimit: false, log: (e) => logs.push(e) });
			const hostile = 'https://evil.example\u0085{"status":200}\u001b[2K\u007f';
			await signer(lead({ origin: hostile }));
			expect(logs).toHaveLength(1);
			expect(logs[0]).toMatchObject({ status: 403, code: 'forbidden' });
			expect(logs[0]!.origin).toContain('https://evil.example');
			expect(logs[0]!.origin).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
		});
	});
});

// msw intercepts fetch, not undici's pool: the Node path's lookup is covered above, against a real server.
describe('domain lookup answers, against a mocked LivePerson domain API (Web defaults)', () => {
	const LOOKUP = 'https://api.liveperson.net/api/account/:account/service/smt/baseURI.json';
	let answer: () => Response | Promise<Response> = () => HttpResponse.json({ baseURI: 'lo.v.liveperson.net' });
	const forwarded: string[] = [];
	const server = setupServer(
		http.get(LOOKUP, () => answer()),
		// Anywhere else the signer might be steered to answers 200, so that a forward there would pass unseen.
		http.post(/.*/, ({ request }) => {
			forwarded.push(new URL(request.url).host);
			return HttpResponse.json({});
		}),
	);
	beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
	afterEach(() => {
		forwarded.length = 0;
	});
	afterAll(() => server.close());
	const signer = () => createSigner({ ...signerOptions('unused'), domain: undefined, timeout: 300, rateLimit: false });

	test.each(['evil.example', 'https://evil.example', 'liveperson.net.evil.example', 'evilliveperson.net', '127.0.0.1:8080', 'localhost'])(
		'an answer off liveperson.net (%s) is refused with 502, nothing forwarded',
		async (baseURI) => {
			answer = () => HttpResponse.json({ baseURI });
			const response = await signer()(lead());
			expect(response.status).toBe(502);
			expect(forwarded).toEqual([]);
		},
	);

	test('a LivePerson host is used', async () => {
		answer = () => HttpResponse.json({ baseURI: 'va.v.liveperson.net' });
		expect((await signer()(lead())).status).toBe(200);
		expect(forwarded).toEqual(['va.v.liveperson.net']);
	});

	test('no error message carries the lookup\'s body', async () => {
		answer = () => new HttpResponse('<html>internal-build-host-7 stack trace</html>', { status: 200 });
		const response = await signer()(lead());
		expect(response.status).toBe(502);
		const text = await response.text();
		expect(text).not.toMatch(/internal|html|stack/);
	});

	test('no error message carries the lookup\'s URL', async () => {
		answer = async () => {
			await delay('infinite');
			return HttpResponse.json({});
		};
		const response = await signer()(lead());
		expect(response.status).toBe(504);
		const text = await response.text();
		expect(text).not.toMatch(/api\.liveperson\.net|service\/smt|baseURI\.json|https?:/);
	});
});
