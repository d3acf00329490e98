import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import type { DedupeStore } from '../../src/signer/dedupe-store.js';
import { createMemoryStore } from '../../src/signer/stores/memory.js';
import { createSigner, type SignerHandler } from '../../src/signer/index.js';
import { LEAD, post, signerOptions, startStandIn, VISIT } from '../helpers/signer.js';

let lp: LivePersonStandIn;
let signer: SignerHandler;

const ID = 'b3JkZXItMTIzNDU2Nzg5MA';
const envelope = (id: string | undefined = ID, account = VISIT.account) => ({ ...(id ? { id } : {}), ...VISIT, account, attributes: [LEAD] });
const accepted = () => lp.received.filter((record) => record.status === 200);

beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(() => lp.close());
beforeEach(() => {
	lp.clear();
	signer = createSigner({ ...signerOptions(lp.origin), timeout: 1_000, rateLimit: false });
});

async function call(body: unknown, handler = signer) {
	const response = await handler(post(body));
	return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() };
}

describe('de-duplication at the signing endpoint', () => {
	test('a repeat of an accepted request answers 200 {} and forwards nothing', async () => {
		expect(await call(envelope())).toMatchObject({ status: 200, body: {} });
		expect(await call(envelope())).toMatchObject({ status: 200, body: {} });
		expect(await call(envelope())).toMatchObject({ status: 200, body: {} });
		expect(accepted()).toHaveLength(1);
	});

	test('requests without an id (other callers) are forwarded every time', async () => {
		await call(envelope(''));
		await call(envelope(''));
		expect(accepted()).toHaveLength(2);
	});

	test('one id under two accounts is two requests', async () => {
		await call(envelope(ID, '1234'));
		await call(envelope(ID, '5678'));
		expect(accepted().map((record) => record.account)).toEqual(['1234', '5678']);
	});

	test('concurrent requests with one id forward once; the others wait for its answer in this instance', async () => {
		lp.setFault({ delayMs: 300 });
		const answers = await Promise.all(Array.from({ length: 5 }, () => call(envelope())));
		expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
		expect(answers.every((a) => a.retryAfter === null)).toBe(true);
		expect(lp.received).toHaveLength(1);
		// Once it is through, the repeat is a plain 200.
		expect((await call(envelope())).status).toBe(200);
		expect(accepted()).toHaveLength(1);
	});

	test('a repeat that arrives while the original is in flight waits for it: both answered 200, forwarded once', async () => {
		lp.setFault({ delayMs: 300 });
		const original = call(envelope());
		await new Promise((r) => setTimeout(r, 100));
		expect(await call(envelope())).toEqual({ status: 200, retryAfter: null, body: {} });
		expect((await original).status).toBe(200);
		expect(lp.received).toHaveLength(1);
	});

	test('when the original fails, the repeats that waited for it get the same retryable error; the retry goes through', async () => {
		lp.setFault({ delayMs: 200, status: 500 });
		const answers = await Promise.all([call(envelope()), call(envelope()), call(envelope())]);
		expect(answers.map((a) => [a.status, a.body.error.code])).toEqual([
			[500, 'server-error'],
			[500, 'server-error'],
			[500, 'server-error'],
		]);
		expect(await call(envelope())).toMatchObject({ status: 200, body: {} });
		expect(accepted()).toHaveLength(1);
	});

	test('a waiting repeat gives up at its own deadline: 503 with Retry-After, still forwarded once', async () => {
		const store = createMemoryStore();
		// A store slow to record the outcome keeps the original (and so the wait) going past the timeout.
		const slow: DedupeStore = { ...store, settle: (...args) => new Promise((r) => setTimeout(r, 1_500)).then(() => store.settle(...args)) };
		const handler = createSigner({ ...signerOptions(lp.origin), timeout: 500, rateLimit: false, dedupeStore: slow });
		const original = call(envelope(), handler);
		await new Promise((r) => setTimeout(r, 100));
		const started = Date.now();
		const repeat = await call(envelope(), handler);
		expect(repeat).toMatchObject({ status: 503, retryAfter: '1' });
		expect(Date.now() - started).toBeLessThan(1_200);
		expect((await original).status).toBe(200);
		expect(await call(envelope(), handler)).toMatchObject({ status: 200, body: {} });
		expect(accepted()).toHaveLength(1);
	});

	describe('an id reused for a different request', () => {
		const other = { visitor: 'someone-else-entirely', sid: 'another.session', attributes: [{ type: 'purchase', total: 990, currency: 'USD', orderId: 'o-1' }] };
		const conflict = (answer: Awaited<ReturnType<typeof call>>) => {
			expect(answer.status).toBe(409);
			expect(answer.body.error.code).toBe('bad-request');
			expect(answer.body.error.message).toMatch(/^id was already used for a different request within the de-duplication window; a new request needs a new id/);
			expect(answer.retryAfter).toBeNull();
			// Nothing of the request is echoed.
			for (const part of ['someone-else', 'another.session', 'purchase', '990', ID]) expect(answer.body.error.message).not.toContain(part);
		};

		test.each([
			['another visitor and a purchase', other],
			['another visitor', { visitor: other.visitor }],
			['another sid', { sid: other.sid }],
			['other attributes', { attributes: other.attributes }],
			['one more attribute', { attributes: [LEAD, LEAD] }],
		])('after it was accepted (%s): 409, nothing forwarded', async (_, change) => {
			expect((await call(envelope())).status).toBe(200);
			conflict(await call({ ...envelope(), ...change }));
			expect(lp.received).toHaveLength(1);
			expect(lp.received[0]).toMatchObject({ visitor: VISIT.visitor, attributes: [LEAD] });
			// The same request again is still a repeat.
			expect(await call(envelope())).toMatchObject({ status: 200, body: {} });
			expect(lp.received).toHaveLength(1);
		});

		test('while the original is in flight: 409 at once, the original still 200', async () => {
			lp.setFault({ delayMs: 300 });
			const original = call(envelope());
			await new Promise((r) => setTimeout(r, 50));
			conflict(await call({ ...envelope(), ...other }));
			expect((await original).status).toBe(200);
			expect(lp.received).toHaveLength(1);
		});

		test('after the visit ended (404): 409, not the 404 of another request', async () => {
			lp.setFault({ status: 404 });
			expect((await call(envelope())).status).toBe(404);
			conflict(await call({ ...envelope(), ...other }));
		});

		test('what is not forwarded is not compared: unknown fields dropped by validation make no difference', async () => {
			expect((await call(envelope())).status).toBe(200);
			const padded = { ...envelope(), extra: 'ignored', attributes: [{ ...LEAD, lead: { ...LEAD.lead, colour: 'red' } }] };
			expect(await call(padded)).toMatchObject({ status: 200, body: {} });
			expect(lp.received).toHaveLength(1);
		});

		test('a failed forward lets the id go: a different request may then use it', async () => {
			lp.setFault({ status: 500 });
			expect((await call(envelope())).status).toBe(500);
			expect((await call({ ...envelope(), ...other, visitor: VISIT.visitor, sid: VISIT.sid })).status).toBe(200);
			expect(accepted()).toHaveLength(1);
		});
	});

	test.each([
		['LivePerson 500', { status: 500 }, 500],
		['LivePerson 429', { status: 429 }, 429],
		['no answer from LivePerson', { hang: true }, 504],
		['a reset connection', { reset: true }, 502],
	])('%s releases the id: the retry is forwarded', async (_, fault, status) => {
		lp.setFault(fault);
		expect((await call(envelope())).status).toBe(status);
		expect(await call(envelope())).toMatchObject({ status: 200, body: {} });
		expect(accepted()).toHaveLength(1);
	});

	test('LivePerson 404 is final: the repeat is refused 404 again without forwarding', async () => {
		lp.setFault({ status: 404 });
		expect((await call(envelope())).status).toBe(404);
		const repeat = await call(envelope());
		expect(repeat.status).toBe(404);
		expect(repeat.body.error.code).toBe('not-found');
		expect(lp.received).toHaveLength(0); // the fault answered the first; nothing else arrived
		await call(envelope('another-id-of-16-chars'));
		expect(accepted()).toHaveLength(1);
	});

	test.each([
		['too short', 'abc'],
		['too long', 'a'.repeat(65)],
		['a character outside base64url', 'aaaaaaaaaaaaaaaa+'],
		['not a string', 12345678901234567890],
	])('an id %s is refused 400, nothing forwarded', async (_, id) => {
		const { status, body } = await call({ ...envelope(), id });
		expect(status).toBe(400);
		expect(body.error.message).toMatch(/^id/);
		expect(lp.received).toHaveLength(0);
	});

	test('a store that cannot be reached: 503 with Retry-After, nothing forwarded, never a crash', async () => {
		const broken: DedupeStore = {
			claim: () => Promise.reject(new Error('ECONNREFUSED')),
			settle: () => Promise.reject(new Error('ECONNREFUSED')),
			release: () => Promise.reject(new Error('ECONNREFUSED')),
		};
		const handler = createSigner({ ...signerOptions(lp.origin), rateLimit: false, dedupeStore: broken });
		const { status, retryAfter, body } = await call(envelope(), handler);
		expect(status).toBe(503);
		expect(Number(retryAfter)).toBeGreaterThan(0);
		expect(body.error.message).not.toMatch(/ECONNREFUSED/);
		expect(lp.received).toHaveLength(0);
	});

	test('a redisUrl without a Node adapter is refused at start, never ignored', () => {
		expect(() => createSigner({ ...signerOptions(lp.origin), redisUrl: 'redis://127.0.0.1:1' })).toThrow(/redisUrl needs the Node server/);
	});

	test('the window is how long an accepted id is remembered', async () => {
		let now = 1_000_000;
		const store = createMemoryStore({ now: () => now });
		const handler = createSigner({ ...signerOptions(lp.origin), rateLimit: false, dedupeStore: store, dedupeWindow: 60_000 });
		await call(envelope(), handler);
		now += 59_999;
		await call(envelope(), handler);
		expect(accepted()).toHaveLength(1);
		now += 2;
		await call(envelope(), handler);
		expect(accepted()).toHaveLength(2);
	});
});

