import { expect } from 'vitest';
import { LpEAError } from '../../src/browser/errors.js';

/** The LpEAError a call rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<LpEAError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(LpEAError);
		expect((error as Error).name).toBe('LpEAError');
		return error as LpEAError;
	}
	throw new Error('expected the call to reject');
}
