import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { closestName, didYouMean, oneSlipApart } from '../../src/attributes/closest-name.js';
import { SERVICE_STATUS } from '../../src/attributes/service.js';
import { MARKETING_CHANNEL } from '../../src/attributes/mrkt-info.js';

const LEAD = ['topic', 'value', 'currency', 'leadId'];
const STATUSES = Object.keys(SERVICE_STATUS);

describe('oneSlipApart', () => {
	test.each([
		['vaule', 'value', 'two neighbours swapped'],
		['prise', 'price', 'one letter wrong'],
		['totl', 'total', 'one letter too few'],
		['totall', 'total', 'one letter too many'],
		['inprogress', 'in-progress', 'the dash left out'],
		['value', 'value', 'the same'],
		['alue', 'value', 'the first letter missing'],
		['valu', 'value', 'the last letter missing'],
	])('%j and %j: %s', (a, b) => {
		expect(oneSlipApart(a, b)).toBe(true);
		expect(oneSlipApart(b, a)).toBe(true);
	});

	test.each([
		['vlaeu', 'value', 'two swaps'],
		['tpoc', 'topic', 'a letter missing and one wrong'],
		['ab', '', 'two letters too many'],
		['abc', 'bca', 'a rotation is not a swap'],
		['sku', 'age', 'nothing alike'],
		['waiting-for-customer', 'waiting-for-customer-response', 'a word short'],
	])('%j and %j: %s, not one slip', (a, b) => {
		expect(oneSlipApart(a, b)).toBe(false);
		expect(oneSlipApart(b, a)).toBe(false);
	});
});

/** The textbook answer: the optimal string alignment distance (edits and swaps of neighbours), by dynamic programming. */
function distance(a: string, b: string): number {
	const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
		}
	}
	return d[a.length]![b.length]!;
}

test('oneSlipApart agrees with the textbook distance on any two short strings, either way round', () => {
	const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '-'), maxLength: 7 });
	fc.assert(
		fc.property(word, word, (a, b) => {
			expect(oneSlipApart(a, b)).toBe(distance(a, b) <= 1);
			expect(oneSlipApart(b, a)).toBe(distance(a, b) <= 1);
		}),
		{ numRuns: 5_000 },
	);
});

describe('closestName', () => {
	test.each([
		['vaule', LEAD, 'value'],
		['leadID', LEAD, 'leadId'],
		['In-Progress', STATUSES, 'in-progress'],
		['inprogress', STATUSES, 'in-progress'],
		['RESOLVED', STATUSES, 'resolved'],
		['canceled', STATUSES, 'cancelled'],
		['Paid-Search', Object.keys(MARKETING_CHANNEL), 'paid-search'],
		['male', ['MALE', 'FEMALE', 'OTHER'], 'MALE'],
	])('%j means %s', (input, names, meant) => {
		expect(closestName(input, names)).toBe(meant);
	});

	test.each([
		['amount', LEAD],
		['', LEAD],
		['in progress now', STATUSES],
		['x'.repeat(50_000), STATUSES],
	])('%j is close to none', (input, names) => {
		expect(closestName(input, names)).toBeUndefined();
	});

	test.each([[1], [null], [undefined], [{ toString: () => 'value' }]])('%j is not a name at all', (input) => {
		expect(closestName(input, LEAD)).toBeUndefined();
	});

	test('the first of equally close names wins', () => {
		expect(closestName('cat', ['car', 'cap'])).toBe('car');
		expect(closestName('cat', ['cap', 'car'])).toBe('cap');
	});
});

describe('didYouMean', () => {
	test('ends a message with the name meant, or with nothing', () => {
		expect(didYouMean('In-Progress', STATUSES)).toBe('; did you mean "in-progress"?');
		expect(didYouMean('done', STATUSES)).toBe('');
		expect(didYouMean(3, STATUSES)).toBe('');
	});
});
