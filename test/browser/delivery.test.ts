// @vitest-environment happy-dom
import { HttpResponse } from 'msw';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { backoff, BACKOFF_CAP } from '../../src/browser/backoff.js';
import { createClient, LpEAError } from '../../src/browser/index.js';
import { createOutbox, MAX_OUTBOX_ENTRIES, MAX_OUTBOX_SIZE } from '../../src/browser/outbox.js';
import { outboxKeys, settle, until, useSigningEndpoint, VISIT, VISIT_QUERY, visitPage } from '../helpers/page.js';

const endpoint = useSigningEndpoint();
const PREFIX = 'lp-ea:out:';

const client = (options = {}) => {
	visitPage(`/landing?${VISIT_QUERY}`);
	return createClient(options);
};
const failing = (status: number, headers: Record<string, string> = {}) => () =>
	HttpResponse.json({ error: { code: 'x', message: `down ${status}` } }, { status, headers });
/** A request as an earlier page left it in the outbox. */
function leftBehind(id: string, fields: { t?: number; o?: string; u?: number; e?: string } = {}) {
	const body = JSON.stringify({ id, ...VISIT, attributes: [{ type: 'lead', lead: { topic: id } }] });
	localStorage.setItem(PREFIX + id, JSON.stringify({ t: Date.now(), b: body, e: 'http://localhost:3000/lp-ea/events', ...fields }));
}

afterEach(() => {
	vi.restoreAllMocks();
});

describe('the outbox', () => {
	test('a request is written to localStorage before it is sent, and removed on 200', async () => {
		const seenWhileSending: string[][] = [];
		endpoint.answer(() => {
			seenWhileSending.push(outboxKeys());
			return HttpResponse.json({});
		});
		await client().lead({ topic: 'written first' });
		const id = endpoint.sent[0]!.body.id;
		expect(seenWhileSending).toEqual([[PREFIX + id]]);
		expect(JSON.parse(JSON.parse(localStorage.getItem(PREFIX + id) ?? '{"b":"{}"}').b)).toEqual({}); // gone
		expect(outboxKeys()).toEqual([]);
	});

	test('one key per request: a split batch is several keys, several ids', async () => {
		const seen: number[] = [];
		endpoint.answer(() => {
			seen.push(outboxKeys().length);
			return HttpResponse.json({});
		});
		const c = client();
		await Promise.all(Array.from({ length: 120 }, (_, i) => c.lead({ leadId: `l${i}` })));
		expect(endpoint.sent).toHaveLength(3);
		expect(new Set(endpoint.sent.map((s) => s.body.id)).size).toBe(3);
		expect(seen[0]).toBe(3);
		expect(outboxKeys()).toEqual([]);
	});

	test('bounded in count: the oldest go first, and debug says so', () => {
		const log = vi.fn();
		const outbox = createOutbox(60_000, log);
		for (let i = 0; i < MAX_OUTBOX_ENTRIES + 20; i++) outbox.put({ id: `id-${String(i).padStart(3, '0')}`, t: Date.now() + i, b: 'x', e: 'x' });
		const ids = outbox.list().map((e) => e.id);
		expect(ids).toHaveLength(MAX_OUTBOX_ENTRIES);
		expect(ids[0]).toBe('id-020');
		expect(log).toHaveBeenCalledWith('outbox full, evicted:', 'id-000');
	});

	test('bounded in size', () => {
		const outbox = createOutbox(60_000, () => {});
		const big = 'x'.repeat(MAX_OUTBOX_SIZE / 4);
		for (let i = 0; i < 10; i++) outbox.put({ id: `big-${i}`, t: Date.now() + i, b: big, e: 'x' });
		const kept = outbox.list();
		expect(kept.length).toBeLessThanOrEqual(4);
		expect(kept.at(-1)?.id).toBe('big-9');
	});

	test('expired requests are dropped, never sent, and debug says so', async () => {
		const log = vi.spyOn(console, 'log').mockImplementation(() => {});
		leftBehind('expired-request-0001', { t: Date.now() - 2 * 60 * 60 * 1000 });
		leftBehind('recent-request-00001', { t: Date.now() - 60_000 });
		client({ debug: true });
		await until(() => endpoint.sent.length === 1 && outboxKeys().length === 0);
		expect(endpoint.sent.map((s) => s.body.id)).toEqual(['recent-request-00001']);
		expect(log.mock.calls.map((c) => c.join(' ')).join('\n')).toMatch(/expired, not sent: lp-ea:out:expired-request-0001/);
	});

	test('the window is a setting: dedupeWindow', async () => {
		leftBehind('ten-seconds-old-0001', { t: Date.now() - 10_000 });
		client({ dedupeWindow: 5_000 });
		await until(() => outboxKeys().length === 0);
		expect(endpoint.sent).toHaveLength(0);
	});

	test('garbage under an outbox key is dropped, not sent', async () => {
		localStorage.setItem(`${PREFIX}garbage-entry-00001`, '{not json');
		localStorage.setItem(`${PREFIX}garbage-entry-00002`, '{"t":1}');
		client();
		await until(() => outboxKeys().length === 0);
		expect(endpoint.sent).toHaveLength(0);
	});
});

