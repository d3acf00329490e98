import { expect, test } from 'vitest';
import { CODE_BY_STATUS, codeForStatus, ERROR_STATUS, type ErrorCode } from '../src/shared/error-codes.js';

test("the browser's status → code lookup is the signer's code → status table turned around", () => {
	const signerOnly = new Set<ErrorCode>(['method-not-allowed', 'unsupported-media-type']);
	for (const [code, status] of Object.entries(ERROR_STATUS) as Array<[ErrorCode, number]>) {
		if (status === 0) continue;
		expect(codeForStatus(status), `${status}`).toBe(signerOnly.has(code) ? 'bad-request' : code);
	}
	for (const [status, code] of Object.entries(CODE_BY_STATUS)) expect(ERROR_STATUS[code], code).toBe(Number(status));
});

test('statuses outside the table read by their class', () => {
	expect(codeForStatus(503)).toBe('server-error');
	expect(codeForStatus(599)).toBe('server-error');
	expect(codeForStatus(418)).toBe('bad-request');
});
