import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { createSigner } from '../../src/signer/index.js';
import { LEAD, post, signerOptions, VISIT } from '../helpers/signer.js';

const LOOKUP = 'https://api.liveperson.net/api/account/:account/service/smt/baseURI.json';
const EVENTS = 'https://:host/api/account/:account/monitoring/visitors/:visitor/visits/current/events';

let lookups: string[] = [];
let forwards: string[] = [];
let answer: () => Response = () => HttpResponse.json({ service: 'smt', account: '1234', baseURI: 'lo.v.liveperson.net' });

const server = setupServer(
	http.get(LOOKUP, ({ request, params }) => {
		lookups.push(`${params.account} ${new URL(request.url).searchParams.get('version')}`);
		return answer();
	}),
	http.post(EVENTS, ({ request }) => {
		forwards.push(new URL(request.url).host);
		return HttpResponse.json({});
	}),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
	lookups = [];
	forwards = [];
	answer = () => HttpResponse.json({ service: 'smt', account: '1234', baseURI: 'lo.v.liveperson.net' });
});
afterAll(() => server.close());

const options = (extra = {}) => {
	const { domain, ...rest } = signerOptions('unused');
	return { ...rest, rateLimit: false as const, ...extra };
};
const send = (signer: ReturnType<typeof createSigner>, account = '1234') =>
	signer(post({ ...VISIT, account, attributes: [LEAD] }));

test('without LP_DOMAIN the domain is looked up (service smt, version 1.0) and used', async () => {
	const signer = createSigner(options());
	expect((await send(signer)).status).toBe(200);
	expect(lookups).toEqual(['1234 1.0']);
	expect(forwards).toEqual(['lo.v.liveperson.net']);
});

test('the answer is cached per account: one lookup for many requests, concurrent ones included', async () => {
	const signer = createSigner(options());
	await Promise.all([send(signer), send(signer), send(signer)]);
	await send(signer);
	expect(lookups).toEqual(['1234 1.0']);
	await send(signer, '5678');
	expect(lookups).toEqual(['1234 1.0', '5678 1.0']);
	expect(forwards).toHaveLength(5);
});

test('the cache expires after domainTtl', async () => {
	const signer = createSigner(options({ domainTtl: 50 }));
	await send(signer);
	await new Promise((r) => setTimeout(r, 80));
	await send(signer);
	expect(lookups).toHaveLength(2);
});

test('a failed lookup answers 502, is not cached, and the next request tries again', async () => {
	const signer = createSigner(options());
	answer = () => new HttpResponse('down', { status: 503 });
	const failed = await send(signer);
	expect(failed.status).toBe(502);
	expect((await failed.json()).error.code).toBe('bad-gateway');
	expect(forwards).toHaveLength(0);
	expect(lookups).toHaveLength(2); // the Web default's ky tried the idempotent GET once more
	answer = () => HttpResponse.json({ baseURI: 'lo.v.liveperson.net' });
	expect((await send(signer)).status).toBe(200);
	expect(lookups).toHaveLength(3);
});

test('a lookup that fails once is retried once (the Web default, through ky), and the forward goes on', async () => {
	let calls = 0;
	answer = () => (++calls === 1 ? new HttpResponse('busy', { status: 503 }) : HttpResponse.json({ baseURI: 'lo.v.liveperson.net' }));
	expect((await send(createSigner(options()))).status).toBe(200);
	expect(lookups).toHaveLength(2);
	expect(forwards).toHaveLength(1);
});

test.each([
	['a path', 'evil.example/steal'],
	['plain http', 'http://evil.example'],
	['credentials', 'https://user:pw@evil.example'],
	['nothing', ''],
	['a number', 42],
])('a lookup answer with %s is refused with 502, nothing forwarded', async (_name, baseURI) => {
	answer = () => HttpResponse.json({ baseURI });
	const response = await send(createSigner(options()));
	expect(response.status).toBe(502);
	expect(forwards).toHaveLength(0);
});

test('a lookup answer that is not JSON is a 502', async () => {
	answer = () => new HttpResponse('<html>', { status: 200 });
	expect((await send(createSigner(options()))).status).toBe(502);
});

test('LP_DOMAIN set: no lookup at all', async () => {
	const signer = createSigner({ ...options(), domain: 'va.v.liveperson.net' });
	expect((await send(signer)).status).toBe(200);
	expect(lookups).toHaveLength(0);
	expect(forwards).toEqual(['va.v.liveperson.net']);
});
