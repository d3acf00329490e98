import { AssertionError } from 'node:assert';
import { createSigner } from 'lp-ea/signer';
import { StandInArgumentError, StandInAssertionError, StandInTimeoutError, startLivePerson, type LivePersonStandIn } from 'lp-ea/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

// lp.expectRequests() and waitForRequests() as a brand's test sees them when things go wrong:
// the failure must say what "LivePerson" got instead, and why it refused it.
const credentials = { consumerKey: 'brand-key', consumerSecret: 'brand-secret', token: 'brand-token', tokenSecret: 'brand-token-secret' };
const visit = { account: '9001', visitor: 'visitor-1', sid: 'session-1' };
const lead = { type: 'lead', lead: { topic: 'upgrade', value: 200 } };
const service = { type: 'service', service: { status: 2 } };

let lp: LivePersonStandIn;
beforeAll(async () => {
	lp = await startLivePerson({ accounts: ['9001'], credentials });
});
afterAll(() => lp.close());
beforeEach(() => lp.clear());

const signer = (overrides: Record<string, unknown> = {}) => createSigner({ ...lp.signerOptions, rateLimit: false, ...overrides });
const post = (attributes: unknown[] = [lead], envelope: Partial<typeof visit> = {}, overrides: Record<string, unknown> = {}) =>
	signer(overrides)(
		new Request('https://brand.example/lp-ea/events', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ ...visit, ...envelope, attributes }),
		}),
	);

/** The rejection of `promise`, which must reject. */
async function failure(promise: Promise<unknown>): Promise<StandInAssertionError> {
	const error = await promise.then(
		() => expect.unreachable('expected a rejection'),
		(e: unknown) => e,
	);
	return error as StandInAssertionError;
}

