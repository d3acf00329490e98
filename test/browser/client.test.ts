// @vitest-environment happy-dom
import { delay, HttpResponse } from 'msw';
import { describe, expect, test, vi } from 'vitest';
import { createClient, SERVICE_STATUS } from '../../src/browser/index.js';
import { VISIT_STORAGE_KEY } from '../../src/browser/visit.js';
import { MAX_REQUEST_BYTES } from '../../src/shared/limits.js';
import { giveRequestKeepalive, settle, useSigningEndpoint, VISIT, VISIT_QUERY, visitPage, REQUEST_ID } from '../helpers/page.js';
import { rejection } from '../helpers/rejection.js';

const endpoint = useSigningEndpoint();
giveRequestKeepalive();

/** Resolves to the LpEAError a call rejected with, or fails the test. */

const outboxKeys = () => Object.keys(localStorage).filter((key) => key.startsWith('lp-ea:out:'));

const client = (options = {}) => {
	visitPage(`/landing?${VISIT_QUERY}`);
	return createClient(options);
};

describe('the visit', () => {
	test('is read from the URL and kept in sessionStorage for later pages of the tab', () => {
		visitPage(`/landing?${VISIT_QUERY}&utm=x`);
		expect(createClient().visit).toEqual(VISIT);
		expect(JSON.parse(sessionStorage.getItem(VISIT_STORAGE_KEY)!)).toEqual(VISIT);
		visitPage('/checkout');
		expect(createClient().visit).toEqual(VISIT);
	});

	test('URL values win over stored ones, field by field', () => {
		visitPage(`/a?${VISIT_QUERY}`);
		createClient();
		visitPage('/b?sid=NewSession');
		expect(createClient().visit).toEqual({ ...VISIT, sid: 'NewSession' });
		visitPage('/c');
		expect(createClient().visit?.sid).toBe('NewSession');
	});

	test('parameter names are configurable', () => {
		visitPage('/p?lpAccount=1234&lpVisitor=vis&lpSid=sess&account=9');
		const c = createClient({ params: { account: 'lpAccount', visitor: 'lpVisitor', sid: 'lpSid' } });
		expect(c.visit).toEqual({ account: '1234', visitor: 'vis', sid: 'sess' });
	});

	test('missing, and no Web Tag to give it: visit is null, calls wait their timeout, then reject no-visit naming what is missing; nothing is sent', async () => {
		visitPage('/p?account=1234&visitor=v');
		const c = createClient({ timeout: 300 });
		expect(c.visit).toBeNull();
		const error = await rejection(c.lead({ topic: 'x' }));
		expect(error).toMatchObject({ code: 'no-visit', status: 0 });
		expect(error.message).toContain('"sid"');
		await settle();
		expect(endpoint.sent).toHaveLength(0);
	});

	test.each(['a/b', 'a?b', 'a&b', 'a b', '..', 'a%2Fb', '', 'x'.repeat(129)])(
		'a visitor id %j is refused: it would change the upstream URL',
		async (visitor) => {
			visitPage(`/p?${new URLSearchParams({ ...VISIT, visitor })}`);
			const c = createClient();
			expect(c.visit).toBeNull();
			const error = await rejection(c.service({ status: 'approved' }));
			expect(error.code).toBe('no-visit');
			expect(error.message).toMatch(/visitor/);
			expect(sessionStorage.getItem(VISIT_STORAGE_KEY)).toBeNull();
			await settle();
			expect(endpoint.sent).toHaveLength(0);
		},
	);

	test('a visit given in code is checked like one from the URL', async () => {
		visitPage('/no-query');
		expect(createClient({ visit: VISIT }).visit).toEqual(VISIT);
		const bad = createClient({ visit: { ...VISIT, sid: 'a&b' } });
		expect(bad.visit).toBeNull();
		expect((await rejection(bad.lead())).code).toBe('no-visit');
	});

	test('storage that throws costs only the memory across pages', async () => {
		// happy-dom binds each storage's methods to it on first use: patch and restore the instances.
		const stores = [sessionStorage, localStorage];
		const originals = stores.map((store) => store.setItem);
		for (const store of stores) {
			store.setItem = () => {
				throw new DOMException('full', 'QuotaExceededError');
			};
		}
		try {
			const c = client();
			expect(c.visit).toEqual(VISIT);
			await c.lead({ topic: 'still sent' });
			expect(endpoint.sent).toHaveLength(1);
		} finally {
			stores.forEach((store, index) => (store.setItem = originals[index]!));
		}
	});

	test('garbage in storage is ignored', () => {
		sessionStorage.setItem(VISIT_STORAGE_KEY, '{not json');
		visitPage(`/p?${VISIT_QUERY}`);
		expect(createClient().visit).toEqual(VISIT);
	});
});

