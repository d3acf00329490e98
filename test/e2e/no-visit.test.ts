/**
 * A page without the visit (no URL parameters, nothing in the tab's session, no Web Tag): every
 * call is refused `no-visit`, and the console says so once, without data-debug, in each engine.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { launch, needs, titled, type Engine, type Session, type Tab } from './engines/index.js';
import { lpEaPage, startSite, type Site } from './site.js';

let engine: Engine;
let site: Site;
let session: Session;
let page: Tab;

// The calls are made before the bundle has loaded (through the stub) and after, all caught:
// the warning is the only line lp-ea may write.
const CALLS = `<script>
	window.outcomes = [];
	const call = (p) => p.then(() => 'sent', (e) => e.code).then((code) => outcomes.push(code));
	call(lpEA.lead({ topic: 'before load' }));
	call(lpEA.service({ status: 'resolved' }));
	addEventListener('load', () => setTimeout(() => {
		call(lpEA.lead({ topic: 'after load' }));
		setTimeout(() => call(lpEA.cart({ total: 1, numItems: 1 })), 400);
	}, 0));
</script>`;

beforeAll(async () => {
	engine = await launch();
	site = await startSite({ page: () => lpEaPage(CALLS, 'data-timeout="300"') });
});
afterAll(async () => {
	await engine?.close();
	await site?.close();
});
beforeEach(async () => {
	session = await engine.session();
	page = await session.tab();
});
afterEach(() => session?.close());

describe(titled('no visit on the page'), () => {
	needs('console')('four calls refused no-visit: exactly one console warning, naming what is missing and the README section', async () => {
		await page.goto(`${site.origin}/landing`);
		await page.waitFor(() => (window as { outcomes?: string[] }).outcomes?.length === 4, undefined, 20_000);
		expect(await page.evaluate(() => (window as unknown as { outcomes: string[] }).outcomes)).toEqual(['no-visit', 'no-visit', 'no-visit', 'no-visit']);
		const lpEaLines = (await page.console()).filter((line) => line.text.includes('[lp-ea]'));
		expect(lpEaLines).toEqual([
			{
				type: 'warn',
				text: expect.stringMatching(
					/^\[lp-ea\] no-visit: the visit is unknown on this page: "account", "visitor", "sid" missing from the URL, .*; nothing was sent\. See "Where the visit comes from" in lp-ea's README$/,
				),
			},
		]);
		expect(site.posts).toHaveLength(0);
	});
});
