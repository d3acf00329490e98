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
