import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { LpEAError } from '../../src/browser/errors.js';
import { createReporter, type Reporter, type ReporterOptions } from '../../src/server/index.js';
import { signerOptions, startStandIn, VISIT } from '../helpers/signer.js';

// LivePerson failing, as the stand-in fails on demand. Each request is counted where it
// arrived: the stand-in keeps those that got past a fault (`received`) and counts the ones a
// fault answered (`faulted`), so that every fault asserted is one that happened.
let lp: LivePersonStandIn;
let reporter: Reporter;
const LEAD = { topic: 'upgrade' };

beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(() => lp.close());
beforeEach(() => lp.clear());

const make = (options: Partial<ReporterOptions> = {}) => (reporter = createReporter({ ...signerOptions(lp.origin), ...options }));

/** Every request that reached the stand-in's events route: those it kept, and those a fault answered. */
const requests = async () => lp.received.length + lp.faulted;

async function timed<T>(promise: Promise<T>): Promise<{ ms: number; error?: LpEAError }> {
	const started = Date.now();
	try {
		await promise;
		return { ms: Date.now() - started };
	} catch (error) {
		expect(error).toBeInstanceOf(LpEAError);
		return { ms: Date.now() - started, error: error as LpEAError };
	}
}

test('a 500 twice: retried with backoff, and delivered on the third request', async () => {
	make({ timeout: 8_000 });
	lp.setFault({ status: 500, times: 2 });
	const { ms, error } = await timed(reporter.lead(VISIT, LEAD));
	expect(error).toBeUndefined();
	await lp.expectRequests(1, { visit: VISIT, attributes: [{ type: 'lead', lead: LEAD }] });
	expect(await requests()).toBe(3);
	// Full jitter, never under 250 ms a wait: two waits.
	expect(ms).toBeGreaterThanOrEqual(500);
	await reporter.close();
});

test.each([
	[503, 'bad-gateway', 502],
	[502, 'bad-gateway', 502],
	[408, 'bad-gateway', 502],
])('a %i is retried too; while it lasts, the call rejects %s (%i) by its timeout', async (status, code, as) => {
	make({ timeout: 1_500 });
	lp.setFault({ status, times: 100 });
	const { ms, error } = await timed(reporter.lead(VISIT, LEAD));
	expect(error).toMatchObject({ code, status: as, queued: false });
	expect(error!.message).toMatch(new RegExp(`^LivePerson answered ${status} \\(\\d+ attempts\\)$`));
	expect(await requests()).toBeGreaterThanOrEqual(2);
	expect(ms).toBeLessThanOrEqual(1_500 + 100);
	expect(lp.received).toHaveLength(0);
	await reporter.close();
});

test.each([
	[401, 'unauthorized', 401],
	[400, 'bad-request', 400],
	[404, 'not-found', 404],
	[403, 'bad-gateway', 502],
	[422, 'invalid-account', 422],
])('a %i is final: one request, rejected %s (%i) at once, not retried', async (status, code, as) => {
	make({ timeout: 5_000 });
	lp.setFault({ status, times: 2 });
	const { ms, error } = await timed(reporter.lead(VISIT, LEAD));
	expect(error).toMatchObject({ name: 'LpEAError', code, status: as, queued: false });
	expect(error!.message).not.toMatch(/attempts|forced by the test|upstream-body-must-not-leak/);
	expect(await requests()).toBe(1);
	expect(ms).toBeLessThan(1_000);
	await reporter.close();
});

test("a 429's Retry-After is waited out before the retry, then delivered", async () => {
	make({ timeout: 6_000 });
	lp.setFault({ status: 429, headers: { 'retry-after': '2' } });
	const { ms, error } = await timed(reporter.lead(VISIT, LEAD));
	expect(error).toBeUndefined();
	expect(await requests()).toBe(2);
	// The backoff alone would have waited 1 s at most.
	expect(ms).toBeGreaterThanOrEqual(2_000);
	await reporter.close();
});

test('a Retry-After past the call\'s timeout is not waited out: rejected rate-limited at once, after one request', async () => {
	make({ timeout: 3_000 });
	lp.setFault({ status: 429, headers: { 'retry-after': '30' } });
	const { ms, error } = await timed(reporter.lead(VISIT, LEAD));
	expect(error).toMatchObject({ code: 'rate-limited', status: 429, queued: false });
	expect(error!.message).toBe("LivePerson is rate-limiting this API key (429); LivePerson asked to wait 30 s, past the call's timeout");
	expect(ms).toBeLessThan(1_000);
	expect(await requests()).toBe(1);
	await reporter.close();
});

