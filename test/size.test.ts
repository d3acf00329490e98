import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';

// Budgets, not wishes: a change that grows the page's cost past them fails here.
const BUDGETS: Array<[string, number]> = [
	['dist/lp-ea.min.js', 8_704],
	['dist/lp-ea.stub.min.js', 400],
];

test.each(BUDGETS)('%s stays within %i bytes gzipped', (file, budget) => {
	const gzipped = gzipSync(readFileSync(file), { level: 9 }).length;
	console.log(`${file}: ${gzipped} bytes gzipped (budget ${budget})`);
	expect(gzipped).toBeLessThanOrEqual(budget);
});

test('the stub is small enough to inline and defines only window.lpEA', () => {
	const stub = readFileSync('dist/lp-ea.stub.min.js', 'utf8');
	expect(stub).not.toMatch(/import|require/);
	expect(stub).toContain('lpEA');
});