describe('expectRequests', () => {
	test('resolves with the delivered requests for the visit, their attributes compared together', async () => {
		await post([lead]);
		await post([service]);
		const records = await lp.expectRequests(2, { visit, attributes: [lead, service] });
		expect(records).toEqual([
			expect.objectContaining({ ...visit, status: 200, verified: true, attributes: [lead] }),
			expect.objectContaining({ ...visit, status: 200, verified: true, attributes: [service] }),
		]);
	});

	test('waits for requests still to come', async () => {
		const expecting = lp.expectRequests(1, { visit: { visitor: 'visitor-1' }, timeoutMs: 10_000 });
		await new Promise((r) => setTimeout(r, 50));
		await post();
		expect(await expecting).toHaveLength(1);
	});

	test('a request refused for its signature: an AssertionError with the reason and the fields received', async () => {
		expect((await post([lead], {}, { consumerSecret: 'not-the-brand-secret' })).status).toBe(401);
		const error = await failure(lp.expectRequests(1, { visit, timeoutMs: 100 }));
		expect(error).toBeInstanceOf(StandInAssertionError);
		expect(error).toBeInstanceOf(AssertionError);
		expect(error).toMatchObject({ name: 'AssertionError', code: 'ERR_ASSERTION', actual: 0, expected: 1 });
		expect(error.message).toBe(
			'expected 1 delivered request for account 9001, visitor visitor-1, sid session-1 within 100 ms, got 0; it saw 1 request:\n' +
				'  401 not verified (signature does not match): account 9001, visitor visitor-1, sid session-1',
		);
	});

	test('an account the stand-in does not know: refused 422, named', async () => {
		await post([lead], { account: '9002' }, { accounts: '9001,9002' });
		const error = await failure(lp.expectRequests(1, { visit: { account: '9002' }, timeoutMs: 50 }));
		expect(error.message).toContain('422 refused (invalid account id): account 9002, visitor visitor-1, sid session-1');
	});

	test('requests for another visit are listed as such', async () => {
		await post([lead], { visitor: 'someone-else' });
		const error = await failure(lp.expectRequests(1, { visit, timeoutMs: 50 }));
		expect(error.message).toContain('200 delivered (lead): account 9001, visitor someone-else, sid session-1 (another visit)');
	});

	test('requests a fault answered are listed, though not kept in received', async () => {
		lp.setFault({ status: 500 });
		await post();
		lp.setFault({ reset: true });
		await post();
		const error = await failure(lp.expectRequests(1, { timeoutMs: 50 }));
		expect(error.message).toMatch(/\n {2}500 answered by setFault: account 9001, visitor visitor-1, sid session-1\n {2}dropped the connection by setFault: account 9001/);
		expect(lp.received).toEqual([]);
	});

	test('nothing at all: says so, and where the stand-in listens', async () => {
		const error = await failure(lp.expectRequests(1, { timeoutMs: 50 }));
		expect(error.message).toBe(`expected 1 delivered request within 50 ms, got 0; nothing reached its events route (is the signer's domain / LP_DOMAIN ${lp.origin}?)`);
	});

	test('other attributes than expected: actual and expected are the attributes, for a diff', async () => {
		await post([lead]);
		const expected = [{ type: 'lead', lead: { topic: 'upgrade' } }];
		const error = await failure(lp.expectRequests(1, { visit, attributes: expected }));
		expect(error.actual).toEqual([lead]);
		expect(error.expected).toBe(expected);
		expect(error.message).toContain("carrying [ { type: 'lead', lead: { topic: 'upgrade' } } ], got [ { type: 'lead', lead: { topic: 'upgrade', value: 200 } } ]");
	});

	test('more requests than expected fail at once, without waiting out the timeout', async () => {
		await post();
		await post();
		const started = Date.now();
		const error = await failure(lp.expectRequests(1, { timeoutMs: 10_000 }));
		expect(Date.now() - started).toBeLessThan(1_000);
		expect(error).toMatchObject({ actual: 2, expected: 1 });
		expect(error.message).toMatch(/^expected 1 delivered request, got 2; it saw 2 requests:/);
	});

	test('count 0: passes while nothing was delivered, fails once something was', async () => {
		await expect(lp.expectRequests(0, { visit })).resolves.toEqual([]);
		await post();
		await expect(lp.expectRequests(0, { visit })).rejects.toThrow(/^expected 0 delivered requests for account 9001.*, got 1/);
	});

	test.each([
		[-1, {}, 'count must be a whole number, 0 or more (got -1)'],
		[1.5, {}, 'count must be a whole number, 0 or more (got 1.5)'],
		['1', {}, "count must be a whole number, 0 or more (got '1')"],
		[1, { timeout: 100 }, 'unknown option timeout (known: timeoutMs, visit, attributes)'],
		[1, { timeoutMs: -5 }, 'timeoutMs must be a number of milliseconds, 0 or more (got -5)'],
		[1, { timeoutMs: '100' }, "timeoutMs must be a number of milliseconds, 0 or more (got '100')"],
		[1, { visit: { vistor: 'v1' } }, 'visit.vistor is not a visit field (known: account, visitor, sid)'],
		[1, { visit: { account: 9001 } }, 'visit.account must be a string (got 9001)'],
		[1, { visit: 'v1' }, "visit must be an object (got 'v1')"],
		[1, { attributes: lead }, "attributes must be an array (got { type: 'lead', lead: { topic: 'upgrade', value: 200 } })"],
		[1, null, 'options must be an object (got null)'],
	])('bad input is refused, naming it: expectRequests(%j, %j)', async (count, options, message) => {
		await post(); // a match for a lax check: it must not pass
		const error = await lp.expectRequests(count as number, options as never).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StandInArgumentError);
		expect(error).toBeInstanceOf(TypeError);
		expect((error as Error).message).toBe(`expectRequests: ${message}`);
	});
});

describe('waitForRequests says what it saw when it gives up', () => {
	test('nothing', async () => {
		const error = await lp.waitForRequests(1, 50).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(StandInTimeoutError);
		expect(error).toMatchObject({ name: 'StandInTimeoutError', count: 1, received: 0 });
		expect((error as Error).message).toBe(
			`the LivePerson stand-in received 0 of 1 requests within 50 ms; nothing reached its events route (is the signer's domain / LP_DOMAIN ${lp.origin}?)`,
		);
	});

	test('refusals with their reasons, and faults', async () => {
		await post([lead], {}, { accessTokenSecret: 'wrong' });
		lp.setFault({ status: 429 });
		await post();
		const error = await lp.waitForRequests(2, 50).catch((e: Error) => e);
		expect((error as Error).message).toBe(
			'the LivePerson stand-in received 1 of 2 requests within 50 ms; it saw 2 requests:\n' +
				'  401 not verified (signature does not match): account 9001, visitor visitor-1, sid session-1\n' +
				'  429 answered by setFault: account 9001, visitor visitor-1, sid session-1',
		);
	});

	test('bad input is refused', async () => {
		await expect(lp.waitForRequests(-1)).rejects.toThrow(new StandInArgumentError('waitForRequests: count must be a whole number, 0 or more (got -1)'));
		await expect(lp.waitForRequests(1, Number.NaN)).rejects.toThrow(StandInArgumentError);
	});
});
