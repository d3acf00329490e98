import { defineConfig } from 'vitest/config';

// Real-browser tests: Debian's Chromium, driven by playwright-core, against the demo.
export default defineConfig({
	test: {
		include: ['test/e2e/**/*.test.ts'],
		testTimeout: 60_000,
		hookTimeout: 60_000,
		fileParallelism: false,
	},
});
