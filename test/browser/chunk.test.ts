import { expect, test } from 'vitest';
import { chunk } from '../../src/browser/chunk.js';

const size = (n: number) => n;

test('keeps order and fills each run up to the byte budget, counting one separator between items', () => {
	expect(chunk([4, 4, 4], size, 9, 10)).toEqual([[4, 4], [4]]);
	expect(chunk([4, 4, 4], size, 8, 10)).toEqual([[4], [4], [4]]);
	expect(chunk([1, 2, 3, 4], size, 100, 10)).toEqual([[1, 2, 3, 4]]);
});

test('caps the number of items in a run', () => {
	expect(chunk([1, 1, 1, 1, 1], size, 100, 2)).toEqual([[1, 1], [1, 1], [1]]);
});

test('an empty list makes no runs', () => {
	expect(chunk([], size, 10, 10)).toEqual([]);
});
