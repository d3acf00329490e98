// @vitest-environment happy-dom
/**
 * Consent (`consent: 'pending'`, `lpEA.consent(granted)`): every transition, through the
 * client's public calls, counting what reached the endpoint and reading both storages.
 */
import { delay, HttpResponse } from 'msw';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createClient, type ClientOptions } from '../../src/browser/index.js';
import { VISIT_STORAGE_KEY } from '../../src/browser/visit.js';
import { outboxKeys, settle, until, useSigningEndpoint, VISIT, VISIT_QUERY, visitPage } from '../helpers/page.js';
import { rejection } from '../helpers/rejection.js';

const endpoint = useSigningEndpoint();
const PREFIX = 'lp-ea:out:';

const client = (options: ClientOptions = {}) => {
	visitPage(`/landing?${VISIT_QUERY}`);
	return createClient(options);
};
const pending = (options: ClientOptions = {}) => client({ consent: 'pending', ...options });

/** A request an earlier page (with consent) left in the outbox. */
function leftBehind(id: string) {
	const body = JSON.stringify({ id, ...VISIT, attributes: [{ type: 'lead', lead: { topic: id } }] });
	localStorage.setItem(PREFIX + id, JSON.stringify({ t: Date.now(), b: body, e: 'http://localhost:3000/lp-ea/events' }));
}

/** Whether a promise has settled yet, without waiting for it. */
async function state(promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
	const marker = Symbol();
	const result = await Promise.race([promise.then(() => 'resolved' as const, () => 'rejected' as const), settle().then(() => marker)]);
	return result === marker ? 'pending' : (result as 'resolved' | 'rejected');
}


const NO_CONSENT = { name: 'LpEAError', code: 'no-consent', status: 0, queued: false };
const topics = () => endpoint.sent.flatMap((request) => request.body.attributes.map((a) => (a as { lead?: { topic?: string } }).lead?.topic));

afterEach(() => vi.restoreAllMocks());

describe('pending', () => {
	test('holds every call in memory: nothing sent, nothing in localStorage or sessionStorage, the visit read from the URL', async () => {
		const lp = pending();
		const calls = [lp.lead({ topic: 'one' }), lp.service({ status: 'resolved' })];
		await settle();
		expect(await state(calls[0]!)).toBe('pending');
		expect(await state(calls[1]!)).toBe('pending');
		expect(endpoint.sent).toHaveLength(0);
		expect(Object.keys(localStorage)).toEqual([]);
		expect(Object.keys(sessionStorage)).toEqual([]);
		expect(lp.visit).toEqual(VISIT);
	});

	test('validates at once: an invalid call rejects without waiting for consent', async () => {
		const error = await rejection(pending().lead({ value: 'much' as never }));
		expect(error.code).toBe('invalid');
	});

	test('does not replay what an earlier page left before consent is given, and does so after', async () => {
		leftBehind('earlier-page-request-01');
		const lp = pending();
		await settle();
		expect(endpoint.sent).toHaveLength(0);
		lp.consent(true);
		await until(() => endpoint.sent.length === 1);
		expect(endpoint.sent[0]!.body.id).toBe('earlier-page-request-01');
	});
});

describe('pending → granted', () => {
	test('the held calls go in one request, in call order, and settle; the visit is kept then; later calls as usual', async () => {
		const lp = pending();
		const held = [lp.lead({ topic: 'first' }), lp.lead({ topic: 'second' })];
		await settle();
		lp.consent(true);
		await expect(Promise.all(held)).resolves.toEqual([undefined, undefined]);
		expect(endpoint.sent).toHaveLength(1);
		expect(topics()).toEqual(['first', 'second']);
		expect(JSON.parse(sessionStorage.getItem(VISIT_STORAGE_KEY)!)).toEqual(VISIT);

		await lp.lead({ topic: 'later' });
		expect(endpoint.sent).toHaveLength(2);
		expect(outboxKeys()).toEqual([]);
	});

	test('a held call waits for the outbox like any other: written before it is sent', async () => {
		const seen: string[][] = [];
		endpoint.answer(() => {
			seen.push(outboxKeys());
			return HttpResponse.json({});
		});
		const lp = pending();
		const call = lp.lead({ topic: 'held' });
		lp.consent(true);
		await call;
		expect(seen).toEqual([[PREFIX + endpoint.sent[0]!.body.id]]);
	});

	test('the timeout counts from consent: a call held longer than it is still sent', async () => {
		const lp = pending({ timeout: 100 });
		const call = lp.lead({ topic: 'patient' });
		await delay(250);
		lp.consent(true);
		await expect(call).resolves.toBeUndefined();
		expect(endpoint.sent).toHaveLength(1);
	});

	test('a repeated consent(true) changes nothing', async () => {
		const lp = pending();
		lp.consent(true);
		lp.consent(true);
		await lp.lead({ topic: 'once' });
		expect(endpoint.sent).toHaveLength(1);
	});
});

