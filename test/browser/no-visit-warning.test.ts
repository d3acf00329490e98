// @vitest-environment happy-dom
import { afterEach, beforeEach, expect, test, vi, type MockInstance } from 'vitest';
import type { ClientOptions, LpEAError } from '../../src/browser/index.js';
import { settle, useSigningEndpoint, VISIT, VISIT_QUERY, visitPage } from '../helpers/page.js';

// The warning is once per page: each test loads lp-ea afresh, as a new page would.
const endpoint = useSigningEndpoint();
let warn: MockInstance<typeof console.warn>;
beforeEach(() => {
	vi.resetModules();
	warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => warn.mockRestore());

const freshPage = async (options: ClientOptions = {}) => (await import('../../src/browser/index.js')).createClient(options);
const codes = (results: PromiseSettledResult<void>[]) => results.map((r) => (r.status === 'rejected' ? (r.reason as LpEAError).code : 'sent'));
const POINTER = '. See "Where the visit comes from" in lp-ea\'s README';

test('several calls refused no-visit, in one task and in later ones: one console warning, naming what is missing and where to read on', async () => {
	visitPage('/p?account=1234&visitor=v');
	const client = await freshPage({ timeout: 100 });
	const first = await Promise.allSettled([client.lead({ topic: 'a' }), client.service(), client.cart({ total: 1, numItems: 1 })]);
	const later = await Promise.allSettled([client.lead({ topic: 'b' })]);
	expect(codes([...first, ...later])).toEqual(['no-visit', 'no-visit', 'no-visit', 'no-visit']);
	const refusal = (later[0] as PromiseRejectedResult).reason as LpEAError;
	expect(warn.mock.calls).toEqual([[`[lp-ea] no-visit: ${refusal.message}${POINTER}`]]);
	expect(refusal.message).toBe(
		'the visit is unknown on this page: "sid" missing from the URL, from this tab\'s session and from LivePerson\'s Web Tag (lpTag); nothing was sent',
	);
	expect(endpoint.sent).toHaveLength(0);
});

test('without data-debug too, and once per page however many clients it has', async () => {
	visitPage('/p');
	const one = await freshPage({ timeout: 50, debug: false });
	const other = await freshPage({ timeout: 50, endpoint: '/custom/endpoint' });
	expect(codes(await Promise.allSettled([one.lead(), other.lead()]))).toEqual(['no-visit', 'no-visit']);
	expect(warn).toHaveBeenCalledTimes(1);
	expect(warn.mock.calls[0]![0]).toContain('"account", "visitor", "sid" missing from the URL');
});

test('a visit in the URL that is not valid is refused at once, and said once too', async () => {
	visitPage(`/p?${new URLSearchParams({ ...VISIT, visitor: 'a/b' })}`);
	const client = await freshPage();
	expect(codes(await Promise.allSettled([client.lead(), client.lead()]))).toEqual(['no-visit', 'no-visit']);
	expect(warn).toHaveBeenCalledTimes(1);
	expect(warn.mock.calls[0]![0]).toMatch(/^\[lp-ea\] no-visit: the visit in the page URL is not valid: visitor: .*; nothing was sent\. See "Where the visit comes from"/);
});

test('a page that has the visit says nothing, and a call that waited for the Web Tag and got it neither', async () => {
	visitPage(`/p?${VISIT_QUERY}`);
	const client = await freshPage();
	await expect(client.lead({ topic: 'x' })).resolves.toBeUndefined();
	visitPage('/q');
	sessionStorage.clear();
	const tagged = await freshPage({ timeout: 2_000 });
	const call = tagged.lead({ topic: 'y' });
	(globalThis as { lpTag?: unknown }).lpTag = { site: VISIT.account, taglets: { lp_monitoringSDK: { getVid: () => VISIT.visitor, getSid: () => VISIT.sid } } };
	try {
		await expect(call).resolves.toBeUndefined();
	} finally {
		delete (globalThis as { lpTag?: unknown }).lpTag;
	}
	await settle();
	expect(endpoint.sent).toHaveLength(2);
	expect(warn).not.toHaveBeenCalled();
});
