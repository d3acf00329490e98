// @vitest-environment happy-dom
/**
 * The delivery rules of a page that must stay quiet: ky's retry as lp-ea configures it, the
 * hand-over of requests when a page goes, bounded replays behind the page's own calls, bursts
 * that coalesce while the endpoint pushes back, word from another tab, and an outbox that
 * stays cheap and honest. Each test counts the POSTs it cost, not only the outcome.
 */
import { delay, HttpResponse } from 'msw';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { BACKOFF_CAP, BACKOFF_FLOOR, backoff, PUSHBACK_SPREAD } from '../../src/browser/backoff.js';
import { MAX_REPLAYS } from '../../src/browser/delivery.js';
import { createClient, LpEAError } from '../../src/browser/index.js';
import { createOutbox, MAX_OUTBOX_SIZE } from '../../src/browser/outbox.js';
import { outboxKeys, settle, until, useSigningEndpoint, VISIT, VISIT_QUERY, visitPage } from '../helpers/page.js';

const endpoint = useSigningEndpoint();
const PREFIX = 'lp-ea:out:';
const entryOf = (key: string) => JSON.parse(localStorage.getItem(key)!) as { b: string; o?: string; u?: number; t: number };
const client = (options = {}) => {
	visitPage(`/landing?${VISIT_QUERY}`);
	return createClient(options);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const failing = (status: number, headers: Record<string, string> = {}) =>
	HttpResponse.json({ error: { code: 'x', message: `down ${status}` } }, { status, headers });
/** A request as an earlier page left it in the outbox. */
function leftBehind(id: string, fields: { t?: number; o?: string; u?: number } = {}) {
	const body = JSON.stringify({ id, ...VISIT, attributes: [{ type: 'lead', lead: { topic: id } }] });
	localStorage.setItem(PREFIX + id, JSON.stringify({ t: Date.now(), b: body, e: 'http://localhost:3000/lp-ea/events', ...fields }));
}
/** Each POST's time, as the endpoint saw it. */
function stamped() {
	const times: number[] = [];
	const push = endpoint.sent.push.bind(endpoint.sent);
	endpoint.sent.push = (...items) => (times.push(Date.now()), push(...items));
	return times;
}
/** A fetch that records whether each POST asked for keepalive. */
function recordingKeepalive() {
	const keepalive: Array<{ id: string; keepalive: boolean }> = [];
	const fetch: typeof globalThis.fetch = (input, init) => {
		keepalive.push({ id: (JSON.parse(String(init?.body)) as { id: string }).id, keepalive: !!init?.keepalive });
		return globalThis.fetch(input, init);
	};
	return { keepalive, fetch };
}
function setHidden(hidden: boolean) {
	Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
}

afterEach(() => {
	vi.restoreAllMocks();
	vi.useRealTimers();
	setHidden(false);
});

describe("ky's retry, as lp-ea configures it", () => {
	test('backoff: full jitter up to an exponential bound, never under the floor, never over the cap', () => {
		expect(backoff(0, () => 0)).toBe(BACKOFF_FLOOR);
		expect(backoff(0, () => 0.999)).toBe(999);
		expect(backoff(3, () => 0.5)).toBe(4_000);
		expect(backoff(30, () => 0.999)).toBe(Math.floor(0.999 * BACKOFF_CAP));
		for (let attempt = 0; attempt < 40; attempt++) {
			const wait = backoff(attempt);
			expect(wait).toBeGreaterThanOrEqual(BACKOFF_FLOOR);
			expect(wait).toBeLessThan(BACKOFF_CAP);
		}
	});

	test('Retry-After in seconds is waited out, with a spread on top', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0.999);
		let answers = 0;
		const times = stamped();
		endpoint.answer(() => (++answers === 1 ? failing(429, { 'retry-after': '1' }) : HttpResponse.json({})));
		await client({ timeout: 5_000 }).lead();
		expect(times).toHaveLength(2);
		// 1 s asked, plus between half and one and a half times the spread (here, the most).
		expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1_000 + 1.49 * PUSHBACK_SPREAD - 20);
	});

	test('Retry-After as an HTTP date is waited out', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		let answers = 0;
		const times = stamped();
		endpoint.answer(() => (++answers === 1 ? failing(503, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() }) : HttpResponse.json({})));
		await client({ timeout: 6_000 }).lead();
		expect(times).toHaveLength(2);
		expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1_000 + 0.5 * PUSHBACK_SPREAD);
	});

	// A proxy, CDN or WAF sends such things; today's code retried at once, about 200 POSTs a second.
	test.each(['0', '-1', 'Sat, 01 Jan 2000 00:00:00 GMT'])('a hostile Retry-After: %s cannot make a loop', async (header) => {
		vi.spyOn(Math, 'random').mockReturnValue(0); // the shortest waits there are
		endpoint.answer(() => failing(429, { 'retry-after': header }));
		const error = (await client({ timeout: 1_600 }).lead().catch((e) => e)) as LpEAError;
		expect(error).toMatchObject({ code: 'rate-limited', queued: true });
		// At least half the spread between POSTs: at most 1 + 1,600 / 500.
		expect(endpoint.sent.length).toBeGreaterThan(1);
		expect(endpoint.sent.length).toBeLessThanOrEqual(4);
	});

	test.each(['3000000', 'Fri, 01 Jan 2100 00:00:00 GMT'])('a hostile Retry-After: %s waits a minute at most, and never fires at once', async (header) => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		let answers = 0;
		endpoint.answer(() => (++answers === 1 ? failing(503, { 'retry-after': header }) : HttpResponse.json({})));
		vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
		const call = client({ timeout: 120_000 }).lead();
		await until(() => endpoint.sent.length === 1);
		await vi.advanceTimersByTimeAsync(5_000);
		expect(endpoint.sent).toHaveLength(1); // a delay past 2^31 - 1 ms would have fired at once
		await vi.advanceTimersByTimeAsync(60_000 + PUSHBACK_SPREAD);
		await until(() => endpoint.sent.length === 2);
		await call;
	});

	test('a timeout is retried: the call rejects timeout, queued, and the next attempt delivers it', async () => {
		let answers = 0;
		endpoint.answer(async () => {
			if (++answers === 1) await delay(2_000);
			return HttpResponse.json({});
		});
		const error = (await client({ timeout: 300 }).lead().catch((e) => e)) as LpEAError;
		expect(error).toMatchObject({ code: 'timeout', status: 0, queued: true });
		await until(() => outboxKeys().length === 0);
		expect(endpoint.sent).toHaveLength(2);
		expect(endpoint.sent[1]!.body.id).toBe(endpoint.sent[0]!.body.id);
	});

	test('retries stop when another tab has taken the request over', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		endpoint.answer(() => failing(503, { 'retry-after': '1' }));
		void client({ timeout: 5_000 }).lead().catch(() => {});
		await until(() => endpoint.sent.length === 1);
		const [key] = outboxKeys();
		localStorage.setItem(key!, JSON.stringify({ ...entryOf(key!), o: 'another-tab', u: Date.now() + 20_000 }));
		await sleep(2_500);
		expect(endpoint.sent).toHaveLength(1);
	});

	test('retries stop when the page goes away (pagehide); the request is left for the next page', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0.999);
		endpoint.answer(() => failing(500));
		void client({ timeout: 5_000 }).lead().catch(() => {});
		await until(() => endpoint.sent.length === 1);
		dispatchEvent(new Event('pagehide'));
		await sleep(1_500); // the backoff drew 999 ms
		expect(endpoint.sent).toHaveLength(1);
		expect(outboxKeys()).toHaveLength(1);
		dispatchEvent(new Event('pageshow')); // back from the back/forward cache: this page may send again
		endpoint.answer(() => HttpResponse.json({}));
		await until(() => outboxKeys().length === 0);
		expect(endpoint.sent).toHaveLength(2);
	});
});