describe('building and validating', () => {
	test('lead() builds exactly the API shape', async () => {
		await client().lead({ topic: 'upgrade', value: 200, currency: 'USD', leadId: 'xyz123' });
		expect(endpoint.sent[0]?.body).toEqual({
			id: REQUEST_ID,
			...VISIT,
			attributes: [{ type: 'lead', lead: { topic: 'upgrade', value: 200, currency: 'USD', leadId: 'xyz123' } }],
		});
	});

	test('lead() and lead({}) are a lead without details, as LivePerson takes it: sent, not refused; lead(null) is refused', async () => {
		const c = client();
		await Promise.all([c.lead(), c.lead({}), c.lead(undefined)]);
		expect(endpoint.sent).toHaveLength(1);
		expect(endpoint.sent[0]?.body.attributes).toEqual([
			{ type: 'lead', lead: {} },
			{ type: 'lead', lead: {} },
			{ type: 'lead', lead: {} },
		]);
		const error = await rejection(c.lead(null as never));
		expect(error).toMatchObject({ code: 'invalid', message: 'lead: must be an object (got null); nothing was sent' });
		expect(endpoint.sent).toHaveLength(1);
	});

	test('service() maps every status name to its number', async () => {
		const c = client();
		const names = Object.keys(SERVICE_STATUS) as Array<keyof typeof SERVICE_STATUS>;
		expect(names).toHaveLength(14);
		await Promise.all(names.map((status) => c.service({ topic: 't', status, category: 'c', serviceId: 's' })));
		const statuses = endpoint.sent[0]?.body.attributes.map((a) => (a as { service: { status: number } }).service.status);
		expect(statuses).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
		expect(SERVICE_STATUS['waiting-for-customer-response']).toBe(10);
		expect(SERVICE_STATUS.approved).toBe(2);
	});

	test('service() accepts the numbers 0 and 13 too', async () => {
		const c = client();
		await Promise.all([c.service({ status: 0 }), c.service({ status: 13 })]);
		expect(endpoint.sent[0]?.body.attributes).toEqual([
			{ type: 'service', service: { status: 0 } },
			{ type: 'service', service: { status: 13 } },
		]);
	});

	test('send() takes ready-made attributes', async () => {
		await client().send({ type: 'lead', lead: { topic: 'a' } }, { type: 'service', service: { status: 'pending' } });
		expect(endpoint.sent[0]?.body.attributes).toEqual([
			{ type: 'lead', lead: { topic: 'a' } },
			{ type: 'service', service: { status: 12 } },
		]);
	});

	const invalid: Array<[string, (c: ReturnType<typeof createClient>) => Promise<void>, RegExp]> = [
		['value as a string', (c) => c.lead({ value: '200' as never }), /^lead\.value: /],
		['value NaN', (c) => c.lead({ value: Number.NaN }), /^lead\.value: /],
		['value Infinity', (c) => c.lead({ value: Number.POSITIVE_INFINITY }), /^lead\.value: .*finite/],
		['value negative', (c) => c.lead({ value: -5 }), /^lead\.value: /],
		['currency lower-case', (c) => c.lead({ currency: 'usd' }), /^lead\.currency: .*ISO 4217/],
		['currency of two letters', (c) => c.lead({ currency: 'US' }), /^lead\.currency: /],
		['topic of 60,000 characters', (c) => c.lead({ topic: 'x'.repeat(60_000) }), /^lead\.topic: .*50000/],
		['leadId as a number', (c) => c.lead({ leadId: 12 as never }), /^lead\.leadId: /],
		['lead fields as a string', (c) => c.lead('upgrade' as never), /^lead: /],
		['status 14', (c) => c.service({ status: 14 as never }), /^service\.status: .*0 to 13/],
		['status -1', (c) => c.service({ status: -1 as never }), /^service\.status: /],
		['status 1.5', (c) => c.service({ status: 1.5 as never }), /^service\.status: /],
		["status 'approve'", (c) => c.service({ status: 'approve' as never }), /^service\.status: /],
		["status '2'", (c) => c.service({ status: '2' as never }), /^service\.status: /],
		['category as an object', (c) => c.service({ category: {} as never }), /^service\.category: /],
		['an unknown type', (c) => c.send({ type: 'cartt' } as never), /^attributes\[0\]\.type: must be one of "lead", "service", "cart", .*"searchInfo"; did you mean "cart"\? \(got "cartt"\)/],
		['null', (c) => c.send(null as never), /^attributes\[0\]/],
		['the second of two', (c) => c.send({ type: 'lead', lead: {} }, { type: 'service', service: { status: 99 } } as never), /^attributes\[1\]\.service\.status/],
		['nothing at all', (c) => c.send(), /at least one attribute/],
	];

	test.each(invalid)('%s: rejects invalid naming the field; nothing is sent', async (_name, call, message) => {
		const c = client();
		const error = await rejection(call(c));
		expect(error.code).toBe('invalid');
		expect(error.status).toBe(0);
		expect(error.message).toMatch(message);
		expect(error.message.length).toBeLessThan(300);
		await settle();
		expect(endpoint.sent).toHaveLength(0);
	});

	test('an invalid call does not hold back valid calls made with it', async () => {
		const c = client();
		const results = await Promise.allSettled([c.lead({ topic: 'ok' }), c.lead({ value: -1 }), c.service({ status: 2 })]);
		expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
		expect(endpoint.sent).toHaveLength(1);
		expect(endpoint.sent[0]?.body.attributes).toHaveLength(2);
	});

	test('unknown keys are dropped, not sent', async () => {
		await client().lead({ topic: 't', secretNote: 'x' } as never);
		expect(endpoint.sent[0]?.body.attributes).toEqual([{ type: 'lead', lead: { topic: 't' } }]);
	});
});

