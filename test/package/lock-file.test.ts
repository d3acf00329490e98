import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

// `npm ci` on a fresh clone fails when the lock file lacks a platform package of a native
// dependency ("Missing: @rollup/rollup-android-arm-eabi from lock file"). Guard the two.
type Entry = { version: string; integrity?: string; optionalDependencies?: Record<string, string> };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, Entry> };
const manifest = (name: string) => JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as Entry;

test.each([
	['rollup', '4.67.4'],
	['workerd', '1.20261023.1'],
])('%s is locked at %s with every platform package it names', (name, version) => {
	const entry = lock.packages[`node_modules/${name}`];
	expect(entry?.version).toBe(version);
	// The installed package's own list, so a lock file that dropped a platform cannot vouch for itself.
	const wanted = manifest(name).optionalDependencies ?? {};
	expect(Object.keys(wanted).length).toBeGreaterThan(name === 'rollup' ? 15 : 3);
	expect(entry?.optionalDependencies).toEqual(wanted);
	const missing = Object.entries(wanted).filter(([dependency, range]) => {
		const locked = lock.packages[`node_modules/${dependency}`];
		// Platform packages are pinned exactly; a range (fsevents ~2.3.2) only has to be there.
		const pinned = /^\d+\.\d+\.\d+$/.test(range);
		return !locked?.integrity || (pinned && locked.version !== range);
	});
	expect(missing).toEqual([]);
});