describe('the hand-over when a page goes', () => {
	test('a keepalive POST still out keeps its lease for its timeout; the next page sends it only after, once', async () => {
		let answers = 0;
		const times = stamped();
		endpoint.answer(async () => {
			if (++answers === 1) await delay('infinite'); // the answer never comes back to this page
			return HttpResponse.json({});
		});
		const { keepalive, fetch } = recordingKeepalive();
		void client({ timeout: 1_000, fetch }).lead().catch(() => {});
		await until(() => endpoint.sent.length === 1);
		expect(keepalive).toEqual([{ id: endpoint.sent[0]!.body.id, keepalive: true }]);
		dispatchEvent(new Event('pagehide'));
		const [key] = outboxKeys();
		expect(entryOf(key!).u).toBeGreaterThanOrEqual(times[0]! + 1_000 - 50);
		// The next page: the request is still another page's to answer.
		client({ timeout: 1_000 });
		await sleep(300);
		expect(endpoint.sent).toHaveLength(1);
		await until(() => outboxKeys().length === 0, 3_000);
		expect(endpoint.sent).toHaveLength(2);
		expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
	});

	test('a request waiting for its retry is handed over at once', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0.999);
		endpoint.answer(() => failing(502));
		await client({ timeout: 200 }).lead().catch(() => {});
		dispatchEvent(new Event('pagehide'));
		endpoint.answer(() => HttpResponse.json({}));
		const started = Date.now();
		client();
		await until(() => outboxKeys().length === 0);
		expect(Date.now() - started).toBeLessThan(500);
		expect(endpoint.sent).toHaveLength(2);
	});
});

