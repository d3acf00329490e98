import fc from 'fast-check';
import * as v from 'valibot';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { attributeSchema } from '../../src/attributes/index.js';
import { SIGNER_PATHS } from '../helpers/paths.js';
import { LEAD, post, signerOptions, VISIT } from '../helpers/signer.js';

/**
 * Thousands of random and hostile bodies: the signer must never answer 5xx, and whatever it
 * forwards must be exactly a schema-valid attribute list for an allowed account and safe ids.
 */
const hostileString = fc.oneof(
	fc.string(),
	fc.constantFrom('', '..', '../..', 'a/b', '%2F', 'a?b=1', 'a&b', ' ', '\u0000', '1234', '__proto__', 'constructor', 'x'.repeat(200)),
);
const anyValue = fc.oneof(
	fc.jsonValue({ maxDepth: 4 }),
	fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 14, 1.5, 'approved', 'approve', null),
	hostileString,
);
const attribute = fc.oneof(
	fc.record({ type: fc.constantFrom('lead', 'service', 'cart', 'LEAD', ''), lead: fc.dictionary(fc.constantFrom('topic', 'value', 'currency', 'leadId', 'x'), anyValue), service: fc.dictionary(fc.constantFrom('topic', 'status', 'category', 'serviceId', '__proto__'), anyValue) }, { requiredKeys: ['type'] }),
	anyValue,
	fc.constant(LEAD),
);
const envelope = fc.record(
	{
		account: fc.oneof(fc.constantFrom('1234', '5678', '9999'), hostileString, anyValue),
		visitor: fc.oneof(fc.constant(VISIT.visitor), hostileString, anyValue),
		sid: fc.oneof(fc.constant(VISIT.sid), hostileString, anyValue),
		attributes: fc.oneof(fc.array(attribute, { maxLength: 60 }), anyValue),
		extra: anyValue,
	},
	{ requiredKeys: [] },
);
// Valid attributes with random content, so that the accepted path is explored as hard as the refusals.
const validAttribute = fc.oneof(
	fc.record({ type: fc.constant('lead'), lead: fc.record({ topic: fc.string(), value: fc.double({ min: 0, max: 1e9, noNaN: true }), currency: fc.constantFrom('USD', 'EUR'), leadId: fc.string() }, { requiredKeys: [] }) }),
	fc.record({ type: fc.constant('service'), service: fc.record({ topic: fc.string(), status: fc.oneof(fc.integer({ min: 0, max: 13 }), fc.constantFrom('approved', 'resolved')), serviceId: fc.string() }, { requiredKeys: [] }) }),
);
const nearlyValid = fc.record({
	account: fc.constantFrom('1234', '5678', '9999'),
	visitor: fc.oneof(fc.constant(VISIT.visitor), hostileString),
	sid: fc.constant(VISIT.sid),
	attributes: fc.array(fc.oneof({ weight: 4, arbitrary: validAttribute }, { weight: 1, arbitrary: attribute }), { minLength: 1, maxLength: 8 }),
});
const body = fc.oneof(
	nearlyValid.map((e) => JSON.stringify(e)),
	envelope.map((e) => JSON.stringify(e)),
	fc.string(),
	fc.jsonValue().map((j) => JSON.stringify(j)),
	fc.constantFrom('{', '[]', 'null', '{"account":"1234"', '\uFEFF{}', '{"__proto__":{"account":"1234"}}'),
);

describe.each(SIGNER_PATHS)('$name', ({ create }) => {
	// A LivePerson on loopback that records what reaches it, through each path's own transport.
	const forwarded: Array<{ url: URL; body: unknown }> = [];
	let upstream: Server;
	let signer: ReturnType<typeof create>;
	beforeAll(async () => {
		upstream = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				forwarded.push({ url: new URL(req.url!, 'http://upstream'), body: JSON.parse(Buffer.concat(chunks).toString()) });
				res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
			});
		});
		await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
		signer = create({ ...signerOptions(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`), rateLimit: false });
	});
	afterAll(() => {
		upstream.closeAllConnections();
		upstream.close();
	});

	test('never a 5xx, never a forward of anything outside the schema', async () => {
		let accepted = 0;
		await fc.assert(
			fc.asyncProperty(body, fc.constantFrom('application/json', 'text/plain;charset=UTF-8'), async (text, type) => {
				const before = forwarded.length;
				const response = await signer(post(text, { headers: { 'content-type': type } }));
				expect(response.status).toBeLessThan(500);
				const answer = await response.json();
				if (response.status === 200) {
					accepted += 1;
					expect(forwarded.length).toBe(before + 1);
					const { url, body: sent } = forwarded.at(-1)!;
					expect(url.pathname).toMatch(/^\/api\/account\/(1234|5678)\/monitoring\/visitors\/[A-Za-z0-9_-][A-Za-z0-9._-]*\/visits\/current\/events$/);
					expect([...url.searchParams.keys()]).toEqual(['v', 'sid']);
					expect(Array.isArray(sent)).toBe(true);
					for (const item of sent as unknown[]) {
						// What went out is already in its output form: parsing it again changes nothing.
						expect(v.parse(attributeSchema, item)).toEqual(item);
					}
				} else {
					expect(forwarded.length).toBe(before);
					expect(answer.error.code).toMatch(/^[a-z-]+$/);
				}
			}),
			{ numRuns: 3000, examples: [[JSON.stringify({ ...VISIT, attributes: [LEAD] }), 'application/json']] },
		);
		expect(accepted).toBeGreaterThan(0);
	});
});
