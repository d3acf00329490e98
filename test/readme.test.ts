import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import { generated, README } from './helpers/readme.js';

// What brands paste from the README must be what the build made. When these fail after a
// change to the browser code: run `npm run readme:snippets` and commit the README.
const FIX = 'README is stale: run `npm run readme:snippets`';
const STUB = readFileSync('dist/lp-ea.stub.min.js', 'utf8').trimEnd();
const BUNDLE = readFileSync('dist/lp-ea.min.js');
const hash = (algorithm: string, content: string | Buffer) => `${algorithm}-${createHash(algorithm).update(content).digest('base64')}`;

test('the stub to paste is the built stub, byte for byte', () => {
	const pasted = /<script>([\s\S]*?)<\/script>/.exec(generated('paste'))?.[1];
	expect(pasted, FIX).toBe(STUB);
	expect(generated('paste'), FIX).toContain('<script async src="/lp-ea.min.js" data-endpoint="/lp-ea/events"></script>');
});

test("the CSP hash is the SHA-256 of the stub as pasted", () => {
	const pasted = /<script>([\s\S]*?)<\/script>/.exec(generated('paste'))![1]!;
	const policy = /Content-Security-Policy: (.*)/.exec(generated('csp'))?.[1];
	expect(policy, FIX).toBe(`script-src 'self' '${hash('sha256', pasted)}'; connect-src 'self'`);
});

test("the SRI hash is the SHA-384 of the built bundle", () => {
	const integrity = /integrity="([^"]+)"/.exec(generated('sri'))?.[1];
	expect(integrity, FIX).toBe(hash('sha384', BUNDLE));
	const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
	expect(generated('sri'), FIX).toContain(`/lp-ea/${version}/lp-ea.min.js`);
});

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'lp-ea-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('one command regenerates a stale README, and --check says which command that is', async () => {
	const stale = join(dir, 'README.md');
	writeFileSync(stale, README.replace(STUB, 'window.lpEA={};').replace(/sha384-[A-Za-z0-9+/=]+/, 'sha384-old'));
	const failed = await run(process.execPath, ['scripts/readme-snippets.mjs', '--check', stale]).catch((error: { code: number; stderr: string }) => error);
	expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('run `npm run readme:snippets`') });
	expect(readFileSync(stale, 'utf8')).not.toBe(README); // --check changes nothing

	await run(process.execPath, ['scripts/readme-snippets.mjs', stale]);
	expect(readFileSync(stale, 'utf8')).toBe(README);
	await expect(run(process.execPath, ['scripts/readme-snippets.mjs', '--check', stale])).resolves.toBeDefined();
});