describe('replays: after the page\'s own calls, a few at a time, and never from a hidden page', () => {
	test("a backlog of 10: the fresh call goes at once with keepalive, replays without, at most two at a time", async () => {
		const backlog = Array.from({ length: 10 }, (_, i) => `backlog-request-${String(i).padStart(2, '0')}`);
		for (const [i, id] of backlog.entries()) leftBehind(id, { t: Date.now() - 1_000 + i });
		let inFlight = 0;
		let most = 0;
		endpoint.answer(async () => {
			most = Math.max(most, ++inFlight);
			await delay(100);
			inFlight -= 1;
			return HttpResponse.json({});
		});
		const { keepalive, fetch } = recordingKeepalive();
		await client({ fetch }).lead({ topic: 'fresh' });
		const fresh = keepalive.find((post) => !backlog.includes(post.id))!;
		expect(fresh.keepalive).toBe(true);
		// Ahead of the backlog: only the replays that had started before it (two at most) came first.
		expect(keepalive.indexOf(fresh)).toBeLessThanOrEqual(MAX_REPLAYS);
		await until(() => outboxKeys().length === 0);
		expect(keepalive.filter((post) => backlog.includes(post.id)).map((post) => post.keepalive)).toEqual(backlog.map(() => false));
		expect(endpoint.sent).toHaveLength(11); // one POST each
		expect(most).toBeLessThanOrEqual(MAX_REPLAYS + 1);
	});

	test('a hidden page starts no replay; shown, it does', async () => {
		leftBehind('left-while-hidden-0001');
		setHidden(true);
		client();
		await settle();
		await settle();
		expect(endpoint.sent).toHaveLength(0);
		setHidden(false);
		document.dispatchEvent(new Event('visibilitychange'));
		await until(() => outboxKeys().length === 0);
		expect(endpoint.sent.map((s) => s.body.id)).toEqual(['left-while-hidden-0001']);
	});

	test('a lease that ends further away than any lease can (the clock went back) is treated as expired', async () => {
		leftBehind('leased-before-clock-change', { o: 'a-dead-tab', u: Date.now() + 3_600_000 });
		client();
		await until(() => outboxKeys().length === 0, 2_000);
		expect(endpoint.sent.map((s) => s.body.id)).toEqual(['leased-before-clock-change']);
	});
});

describe('bursts coalesce while the endpoint pushes back', () => {
	test('calls of later tasks join one held request, in call order, which goes when the wait ends', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		let answers = 0;
		endpoint.answer(() => (++answers === 1 ? failing(429, { 'retry-after': '1' }) : HttpResponse.json({})));
		const c = client({ timeout: 8_000 });
		const calls = [c.lead({ leadId: 'first' })];
		await until(() => endpoint.sent.length === 1);
		await settle();
		for (let i = 0; i < 5; i++) {
			calls.push(c.lead({ leadId: `later-${i}` }));
			await settle(); // each call in a task of its own
		}
		expect(outboxKeys()).toHaveLength(2); // the request that got the 429, and one held for the five
		await Promise.all(calls);
		expect(endpoint.sent).toHaveLength(3);
		const held = endpoint.sent.find((s) => s.body.attributes.length > 1)!;
		expect(held.body.attributes).toEqual(Array.from({ length: 5 }, (_, i) => ({ type: 'lead', lead: { leadId: `later-${i}` } })));
	});

	test('never into a request that got no answer (it may have been forwarded): without pushback, each call is its own request', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		let answers = 0;
		endpoint.answer(() => (++answers === 1 ? HttpResponse.error() : HttpResponse.json({})));
		const c = client({ timeout: 5_000 });
		const calls = [c.lead({ leadId: 'first' })];
		await until(() => endpoint.sent.length === 1);
		calls.push(c.lead({ leadId: 'second' }));
		await Promise.all(calls);
		expect(endpoint.sent.every((s) => s.body.attributes.length === 1)).toBe(true);
		expect(new Set(endpoint.sent.map((s) => s.body.id)).size).toBe(2);
	});
});

