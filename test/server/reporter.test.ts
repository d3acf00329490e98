import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { ATTRIBUTE_TYPES } from '../../src/attributes/index.js';
import { createReporter, SignerConfigError, type AttributeInput, type Reporter } from '../../src/server/index.js';
import { DOCUMENTED, helperFields, INVALID } from '../helpers/attributes.js';
import { CREDENTIALS, signerOptions, startStandIn, VISIT } from '../helpers/signer.js';
import { rejection } from '../helpers/rejection.js';

// lp-ea/server against the LivePerson stand-in, which verifies each OAuth signature with an
// implementation of its own (oauth-sign): what it received is what LivePerson would have.
let lp: LivePersonStandIn;
let reporter: Reporter;

beforeAll(async () => {
	lp = await startStandIn();
	reporter = createReporter({ ...signerOptions(lp.origin), timeout: 3_000, attemptTimeout: 1_000 });
});
afterAll(async () => {
	await reporter.close();
	await lp.close();
});
beforeEach(() => lp.clear());


describe('delivers', () => {
	test.each(ATTRIBUTE_TYPES)('reporter.%s(visit, fields): LivePerson receives the documented attribute, signed', async (type) => {
		await expect(reporter[type](VISIT, helperFields(type) as never)).resolves.toBeUndefined();
		await lp.expectRequests(1, { visit: VISIT, attributes: [DOCUMENTED[type]] });
		expect(lp.received).toEqual([expect.objectContaining({ ...VISIT, v: '1', status: 200, verified: true })]);
	});

	test("names are turned into LivePerson's numbers, and fields the schemas do not know are dropped, as on the page", async () => {
		await reporter.service(VISIT, { status: 'resolved', serviceId: 'T-1234', agent: 'not a field' } as never);
		await reporter.mrktInfo(VISIT, { channel: 'paid-search' });
		await lp.expectRequests(2, {
			visit: VISIT,
			attributes: [
				{ type: 'service', service: { status: 13, serviceId: 'T-1234' } },
				{ type: 'mrktInfo', info: { channel: 5 } },
			],
		});
	});

	test('send(visit, ...attributes) and send(visit, [attributes], options): all in one request, in order', async () => {
		// DOCUMENTED is deeply readonly (as const); AttributeInput's lists are not.
		const [lead, searchInfo, cart] = [DOCUMENTED.lead, DOCUMENTED.searchInfo, DOCUMENTED.cart] as unknown as AttributeInput[];
		await reporter.send(VISIT, lead!, searchInfo!);
		await reporter.send(VISIT, [cart!, lead!], { idempotencyKey: 'list-form-key-0001' });
		await lp.expectRequests(2, { visit: VISIT, attributes: [DOCUMENTED.lead, DOCUMENTED.searchInfo, DOCUMENTED.cart, DOCUMENTED.lead] });
	});

	test('lead(visit) with no fields is a lead without details, as on the page', async () => {
		await reporter.lead(VISIT);
		await lp.expectRequests(1, { visit: VISIT, attributes: [{ type: 'lead', lead: {} }] });
	});

	test('an account the reporter is not limited to: any account, when accounts is unset', async () => {
		const { accounts: _, ...rest } = signerOptions(lp.origin);
		const anyAccount = createReporter(rest);
		try {
			await anyAccount.lead({ ...VISIT, account: '5678' }, { topic: 'other account' });
			await lp.expectRequests(1, { visit: { account: '5678' } });
		} finally {
			await anyAccount.close();
		}
	});

	test('with no domain, the LivePerson host is looked up through the domain API (domainApi)', async () => {
		const { domain: _, ...rest } = signerOptions(lp.origin);
		const lookingUp = createReporter({ ...rest, domainApi: lp.origin });
		try {
			await lookingUp.lead(VISIT);
			await lookingUp.lead(VISIT);
			await lp.expectRequests(2, { visit: VISIT });
		} finally {
			await lookingUp.close();
		}
	});
});