describe('storage that fails costs only the guarantee across pages', () => {
	// happy-dom binds storage methods to the instance on first use: patch and restore the instance.
	const original = localStorage.setItem;
	afterEach(() => {
		localStorage.setItem = original;
	});

	test.each([
		[
			'full (setItem throws)',
			() => {
				localStorage.setItem = () => {
					throw new DOMException('full', 'QuotaExceededError');
				};
			},
		],
		[
			'blocked (localStorage throws)',
			() =>
				vi.spyOn(globalThis, 'localStorage', 'get').mockImplementation(() => {
					throw new DOMException('denied', 'SecurityError');
				}),
		],
		['absent', () => vi.spyOn(globalThis, 'localStorage', 'get').mockReturnValue(undefined as never)],
	])('%s: the call is still sent, and still retried from memory', async (_, breakStorage) => {
		breakStorage();
		let answers = 0;
		endpoint.answer(() => (++answers === 1 ? failing(503, { 'retry-after': '0' })() : HttpResponse.json({})));
		try {
			await expect(client().lead({ topic: 'kept in memory' })).resolves.toBeUndefined();
		} finally {
			vi.restoreAllMocks(); // before the hooks that clear storage run
		}
		expect(endpoint.sent).toHaveLength(2);
		expect(endpoint.sent[0]!.body.id).toBe(endpoint.sent[1]!.body.id);
	});
});

describe('retries on this page', () => {
	test('Retry-After in seconds is honoured', async () => {
		let answers = 0;
		endpoint.answer(() => (++answers === 1 ? failing(429, { 'retry-after': '1' })() : HttpResponse.json({})));
		const times: number[] = [];
		const original = endpoint.sent.push.bind(endpoint.sent);
		endpoint.sent.push = (...items) => (times.push(Date.now()), original(...items));
		await client({ timeout: 5_000 }).lead();
		expect(times).toHaveLength(2);
		expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
	});

	test('Retry-After as an HTTP date is honoured', async () => {
		let answers = 0;
		const times: number[] = [];
		endpoint.answer(() => {
			times.push(Date.now());
			return ++answers === 1 ? failing(503, { 'retry-after': new Date(Date.now() + 2_000).toUTCString() })() : HttpResponse.json({});
		});
		await client({ timeout: 5_000 }).lead();
		expect(times).toHaveLength(2);
		expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
	});

	test('without Retry-After, backoff decides (here: jitter drew 0), and debug shows each retry', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		const log = vi.spyOn(console, 'log').mockImplementation(() => {});
		let answers = 0;
		endpoint.answer(() => (++answers <= 3 ? failing(502)() : HttpResponse.json({})));
		await client({ debug: true }).lead();
		expect(endpoint.sent).toHaveLength(4);
		expect(log.mock.calls.filter((c) => c[0] === '[lp-ea] retry')).toHaveLength(3);
	});

	test('after the call has settled queued, retries go on and deliver it once', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		let up = false;
		endpoint.answer(() => (up ? HttpResponse.json({}) : failing(500)()));
		const error = (await client({ timeout: 200 }).lead().catch((e) => e)) as LpEAError;
		expect(error).toMatchObject({ code: 'server-error', queued: true });
		up = true;
		await until(() => outboxKeys().length === 0);
		const ids = new Set(endpoint.sent.map((s) => s.body.id));
		expect(ids.size).toBe(1);
	});

	test('online wakes at once a retry that waits for the network', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0.999); // backoffs of 999 ms, then 1,998 ms
		let up = false;
		endpoint.answer(() => (up ? HttpResponse.json({}) : HttpResponse.error()));
		await client({ timeout: 1_500 }).lead().catch(() => {});
		expect(endpoint.sent).toHaveLength(2);
		up = true;
		dispatchEvent(new Event('online'));
		// Well before the second backoff would have ended (about 1,500 ms from here).
		await until(() => outboxKeys().length === 0, 1_000);
		expect(endpoint.sent).toHaveLength(3);
	});

	test("a retry waiting for Retry-After is not woken early: not by the tab shown again, online, nor another page's lease running out", async () => {
		leftBehind('held-by-another-tab2', { o: 'another-page', u: Date.now() + 400 });
		endpoint.answer(() => (endpoint.sent.at(-1)!.body.id === 'held-by-another-tab2' ? HttpResponse.json({}) : failing(429, { 'retry-after': '60' })()));
		const error = (await client({ timeout: 200 }).lead().catch((e) => e)) as LpEAError;
		expect(error).toMatchObject({ code: 'rate-limited', queued: true });
		const [mine] = endpoint.sent.map((s) => s.body.id);
		document.dispatchEvent(new Event('visibilitychange'));
		dispatchEvent(new Event('online'));
		// The other page's lease runs out: this page takes its request over, and only that.
		await until(() => endpoint.sent.length === 2);
		await settle();
		expect(endpoint.sent.map((s) => s.body.id)).toEqual([mine, 'held-by-another-tab2']);
		expect(outboxKeys()).toEqual([PREFIX + mine]);
	});

});

