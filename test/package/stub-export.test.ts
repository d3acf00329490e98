import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test } from 'vitest';

// Resolved through the package's own exports, as a brand's server code imports it.
const require = createRequire(import.meta.url);

test('lp-ea/stub gives the built stub\'s exact text and the CSP hash of it, the same as the README\'s', async () => {
	const { stub, stubHash } = (await import(require.resolve('lp-ea/stub'))) as { stub: string; stubHash: string };
	const file = readFileSync(require.resolve('lp-ea/lp-ea.stub.min.js'), 'utf8');
	expect(stub).toBe(file.trimEnd());
	expect(stub.length).toBeGreaterThan(100);
	expect(stubHash).toBe(`'sha256-${createHash('sha256').update(stub).digest('base64')}'`);
	const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
	expect(readme).toContain(`<script>${stub}</script>`);
	expect(readme).toContain(stubHash);
});
