/// <reference types="node" />
import { AssertionError } from 'node:assert';

/**
 * A failed expectation about what the stand-in received. It is node:assert's `AssertionError`
 * (`name` `AssertionError`, `code` `ERR_ASSERTION`, `actual`, `expected`), so node:test, vitest,
 * jest and mocha report it as a failed assertion, and those that diff show `actual` against
 * `expected`; the message says what the stand-in saw, refusals with their reasons.
 */
export class StandInAssertionError extends AssertionError {
	constructor(message: string, actual: unknown, expected: unknown) {
		super({ message, actual, expected, operator: 'expectRequests' });
	}
}

/** `waitForRequests` gave up: `count` requests were awaited, `received` came. */
export class StandInTimeoutError extends Error {
	override name = 'StandInTimeoutError';
	constructor(
		message: string,
		readonly count: number,
		readonly received: number,
	) {
		super(message);
	}
}

/** A stand-in method was called with an argument it cannot use; the message names it. */
export class StandInArgumentError extends TypeError {
	override name = 'StandInArgumentError';
}
