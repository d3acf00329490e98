// @vitest-environment happy-dom
import { expect, test } from 'vitest';
import * as lpEA from 'lp-ea';
import type { CartFields, Gender, MarketingChannelName, PersonalFields, PhoneType, ServiceStatusName } from 'lp-ea';
import { useSigningEndpoint, REQUEST_ID, VISIT, VISIT_QUERY, visitPage } from '../helpers/page.js';

// The built ES module, as a bundler resolves `import { cart } from 'lp-ea'` (npm test builds first).
const endpoint = useSigningEndpoint();

test('the package exports the ten helpers, send, and the enum maps', async () => {
	for (const name of ['lead', 'service', 'cart', 'purchase', 'prodView', 'ctmrinfo', 'mrktInfo', 'personal', 'error', 'searchInfo', 'send']) {
		expect(typeof (lpEA as Record<string, unknown>)[name]).toBe('function');
	}
	expect(lpEA.MARKETING_CHANNEL['paid-search']).toBe(5);
	expect(lpEA.SERVICE_STATUS.resolved).toBe(13);
	expect(lpEA.GENDERS).toEqual(['MALE', 'FEMALE', 'OTHER']);
	expect(lpEA.PHONE_TYPES).toContain('WORK_FAX');
	visitPage(`/p?${VISIT_QUERY}`);
	await lpEA.cart({ total: 1, numItems: 1 });
	expect(endpoint.sent[0]?.body).toEqual({ id: REQUEST_ID, ...VISIT, attributes: [{ type: 'cart', total: 1, numItems: 1 }] });
});

test('types are inferred from the schemas: enum names autocomplete, wrong ones do not compile', () => {
	// tsc -p tsconfig.test.json (part of npm test) checks these lines; an unused @ts-expect-error fails it.
	const channel: MarketingChannelName = 'paid-search';
	// @ts-expect-error: not a channel name
	const notChannel: MarketingChannelName = 'paid search';
	const status: ServiceStatusName = 'waiting-for-customer-response';
	const gender: Gender = 'OTHER';
	// @ts-expect-error: LivePerson spells it in capitals
	const lower: Gender = 'other';
	const phone: PhoneType = 'HOME_FAX';
	// @ts-expect-error: total and numItems are mandatory
	const noTotal: CartFields = { numItems: 1 };
	const person: PersonalFields = { contacts: [{ phoneType: 'MOBILE', address: { country: 'US' } }], age: { age: 30 } };
	expect([channel, notChannel, status, gender, lower, phone, noTotal, person]).toHaveLength(8);
});
