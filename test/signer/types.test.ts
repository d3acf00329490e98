import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { createSigner, type SignerHandler } from '../../src/signer/index.js';
import { DOCUMENTED, INVALID } from '../helpers/attributes.js';
import { post, signerOptions, startStandIn, VISIT } from '../helpers/signer.js';

// The signer against the LivePerson stand-in, which checks every signature with oauth-sign.
let lp: LivePersonStandIn;
let signer: SignerHandler;

beforeAll(async () => {
	lp = await startStandIn();
	signer = createSigner({ ...signerOptions(lp.origin), rateLimit: false });
});
afterAll(() => lp.close());
beforeEach(() => lp.clear());

async function call(attributes: unknown[]) {
	const response = await signer(post({ ...VISIT, attributes }));
	return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } };
}

describe("LivePerson's documented examples", () => {
	test.each(Object.entries(DOCUMENTED))('%s is forwarded exactly, signature verified', async (_type, attribute) => {
		expect(await call([attribute])).toEqual({ status: 200, body: {} });
		expect(lp.received).toHaveLength(1);
		expect(lp.received[0]).toMatchObject({ verified: true, attributes: [attribute] });
	});

	test('all ten in one request, in order', async () => {
		expect((await call(Object.values(DOCUMENTED))).status).toBe(200);
		expect(lp.received[0]?.attributes).toEqual(Object.values(DOCUMENTED));
	});

	test('names sent straight to the signer reach LivePerson as numbers', async () => {
		await call([
			{ type: 'service', service: { status: 'waiting-for-customer-response' } },
			{ type: 'mrktInfo', info: { channel: 'paid-search' } },
		]);
		expect(lp.received[0]?.attributes).toEqual([
			{ type: 'service', service: { status: 10 } },
			{ type: 'mrktInfo', info: { channel: 5 } },
		]);
	});
});

describe('bad input: 400 naming the field, nothing forwarded', () => {
	test.each(INVALID)('%s', async (_name, attribute, path) => {
		const { status, body } = await call([DOCUMENTED.lead, attribute]);
		expect(status).toBe(400);
		expect(body.error?.code).toBe('bad-request');
		expect(body.error?.message.startsWith(`attributes[1].${path}: `)).toBe(true);
		expect(lp.received).toHaveLength(0);
	});
});

test('unknown fields never reach LivePerson, at any depth', async () => {
	await call([
		{ type: 'cart', total: 1, numItems: 1, coupon: 'X', products: [{ product: { sku: 'a', cost: 1 }, quantity: 1, note: 'n' }] },
		{ type: 'purchase', orderId: 'o', cart: { products: [{ product: {}, gift: true }], numItems: 1, wrap: 'y' }, card: '4111' },
		{ type: 'personal', personal: { firstname: 'A', ssn: '1', age: { age: 3, star: 'leo' }, contacts: [{ email: 'e', pin: 1, address: { country: 'US', street: 's' } }] }, extra: 1 },
		{ type: 'ctmrinfo', info: { cstatus: 'vip', registrationDate: { day: 1, month: 2, year: 2020, hour: 3 }, password: 'p' } },
		{ type: 'searchInfo', keywords: ['a'], query: 'a' },
	]);
	expect(lp.received[0]?.attributes).toEqual([
		{ type: 'cart', total: 1, numItems: 1, products: [{ product: { sku: 'a' }, quantity: 1 }] },
		{ type: 'purchase', orderId: 'o', cart: { products: [{ product: {} }], numItems: 1 } },
		{ type: 'personal', personal: { firstname: 'A', age: { age: 3 }, contacts: [{ email: 'e', address: { country: 'US' } }] } },
		{ type: 'ctmrinfo', info: { cstatus: 'vip', registrationDate: { day: 1, month: 2, year: 2020 } } },
		{ type: 'searchInfo', keywords: ['a'] },
	]);
	expect(JSON.stringify(lp.received)).not.toMatch(/coupon|4111|ssn|password|street|leo|"pin"|query/);
});