describe('batching', () => {
	test('calls in the same task go out in one request, in call order', async () => {
		const c = client();
		await Promise.all([c.lead({ topic: '1' }), c.service({ topic: '2' }), c.send({ type: 'lead', lead: { topic: '3' } }), c.lead({ topic: '4' })]);
		expect(endpoint.sent).toHaveLength(1);
		const topics = endpoint.sent[0]!.body.attributes.map((a) => {
			const attribute = a as { lead?: { topic: string }; service?: { topic: string } };
			return (attribute.lead ?? attribute.service)?.topic;
		});
		expect(topics).toEqual(['1', '2', '3', '4']);
	});

	test('calls in different tasks go out separately', async () => {
		const c = client();
		await c.lead({ topic: '1' });
		await c.lead({ topic: '2' });
		expect(endpoint.sent).toHaveLength(2);
	});

	test('the request is on its way before the task that made the call has ended its microtasks', async () => {
		visitPage('/p');
		const seen: string[] = [];
		const fetch: typeof globalThis.fetch = (input, init) => {
			seen.push('fetch');
			return globalThis.fetch(input, init);
		};
		const tracked = createClient({ visit: VISIT, fetch });
		const call = tracked.lead({ topic: 'x' });
		seen.push('sync end');
		await Promise.resolve();
		await Promise.resolve();
		await Promise.resolve();
		seen.push('microtasks');
		await call;
		expect(seen.indexOf('fetch')).toBeLessThan(seen.indexOf('microtasks'));
		expect(seen[0]).toBe('sync end');
	});

	test('a batch larger than one keepalive request is split, in order, each request under the limit', async () => {
		const c = client();
		const topic = 'y'.repeat(20_000);
		await Promise.all(Array.from({ length: 7 }, (_, i) => c.lead({ topic, leadId: String(i) })));
		expect(endpoint.sent.length).toBeGreaterThanOrEqual(3);
		for (const request of endpoint.sent) expect(request.bytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
		const ids = endpoint.sent.flatMap((r) => r.body.attributes.map((a) => (a as { lead: { leadId: string } }).lead.leadId));
		expect(ids).toEqual(['0', '1', '2', '3', '4', '5', '6']);
	});

	test('more than 50 attributes are split by count', async () => {
		const c = client();
		await c.send(...Array.from({ length: 120 }, () => ({ type: 'lead' as const, lead: {} })));
		expect(endpoint.sent.map((r) => r.body.attributes.length)).toEqual([50, 50, 20]);
	});

	test('one attribute too large for any request rejects too-large and sends nothing', async () => {
		const c = client();
		// 50,000 characters is valid, but in a 3-byte script it is 150 KB.
		const error = await rejection(c.lead({ topic: '語'.repeat(50_000) }));
		expect(error).toMatchObject({ code: 'too-large', status: 0 });
		await settle();
		expect(endpoint.sent).toHaveLength(0);
	});
});

describe('transport', () => {
	const recording = () => {
		const calls: Array<{ keepalive: unknown; request: Request }> = [];
		const fetch: typeof globalThis.fetch = (input, init) => {
			// What the browser would make of the call, whichever form it takes.
			const request = new Request(input, init);
			calls.push({ keepalive: request.keepalive, request });
			return globalThis.fetch(input, init);
		};
		return { calls, fetch };
	};

	test('same-origin: application/json, keepalive, POST to the default endpoint', async () => {
		const { calls, fetch } = recording();
		await client({ fetch }).lead({ topic: 'x' });
		expect(calls[0]?.keepalive).toBe(true);
		expect(calls[0]?.request.method).toBe('POST');
		expect(endpoint.sent[0]).toMatchObject({ url: 'http://localhost:3000/lp-ea/events', contentType: 'application/json' });
	});

	test('cross-origin: text/plain;charset=UTF-8 so that no preflight is needed', async () => {
		const { calls, fetch } = recording();
		await client({ fetch, endpoint: 'https://signer.example/lp-ea/events' }).lead({ topic: 'x' });
		expect(calls[0]?.keepalive).toBe(true);
		expect(endpoint.sent[0]).toMatchObject({ url: 'https://signer.example/lp-ea/events', contentType: 'text/plain;charset=UTF-8' });
	});

	test('with <base href> elsewhere, the endpoint resolves against it but same-origin is the page\'s own', async () => {
		visitPage(`/p?${VISIT_QUERY}`);
		const base = document.createElement('base');
		base.href = 'https://signer.example/';
		document.head.append(base);
		try {
			await createClient({ endpoint: 'lp-ea/events' }).lead();
			await createClient({ endpoint: 'http://localhost:3000/lp-ea/events' }).lead();
		} finally {
			base.remove();
		}
		expect(endpoint.sent.map((r) => `${r.url} ${r.contentType}`)).toEqual([
			'https://signer.example/lp-ea/events text/plain;charset=UTF-8',
			'http://localhost:3000/lp-ea/events application/json',
		]);
	});

	test('a relative endpoint resolves against the page', async () => {
		visitPage(`/deep/page?${VISIT_QUERY}`);
		await createClient({ endpoint: '/custom/endpoint' }).lead();
		expect(endpoint.sent[0]?.url).toBe('http://localhost:3000/custom/endpoint');
	});

	test("keepalive is asked for only while in-flight keepalive bodies fit lp-ea's 32 KiB share of the 64 KiB quota", async () => {
		const { calls, fetch } = recording();
		const c = client({ fetch });
		// Two of these do not fit one 60 KB request, so each goes alone: 31 KB in flight, then 62 KB, over lp-ea's share.
		const topic = 'z'.repeat(31_000);
		await Promise.all(Array.from({ length: 4 }, () => c.lead({ topic })));
		expect(calls.map((call) => call.keepalive)).toEqual([true, false, false, false]);
		// Once they have been answered, the quota is free again.
		await c.lead({ topic });
		expect(calls.at(-1)?.keepalive).toBe(true);
	});

	// Refused for good: rejected at once, removed from the outbox, queued false.
	const final: Array<[number, string]> = [
		[400, 'bad-request'],
		[401, 'unauthorized'],
		[403, 'forbidden'],
		[404, 'not-found'],
		[405, 'bad-request'],
		[413, 'too-large'],
		[415, 'bad-request'],
		[422, 'invalid-account'],
		[418, 'bad-request'],
	];
	// Can succeed later: retried until the call's timeout, then rejected queued true, still kept.
	const retried: Array<[number, string]> = [
		[408, 'bad-request'],
		[429, 'rate-limited'],
		[500, 'server-error'],
		[501, 'server-error'],
		[502, 'bad-gateway'],
		[503, 'server-error'],
		[504, 'timeout'],
		[505, 'server-error'],
		[599, 'server-error'],
	];

	test.each(final)('HTTP %i rejects at once with code %s, status kept, message from the body, not queued', async (status, code) => {
		endpoint.answer(() => HttpResponse.json({ error: { code: 'whatever', message: `signer says ${status}` } }, { status }));
		const error = await rejection(client().lead({ topic: 'x' }));
		expect(error).toMatchObject({ code, status, message: `signer says ${status}`, queued: false });
		expect(endpoint.sent).toHaveLength(1);
		expect(outboxKeys()).toEqual([]);
	});

	test.each(retried)('HTTP %i is retried; by the timeout the call rejects %s, queued, and the request stays in the outbox', async (status, code) => {
		vi.spyOn(Math, 'random').mockReturnValue(0); // backoff 0; after a 429 or 503 the floor, 500 ms
		endpoint.answer(() =>
			HttpResponse.json({ error: { code: 'whatever', message: `signer says ${status}` } }, { status, headers: { 'retry-after': '0' } }),
		);
		const error = await rejection(client({ timeout: 1_200 }).lead({ topic: 'x' }));
		expect(error).toMatchObject({ code, status, queued: true });
		expect(error.message).toMatch(new RegExp(`^signer says ${status}; kept`));
		expect(endpoint.sent.length).toBeGreaterThan(1);
		expect(new Set(endpoint.sent.map((request) => request.body.id)).size).toBe(1);
		expect(outboxKeys()).toEqual([`lp-ea:out:${endpoint.sent[0]!.body.id}`]);
	});

	test('an answer that is not our JSON still rejects with the status code', async () => {
		endpoint.answer(() => new HttpResponse('<html>Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
		const error = await rejection(client({ timeout: 300 }).lead());
		expect(error).toMatchObject({ code: 'bad-gateway', status: 502 });
		expect(error.message).toMatch(/502/);
	});

	test('every call of a failed batch rejects', async () => {
		endpoint.answer(() => HttpResponse.json({ error: { code: 'forbidden', message: 'no' } }, { status: 403 }));
		const c = client();
		const results = await Promise.allSettled([c.lead(), c.service()]);
		expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
	});

	test('no answer in time rejects timeout with status 0', async () => {
		endpoint.answer(async () => {
			await delay(2_000);
			return HttpResponse.json({});
		});
		const started = Date.now();
		const error = await rejection(client({ timeout: 100 }).lead());
		expect(error).toMatchObject({ code: 'timeout', status: 0, queued: true });
		expect(Date.now() - started).toBeLessThan(1_500);
	});

	test('no response at all rejects network with status 0', async () => {
		endpoint.answer(() => HttpResponse.error());
		const error = await rejection(client({ timeout: 300 }).lead());
		expect(error).toMatchObject({ code: 'network', status: 0, queued: true });
		expect(error.message).toContain('http://localhost:3000/lp-ea/events');
	});

	test('debug logs each step; without it the client says nothing', async () => {
		const lines: unknown[][] = [];
		const original = console.log;
		console.log = (...args: unknown[]) => lines.push(args);
		try {
			await client().lead();
			expect(lines).toHaveLength(0);
			await client({ debug: true }).lead();
			const text = lines.map((l) => String(l[0])).join('\n');
			expect(text).toMatch(/\[lp-ea\] visit/);
			expect(text).toMatch(/\[lp-ea\] POST http:\/\/localhost:3000\/lp-ea\/events/);
			expect(text).toMatch(/\[lp-ea\] answer 200/);
		} finally {
			console.log = original;
		}
	});
});
