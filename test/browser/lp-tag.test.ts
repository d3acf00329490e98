// @vitest-environment happy-dom
import { HttpResponse } from 'msw';
import { afterEach, describe, expect, test } from 'vitest';
import { createClient, LpEAError } from '../../src/browser/index.js';
import { VISIT_STORAGE_KEY } from '../../src/browser/visit.js';
import { settle, useSigningEndpoint, REQUEST_ID, VISIT, VISIT_QUERY, visitPage } from '../helpers/page.js';

const endpoint = useSigningEndpoint();

type Tag = { site?: unknown; taglets?: { lp_monitoringSDK?: { getVid?(): unknown; getSid?(): unknown } } };
const page = globalThis as unknown as { lpTag?: Tag };

/** LivePerson's Web Tag as a page has it once its monitoring taglet is ready. */
const readyTag = (visit = VISIT): Tag => ({
	site: visit.account,
	taglets: { lp_monitoringSDK: { getVid: () => visit.visitor, getSid: () => visit.sid } },
});

afterEach(() => {
	delete page.lpTag;
});

async function until(condition: () => boolean, ms = 5_000) {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > ms) throw new Error('timed out waiting');
		await new Promise((r) => setTimeout(r, 10));
	}
}

describe("the visit from LivePerson's Web Tag", () => {
	test('is used where neither the URL nor the session has the visit', async () => {
		visitPage('/any/page');
		page.lpTag = readyTag();
		const c = createClient();
		expect(c.visit).toEqual(VISIT);
		await c.searchInfo({ keywords: ['shoes'] });
		expect(endpoint.sent[0]?.body).toEqual({ id: REQUEST_ID, ...VISIT, attributes: [{ type: 'searchInfo', keywords: ['shoes'] }] });
	});

	test('is not kept in the session: the tag stays the source on its pages', () => {
		visitPage('/any/page');
		page.lpTag = readyTag();
		expect(createClient().visit).toEqual(VISIT);
		expect(sessionStorage.getItem(VISIT_STORAGE_KEY)).toBeNull();
	});

	test('a tag that arrives late: calls made before wait for it, go out together, and lpEA.visit reflects it once known', async () => {
		visitPage('/any/page');
		// The snippet ran, the monitoring taglet has not loaded yet.
		page.lpTag = { site: VISIT.account, taglets: {} };
		const c = createClient({ timeout: 5_000 });
		expect(c.visit).toBeNull();
		let settled = false;
		const calls = Promise.all([c.prodView({ products: [{ product: { sku: 'a' } }] }), c.cart({ total: 1, numItems: 1 })]).then(() => {
			settled = true;
		});
		await settle();
		await settle();
		expect(settled).toBe(false);
		expect(endpoint.sent).toHaveLength(0);
		page.lpTag.taglets!.lp_monitoringSDK = readyTag().taglets!.lp_monitoringSDK;
		await calls;
		expect(c.visit).toEqual(VISIT);
		expect(endpoint.sent).toHaveLength(1);
		expect(endpoint.sent[0]?.body).toMatchObject({ ...VISIT, attributes: [{ type: 'prodView' }, { type: 'cart' }] });
	});

	test('a tag whose whole snippet is injected late (a tag manager) is waited for too', async () => {
		visitPage('/any/page');
		const c = createClient({ timeout: 5_000 });
		const call = c.lead({ topic: 'late' });
		await settle();
		page.lpTag = readyTag();
		await call;
		expect(endpoint.sent[0]?.body.visitor).toBe(VISIT.visitor);
	});

	test('no tag within the timeout: no-visit naming what is missing, and nothing sent', async () => {
		visitPage('/any/page');
		const c = createClient({ timeout: 200 });
		const started = Date.now();
		const error = await c.lead().catch((e: unknown) => e);
		expect(error).toBeInstanceOf(LpEAError);
		expect(error).toMatchObject({ code: 'no-visit', status: 0 });
		expect((error as Error).message).toMatch(/"account", "visitor", "sid" missing .*lpTag/);
		expect(Date.now() - started).toBeGreaterThanOrEqual(190);
		await settle();
		expect(endpoint.sent).toHaveLength(0);
	});

	test('a call that waited for the tag still settles within its one timeout, not a fresh one for sending', async () => {
		visitPage('/any/page');
		page.lpTag = { site: VISIT.account, taglets: {} };
		endpoint.answer(async () => {
			await new Promise((r) => setTimeout(r, 2_000));
			return HttpResponse.json({});
		});
		const c = createClient({ timeout: 400 });
		const started = Date.now();
		const arrives = setTimeout(() => (page.lpTag = readyTag()), 350);
		const error = (await c.lead().catch((e: unknown) => e)) as LpEAError;
		const took = Date.now() - started;
		clearTimeout(arrives);
		// The tag came in time, so the request was sent and is kept: timeout, queued.
		expect(error).toMatchObject({ code: 'timeout', queued: true });
		await until(() => endpoint.sent.length === 1);
		// By the call's own deadline (400 ms); a fresh 400 ms for sending would make it about 750.
		expect(took).toBeLessThan(600);
	});

	test('a tag that throws or answers nothing yet counts as not ready', async () => {
		visitPage('/any/page');
		let ready = false;
		page.lpTag = {
			site: VISIT.account,
			taglets: {
				lp_monitoringSDK: {
					getVid: () => {
						if (!ready) throw new Error('not initialised');
						return VISIT.visitor;
					},
					getSid: () => (ready ? VISIT.sid : undefined),
				},
			},
		};
		const c = createClient({ timeout: 5_000 });
		expect(c.visit).toBeNull();
		const call = c.lead();
		await settle();
		ready = true;
		await call;
		expect(endpoint.sent[0]?.body).toMatchObject(VISIT);
	});

	test('ids from the tag are checked like ids from the URL; a bad one is never sent', async () => {
		visitPage('/any/page');
		page.lpTag = readyTag({ ...VISIT, visitor: '../admin' });
		const c = createClient({ timeout: 200 });
		expect(c.visit).toBeNull();
		const error = (await c.lead().catch((e: unknown) => e)) as LpEAError;
		expect(error).toMatchObject({ code: 'no-visit' });
		expect(error.message).toMatch(/Web Tag is not valid: visitor: /);
		expect(endpoint.sent).toHaveLength(0);
	});
});