test('a Retry-After as an HTTP date is honoured as well', async () => {
	make({ timeout: 3_000 });
	lp.setFault({ status: 503, headers: { 'retry-after': new Date(Date.now() + 60_000).toUTCString() } });
	const { error } = await timed(reporter.lead(VISIT, LEAD));
	expect(error?.message).toMatch(/LivePerson asked to wait (59|60) s/);
	expect(await requests()).toBe(1);
	await reporter.close();
});

test('LivePerson hanging: each attempt ends at attemptTimeout, the call rejects timeout (status 0) by its deadline', async () => {
	make({ timeout: 1_500, attemptTimeout: 400 });
	lp.setFault({ hang: true, times: 100 });
	const { ms, error } = await timed(reporter.lead(VISIT, LEAD));
	expect(error).toMatchObject({ code: 'timeout', status: 0, queued: false });
	// At least two attempts of 400 ms and a wait of 250 ms between them; a wait that would end
	// past the deadline is not started, so the call may give up before it.
	expect(ms).toBeGreaterThanOrEqual(1_000);
	expect(ms).toBeLessThanOrEqual(1_500 + 100);
	expect(await requests()).toBeGreaterThanOrEqual(2);
	expect(lp.received).toHaveLength(0);
	await reporter.close();
});

test('one hung attempt: the next one, after attemptTimeout, is delivered', async () => {
	make({ timeout: 4_000, attemptTimeout: 500 });
	lp.setFault({ hang: true });
	const { ms, error } = await timed(reporter.lead(VISIT, LEAD));
	expect(error).toBeUndefined();
	expect(ms).toBeGreaterThanOrEqual(500);
	expect(await requests()).toBe(2);
	await lp.expectRequests(1, { visit: VISIT });
	await reporter.close();
});

test('the attempt cannot outlast the call: with attemptTimeout as long as timeout, a hang rejects timeout at the deadline, one request', async () => {
	make({ timeout: 800, attemptTimeout: 5_000 });
	lp.setFault({ hang: true });
	const { ms, error } = await timed(reporter.lead(VISIT, LEAD));
	expect(error).toMatchObject({ code: 'timeout', status: 0 });
	expect(error!.message).toBe("LivePerson did not answer within the call's 800 ms (timeout)");
	expect(ms).toBeGreaterThanOrEqual(750);
	expect(ms).toBeLessThanOrEqual(900);
	expect(await requests()).toBe(1);
	await reporter.close();
});

test('a dropped connection is retried and delivered; dropped every time, it rejects network (status 0)', async () => {
	make({ timeout: 4_000 });
	lp.setFault({ reset: true });
	expect((await timed(reporter.lead(VISIT, LEAD))).error).toBeUndefined();
	expect(await requests()).toBe(2);
	await lp.expectRequests(1, { visit: VISIT });

	lp.clear();
	make({ timeout: 1_200 });
	lp.setFault({ reset: true, times: 100 });
	const { error } = await timed(reporter.lead(VISIT, LEAD));
	expect(error).toMatchObject({ code: 'network', status: 0, queued: false });
	expect(error!.message).toMatch(/^could not reach LivePerson \(\d+ attempts\)$/);
	expect(error!.cause).toBeDefined();
	expect(await requests()).toBeGreaterThanOrEqual(2);
	await reporter.close();
});

test('nobody listening: network, within the timeout', async () => {
	reporter = createReporter({ ...signerOptions('http://127.0.0.1:1'), timeout: 1_000 });
	const { ms, error } = await timed(reporter.lead(VISIT, LEAD));
	expect(error).toMatchObject({ code: 'network', status: 0 });
	expect(ms).toBeLessThanOrEqual(1_100);
	await reporter.close();
});

test('no message or cause of a rejection holds a secret or the Authorization header', async () => {
	make({ timeout: 1_000 });
	const seen: string[] = [];
	for (const fault of [{ status: 401 }, { status: 500, times: 100 }, { reset: true, times: 100 }, { hang: true, times: 100 }]) {
		lp.setFault(fault);
		const { error } = await timed(reporter.lead(VISIT, LEAD));
		seen.push(`${error!.message} ${String(error!.cause)} ${JSON.stringify(error)}`);
		lp.setFault(undefined);
	}
	const options = signerOptions(lp.origin);
	for (const text of seen) {
		for (const secret of [options.consumerSecret, options.accessTokenSecret, 'oauth_signature', 'OAuth ', 'upstream-body-must-not-leak']) {
			expect(text).not.toContain(secret);
		}
	}
	await reporter.close();
});
