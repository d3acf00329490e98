/**
 * The error codes of the public contract, and the HTTP status each one travels with.
 * The signing endpoint answers with these statuses; the browser client turns a status
 * back into a code. Both read this one table.
 */
export const ERROR_STATUS = {
	invalid: 0,
	'no-visit': 0,
	network: 0,
	timeout: 504,
	'bad-request': 400,
	unauthorized: 401,
	forbidden: 403,
	'not-found': 404,
	'method-not-allowed': 405,
	'unsupported-media-type': 415,
	'too-large': 413,
	'invalid-account': 422,
	'rate-limited': 429,
	'server-error': 500,
	'bad-gateway': 502,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** What the signing endpoint answers on anything but success. */
export type ErrorBody = { error: { code: ErrorCode; message: string } };

const CODE_BY_STATUS = new Map<number, ErrorCode>(
	(Object.entries(ERROR_STATUS) as Array<[ErrorCode, number]>)
		.filter(([, status]) => status !== 0)
		.map(([code, status]) => [status, code]),
);

/**
 * The code for an HTTP status. Statuses outside the table fall back to their class,
 * so a proxy's 503 still reads as a server problem and its 418 as a refused request.
 * 405 and 415 are the signer's own refusals; to a page they are a bad request.
 */
export function codeForStatus(status: number): ErrorCode {
	if (status === 405 || status === 415) return 'bad-request';
	return CODE_BY_STATUS.get(status) ?? (status >= 500 ? 'server-error' : 'bad-request');
}
