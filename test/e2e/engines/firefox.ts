import puppeteer, { type BrowserContext, type Page } from 'puppeteer-core';
import type { ConsoleLine, Engine, Session, Tab } from './engine.js';
import { binary } from './index.js';

export const FIREFOX_PATH = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';

/**
 * On top of puppeteer's own test profile (which already turns off updates, Normandy and Safe
 * Browsing): what would still try to reach Mozilla, and on a machine without internet wait on
 * connections that never come.
 */
const OFFLINE_PREFS = {
	// Remote Settings: every new session (user context) syncs a few collections, a DNS lookup of
	// firefox.settings.services.mozilla.com each. Release builds ignore this override, and with it
	// puppeteer's dummy host, unless MOZ_REMOTE_SETTINGS_DEVTOOLS=1 (set at launch); the data: URL
	// is the dummy server Mozilla's own tests use, answered without a socket.
	'services.settings.server': 'data:,#remote-settings-dummy/v1',
	// Network probes: captive portal and connectivity checks, DNS over HTTPS, prefetching, OCSP.
	'network.captive-portal-service.enabled': false,
	'network.connectivity-service.enabled': false,
	'network.trr.mode': 5,
	'network.dns.disablePrefetch': true,
	'network.prefetch-next': false,
	'security.OCSP.enabled': 0,
	// Telemetry, studies, system add-on updates and the region lookup.
	'toolkit.telemetry.enabled': false,
	'toolkit.telemetry.server': '',
	'datareporting.usage.uploadEnabled': false,
	'app.shield.optoutstudies.enabled': false,
	'extensions.systemAddon.update.enabled': false,
	'browser.region.network.url': '',
	'browser.region.update.enabled': false,
};

/**
 * No back-forward cache: puppeteer over BiDi does not follow a page restored from it (Firefox
 * reports the navigation's start, never its commit or load), so goBack waits until its timeout
 * and every later navigation of that tab with it. Back and forward load the page again instead.
 */
const NO_BFCACHE = { 'browser.sessionhistory.max_total_viewers': 0 };

/** Debian's Firefox ESR through puppeteer-core over WebDriver BiDi, headless: never a downloaded browser. */
export async function launch(): Promise<Engine> {
	const browser = await puppeteer.launch({
		browser: 'firefox',
		executablePath: binary('FIREFOX_PATH', FIREFOX_PATH, 'apt-get install -y firefox-esr'),
		headless: true,
		extraPrefsFirefox: { ...OFFLINE_PREFS, ...NO_BFCACHE },
		env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
	});
	return {
		name: 'firefox',
		async session() {
			return session(await browser.createBrowserContext());
		},
		close: () => browser.close(),
	};
}

function session(context: BrowserContext): Session {
	// BiDi emulates the network per tab, not per user context: the session remembers it for the tabs still to come.
	let offline = false;
	return {
		async tab() {
			const page = await context.newPage();
			if (offline) await page.setOfflineMode(true);
			return tab(page);
		},
		async setOffline(value) {
			offline = value;
			await Promise.all((await context.pages()).map((page) => page.setOfflineMode(value)));
		},
		close: () => context.close(),
	};
}

/** Puppeteer's console types (the console method's name) as ConsoleLine's. */
function consoleType(type: string): ConsoleLine['type'] {
	if (type === 'log' || type === 'info' || type === 'warn' || type === 'error' || type === 'debug') return type;
	if (type === 'warning') return 'warn'; // CDP's name, should puppeteer ever give it
	if (type === 'assert') return 'error';
	return 'log'; // trace, dir, table, count, timeEnd, group…: lines printed like log's
}

/** Back or forward; with no history entry that way, staying put as Chromium does (BiDi rejects instead). */
async function traverse(going: Promise<unknown>): Promise<void> {
	await going.catch((error) => {
		if (!/no such history entry/.test(String(error))) throw error;
	});
}

function tab(page: Page): Tab {
	const lines: ConsoleLine[] = [];
	// Listeners on the page, not on a document: they outlive its navigations.
	page.on('console', (message) => lines.push({ type: consoleType(message.type()), text: message.text() }));
	// BiDi's text is already "Error: message" and puppeteer wraps it in an Error of its own: its message is Chromium's String(error).
	page.on('pageerror', (error) => lines.push({ type: 'pageerror', text: error instanceof Error ? error.message : String(error) }));
	return {
		async goto(url, { wait = 'load' } = {}) {
			await page.goto(url, { waitUntil: wait === 'dom' ? 'domcontentloaded' : 'load' });
		},
		reload: async () => void (await page.reload()),
		back: () => traverse(page.goBack()),
		forward: () => traverse(page.goForward()),
		url: async () => page.url(),
		evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
		async waitFor(fn, arg, timeoutMs = 15_000) {
			const started = Date.now();
			for (;;) {
				// Polled from here, not with waitForFunction: a navigation in between is "not yet", as in the other engines.
				if (await page.evaluate(fn as never, arg).catch(() => false)) return;
				if (Date.now() - started > timeoutMs) throw new Error(`firefox: not true within ${timeoutMs} ms: ${fn}`);
				await new Promise((r) => setTimeout(r, 50));
			}
		},
		// Through locators, which wait for the element (and for click and fill: visible, stable, enabled) as
		// playwright's actions do; page.click and page.$eval would fail at once on a page still loading.
		click: (selector) => page.locator(selector).click(),
		// Like playwright's fill: clears the input, then types (or sets the value where typing cannot).
		fill: (selector, value) => page.locator(selector).fill(value),
		text: async (selector) => (await page.locator(selector).map((element) => element.textContent).wait()) ?? '',
		console: async () => [...lines],
		screenshot: async (path) => void (await page.screenshot({ path, fullPage: true })),
		setViewport: (width, height) => page.setViewport({ width, height }),
		close: () => page.close(),
	};
}