describe('bad input is refused before any request', () => {
	test.each(INVALID)('send(): %s → invalid, naming %s', async (_, attribute, path) => {
		const error = await rejection(reporter.send(VISIT, attribute as never));
		expect(error).toMatchObject({ name: 'LpEAError', code: 'invalid', status: 0, queued: false });
		expect(error.message.startsWith(`attributes[0].${path}: `)).toBe(true);
		expect(error.message).toMatch(/; nothing was sent$/);
		expect(error.message.length).toBeLessThan(300);
	});

	test('a helper names the field as the page does (lead.value), send() by its place (attributes[1].lead.value)', async () => {
		expect((await rejection(reporter.lead(VISIT, { value: '200' } as never))).message).toBe(
			'lead.value: must be a finite number, not negative (got "200"); nothing was sent',
		);
		expect((await rejection(reporter.send(VISIT, DOCUMENTED.lead, { type: 'lead', lead: { value: -1 } }))).message).toMatch(/^attributes\[1\]\.lead\.value: /);
		expect((await rejection(reporter.lead(VISIT, null as never))).message).toMatch(/^lead: must be an object/);
	});

	test('send() with nothing, or more than 50 attributes, or something after its options', async () => {
		expect((await rejection(reporter.send(VISIT))).code).toBe('invalid');
		expect((await rejection(reporter.send(VISIT, []))).code).toBe('invalid');
		const many = Array.from({ length: 51 }, () => DOCUMENTED.lead);
		expect((await rejection(reporter.send(VISIT, ...many))).message).toMatch(/at most 50 attributes/);
		expect((await rejection((reporter.send as (...a: unknown[]) => Promise<void>)(VISIT, [DOCUMENTED.lead], {}, DOCUMENTED.lead))).code).toBe('invalid');
	});

	test.each([
		['no visit', undefined],
		['null', null],
		['a string', '1234'],
		['no sid', { account: VISIT.account, visitor: VISIT.visitor }],
		['an empty visitor', { ...VISIT, visitor: '' }],
		['a sid with a slash', { ...VISIT, sid: 'a/b' }],
		['a visitor with "..', { ...VISIT, visitor: 'a..b' }],
		['a visitor with a query', { ...VISIT, visitor: 'v?x=1' }],
		['an account as a number', { ...VISIT, account: 1234 }],
		['a 129-character sid', { ...VISIT, sid: 's'.repeat(129) }],
	])('a visit with %s → no-visit', async (_, visit) => {
		const error = await rejection(reporter.lead(visit as never, { topic: 't' }));
		expect(error).toMatchObject({ code: 'no-visit', status: 0, queued: false });
		expect(error.message).toMatch(/^the visit .*; nothing was sent$/);
	});

	test('an account outside accounts → forbidden (403), naming the option', async () => {
		const error = await rejection(reporter.lead({ ...VISIT, account: '9999' }));
		expect(error).toMatchObject({ code: 'forbidden', status: 403, queued: false });
		expect(error.message).toContain('add it to accounts');
	});

	test.each([
		['a key too short', { idempotencyKey: 'x'.repeat(15) }],
		['a key too long', { idempotencyKey: 'x'.repeat(65) }],
		['a key with a space', { idempotencyKey: 'ticket 1234 resolved' }],
		['a key as a number', { idempotencyKey: 12345678901234567 }],
		['a misspelt option', { idempotencyKy: 'ticket-1234-resolved' }],
		['options as a string', 'ticket-1234-resolved'],
		['options as null', null],
	])('options with %s → invalid', async (_, options) => {
		const error = await rejection(reporter.lead(VISIT, {}, options as never));
		expect(error).toMatchObject({ code: 'invalid', status: 0 });
		expect(error.message).toMatch(/nothing was sent$/);
	});

	test('none of them reached LivePerson', async () => {
		await rejection(reporter.lead(VISIT, { value: 'x' } as never));
		await rejection(reporter.lead({ ...VISIT, sid: '' }));
		await rejection(reporter.lead({ ...VISIT, account: '9999' }));
		await rejection(reporter.lead(VISIT, {}, { idempotencyKey: 'short' }));
		// One good call after them, so that a request that was made would have arrived by now.
		await reporter.lead(VISIT);
		expect(lp.received).toHaveLength(1);
	});
});

describe('options are checked at creation', () => {
	const good = () => ({ ...signerOptions('http://127.0.0.1:1') });
	function configError(options: unknown): SignerConfigError {
		try {
			createReporter(options as never);
		} catch (error) {
			expect(error).toBeInstanceOf(SignerConfigError);
			return error as SignerConfigError;
		}
		throw new Error('createReporter did not throw');
	}

	test.each([
		['consumerKey', { consumerKey: undefined }],
		['consumerSecret', { consumerSecret: '' }],
		['accessToken', { accessToken: ' token-with-space' }],
		['accessTokenSecret', { accessTokenSecret: 42 }],
		['accounts', { accounts: '12/34' }],
		['domain', { domain: 'http://lo.v.liveperson.net' }],
		['domain', { domain: 'https://lo.v.liveperson.net/path' }],
		['timeout', { timeout: 0 }],
		['timeout', { timeout: 1.5 }],
		['attemptTimeout', { attemptTimeout: -1 }],
		['dedupeWindow', { dedupeWindow: 'an hour' }],
		['attemptTimeout', { attemptTimeout: 600_000, timeout: 600_000, dedupeWindow: 60_000 }],
		['redisUrl', { redisUrl: 'http://redis.example:6379' }],
		['apiVersion', { apiVersion: 'latest' }],
	])('%s at fault is named, and no value is printed', (setting, change) => {
		const error = configError({ ...good(), ...change });
		expect(error.setting).toBe(setting);
		expect(error.message).toMatch(new RegExp(`^${setting} `));
		for (const secret of [CREDENTIALS.consumerSecret, CREDENTIALS.tokenSecret, CREDENTIALS.consumerKey, CREDENTIALS.token]) {
			expect(error.message).not.toContain(secret);
		}
	});

	test('every problem at once', () => {
		const error = configError({ ...good(), consumerKey: '', accessToken: '', timeout: -5 });
		expect(error.problems.map((p) => p.setting)).toEqual(['timeout', 'consumerKey', 'accessToken']);
	});

	test('no options at all', () => {
		expect(configError(undefined).setting).toBe('options');
	});
});
