import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { ConsoleLine, Engine, Session, Tab } from './engine.js';
import { binary } from './index.js';

export const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

/** Debian's Chromium through playwright-core, headless, with no network of its own: never a downloaded browser. */
export async function launch(): Promise<Engine> {
	const browser = await chromium.launch({
		executablePath: binary('CHROME_PATH', CHROME_PATH, 'apt-get install -y chromium'),
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--no-first-run',
			'--disable-sync',
			'--disable-quic',
		],
	});
	return {
		name: 'chromium',
		async session() {
			return session(await browser.newContext());
		},
		close: () => browser.close(),
	};
}

function session(context: BrowserContext): Session {
	return {
		async tab() {
			return tab(await context.newPage());
		},
		setOffline: (offline) => context.setOffline(offline),
		close: () => context.close(),
	};
}

function tab(page: Page): Tab {
	const lines: ConsoleLine[] = [];
	page.on('console', (message) => {
		const type = message.type();
		lines.push({ type: type === 'warning' ? 'warn' : (type as ConsoleLine['type']), text: message.text() });
	});
	page.on('pageerror', (error) => lines.push({ type: 'pageerror', text: String(error) }));
	return {
		async goto(url, { wait = 'load' } = {}) {
			await page.goto(url, { waitUntil: wait === 'dom' ? 'domcontentloaded' : 'load' });
		},
		reload: async () => void (await page.reload()),
		back: async () => void (await page.goBack()),
		forward: async () => void (await page.goForward()),
		url: async () => page.url(),
		evaluate: (fn, arg) => page.evaluate(fn as never, arg) as never,
		async waitFor(fn, arg, timeoutMs = 15_000) {
			const started = Date.now();
			for (;;) {
				// Polled from here, not with waitForFunction: a navigation in between is "not yet", as in the other engines.
				if (await page.evaluate(fn as never, arg).catch(() => false)) return;
				if (Date.now() - started > timeoutMs) throw new Error(`chromium: not true within ${timeoutMs} ms: ${fn}`);
				await new Promise((r) => setTimeout(r, 50));
			}
		},
		click: (selector) => page.click(selector),
		fill: (selector, value) => page.fill(selector, value),
		text: async (selector) => (await page.textContent(selector)) ?? '',
		console: async () => [...lines],
		screenshot: async (path) => void (await page.screenshot({ path, fullPage: true })),
		setViewport: (width, height) => page.setViewportSize({ width, height }),
		close: () => page.close(),
	};
}