describe('a call learns what another tab did', () => {
	test("tab B delivers what hidden tab A made: A's call resolves, not queued false", async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		let answers = 0;
		endpoint.answer(() => (++answers === 1 ? failing(503, { 'retry-after': '1' }) : HttpResponse.json({})));
		const byTab: string[] = [];
		const tab = (name: string): typeof globalThis.fetch => (input, init) => (byTab.push(name), globalThis.fetch(input, init));
		const call = client({ timeout: 5_000, fetch: tab('A') }).lead({ leadId: 'made-by-a' });
		await until(() => endpoint.sent.length === 1);
		setHidden(true);
		document.dispatchEvent(new Event('visibilitychange')); // A hands it over
		setHidden(false);
		client({ timeout: 5_000, fetch: tab('B') }); // tab B, shown: takes it over at once
		await call;
		expect(byTab).toEqual(['A', 'B']); // B delivered it, and A heard
		expect(outboxKeys()).toEqual([]);
	});

	test("refused for good by the tab that took it over: A's call rejects with that refusal", async () => {
		let answers = 0;
		endpoint.answer(() => (++answers === 1 ? failing(503, { 'retry-after': '1' }) : failing(403)));
		const byTab: string[] = [];
		const tab = (name: string): typeof globalThis.fetch => (input, init) => (byTab.push(name), globalThis.fetch(input, init));
		const call = client({ timeout: 5_000, fetch: tab('A') }).lead({ leadId: 'refused-in-b' });
		await until(() => endpoint.sent.length === 1);
		setHidden(true);
		document.dispatchEvent(new Event('visibilitychange'));
		setHidden(false);
		client({ timeout: 5_000, fetch: tab('B') });
		expect(await call.catch((e) => e)).toMatchObject({ name: 'LpEAError', code: 'forbidden', status: 403, queued: false });
		expect(byTab).toEqual(['A', 'B']);
	});
});

describe('the outbox stays cheap and honest', () => {
	test('10,000 calls in one task: each write parses no other entry (an index in memory)', async () => {
		const c = client({ timeout: 30_000 });
		const parses = vi.spyOn(JSON, 'parse');
		const started = performance.now();
		const calls: Array<Promise<unknown>> = [];
		for (let i = 0; i < 10_000; i++) calls.push(c.lead({ leadId: `burst-${i}` }).catch(() => {}));
		await Promise.resolve(); // the batch's flush: 200 requests written
		const blocked = performance.now() - started;
		const parsed = parses.mock.calls.length;
		console.log(`10,000 lead() calls in one task: ${Math.round(blocked)} ms, ${parsed} JSON.parse calls`);
		// Before the index, every write read the whole outbox back: 30,400 parses here.
		expect(parsed).toBeLessThan(2_000);
		await Promise.all(calls); // nothing of this test still in flight when the next one starts
	});

	test('the size bound counts what is stored: three 58 KB bodies full of quotes stay within it', () => {
		const outbox = createOutbox(60_000, () => {});
		const quotes = JSON.stringify({ attributes: [{ type: 'lead', lead: { topic: '"'.repeat(29_000) } }] });
		for (let i = 0; i < 3; i++) outbox.put({ id: `quoted-${i}`, t: Date.now() + i, b: quotes, e: 'x' });
		const stored = outboxKeys().reduce((sum, key) => sum + key.length + localStorage.getItem(key)!.length, 0);
		expect(quotes.length).toBeGreaterThan(58_000);
		expect(stored).toBeLessThanOrEqual(MAX_OUTBOX_SIZE);
		expect(outboxKeys().length).toBeLessThan(3);
	});
});

/** A response whose body starts but never ends. */
const neverEnding = () =>
	new HttpResponse(new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode('{')) }), { status: 200 });

