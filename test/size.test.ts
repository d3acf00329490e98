import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

// Budgets, not wishes: a change that grows the page's cost past them fails here. The bundle's
// is the whole product's (all ten types, the Web Tag visit, delivery with ky's retries and the
// outbox, consent): 11 KiB with ky inside, about 60 % of the smallest tracker that retries.
const BUDGETS: Array<[string, number]> = [
	['dist/lp-ea.min.js', 11_264],
	['dist/lp-ea.stub.min.js', 400],
];

/** Exactly `gzip -9c FILE | wc -c`, as the README and the issues measure: GNU gzip (zlib differs by some bytes), header with the file name included. */
const gzipSize = (file: string) => execFileSync('gzip', ['-9c', file]).length;

test.each(BUDGETS)('%s stays within %i bytes by gzip -9', (file, budget) => {
	const gzipped = gzipSize(file);
	console.log(`${file}: ${gzipped} bytes by gzip -9 (budget ${budget})`);
	expect(gzipped).toBeLessThanOrEqual(budget);
});

test('the stub is small enough to inline and defines only window.lpEA', () => {
	const stub = readFileSync('dist/lp-ea.stub.min.js', 'utf8');
	expect(stub).not.toMatch(/import|require/);
	expect(stub).toContain('lpEA');
});