describe('queued says whether the request is kept', () => {
	/** Fills the outbox with newer requests of another page until the oldest, the call's, is evicted. */
	function fillTheOutbox() {
		const other = createOutbox(60_000, () => {});
		for (let i = 0; i < MAX_OUTBOX_ENTRIES; i++) {
			other.put({ id: `newer-request-${String(i).padStart(4, '0')}`, t: Date.now() + 1 + i, b: 'x', e: 'elsewhere', o: 'another-page', u: Date.now() + 3_600_000 });
		}
	}

	test('evicted while its call waits: the call rejects queued false by its timeout', async () => {
		endpoint.answer(failing(503, { 'retry-after': '60' }));
		const call = client({ timeout: 400 }).lead();
		await until(() => endpoint.sent.length === 1);
		fillTheOutbox();
		expect(outboxKeys()).not.toContain(PREFIX + endpoint.sent[0]!.body.id);
		const error = (await call.catch((e) => e)) as LpEAError;
		expect(error).toMatchObject({ code: 'server-error', status: 503, queued: false });
	});

	test('evicted, then found gone by the retry: the call rejects queued false at once, not at its timeout', async () => {
		endpoint.answer(failing(503, { 'retry-after': '1' }));
		const started = Date.now();
		const call = client({ timeout: 8_000 }).lead();
		await until(() => endpoint.sent.length === 1);
		fillTheOutbox();
		const error = (await call.catch((e) => e)) as LpEAError;
		expect(error).toMatchObject({ code: 'server-error', queued: false });
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(endpoint.sent).toHaveLength(1);
	});

	test('expired while its call waits: the call rejects queued false', async () => {
		endpoint.answer(failing(503, { 'retry-after': '1' }));
		const error = (await client({ timeout: 3_000, dedupeWindow: 300 }).lead().catch((e) => e)) as LpEAError;
		expect(error).toMatchObject({ code: 'server-error', queued: false });
		expect(endpoint.sent).toHaveLength(1);
		expect(outboxKeys()).toEqual([]);
	});
});

