// @vitest-environment happy-dom
import { describe, expect, test } from 'vitest';
import { createClient, GENDERS, MARKETING_CHANNEL, PHONE_TYPES, type Client } from '../../src/browser/index.js';
import { DOCUMENTED, helperFields, INVALID, type DocumentedType } from '../helpers/attributes.js';
import { settle, useSigningEndpoint, REQUEST_ID, VISIT, VISIT_QUERY, visitPage } from '../helpers/page.js';
import { rejection } from '../helpers/rejection.js';

const endpoint = useSigningEndpoint();

const client = (options = {}) => {
	visitPage(`/shop?${VISIT_QUERY}`);
	return createClient(options);
};


const TYPES = Object.keys(DOCUMENTED) as DocumentedType[];

describe("each helper builds LivePerson's documented example", () => {
	test.each(TYPES)('%s', async (type) => {
		const helper = client()[type] as (fields: unknown) => Promise<void>;
		await helper(helperFields(type));
		expect(endpoint.sent).toHaveLength(1);
		expect(endpoint.sent[0]?.body).toEqual({ id: REQUEST_ID, ...VISIT, attributes: [DOCUMENTED[type]] });
	});

	test('send() takes all ten at once, in one request, in order', async () => {
		await client().send(...(Object.values(DOCUMENTED) as never[]));
		expect(endpoint.sent).toHaveLength(1);
		expect(endpoint.sent[0]?.body.attributes).toEqual(Object.values(DOCUMENTED));
	});

	test('the ESM exports are the same helpers on a default client', async () => {
		visitPage(`/shop?${VISIT_QUERY}`);
		const lpEA = await import('../../src/browser/index.js');
		await Promise.all(TYPES.map((type) => (lpEA[type] as (fields: unknown) => Promise<void>)(helperFields(type))));
		expect(endpoint.sent[0]?.body.attributes).toEqual(Object.values(DOCUMENTED));
	});
});

describe('names for numbers and enums', () => {
	test('every marketing channel name reaches LivePerson as its number', async () => {
		const c = client();
		const names = Object.keys(MARKETING_CHANNEL) as Array<keyof typeof MARKETING_CHANNEL>;
		expect(names).toEqual(['direct', 'search', 'social', 'email', 'referral', 'paid-search', 'display']);
		await Promise.all(names.map((channel) => c.mrktInfo({ channel })));
		const channels = endpoint.sent[0]?.body.attributes.map((a) => (a as { info: { channel: number } }).info.channel);
		expect(channels).toEqual([0, 1, 2, 3, 4, 5, 6]);
	});

	test('channel numbers 0 and 6 pass as they are; a name in send() is mapped too', async () => {
		const c = client();
		await c.send({ type: 'mrktInfo', info: { channel: 0 } }, { type: 'mrktInfo', info: { channel: 6 } }, { type: 'mrktInfo', info: { channel: 'paid-search' } });
		expect(endpoint.sent[0]?.body.attributes).toEqual([
			{ type: 'mrktInfo', info: { channel: 0 } },
			{ type: 'mrktInfo', info: { channel: 6 } },
			{ type: 'mrktInfo', info: { channel: 5 } },
		]);
	});

	test('every gender and phone type is accepted as LivePerson spells it', async () => {
		const c = client();
		await Promise.all([
			...GENDERS.map((gender) => c.personal({ gender })),
			c.personal({ contacts: PHONE_TYPES.map((phoneType) => ({ phoneType })) }),
		]);
		const sent = endpoint.sent[0]?.body.attributes as Array<{ personal: { gender?: string; contacts?: Array<{ phoneType: string }> } }>;
		expect(sent.slice(0, 3).map((a) => a.personal.gender)).toEqual(['MALE', 'FEMALE', 'OTHER']);
		expect(sent[3]?.personal.contacts?.map((c) => c.phoneType)).toEqual([...PHONE_TYPES]);
	});

	test('a customer balance may be negative; 100 list items and 50,000 characters are the most, and pass', async () => {
		const c = client();
		await c.ctmrinfo({ balance: -400.99 });
		await c.searchInfo({ keywords: Array.from({ length: 100 }, (_, i) => `k${i}`) });
		await c.error({ message: 'x'.repeat(50_000) });
		expect(endpoint.sent).toHaveLength(3);
	});
});