describe('pending → denied', () => {
	test('each held call rejects no-consent, status 0, queued false; nothing is sent; the outbox and the visit are cleared', async () => {
		leftBehind('earlier-page-request-02');
		sessionStorage.setItem(VISIT_STORAGE_KEY, JSON.stringify(VISIT));
		localStorage.setItem('brand:own', 'kept');
		const lp = pending();
		const held = [lp.lead({ topic: 'a' }), lp.cart({ total: 1, numItems: 1 })];
		lp.consent(false);
		for (const call of held) expect(await rejection(call)).toMatchObject({ ...NO_CONSENT, message: expect.stringContaining('consent was declined') });
		await settle();
		expect(endpoint.sent).toHaveLength(0);
		expect(outboxKeys()).toEqual([]);
		expect(sessionStorage.getItem(VISIT_STORAGE_KEY)).toBeNull();
		expect(localStorage.getItem('brand:own')).toBe('kept'); // only lp-ea's own keys go
	});

	test('later calls are refused at once, and nothing is stored', async () => {
		const lp = pending();
		lp.consent(false);
		const started = Date.now();
		expect(await rejection(lp.lead({ topic: 'after' }))).toMatchObject(NO_CONSENT);
		expect(await rejection(lp.send({ type: 'searchInfo', keywords: ['x'] }))).toMatchObject(NO_CONSENT);
		expect(Date.now() - started).toBeLessThan(100);
		await settle();
		expect(endpoint.sent).toHaveLength(0);
		expect(outboxKeys()).toEqual([]);
		expect(Object.keys(sessionStorage)).toEqual([]);
	});

	test.each([['true'], [1], [undefined], ['granted']])('only true is consent: consent(%j) declines', async (answer) => {
		const lp = pending();
		const call = lp.lead();
		lp.consent(answer as never);
		expect(await rejection(call)).toMatchObject(NO_CONSENT);
		expect(endpoint.sent).toHaveLength(0);
	});
});

describe('granted → denied', () => {
	test('a request already out may arrive and its call resolves; the outbox is cleared; later calls are refused', async () => {
		endpoint.answer(async () => {
			await delay(150);
			return HttpResponse.json({});
		});
		const lp = pending();
		lp.consent(true);
		const out = lp.lead({ topic: 'in flight' });
		await until(() => endpoint.sent.length === 1);
		expect(outboxKeys()).toHaveLength(1);
		lp.consent(false);
		expect(outboxKeys()).toEqual([]);
		await expect(out).resolves.toBeUndefined(); // it had reached the endpoint
		expect(await rejection(lp.lead({ topic: 'refused' }))).toMatchObject(NO_CONSENT);
		await settle();
		expect(topics()).toEqual(['in flight']);
	});

	test('a request the endpoint failed is not retried once consent is declined: one POST, and the call rejects no-consent', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0); // the shortest backoff
		let answered = 0;
		endpoint.answer(() => {
			answered += 1;
			return HttpResponse.json({ error: { code: 'server-error', message: 'down' } }, { status: 500 });
		});
		const lp = client({ timeout: 2_000 });
		const call = lp.lead({ topic: 'failing' });
		await until(() => answered === 1); // the fault happened
		lp.consent(false);
		expect(await rejection(call)).toMatchObject(NO_CONSENT);
		await delay(600); // past the backoff (250 ms) a retry would have taken
		expect(answered).toBe(1);
		expect(endpoint.sent).toHaveLength(1);
		expect(outboxKeys()).toEqual([]);
	});

	test('without consent: pending, consent(false) still clears lp-ea and refuses later calls', async () => {
		const lp = client();
		await lp.lead({ topic: 'before' });
		expect(sessionStorage.getItem(VISIT_STORAGE_KEY)).not.toBeNull();
		lp.consent(false);
		expect(sessionStorage.getItem(VISIT_STORAGE_KEY)).toBeNull();
		expect(await rejection(lp.lead({ topic: 'after' }))).toMatchObject(NO_CONSENT);
		expect(topics()).toEqual(['before']);
	});
});

