import fc from 'fast-check';
import { expect, test } from 'vitest';
import { createClient, GENDERS, LpEAError, MARKETING_CHANNEL, PHONE_TYPES, SERVICE_STATUS } from '../../src/browser/index.js';
import { createSigner } from '../../src/signer/index.js';
import { post, signerOptions, VISIT } from '../helpers/signer.js';

/**
 * One definition, two sides: for random attributes of all ten types, mostly well-formed and
 * often subtly not, whatever the browser accepts the signer accepts and forwards exactly as the
 * browser sent it; whatever the browser refuses, the signer refuses and forwards nothing.
 * (For JSON-shaped input: what a page can put in an attribute and still post.)
 */
const forwarded: unknown[] = [];
const signer = createSigner({
	...signerOptions('lo.v.liveperson.net'),
	rateLimit: false,
	fetch: async (input, init) => {
		const request = input instanceof Request ? input : new Request(input, init);
		forwarded.push(JSON.parse(await request.text()));
		return new Response('{}', { status: 200 });
	},
});

// The browser client, posting to a fetch that keeps the body instead of a network.
const last: { posted?: { attributes: unknown[] } } = {};
const browser = createClient({
	visit: VISIT,
	endpoint: 'https://brand.example/lp-ea/events',
	fetch: async (input, init) => {
		const request = input instanceof Request ? input : new Request(input, init);
		last.posted = JSON.parse(await request.text());
		return new Response('{}', { status: 200 });
	},
});

const hostile = fc.oneof(
	fc.jsonValue({ maxDepth: 2 }),
	fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, -0.5, 1.5, 2 ** 31, '', '1', 'x'.repeat(50_001), null, [], {}),
);
/** A field's value: usually one of its kind, sometimes anything at all. */
const field = (valid: fc.Arbitrary<unknown>) => fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: hostile });
const fields = (spec: Record<string, fc.Arbitrary<unknown>>, requiredKeys: string[] = []) =>
	fc.record(Object.fromEntries(Object.entries(spec).map(([key, valid]) => [key, field(valid)])), { requiredKeys });
const list = (item: fc.Arbitrary<unknown>) => fc.array(item, { maxLength: 4 });

const text = fc.string({ maxLength: 12 });
const amount = fc.double({ min: 0, max: 1e9, noNaN: true, noDefaultInfinity: true });
const count = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const currency = fc.constantFrom('USD', 'EUR', 'JPY', 'usd');
const date = fields({ day: fc.integer({ min: 1, max: 31 }), month: fc.integer({ min: 1, max: 12 }), year: fc.integer({ min: 1000, max: 9999 }) }, ['day', 'month', 'year']);
const product = fields({ name: text, category: text, sku: text, price: amount });
const cartItems = list(fields({ product, quantity: count }, ['product']));
const enumOf = (names: readonly (string | number)[]) => fc.constantFrom(...names);

const wrapped = (type: string, key: string, spec: Record<string, fc.Arbitrary<unknown>>) =>
	fc.record({ type: fc.constant(type), [key]: field(fields(spec)) });
const flat = (type: string, spec: Record<string, fc.Arbitrary<unknown>>, required: string[] = []) =>
	fields(spec, required).map((rest) => ({ ...rest, type }));

const attribute = fc.oneof(
	wrapped('lead', 'lead', { topic: text, value: amount, currency, leadId: text }),
	wrapped('service', 'service', { topic: text, status: enumOf([...Object.keys(SERVICE_STATUS), 0, 13, 14]), category: text, serviceId: text }),
	flat('cart', { total: amount, currency, numItems: count, products: cartItems }, ['total', 'numItems']),
	flat('purchase', { total: amount, currency, orderId: text, cart: fields({ products: cartItems, numItems: count }, ['products']) }),
	flat('prodView', { currency, products: list(fields({ product: fields({ name: text, price: amount, statusInStock: text, quantityInStock: count }) }, ['product'])) }),
	wrapped('ctmrinfo', 'info', {
		cstatus: text,
		balance: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
		currency,
		customerId: text,
		companySize: count,
		lastPaymentDate: date,
		registrationDate: date,
		loginStatus: count,
		storeZipCode: text,
	}),
	wrapped('mrktInfo', 'info', { channel: enumOf([...Object.keys(MARKETING_CHANNEL), 0, 6, 7, 'Paid-Search']), affiliate: text, campaignId: text }),
	wrapped('personal', 'personal', {
		firstname: text,
		age: fields({ age: fc.integer({ min: 0, max: 150 }), year: fc.integer({ min: 1000, max: 9999 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }) }),
		contacts: list(fields({ email: text, phone: text, phoneType: enumOf([...PHONE_TYPES, 'mobile']), address: fields({ country: text, region: text }) })),
		gender: enumOf([...GENDERS, 'male']),
		language: text,
	}),
	wrapped('error', 'error', { contextId: text, message: text, code: text, level: count, resolved: fc.boolean() }),
	flat('searchInfo', { keywords: list(text) }, ['keywords']),
	hostile,
);

test('what the browser accepts the signer forwards unchanged; what it refuses the signer refuses', async () => {
	const seen = { accepted: 0, refused: 0 };
	await fc.assert(
		fc.asyncProperty(attribute, async (input) => {
			last.posted = undefined;
			const before = forwarded.length;
			const outcome = await browser.send(input as never).then(
				() => undefined,
				(error: unknown) => error,
			);
			// (Read through a cast: TypeScript cannot see the fetch above assign it during send().)
			const sent = last.posted as { attributes: unknown[] } | undefined;
			if (outcome === undefined) {
				seen.accepted += 1;
				expect(sent?.attributes).toHaveLength(1);
				const response = await signer(post(sent));
				expect(response.status).toBe(200);
				expect(forwarded).toHaveLength(before + 1);
				expect(forwarded.at(-1)).toEqual(sent?.attributes);
			} else {
				seen.refused += 1;
				expect(outcome).toBeInstanceOf(LpEAError);
				expect((outcome as LpEAError).code).toBe('invalid');
				expect(sent).toBeUndefined();
				const response = await signer(post({ ...VISIT, attributes: [input] }));
				// 413 where several oversize strings make the body itself larger than the signer reads.
				expect([400, 413]).toContain(response.status);
				expect(forwarded).toHaveLength(before);
			}
		}),
		{ numRuns: 600 },
	);
	// Both sides of the property were really explored.
	expect(seen.accepted).toBeGreaterThan(100);
	expect(seen.refused).toBeGreaterThan(100);
});
