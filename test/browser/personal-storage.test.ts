// @vitest-environment happy-dom
/**
 * `personalStorage: 'memory'`: a request carrying `personal` or `ctmrinfo` waits for delivery in
 * the page's memory, never in localStorage; what that costs (no replay by a later page) is shown
 * too. The default keeps it in localStorage, like every request.
 */
import { HttpResponse } from 'msw';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { createClient, type ClientOptions } from '../../src/browser/index.js';
import { carriesPersonalData } from '../../src/browser/personal-data.js';
import { outboxKeys, settle, until, useSigningEndpoint, VISIT_QUERY, visitPage } from '../helpers/page.js';

const endpoint = useSigningEndpoint();

const client = (options: ClientOptions = {}) => {
	visitPage(`/landing?${VISIT_QUERY}`);
	return createClient({ timeout: 300, ...options });
};
const EMAIL = 'visitor@example.com';
const personal = { contacts: [{ email: EMAIL }] };
const stored = () => JSON.stringify({ ...localStorage });
const down = () => HttpResponse.json({ error: { code: 'server-error', message: 'down' } }, { status: 500 });

afterEach(() => vi.restoreAllMocks());

describe('which requests carry personal data', () => {
	test.each([
		['personal', [{ type: 'personal', personal: {} }], true],
		['ctmrinfo', [{ type: 'ctmrinfo', info: { customerId: 'c1' } }], true],
		['a batch with one of them', [{ type: 'lead', lead: {} }, { type: 'personal', personal: {} }], true],
		['a lead', [{ type: 'lead', lead: {} }], false],
		['a lead whose topic names the type', [{ type: 'lead', lead: { topic: '"type":"personal"' } }], false],
	])('%s', (_, attributes, expected) => {
		expect(carriesPersonalData(JSON.stringify({ id: 'x', attributes }))).toBe(expected);
	});
});

describe('default: localStorage, like every request', () => {
	test('a personal request waiting for a retry is in localStorage', async () => {
		endpoint.answer(down);
		await expect(client().personal(personal)).rejects.toMatchObject({ queued: true });
		expect(stored()).toContain(EMAIL);
	});
});

describe("personalStorage: 'memory'", () => {
	test.each([
		['personal', (lp: ReturnType<typeof createClient>) => lp.personal(personal)],
		['ctmrinfo', (lp: ReturnType<typeof createClient>) => lp.ctmrinfo({ userName: EMAIL })],
	])('a %s request waiting for a retry is never in localStorage; it is kept, and retried on this page', async (_, call) => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		endpoint.answer(down);
		const lp = client({ personalStorage: 'memory' });
		await expect(call(lp)).rejects.toMatchObject({ queued: true });
		const failed = endpoint.sent.length;
		expect(failed).toBeGreaterThan(0); // the fault was met
		expect(stored()).not.toContain(EMAIL);
		expect(outboxKeys()).toEqual([]);
		endpoint.answer(() => HttpResponse.json({}));
		await until(() => endpoint.sent.length > failed); // the retry, from memory
		expect(JSON.stringify(endpoint.sent[failed]!.body)).toContain(EMAIL);
	});

	test('a batch that mixes a lead with personal data is kept in memory as a whole; a lead alone is in localStorage', async () => {
		endpoint.answer(down);
		const lp = client({ personalStorage: 'memory' });
		const mixed = [lp.lead({ topic: 'with it' }), lp.personal(personal)];
		await Promise.allSettled(mixed);
		expect(outboxKeys()).toEqual([]);
		await expect(lp.lead({ topic: 'alone' })).rejects.toMatchObject({ queued: true });
		expect(outboxKeys()).toHaveLength(1);
		expect(stored()).toContain('alone');
		expect(stored()).not.toContain('with it');
	});

	test('a held request that personal data joins while the endpoint pushes back leaves localStorage', async () => {
		vi.spyOn(Math, 'random').mockReturnValue(0);
		endpoint.answer(() => HttpResponse.json({ error: { code: 'rate-limited', message: 'slow down' } }, { status: 429, headers: { 'Retry-After': '1' } }));
		// Only this test's requests count: earlier tests' clients may still retry from their memory.
		const ours = () => outboxKeys().filter((key) => /topic\\?":\\?"(first|held)/.test(localStorage.getItem(key) ?? ''));
		const lp = client({ personalStorage: 'memory', timeout: 3_000 });
		void lp.lead({ topic: 'first' }).catch(() => {});
		await until(() => endpoint.sent.some((request) => JSON.stringify(request.body).includes('"topic":"first"'))); // the pushback happened
		await settle();
		void lp.lead({ topic: 'held' }).catch(() => {});
		await settle();
		expect(ours()).toHaveLength(2); // the first and the held one, both in localStorage
		void lp.personal(personal).catch(() => {});
		await settle();
		expect(stored()).not.toContain(EMAIL);
		expect(ours()).toHaveLength(1); // the held one moved to memory with the personal data
		expect(stored()).not.toContain('held');
	});
});
