import { describe, expect, expectTypeOf, test } from 'vitest';
import { numbering } from '../../src/attributes/fields.js';
import { MARKETING_CHANNEL } from '../../src/attributes/mrkt-info.js';
import { SERVICE_STATUS, type ServiceStatus, type ServiceStatusName } from '../../src/attributes/service.js';

// The names are written as one string for the page's bytes; the table and its types must read as
// the table would (npm test type-checks this file, so a wrong type fails there).
describe('numbering', () => {
	test('each name gets its place, in order, and nothing else is in the table', () => {
		expect(numbering('a b-c d')).toEqual({ a: 0, 'b-c': 1, d: 2 });
		expect(Object.entries(MARKETING_CHANNEL)).toEqual([
			['direct', 0], ['search', 1], ['social', 2], ['email', 3], ['referral', 4], ['paid-search', 5], ['display', 6],
		]);
		expect(Object.keys(SERVICE_STATUS)).toHaveLength(14);
		expect(SERVICE_STATUS).toMatchObject({ complete: 0, 'in-progress': 1, 'waiting-for-customer-response': 10, resolved: 13 });
	});

	test('the types know every name and its number', () => {
		expectTypeOf(numbering('a b-c d')).toEqualTypeOf<{ readonly a: 0; readonly 'b-c': 1; readonly d: 2 }>();
		expectTypeOf(SERVICE_STATUS['waiting-for-customer-response']).toEqualTypeOf<10>();
		expectTypeOf(MARKETING_CHANNEL['paid-search']).toEqualTypeOf<5>();
		expectTypeOf<'resolved'>().toExtend<ServiceStatusName>();
		expectTypeOf<'resolve'>().not.toExtend<ServiceStatusName>();
		expectTypeOf<13>().toExtend<ServiceStatus>();
		expectTypeOf<14>().not.toExtend<ServiceStatus>();
	});
});
