import { chromium, type Browser } from 'playwright-core';

export const CHROME_PATH = process.env.CHROME_PATH || '/usr/bin/chromium';

/** Debian's Chromium, headless, with no network of its own: never a downloaded browser. */
export function launch(): Promise<Browser> {
	return chromium.launch({
		executablePath: CHROME_PATH,
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
}

/** Polls `read` until it gives a value, for what the page and the stand-in do on their own time. */
export async function until<T>(read: () => T | undefined, timeoutMs = 15_000): Promise<T> {
	const started = Date.now();
	for (;;) {
		const value = read();
		if (value) return value;
		if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
		await new Promise((r) => setTimeout(r, 50));
	}
}