describe('the order of the three sources', () => {
	test('URL values win over the tag, field by field', async () => {
		visitPage('/p?sid=FromTheUrl');
		page.lpTag = readyTag();
		const c = createClient();
		expect(c.visit).toEqual({ ...VISIT, sid: 'FromTheUrl' });
	});

	test("the tab's session wins over the tag", () => {
		visitPage(`/landing?${VISIT_QUERY}`);
		createClient();
		visitPage('/later');
		page.lpTag = readyTag({ account: '5678', visitor: 'other', sid: 'other' });
		expect(createClient().visit).toEqual(VISIT);
	});

	test('a visit complete in the URL does not wait for or read the tag', async () => {
		visitPage(`/p?${VISIT_QUERY}`);
		let read = false;
		page.lpTag = {
			get site() {
				read = true;
				return '5678';
			},
		};
		const c = createClient();
		await c.lead();
		expect(read).toBe(false);
		expect(endpoint.sent[0]?.body.account).toBe(VISIT.account);
	});

	test('an invalid visit in the URL is refused at once: the tag cannot override it', async () => {
		visitPage(`/p?${new URLSearchParams({ ...VISIT, visitor: 'a/b' })}`);
		page.lpTag = readyTag();
		const c = createClient({ timeout: 5_000 });
		const started = Date.now();
		const error = (await c.lead().catch((e: unknown) => e)) as LpEAError;
		expect(error).toMatchObject({ code: 'no-visit' });
		expect(Date.now() - started).toBeLessThan(1_000);
		expect(c.visit).toBeNull();
	});
});
