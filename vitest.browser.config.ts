import { defineConfig } from 'vitest/config';
import { ENGINE_NAMES } from './test/e2e/engines/engine.js';

// Real-browser tests against the demo and small page servers, once per engine: Debian's
// Chromium (playwright-core), Firefox ESR (puppeteer-core over WebDriver BiDi) and WebKitGTK
// (selenium-webdriver and WebKitWebDriver, under Xvfb). `--project firefox` runs one engine.
export default defineConfig({
	test: {
		include: ['test/e2e/**/*.test.ts'],
		testTimeout: 60_000,
		hookTimeout: 60_000,
		fileParallelism: false,
		projects: ENGINE_NAMES.map((name, order) => ({
			extends: true,
			test: {
				name,
				env: { LP_EA_ENGINE: name },
				// One engine after another: their timings must not share the two cores.
				sequence: { groupOrder: order },
			},
		})),
	},
});
