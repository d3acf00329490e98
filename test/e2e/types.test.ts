import { mkdirSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { SAMPLE_VISIT, startDemo, type Demo } from '../../demo/server.mjs';
import { DOCUMENTED, helperFields, type DocumentedType } from '../helpers/attributes.js';
import { launch, titled, until, type Engine, type Session, type Tab } from './engines/index.js';

// All ten types and the Web Tag visit in each engine: the demo's pages, its signing
// endpoint, and the LivePerson stand-in that checks each signature with oauth-sign.
let demo: Demo;
let engine: Engine;
let session: Session;
let page: Tab;

beforeAll(async () => {
	demo = await startDemo({ signer: { rateLimit: false } });
	engine = await launch();
});
afterAll(async () => {
	await engine?.close();
	await demo?.close();
});
beforeEach(async () => {
	demo.liveperson.clear();
	demo.posts.length = 0;
	session = await engine.session();
	page = await session.tab();
});
afterEach(() => session?.close());

type Lp = Record<string, (...args: unknown[]) => Promise<void>> & { visit: unknown };

async function open(path: string) {
	await page.goto(`${demo.origin}${path}`);
	await bundleLoaded();
}
const bundleLoaded = () => page.waitFor(() => 'LpEAError' in ((window as { lpEA?: object }).lpEA ?? {}));


const withVisit = (path: string) => `${path}?${new URLSearchParams(SAMPLE_VISIT)}`;
/** An attribute of any of the ten shapes, as the stand-in recorded it. */
type Received = { type: string } & Record<string, any>;
const received = (): Received[] => demo.liveperson.received.flatMap((record) => (record.verified ? ((record.attributes ?? []) as Received[]) : []));

describe(titled('each helper, end to end, signature verified'), () => {
	test.each(Object.keys(DOCUMENTED) as DocumentedType[])('lpEA.%s()', async (type) => {
		await open(withVisit('/'));
		const outcome = await page.evaluate(
			([name, fields]) => (window as unknown as { lpEA: Lp }).lpEA[name]!(fields).then(() => 'ok', (e: Error) => e.message),
			[type, helperFields(type)] as const,
		);
		expect(outcome).toBe('ok');
		expect(demo.liveperson.received).toHaveLength(1);
		expect(demo.liveperson.received[0]).toMatchObject({ verified: true, ...SAMPLE_VISIT, attributes: [DOCUMENTED[type]] });
	});

	test('lpEA.send() with all ten types: one request, all ten arrive, in order', async () => {
		await open(withVisit('/'));
		const outcome = await page.evaluate(
			(attributes) => (window as unknown as { lpEA: Lp }).lpEA.send!(...attributes).then(() => 'ok', (e: Error) => e.message),
			Object.values(DOCUMENTED) as unknown[],
		);
		expect(outcome).toBe('ok');
		expect(demo.posts).toHaveLength(1);
		expect(demo.liveperson.received).toHaveLength(1);
		expect(demo.liveperson.received[0]).toMatchObject({ verified: true, attributes: Object.values(DOCUMENTED) });
	});

	test('an invalid attribute is refused in the page, naming the field; nothing reaches LivePerson', async () => {
		await open(withVisit('/'));
		const message = await page.evaluate(() =>
			(window as unknown as { lpEA: Lp }).lpEA.cart!({ total: 10, numItems: 1, products: [{ product: { price: '9.99' } }] }).then(
				() => 'sent',
				(e: { code: string; message: string }) => `${e.code}: ${e.message}`,
			),
		);
		expect(message).toMatch(/^invalid: products\[0\]\.product\.price: /);
		expect(demo.liveperson.received).toHaveLength(0);
	});
});

describe(titled("the visit from LivePerson's Web Tag"), () => {
	test('a page without the visit in its URL, whose tag arrives late: the call waits, then goes out with the tag\'s visit', async () => {
		await page.goto(`${demo.origin}/tag-visit?tagDelay=1500`);
		await bundleLoaded();
		// The bundle is in and the page has called lpEA.searchInfo(); the taglet is not there yet.
		expect(await page.evaluate(() => (window as unknown as { lpEA: Lp }).lpEA.visit)).toBeNull();
		expect(await page.text('#tag-state')).toBe('not loaded yet');
		await page.waitFor(() => !!document.querySelector('[data-result="tag"].ok'), undefined, 15_000);
		expect(await page.evaluate(() => (window as unknown as { lpEA: Lp }).lpEA.visit)).toEqual(SAMPLE_VISIT);
		expect(demo.liveperson.received).toHaveLength(1);
		expect(demo.liveperson.received[0]).toMatchObject({
			verified: true,
			...SAMPLE_VISIT,
			attributes: [{ type: 'searchInfo', keywords: ['from', 'the', 'web', 'tag'] }],
		});
		// Nothing went out before the tag was there.
		const tagAt = Number(await page.evaluate(() => document.getElementById('tag-state')!.dataset.at));
		expect(Date.parse(demo.liveperson.received[0]!.at)).toBeGreaterThanOrEqual(tagAt);
		await page.waitFor(() => document.getElementById('visit')!.textContent!.includes('AsfghSCZT6'));
	});

	test('a tag that never comes: the call rejects no-visit once its timeout has passed', async () => {
		await page.goto(`${demo.origin}/tag-visit?tagDelay=600000`);
		await bundleLoaded();
		// The default timeout, 10 s: the call waits that long for the tag, then gives up.
		const outcome = await page.evaluate(() => {
			const lpEA = (window as unknown as { lpEA: Lp }).lpEA;
			return lpEA.send!({ type: 'searchInfo', keywords: ['x'] }).then(() => 'sent', (e: { code: string }) => e.code);
		});
		expect(outcome).toBe('no-visit');
		expect(demo.liveperson.received).toHaveLength(0);
	});
});

describe(titled('the storefront, as a person uses it'), () => {
	test('product view, cart, search, failing promo code, sign-in, checkout: each reaches LivePerson (screenshot saved)', async () => {
		await open(withVisit('/shop') + '&utm_medium=cpc&utm_source=Google&utm_campaign=spring');
		await until(() => received().find((a) => a.type === 'prodView'));
		await until(() => received().find((a) => a.type === 'mrktInfo'));
		await page.click('#add-to-cart');
		await page.click('#add-case');
		await page.fill('#search-form [name=q]', 'x5 case');
		await page.click('#search-form button[type=submit]');
		await page.fill('#promo-form [name=code]', 'spring');
		await page.click('#promo-form button[type=submit]');
		await page.click('#sign-in button[type=submit]');
		await until(() => received().filter((a) => a.type === 'cart').length === 2 && received().some((a) => a.type === 'personal'));
		await page.setViewport(1200, 900);
		await page.waitFor(() => document.querySelectorAll('#received li.verified').length >= 6);
		mkdirSync('test-results', { recursive: true });
		await page.screenshot(`test-results/demo-storefront-${engine.name}.png`);
		await page.click('#checkout');
		await page.waitFor(() => location.pathname === '/thanks');
		await until(() => received().find((a) => a.type === 'purchase'));

		const byType = (type: string) => received().filter((a) => a.type === type);
		expect(byType('prodView')[0]).toMatchObject({ currency: 'USD', products: [{ product: { sku: 'NW-X5-128', price: 799, statusInStock: 'In Stock', quantityInStock: 12 } }] });
		expect(byType('mrktInfo')[0]).toEqual({ type: 'mrktInfo', info: { channel: 5, affiliate: 'Google', campaignId: 'spring' } });
		expect(byType('cart').map((a) => [a.numItems, a.total])).toEqual([
			[1, 799],
			[2, 828.9],
		]);
		expect(byType('searchInfo')[0]).toEqual({ type: 'searchInfo', keywords: ['x5', 'case'] });
		expect(byType('error')[0]).toMatchObject({ error: { contextId: 'promo-code', code: 'PROMO_EXPIRED', resolved: false } });
		expect(byType('ctmrinfo')[0]).toMatchObject({ info: { ctype: 'vip', balance: -12.5, currency: 'USD' } });
		expect(byType('ctmrinfo')[0]?.info.customerId).toBeUndefined();
		expect(byType('personal')[0]).toMatchObject({ personal: { firstname: 'Dana', contacts: [{ email: 'dana@example.com', phoneType: 'MOBILE' }] } });
		expect(byType('purchase')[0]).toMatchObject({ total: 828.9, currency: 'USD', cart: { numItems: 2, products: [{ quantity: 1 }, { quantity: 1 }] } });
		// The live view says it in words, not only JSON.
		await page.waitFor(() => document.getElementById('received')!.textContent!.includes('Purchase'));
		const text = await page.text('#received');
		expect(text).toContain('Marketing source');
		expect(text).toContain('paid search (5)');
		expect(text).toContain('Product view');
		expect((await page.console()).filter((line) => line.type === 'pageerror')).toEqual([]);
	});
});
