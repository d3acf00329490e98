import { describe, expect, test } from 'vitest';
import { closestName, oneSlipApart } from '../../src/attributes/closest-name.js';
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
