import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SAMPLE_VISIT, startDemo, type Demo } from '../../demo/server.mjs';
import { CHROME_PATH } from './engines/chromium.js';
import { binary, ENGINE } from './engines/index.js';

// The README's Playwright note ("Testing your integration"), checked: a form's keepalive POST
// cut off by the navigation is a requestfailed net::ERR_ABORTED to Playwright, its response
// never reaches the page, and yet LivePerson has it. Playwright's own events, so Chromium only.
const chromiumOnly = ENGINE === 'chromium' ? test : (title: string, fn: () => unknown) => test.skip(`${title} [Playwright's events: run in chromium]`, fn);

let demo: Demo;
let browser: Browser;
beforeAll(async () => {
	if (ENGINE !== 'chromium') return;
	demo = await startDemo({ signer: { rateLimit: false } });
	browser = await chromium.launch({ executablePath: binary('CHROME_PATH', CHROME_PATH, 'apt-get install -y chromium'), headless: true, args: ['--no-sandbox', '--disable-gpu'] });
});
afterAll(async () => {
	await browser?.close();
	await demo?.close();
});

chromiumOnly('a lead submitted as the page navigates: requestfailed ERR_ABORTED, no response, yet delivered', async () => {
	const page = await browser.newPage();
	const seen: string[] = [];
	const events = (url: string) => url.startsWith(`${demo.origin}/lp-ea/events`);
	page.on('requestfailed', (request) => events(request.url()) && seen.push(`requestfailed ${request.failure()?.errorText}`));
	page.on('requestfinished', (request) => events(request.url()) && seen.push('requestfinished'));
	await page.goto(`${demo.origin}/?${new URLSearchParams(SAMPLE_VISIT)}`);
	await page.waitForFunction(() => 'LpEAError' in ((window as { lpEA?: object }).lpEA ?? {}));

	// LivePerson answers late, so that the POST is surely in flight when the page goes.
	demo.liveperson.setFault({ delayMs: 500 });
	const response = page.waitForResponse((r) => events(r.url()), { timeout: 2_000 }).then(
		(r) => `response ${r.status()}`,
		() => 'no response',
	);
	await Promise.all([page.waitForURL('**/thanks**'), page.click('#lead-form button[type=submit]')]);

	const [delivered] = await demo.liveperson.expectRequests(1, { visit: SAMPLE_VISIT, timeoutMs: 10_000 });
	expect(delivered!.attributes).toEqual([expect.objectContaining({ type: 'lead' })]);
	expect(await response).toBe('no response');
	expect(seen).toEqual(['requestfailed net::ERR_ABORTED']);
	await page.close();
});