describe('replay by the next page', () => {
	test('what an earlier page left is sent with its id, once, and removed', async () => {
		leftBehind('left-by-an-earlier-01');
		client();
		await until(() => outboxKeys().length === 0);
		expect(endpoint.sent.map((s) => s.body.id)).toEqual(['left-by-an-earlier-01']);
		expect(endpoint.sent[0]!.body.attributes).toEqual([{ type: 'lead', lead: { topic: 'left-by-an-earlier-01' } }]);
	});

	test('a request another page is sending (its lease running) is left alone until the lease runs out', async () => {
		leftBehind('held-by-another-tab1', { o: 'another-page', u: Date.now() + 2_000 });
		client();
		await settle();
		expect(endpoint.sent).toHaveLength(0);
		await until(() => outboxKeys().length === 0);
		expect(endpoint.sent.map((s) => s.body.id)).toEqual(['held-by-another-tab1']);
	});

	test('page hide hands a request waiting for its backoff to the next page at once', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0.999);
		endpoint.answer(failing(503));
		await client({ timeout: 200 }).lead().catch(() => {});
		const [key] = outboxKeys();
		expect(JSON.parse(localStorage.getItem(key!)!).u).toBeGreaterThan(Date.now() + 300);
		dispatchEvent(new Event('pagehide'));
		expect(JSON.parse(localStorage.getItem(key!)!).u).toBeLessThanOrEqual(Date.now());
		endpoint.answer(() => HttpResponse.json({}));
		client();
		await until(() => outboxKeys().length === 0);
		expect(new Set(endpoint.sent.map((s) => s.body.id)).size).toBe(1);
	});

	test("each endpoint's requests are replayed to it alone, by a page whose client has that endpoint", async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0.999);
		endpoint.answer(failing(503));
		await client({ endpoint: '/custom/endpoint', timeout: 200 }).lead().catch(() => {});
		dispatchEvent(new Event('pagehide'));
		const [key] = outboxKeys();
		expect(JSON.parse(localStorage.getItem(key!)!).u).toBeLessThanOrEqual(Date.now());
		endpoint.answer(() => HttpResponse.json({}));
		// The next page has the default endpoint: it leaves the other endpoint's request alone.
		client();
		await settle();
		await settle();
		expect(endpoint.sent.map((s) => s.url)).toEqual(['http://localhost:3000/custom/endpoint']);
		expect(outboxKeys()).toEqual([key]);
		// A page whose client has that endpoint sends it there.
		client({ endpoint: '/custom/endpoint' });
		await until(() => outboxKeys().length === 0);
		expect(endpoint.sent.map((s) => s.url)).toEqual(['http://localhost:3000/custom/endpoint', 'http://localhost:3000/custom/endpoint']);
		expect(new Set(endpoint.sent.map((s) => s.body.id)).size).toBe(1);
	});

	test('a hidden tab shown again replays', async () => {
		client();
		leftBehind('while-the-tab-hid-01');
		document.dispatchEvent(new Event('visibilitychange'));
		await until(() => outboxKeys().length === 0);
		expect(endpoint.sent.map((s) => s.body.id)).toEqual(['while-the-tab-hid-01']);
	});

	test('a replayed request refused for good is removed', async () => {
		endpoint.answer(failing(403));
		leftBehind('refused-for-good-001');
		client();
		await until(() => outboxKeys().length === 0);
		expect(endpoint.sent).toHaveLength(1);
	});

	test('never listens to unload or beforeunload', () => {
		const listen = vi.spyOn(window, 'addEventListener');
		client();
		const names = listen.mock.calls.map((c) => c[0]);
		expect(names).toContain('pagehide');
		expect(names).toContain('online');
		expect(names).not.toContain('unload');
		expect(names).not.toContain('beforeunload');
	});
});

describe('one tab at a time', () => {
	test('with Web Locks, the outbox is claimed under the lock; without, at once; a refused lock still claims', async () => {
		const { exclusive } = await import('../../src/browser/tab-lock.js');
		const names: string[] = [];
		let held = false;
		const ran: boolean[] = [];
		vi.stubGlobal('navigator', {
			locks: {
				request: async (name: string, task: () => void) => {
					names.push(name);
					held = true;
					try {
						return task();
					} finally {
						held = false;
					}
				},
			},
		});
		exclusive(() => ran.push(held));
		await until(() => ran.length === 1);
		expect(names).toEqual(['lp-ea:outbox']);
		expect(ran).toEqual([true]);

		vi.stubGlobal('navigator', { locks: { request: () => Promise.reject(new DOMException('no', 'SecurityError')) } });
		exclusive(() => ran.push(held));
		await until(() => ran.length === 2);

		vi.stubGlobal('navigator', {});
		exclusive(() => ran.push(held));
		expect(ran).toEqual([true, false, false]);
		vi.unstubAllGlobals();
	});
});