describe('the in-memory store', () => {
	test('claims once, tells later claims what it holds, and forgets on release', async () => {
		const store = createMemoryStore();
		const claims = await Promise.all(Array.from({ length: 10 }, () => store.claim('k', 1_000)));
		expect(claims.filter((c) => c === null)).toHaveLength(1);
		expect(claims.filter((c) => c === 'pending')).toHaveLength(9);
		await store.settle('k', 'accepted', 1_000);
		expect(await store.claim('k', 1_000)).toBe('accepted');
		await store.release('k');
		expect(await store.claim('k', 1_000)).toBeNull();
	});

	test('a claim holds the value it is given and gives it to later claims; settle replaces it', async () => {
		const store = createMemoryStore();
		expect(await store.claim('k', 1_000, 'pending:digest-a')).toBeNull();
		expect(await store.claim('k', 1_000, 'pending:digest-b')).toBe('pending:digest-a');
		await store.settle('k', 'accepted:digest-a', 1_000);
		expect(await store.claim('k', 1_000)).toBe('accepted:digest-a');
	});

	test('counts the bytes of what it holds, and gives them back as entries go', async () => {
		let now = 0;
		const store = createMemoryStore({ now: () => now });
		// A key and a value shaped as the signer makes them: 22 characters, and a state with 16 more.
		const key = (i: number) => `k${String(i).padStart(21, '0')}`;
		for (let i = 0; i < 10; i++) await store.claim(key(i), 100, `pending:${'d'.repeat(16)}`);
		expect(store.bytes).toBe(10 * 158);
		await store.settle(key(9), `accepted:${'d'.repeat(16)}`, 1_000);
		expect(store.bytes).toBe(10 * 158);
		await store.release(key(1));
		expect(store.bytes).toBe(9 * 158);
		// The expired at the head go as the store is written to, not only once it is full.
		now = 100;
		await store.claim(key(10), 1_000);
		expect(store.size).toBe(2);
		expect(await store.claim(key(9), 1_000)).toBe(`accepted:${'d'.repeat(16)}`);
	});

	test('entries expire with their ttl', async () => {
		let now = 0;
		const store = createMemoryStore({ now: () => now });
		await store.claim('k', 100);
		now = 99;
		expect(await store.claim('k', 100)).toBe('pending');
		now = 100;
		expect(await store.claim('k', 100)).toBeNull();
	});

	test('is bounded in entries: a flood of ids pushes the oldest out', async () => {
		const store = createMemoryStore({ maxEntries: 100 });
		for (let i = 0; i < 1_000; i++) await store.settle(`id-${i}`, 'accepted', 60_000);
		expect(store.size).toBe(100);
		expect(await store.claim('id-999', 1)).toBe('accepted');
		expect(await store.claim('id-0', 1)).toBeNull();
	});

	test('is bounded in bytes', async () => {
		const store = createMemoryStore({ maxBytes: 10_000 });
		for (let i = 0; i < 1_000; i++) await store.settle(`${'x'.repeat(60)}-${i}`, 'accepted', 60_000);
		expect(store.size).toBeGreaterThan(10);
		expect(store.size).toBeLessThan(100);
	});
});

describe('the Web-standard signer carries no Redis client', () => {
	/** Every file dist/<entry> imports statically, itself included. */
	function staticGraph(file: string, seen = new Set<string>()): Set<string> {
		if (seen.has(file)) return seen;
		seen.add(file);
		const source = readFileSync(file, 'utf8');
		for (const [, target] of source.matchAll(/(?:^|[;\n])\s*(?:import|export)\b[^'"()]*?from\s*['"](\.[^'"]+)['"]/g)) {
			staticGraph(resolve(dirname(file), target!), seen);
		}
		return seen;
	}

	test.each(['dist/signer.mjs', 'dist/lp-ea.mjs'])('%s imports redis nowhere, not even in a chunk', (entry) => {
		const files = [...staticGraph(resolve(entry))];
		expect(files.length).toBeGreaterThan(0);
		for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(/from\s*['"]redis['"]/);
	});

	test('the Node adapter does load it, on demand', () => {
		const node = [...staticGraph(resolve('dist/signer-node.mjs'))].map((file) => readFileSync(file, 'utf8')).join('\n');
		expect(node).toMatch(/import\(['"]\.\/(chunks\/)?redis-[^'"]+\.mjs['"]\)/);
	});
});