describe('what a hostile review of this delivery found', () => {
	test('a call made in a pagehide handler after lp-ea\'s own goes at once, by keepalive, leased only for its timeout', async () => {
		const { keepalive, fetch } = recordingKeepalive();
		const c = client({ timeout: 1_000, fetch });
		addEventListener('pagehide', () => void c.lead({ leadId: 'on-pagehide' }).catch(() => {}), { once: true });
		dispatchEvent(new Event('pagehide'));
		await until(() => endpoint.sent.length === 1);
		expect(keepalive.map((post) => post.keepalive)).toEqual([true]);
		expect(endpoint.sent[0]!.body.attributes).toEqual([{ type: 'lead', lead: { leadId: 'on-pagehide' } }]);
	});

	test('back from the back/forward cache, the page delivers its own request and its call resolves', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		let answers = 0;
		endpoint.answer(() => (++answers === 1 ? failing(503, { 'retry-after': '1' }) : HttpResponse.json({})));
		const call = client({ timeout: 5_000 }).lead({ leadId: 'bfcache' });
		await until(() => endpoint.sent.length === 1);
		dispatchEvent(new Event('pagehide'));
		await sleep(1_700); // the retry's wait ends while the page is in the cache: no retry from there
		expect(endpoint.sent).toHaveLength(1);
		dispatchEvent(new Event('pageshow'));
		await call;
		expect(endpoint.sent).toHaveLength(2);
	});

	test('timeouts back off: an endpoint that never answers gets a few POSTs, not one per timeout', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0.999);
		endpoint.answer(async () => {
			await delay('infinite');
			return HttpResponse.json({});
		});
		void client({ timeout: 200 }).lead().catch(() => {});
		await sleep(3_000);
		// 200 ms, then 999 ms of backoff, 200 ms, then 1,998 ms: three POSTs at most in 3 s (before: 15).
		expect(endpoint.sent.length).toBeGreaterThanOrEqual(2);
		expect(endpoint.sent.length).toBeLessThanOrEqual(3);
	});

	test('a 200 whose body never ends times out, is retried, and gives its keepalive share back', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		let hanging = true;
		endpoint.answer(() => (hanging ? neverEnding() : HttpResponse.json({})));
		const { keepalive, fetch } = recordingKeepalive();
		const c = client({ timeout: 300, fetch });
		const calls = Array.from({ length: 9 }, async (_, i) => {
			await sleep(i * 5); // nine requests, nine keepalive slots
			return c.lead({ leadId: `hung-${i}` }).catch((e: LpEAError) => e.code);
		});
		expect(await Promise.all(calls)).toEqual(Array.from({ length: 9 }, () => 'timeout'));
		hanging = false;
		await until(() => outboxKeys().length === 0);
		await c.lead({ leadId: 'after' });
		expect(keepalive.at(-1)).toMatchObject({ keepalive: true });
	});

	test('a request waiting to retry holds no keepalive share: the next fresh call still gets keepalive', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0.999);
		let failing502 = true;
		endpoint.answer(() => (failing502 ? failing(502) : HttpResponse.json({})));
		const { keepalive, fetch } = recordingKeepalive();
		const c = client({ timeout: 5_000, fetch });
		for (let i = 0; i < 9; i++) {
			void c.lead({ leadId: `waiting-${i}` }).catch(() => {});
			await settle();
		}
		await until(() => endpoint.sent.length >= 9);
		failing502 = false;
		await c.lead({ leadId: 'submit' });
		expect(keepalive.find((post) => JSON.stringify(endpoint.sent.find((s) => s.body.id === post.id)?.body).includes('submit'))?.keepalive).toBe(true);
	});

	test('a call held while the endpoint pushes back rejects with the pushback by its timeout, queued', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		endpoint.answer(() => failing(429, { 'retry-after': '30' }));
		const c = client({ timeout: 600 });
		void c.lead({ leadId: 'pushed-back' }).catch(() => {});
		await until(() => endpoint.sent.length === 1);
		await settle();
		expect(await c.lead({ leadId: 'held' }).catch((e) => e)).toMatchObject({ code: 'rate-limited', status: 429, queued: true });
	});

	test('a hidden page holds nothing back, and never adds to a request it has handed over', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		endpoint.answer(() => failing(429, { 'retry-after': '2' }));
		const c = client({ timeout: 3_000 });
		void c.lead({ leadId: 'first' }).catch(() => {});
		await until(() => endpoint.sent.length === 1);
		await settle();
		void c.lead({ leadId: 'held' }).catch(() => {}); // held: the endpoint pushes back
		await settle();
		expect(endpoint.sent).toHaveLength(1);
		setHidden(true);
		document.dispatchEvent(new Event('visibilitychange')); // hands both over
		endpoint.answer(() => HttpResponse.json({}));
		void c.lead({ leadId: 'while-hidden' }).catch(() => {});
		await until(() => endpoint.sent.some((s) => JSON.stringify(s.body).includes('while-hidden')));
		const sent = endpoint.sent.find((s) => JSON.stringify(s.body).includes('while-hidden'))!;
		expect(sent.body.attributes).toEqual([{ type: 'lead', lead: { leadId: 'while-hidden' } }]);
	});
});