describe('bad input: invalid, naming the field, nothing sent', () => {
	test.each(INVALID)('%s', async (_name, attribute, path) => {
		const error = await rejection(client().send(attribute as never));
		expect(error).toMatchObject({ code: 'invalid', status: 0 });
		expect(error.message.startsWith(`attributes[0].${path}: `)).toBe(true);
		expect(error.message.length).toBeLessThan(300);
		await settle();
		expect(endpoint.sent).toHaveLength(0);
	});

	test('through a helper the path starts at the attribute: products[0].product.price', async () => {
		const error = await rejection(client().cart({ total: 1, numItems: 1, products: [{ product: { price: Number.NaN } }] }));
		expect(error.message).toBe('products[0].product.price: must be a finite number, not negative (got NaN); nothing was sent');
	});

	test('a missing mandatory field says it is required', async () => {
		const error = await rejection(client().cart({ numItems: 1 } as never));
		expect(error.message).toBe('total: is required; nothing was sent');
	});

	test('one bad attribute in send() stops the whole call; the others are not sent either', async () => {
		const error = await rejection(client().send(DOCUMENTED.cart as never, { type: 'searchInfo', keywords: [1] } as never));
		expect(error.message).toMatch(/^attributes\[1\]\.keywords\[0\]: /);
		await settle();
		expect(endpoint.sent).toHaveLength(0);
	});
});

describe('unknown fields are dropped at every level', () => {
	test('on flat and wrapped types, in products, contacts and dates', async () => {
		const c: Client = client();
		await Promise.all([
			c.cart({ total: 1, numItems: 1, coupon: 'X', products: [{ product: { name: 'a', colour: 'red' }, quantity: 1, note: 'n' }] } as never),
			c.personal({ firstname: 'A', ssn: '123', contacts: [{ email: 'a@b.c', password: 'p', address: { country: 'US', street: 's' } }] } as never),
			c.ctmrinfo({ registrationDate: { day: 1, month: 2, year: 2020, hour: 3 }, creditCard: '4111' } as never),
		]);
		expect(endpoint.sent[0]?.body.attributes).toEqual([
			{ type: 'cart', total: 1, numItems: 1, products: [{ product: { name: 'a' }, quantity: 1 }] },
			{ type: 'personal', personal: { firstname: 'A', contacts: [{ email: 'a@b.c', address: { country: 'US' } }] } },
			{ type: 'ctmrinfo', info: { registrationDate: { day: 1, month: 2, year: 2020 } } },
		]);
	});

	test('a type field among a flat helper\'s fields does not change the type', async () => {
		await client().searchInfo({ keywords: ['a'], type: 'lead' } as never);
		expect(endpoint.sent[0]?.body.attributes).toEqual([{ type: 'searchInfo', keywords: ['a'] }]);
	});
});

describe('ctmrinfo.customerId', () => {
	test('is sent, with a warning in debug output only', async () => {
		const lines: string[] = [];
		const original = console.log;
		console.log = (first: unknown) => lines.push(String(first));
		try {
			await client().ctmrinfo({ customerId: 'C-1' });
			expect(lines.some((line) => line.includes('customerId'))).toBe(false);
			await client({ debug: true }).ctmrinfo({ cstatus: 'vip' });
			expect(lines.some((line) => line.includes('customerId'))).toBe(false);
			await client({ debug: true }).ctmrinfo({ customerId: 'C-1' });
		} finally {
			console.log = original;
		}
		expect(lines.filter((line) => /warning: .*ctmrinfo\.customerId.*authenticated/.test(line))).toHaveLength(1);
		expect(endpoint.sent.map((r) => r.body.attributes[0])).toContainEqual({ type: 'ctmrinfo', info: { customerId: 'C-1' } });
	});
});