describe('denied → granted', () => {
	test('allowed: calls are sent again, and the visit is kept again', async () => {
		const lp = pending();
		const refused = lp.lead({ topic: 'while declined' });
		lp.consent(false);
		expect(await rejection(refused)).toMatchObject(NO_CONSENT);
		lp.consent(true);
		await lp.lead({ topic: 'granted again' });
		expect(topics()).toEqual(['granted again']);
		expect(JSON.parse(sessionStorage.getItem(VISIT_STORAGE_KEY)!)).toEqual(VISIT);
	});

	test('the answer when a held call gets its turn counts: declined then granted in one task sends it', async () => {
		const lp = pending();
		const call = lp.lead({ topic: 'changed its mind' });
		lp.consent(false);
		lp.consent(true);
		await expect(call).resolves.toBeUndefined();
		expect(topics()).toEqual(['changed its mind']);
	});
});

describe('without consent: pending', () => {
	test('as before: sent at once, the visit kept at once, consent(true) changes nothing', async () => {
		const lp = client();
		expect(JSON.parse(sessionStorage.getItem(VISIT_STORAGE_KEY)!)).toEqual(VISIT);
		const a = lp.lead({ topic: 'a' });
		const b = lp.lead({ topic: 'b' });
		lp.consent(true);
		await Promise.all([a, b]);
		expect(endpoint.sent).toHaveLength(1);
		expect(topics()).toEqual(['a', 'b']);
	});
});

describe('declined while a call was on its way to the batch (found in review)', () => {
	test('declined in a microtask after the call, in the same task: nothing stored, nothing sent, the call refused no-consent', async () => {
		const lp = client({ timeout: 300 });
		const call = lp.lead({ topic: 'just made' });
		const seen: Array<[string, string]> = [];
		const setItem = vi.spyOn(Storage.prototype, 'setItem').mockImplementation(function (this: Storage, key: string, value: string) {
			seen.push([key, value]);
		});
		void Promise.resolve().then(() => lp.consent(false));
		expect(await rejection(call)).toMatchObject(NO_CONSENT);
		setItem.mockRestore();
		expect(seen.filter(([key]) => key.startsWith(PREFIX))).toEqual([]);
		expect(outboxKeys()).toEqual([]);
		expect(endpoint.sent).toHaveLength(0);
	});

	test('declined while the call waited for the Web Tag, which comes after: nothing stored, nothing sent', async () => {
		visitPage('/no-visit-in-the-url');
		sessionStorage.clear();
		const lp = createClient({ timeout: 600 });
		const call = lp.lead({ topic: 'waiting for lpTag' });
		await settle();
		lp.consent(false);
		(globalThis as { lpTag?: unknown }).lpTag = {
			site: VISIT.account,
			taglets: { lp_monitoringSDK: { getVid: () => VISIT.visitor, getSid: () => VISIT.sid } },
		};
		try {
			expect(await rejection(call)).toMatchObject(NO_CONSENT);
			expect(outboxKeys()).toEqual([]);
			expect(endpoint.sent).toHaveLength(0);
		} finally {
			delete (globalThis as { lpTag?: unknown }).lpTag;
		}
	});

	test('any consent value holds the calls, not only "pending" (a typo must not send without consent)', async () => {
		const lp = client({ consent: 'Pending' as never });
		const call = lp.lead({ topic: 'held' });
		await settle();
		expect(await state(call)).toBe('pending');
		expect(endpoint.sent).toHaveLength(0);
		expect(Object.keys(localStorage)).toEqual([]);
		lp.consent(true);
		await expect(call).resolves.toBeUndefined();
	});
});
