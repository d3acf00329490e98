import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { README } from '../helpers/readme.js';

// One Node version in every place that states what lp-ea needs: package.json's engines (what npm
// checks), the README, the CHANGELOG, the sources' docs and the CLIs' help.
const ROOT = new URL('../..', import.meta.url).pathname;
const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;

/** Each "Node 20.19 or later", "Node 20+", "Node 20 and later" in `text`: the version stated. */
const stated = (text: string) => [...text.matchAll(/\bNode(?:\.js)? (\d+(?:\.\d+)*)(?:\+| or later| and later| or newer)/g)].map((m) => m[1]);

const sources = (dir: string): string[] =>
	readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [readFileSync(join(ROOT, dir, entry.name), 'utf8')] : [],
	);

test('package.json says a minimum version', () => {
	expect(engines).toMatch(/^>=\d+\.\d+$/);
});

test.each([
	['README.md', () => README],
	['CHANGELOG.md', () => readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')],
	['src/', () => sources('src').join('\n')],
	['lp-ea-stand-in --help', () => execFileSync(process.execPath, [join(ROOT, 'dist/stand-in-cli.mjs'), '--help'], { encoding: 'utf8' })],
])('%s states the version of package.json engines', (_, read) => {
	const versions = stated(read());
	expect(versions.length).toBeGreaterThan(0);
	expect(versions.map((version) => `>=${version}`)).toEqual(versions.map(() => engines));
});
