import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import type { LogEntry, SignerHandler } from '../../src/signer/index.js';
import { SIGNER_PATHS } from '../helpers/paths.js';
import { CREDENTIALS, LEAD, post, signerOptions, startStandIn, streamingPost, VISIT } from '../helpers/signer.js';

let lp: LivePersonStandIn;

beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(() => lp.close());
beforeEach(() => lp.clear());

describe.each(SIGNER_PATHS)('$name', ({ create: createSigner }) => {
	let signer: SignerHandler;
	const logs: LogEntry[] = [];
	const answers: string[] = [];

	beforeAll(() => {
	signer = createSigner({
		...signerOptions(lp.origin),
		allowedOrigins: 'https://shop.example, https://other.example',
		timeout: 300,
		rateLimit: false,
		log: (entry) => logs.push(entry),
	});
	});

	async function call(request: Request, handler = signer) {
	const response = await handler(request);
	const text = await response.text();
	answers.push(JSON.stringify([...response.headers]) + text);
	return { response, status: response.status, body: text ? JSON.parse(text) : null };
	}

	describe('forwarding', () => {
	test('a valid envelope is signed, verified by the stand-in, and answered 200 {}', async () => {
		const service = { type: 'service', service: { topic: 'add user', status: 'approved', category: 'account', serviceId: 's12' } };
		const { status, body } = await call(post({ ...VISIT, attributes: [LEAD, service] }));
		expect(status).toBe(200);
		expect(body).toEqual({});
		expect(lp.received).toHaveLength(1);
		expect(lp.received[0]).toMatchObject({
			verified: true,
			status: 200,
			account: '1234',
			visitor: VISIT.visitor,
			sid: VISIT.sid,
			v: '1',
			attributes: [LEAD, { ...service, service: { ...service.service, status: 2 } }],
		});
	});

	test('text/plain;charset=UTF-8 bodies (cross-origin without preflight) are accepted', async () => {
		const { status } = await call(post({ ...VISIT, attributes: [LEAD] }, { headers: { 'content-type': 'text/plain;charset=UTF-8' } }));
		expect(status).toBe(200);
		expect(lp.received).toHaveLength(1);
	});

	test('unknown keys are dropped at every level, never forwarded', async () => {
		const { status } = await call(
			post({ ...VISIT, extra: 'x', attributes: [{ ...LEAD, sneaky: 1, lead: { ...LEAD.lead, injected: '<script>' } }] }),
		);
		expect(status).toBe(200);
		expect(lp.received[0]?.attributes).toEqual([LEAD]);
	});

	test('the API version comes from configuration', async () => {
		const v2 = createSigner({ ...signerOptions(lp.origin), apiVersion: '2', rateLimit: false });
		await call(post({ ...VISIT, attributes: [LEAD] }), v2);
		expect(lp.received[0]).toMatchObject({ v: '2', verified: true });
	});
	});

	describe('no open relay: each refusal answers a clear JSON error and forwards nothing', () => {
	const refusals: Array<[string, () => Request, number, string]> = [
		['an account not served', () => post({ ...VISIT, account: '9999', attributes: [LEAD] }), 403, 'forbidden'],
		['a foreign Origin', () => post({ ...VISIT, attributes: [LEAD] }, { headers: { origin: 'https://evil.example' } }), 403, 'forbidden'],
		['Origin null', () => post({ ...VISIT, attributes: [LEAD] }, { headers: { origin: 'null' } }), 403, 'forbidden'],
		['a body that is not JSON', () => post('{"account":'), 400, 'bad-request'],
		['a JSON array body', () => post([LEAD]), 400, 'bad-request'],
		['a JSON string body', () => post('"hello"'), 400, 'bad-request'],
		['no account', () => post({ visitor: VISIT.visitor, sid: VISIT.sid, attributes: [LEAD] }), 400, 'bad-request'],
		['a numeric visitor', () => post({ ...VISIT, visitor: 42, attributes: [LEAD] }), 400, 'bad-request'],
		...['a/b', 'a?b', 'a&b', 'a%2Fb', '..', 'a..b', 'a b', ' a', '', 'x'.repeat(129), 'é'].map(
			(visitor): [string, () => Request, number, string] => [
				`visitor ${JSON.stringify(visitor.slice(0, 12))}`,
				() => post({ ...VISIT, visitor, attributes: [LEAD] }),
				400,
				'bad-request',
			],
		),
		['a sid with "&"', () => post({ ...VISIT, sid: 'a&v=2', attributes: [LEAD] }), 400, 'bad-request'],
		['no attributes', () => post({ ...VISIT, attributes: [] }), 400, 'bad-request'],
		['attributes not an array', () => post({ ...VISIT, attributes: LEAD }), 400, 'bad-request'],
		['51 attributes', () => post({ ...VISIT, attributes: Array(51).fill(LEAD) }), 400, 'bad-request'],
		['an unknown attribute type', () => post({ ...VISIT, attributes: [{ type: 'cartt' }] }), 400, 'bad-request'],
		['a lead value that is a string', () => post({ ...VISIT, attributes: [{ type: 'lead', lead: { value: '200' } }] }), 400, 'bad-request'],
		['service status 14', () => post({ ...VISIT, attributes: [{ type: 'service', service: { status: 14 } }] }), 400, 'bad-request'],
		['one bad attribute among good ones', () => post({ ...VISIT, attributes: [LEAD, { type: 'lead', lead: { currency: 'usd' } }] }), 400, 'bad-request'],
		['XML', () => post('<a/>', { headers: { 'content-type': 'application/xml' } }), 415, 'unsupported-media-type'],
		['a form body', () => post('a=1', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported-media-type'],
		['a non-UTF-8 charset', () => post({ ...VISIT, attributes: [LEAD] }, { headers: { 'content-type': 'text/plain; charset=latin1' } }), 415, 'unsupported-media-type'],
		['GET', () => new Request('https://brand.example/lp-ea/events'), 405, 'method-not-allowed'],
		['PUT', () => post({ ...VISIT, attributes: [LEAD] }, { method: 'PUT' }), 405, 'method-not-allowed'],
		['a body over the limit', () => post({ ...VISIT, attributes: [{ type: 'lead', lead: { topic: 'x'.repeat(70_000) } }] }), 413, 'too-large'],
	];

	test.each(refusals)('%s → %i %s', async (_name, request, expectedStatus, code) => {
		const sent = request();
		const { status, body, response } = await call(sent);
		expect(status).toBe(expectedStatus);
		expect(body.error.code).toBe(code);
		expect(body.error.message).toMatch(/\w+/);
		expect(response.headers.get('content-type')).toMatch(/^application\/json/);
		// Only a refused Origin gets CORS headers, so that its page reads "forbidden", not "network".
		expect(response.headers.get('access-control-allow-origin')).toBe(sent.headers.get('origin'));
		expect(lp.received).toHaveLength(0);
	});

	test('the message names the field that failed', async () => {
		const { body } = await call(post({ ...VISIT, attributes: [LEAD, { type: 'service', service: { status: 'approve' } }] }));
		expect(body.error.message).toMatch(/^attributes\[1\]\.service\.status: .*\(got "approve"\)$/);
		const visitor = await call(post({ ...VISIT, visitor: 'a/b', attributes: [LEAD] }));
		expect(visitor.body.error.message).toMatch(/^visitor: /);
	});

	test('405 says which methods are allowed', async () => {
		const { response } = await call(new Request('https://brand.example/lp-ea/events', { method: 'DELETE' }));
		expect(response.headers.get('allow')).toBe('POST, OPTIONS');
	});

	test('a body is cut off while streaming, not after buffering it all', async () => {
		let pulled = 0;
		const endless = new ReadableStream<Uint8Array>({
			pull(controller) {
				pulled += 1;
				controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
			},
		});
		const request = streamingPost(endless);
		const { status } = await call(request);
		expect(status).toBe(413);
		expect(pulled).toBeLessThan(10); // 64 KiB limit / 16 KiB chunks, plus the stream's read-ahead
	});

	test('a declared Content-Length over the limit is refused before reading', async () => {
		const request = post({ ...VISIT, attributes: [LEAD] }, { headers: { 'content-length': '9999999' } });
		const { status } = await call(request);
		expect(status).toBe(413);
	});
	});

	describe('origins and CORS', () => {
	test('a listed origin gets CORS headers on success', async () => {
		const { status, response } = await call(post({ ...VISIT, attributes: [LEAD] }, { headers: { origin: 'https://shop.example' } }));
		expect(status).toBe(200);
		expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
		expect(response.headers.get('vary')).toBe('Origin');
	});

	test('a listed origin gets CORS headers on errors too, so the page can read the code', async () => {
		const { status, response } = await call(post({ ...VISIT, account: '9999', attributes: [LEAD] }, { headers: { origin: 'https://shop.example' } }));
		expect(status).toBe(403);
		expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
	});

	test('the endpoint\'s own origin is allowed without CORS headers', async () => {
		const { status, response } = await call(post({ ...VISIT, attributes: [LEAD] }, { headers: { origin: 'https://brand.example' } }));
		expect(status).toBe(200);
		expect(response.headers.get('access-control-allow-origin')).toBeNull();
	});

	test('a host that builds request.url from its own address (next start): the Host header is the own origin', async () => {
		// `next start` hands the route http://localhost:3000/… whatever name the page used.
		const asNext = (origin: string, host = 'shop.brand.example') =>
			post({ ...VISIT, attributes: [LEAD] }, { url: 'http://localhost:3000/lp-ea/events', headers: { origin, host } });
		expect((await call(asNext('http://shop.brand.example'))).status).toBe(200);
		expect((await call(asNext('http://127.0.0.1:3000', '127.0.0.1:3000'))).status).toBe(200);
		expect(lp.received).toHaveLength(2);
		lp.clear();
		for (const [origin, host] of <Array<[string, string]>>[['http://localhost:3000', 'shop.brand.example'], ['https://shop.brand.example', 'shop.brand.example'], ['http://evil.example', 'shop.brand.example']]) {
			expect((await call(asNext(origin, host))).status, `${origin} via Host ${host}`).toBe(403);
		}
		expect(lp.received).toHaveLength(0);
	});

	test('a look-alike of a listed origin is refused', async () => {
		for (const origin of ['https://shop.example.evil.com', 'https://shop.example:444', 'http://shop.example', 'https://brand.example.evil.com']) {
			const { status } = await call(post({ ...VISIT, attributes: [LEAD] }, { headers: { origin } }));
			expect(status, origin).toBe(403);
		}
		expect(lp.received).toHaveLength(0);
	});

	test('preflight: 204 with the allowed method and header for a listed origin, 403 otherwise', async () => {
		const preflight = (origin: string) =>
			new Request('https://brand.example/lp-ea/events', {
				method: 'OPTIONS',
				headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
			});
		const ok = await signer(preflight('https://other.example'));
		expect(ok.status).toBe(204);
		expect(ok.headers.get('access-control-allow-origin')).toBe('https://other.example');
		expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
		expect(ok.headers.get('access-control-allow-headers')).toContain('content-type');
		const refused = await signer(preflight('https://evil.example'));
		expect(refused.status).toBe(403);
		expect(refused.headers.get('access-control-allow-methods')).toBeNull();
	});
	});

	describe('LivePerson answers', () => {
	const cases: Array<[number, number, string]> = [
		[400, 400, 'bad-request'],
		[401, 401, 'unauthorized'],
		[404, 404, 'not-found'],
		[422, 422, 'invalid-account'],
		[429, 429, 'rate-limited'],
		[500, 500, 'server-error'],
		[503, 502, 'bad-gateway'],
		[403, 502, 'bad-gateway'],
		[302, 502, 'bad-gateway'],
	];
	test.each(cases)('LivePerson %i → %i %s, its body never passed on', async (upstream, expected, code) => {
		lp.setFault({ status: upstream });
		const { status, body } = await call(post({ ...VISIT, attributes: [LEAD] }));
		expect(status).toBe(expected);
		expect(body.error.code).toBe(code);
		expect(JSON.stringify(body)).not.toContain('forced by the test');
		expect(JSON.stringify(body)).not.toContain('upstream-body-must-not-leak');
	});

	test('a real 401 from the stand-in: wrong secret, and the answer says to check the key', async () => {
		const wrong = createSigner({ ...signerOptions(lp.origin), consumerSecret: 'not-the-secret', rateLimit: false });
		const { status, body } = await call(post({ ...VISIT, attributes: [LEAD] }), wrong);
		expect(status).toBe(401);
		expect(body.error.code).toBe('unauthorized');
		expect(lp.received[0]).toMatchObject({ verified: false, reason: 'signature does not match' });
	});

	test('a real 422 from the stand-in for an account it does not know', async () => {
		const other = createSigner({ ...signerOptions(lp.origin), accounts: '4321', rateLimit: false });
		const { status } = await call(post({ ...VISIT, account: '4321', attributes: [LEAD] }), other);
		expect(status).toBe(422);
	});

	test('a hung LivePerson answers 504 within the timeout', async () => {
		lp.setFault({ hang: true });
		const started = Date.now();
		const { status, body } = await call(post({ ...VISIT, attributes: [LEAD] }));
		expect(status).toBe(504);
		expect(body.error.code).toBe('timeout');
		expect(Date.now() - started).toBeLessThan(2_000);
	});

	test('a connection reset answers 502', async () => {
		lp.setFault({ reset: true });
		const { status, body } = await call(post({ ...VISIT, attributes: [LEAD] }));
		expect(status).toBe(502);
		expect(body.error.code).toBe('bad-gateway');
	});

	test('a LivePerson that refuses connections answers 502', async () => {
		const closed = createSigner({ ...signerOptions('http://127.0.0.1:1'), rateLimit: false });
		const { status } = await call(post({ ...VISIT, attributes: [LEAD] }), closed);
		expect(status).toBe(502);
	});

	test('a slow LivePerson within the timeout is fine', async () => {
		lp.setFault({ delayMs: 150 });
		const { status } = await call(post({ ...VISIT, attributes: [LEAD] }));
		expect(status).toBe(200);
	});
	});

	describe('rate limit', () => {
	test('a client past its burst gets 429 with Retry-After; another client is unaffected', async () => {
		const limited = createSigner({ ...signerOptions(lp.origin), rateLimit: { burst: 3, perMinute: 6 } });
		const from = (clientAddress: string) => limited(post({ ...VISIT, attributes: [LEAD] }), { clientAddress });
		for (let i = 0; i < 3; i++) expect((await from('10.0.0.1')).status).toBe(200);
		const refused = await from('10.0.0.1');
		expect(refused.status).toBe(429);
		expect((await refused.json()).error.code).toBe('rate-limited');
		expect(Number(refused.headers.get('retry-after'))).toBe(10);
		expect((await from('10.0.0.2')).status).toBe(200);
		expect(lp.received).toHaveLength(4);
	});

	test('X-Forwarded-For is ignored unless trusted, and then its last entry is the client', async () => {
		const untrusted = createSigner({ ...signerOptions(lp.origin), rateLimit: { burst: 1, perMinute: 1 } });
		const spoof = (handler: SignerHandler, xff: string) =>
			handler(post({ ...VISIT, attributes: [LEAD] }, { headers: { 'x-forwarded-for': xff } }), { clientAddress: '10.0.0.9' });
		expect((await spoof(untrusted, '1.1.1.1')).status).toBe(200);
		expect((await spoof(untrusted, '2.2.2.2')).status).toBe(429); // same socket address, spoofing does not help

		const trusted = createSigner({ ...signerOptions(lp.origin), rateLimit: { burst: 1, perMinute: 1 }, trustProxy: true });
		expect((await spoof(trusted, '9.9.9.9, 1.1.1.1')).status).toBe(200);
		expect((await spoof(trusted, '8.8.8.8, 1.1.1.1')).status).toBe(429); // a forged first entry does not help either
		expect((await spoof(trusted, '9.9.9.9, 2.2.2.2')).status).toBe(200);
	});
	});

	describe('secrets', () => {
	test('no response and no log entry holds a secret, an Authorization header, the raw sid or visitor', () => {
		expect(answers.length).toBeGreaterThan(40);
		const everything = answers.join('\n') + JSON.stringify(logs);
		for (const secret of [CREDENTIALS.consumerSecret, CREDENTIALS.tokenSecret, 'not-the-secret', 'oauth_signature', 'OAuth ']) {
			expect(everything).not.toContain(secret);
		}
		const logText = JSON.stringify(logs);
		expect(logText).not.toContain(VISIT.sid);
		expect(logText).not.toContain(VISIT.visitor);
	});

	test('one log entry per request: status, latency, account, a short visitor hash', () => {
		const ok = logs.find((entry) => entry.status === 200);
		expect(ok).toMatchObject({ status: 200, account: '1234' });
			// The same hash on every path (Web Crypto's or node:crypto's), so that logs of both read alike.
			expect(ok?.visitor).toBe(createHash('sha256').update(VISIT.visitor).digest('hex').slice(0, 16));
		expect(ok?.ms).toBeGreaterThanOrEqual(0);
		const refused = logs.find((entry) => entry.status === 415);
		expect(refused?.code).toBe('unsupported-media-type');
	});
	});
});
