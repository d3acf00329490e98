/**
 * Consent in each engine: a page with `data-consent="pending"` stores nothing and sends nothing
 * (the site records every POST), then sends everything held in one POST on `consent(true)`,
 * and clears lp-ea's storage on `consent(false)`. Both storages are read at every step.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { launch, needs, titled, until, type Engine, type Session, type Tab } from './engines/index.js';
import { lpEaPage, startSite, type Site } from './site.js';

let engine: Engine;
let site: Site;
let session: Session;
let page: Tab;

const VISIT = 'account=1234&visitor=v-consent&sid=s-consent';

// Two leads before the bundle has loaded (through the stub), one after, all held.
const CALLS = `<script>
	window.outcomes = {};
	const call = (id, p) => p.then(() => 'sent', (e) => e.code).then((code) => (outcomes[id] = code));
	call('before-1', lpEA.lead({ leadId: 'before-1' }));
	call('before-2', lpEA.lead({ leadId: 'before-2' }));
	addEventListener('load', () => call('after-load', lpEA.lead({ leadId: 'after-load' })));
</script>`;

/** lp-ea's keys in each storage, as the page sees them. */
const storage = (tab: Tab) =>
	tab.evaluate(() => ({
		local: Object.keys(localStorage).filter((key) => key.startsWith('lp-ea:')),
		session: Object.keys(sessionStorage).filter((key) => key.startsWith('lp-ea:')),
	}));
const outcomes = (tab: Tab) => tab.evaluate(() => (window as unknown as { outcomes: Record<string, string> }).outcomes);
const bundleLoaded = (tab: Tab) => tab.waitFor(() => 'LpEAError' in ((window as { lpEA?: object }).lpEA ?? {}));
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
	engine = await launch();
	site = await startSite({
		page: (url) =>
			url.pathname === '/seed'
				? '<!doctype html><title>an earlier page</title>'
				: lpEaPage(CALLS, 'data-endpoint="/lp-ea/events" data-consent="pending"'),
	});
});
afterAll(async () => {
	await engine?.close();
	await site?.close();
});
beforeEach(async () => {
	site.posts.length = 0;
	session = await engine.session();
	page = await session.tab();
});
afterEach(() => session?.close());

describe(titled('data-consent="pending"'), () => {
	needs('console')('pending: nothing stored, nothing sent; granted: one POST with the three calls; declined: lp-ea storage cleared, later calls refused in silence', async () => {
		await page.goto(`${site.origin}/shop?${VISIT}`);
		await bundleLoaded(page);
		await pause(1_000); // time enough for anything that would be sent
		expect(site.posts).toHaveLength(0);
		expect(await storage(page)).toEqual({ local: [], session: [] });
		expect(await outcomes(page)).toEqual({});

		await page.evaluate(() => lpEA.consent(true));
		await page.waitFor(() => Object.keys((window as unknown as { outcomes: object }).outcomes).length === 3);
		expect(await outcomes(page)).toEqual({ 'before-1': 'sent', 'before-2': 'sent', 'after-load': 'sent' });
		expect(site.posts.map((post) => post.leadIds)).toEqual([['before-1', 'before-2', 'after-load']]);
		expect(await storage(page)).toEqual({ local: [], session: ['lp-ea:visit'] });

		await page.evaluate(() => lpEA.consent(false));
		expect(await storage(page)).toEqual({ local: [], session: [] });
		const refused = await page.evaluate(() =>
			lpEA.lead({ leadId: 'after-decline' }).then(
				() => 'sent',
				(e: { code: string; status: number; queued: boolean }) => `${e.code} ${e.status} ${e.queued}`,
			),
		);
		expect(refused).toBe('no-consent 0 false');
		// A call nobody handles, refused for want of consent, is no console error.
		await page.evaluate(() => void lpEA.lead({ leadId: 'unhandled' }));
		await pause(500);
		expect((await page.console()).filter((line) => line.text.includes('[lp-ea]'))).toEqual([]);
		expect(site.posts).toHaveLength(1);
		expect(await storage(page)).toEqual({ local: [], session: [] });
	});

	needs('console')('pending → declined: the held calls are refused, what an earlier page left in the outbox is cleared unsent', async () => {
		await page.goto(`${site.origin}/seed`);
		await page.evaluate(() => {
			const body = JSON.stringify({ id: 'left-by-an-earlier-page', account: '1234', visitor: 'v-consent', sid: 's-consent', attributes: [{ type: 'lead', lead: { leadId: 'left' } }] });
			localStorage.setItem('lp-ea:out:left-by-an-earlier-page', JSON.stringify({ t: Date.now(), b: body, e: `${location.origin}/lp-ea/events` }));
			sessionStorage.setItem('lp-ea:visit', JSON.stringify({ account: '1234', visitor: 'v-consent', sid: 's-consent' }));
		});
		await page.goto(`${site.origin}/shop?${VISIT}`);
		await bundleLoaded(page);
		await pause(1_000);
		expect(site.posts).toHaveLength(0); // the backlog is not replayed before consent
		expect(await storage(page)).toEqual({ local: ['lp-ea:out:left-by-an-earlier-page'], session: ['lp-ea:visit'] });

		await page.evaluate(() => lpEA.consent(false));
		await page.waitFor(() => Object.keys((window as unknown as { outcomes: object }).outcomes).length === 3);
		expect(await outcomes(page)).toEqual({ 'before-1': 'no-consent', 'before-2': 'no-consent', 'after-load': 'no-consent' });
		expect(await storage(page)).toEqual({ local: [], session: [] });
		await pause(500);
		expect(site.posts).toHaveLength(0);

		// The next page of the visit, told "pending" again: nothing left to send, nothing sent.
		await page.goto(`${site.origin}/next?${VISIT}`);
		await bundleLoaded(page);
		await page.evaluate(() => lpEA.consent(true));
		await until(() => (site.posts.length === 1 ? true : undefined));
		expect(site.posts.map((post) => post.leadIds)).toEqual([['before-1', 'before-2', 'after-load']]);
	});
});

declare const lpEA: {
	consent(granted: boolean): void;
	lead(fields: object): Promise<void>;
};
