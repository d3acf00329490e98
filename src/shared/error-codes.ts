/**
 * The error codes of the public contract, and the HTTP status each one travels with.
 * The signing endpoint answers with these statuses; the browser client turns a status
 * back into a code. Both read this one table.
 */
export const ERROR_STATUS = {
	invalid: 0,
	'no-visit': 0,
	'no-consent': 0,
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

/**
 * The code for an HTTP status, for the browser: the table above turned around by hand, so
 * that the page's bundle carries no copy of it (a test checks that the two agree). Statuses
 * outside it fall back to their class, so a proxy's 503 still reads as a server problem and
 * its 418 as a refused request; 405 and 415, the signer's own refusals, read as a bad request.
 */
export const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
	400: 'bad-request',
	401: 'unauthorized',
	403: 'forbidden',
	404: 'not-found',
	413: 'too-large',
	422: 'invalid-account',
	429: 'rate-limited',
	500: 'server-error',
	502: 'bad-gateway',
	504: 'timeout',
};

export const codeForStatus = (status: number): ErrorCode =>
	CODE_BY_STATUS[status] ?? (status >= 500 ? 'server-error' : 'bad-request');
