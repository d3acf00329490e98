import { codeForStatus } from '../shared/error-codes.js';
import { KEEPALIVE_BUDGET_BYTES } from '../shared/limits.js';
import { LpEAError } from './errors.js';
import type { Logger } from './logger.js';

export type TransportOptions = {
	endpoint: URL;
	/** The page's origin; a different endpoint origin is sent as text/plain, so no preflight. */
	pageOrigin: string;
	timeout: number;
	fetch?: typeof globalThis.fetch;
	log: Logger;
};

/** How one attempt went: nothing on 200, else the error and the answer's `Retry-After`. */
export type Attempt = { error?: LpEAError; retryAfter?: string | null };

export type Transport = (body: string) => Promise<Attempt>;

/**
 * Keepalive requests survive the page navigating away, but a browser refuses one (with a
 * TypeError, not a queue) once the keepalive bodies in flight pass 64 KiB, and Chromium
 * also caps their number. So keepalive is asked for only while lp-ea's share fits; a request past the
 * quota still goes out, as an ordinary one.
 */
const MAX_KEEPALIVE_REQUESTS = 9;
let keepaliveBytes = 0;
let keepaliveRequests = 0;

const encoder = new TextEncoder();

function errorMessage(text: string, status: number): string {
	try {
		const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
		if (typeof message === 'string') return message;
	} catch {
		// Not our JSON (a proxy's error page, say): the status alone has to do.
	}
	return `the signing endpoint answered ${status}`;
}

/**
 * One POST of one request body, with the browser's own fetch: retrying is delivery.ts's, as
 * ky's retry cannot do what it must (retry a timeout, wake on \`online\`, hand a request to
 * another tab between tries), and a POST with a timeout alone is not worth ky's 3 KB here.
 */
export function createTransport({ endpoint, pageOrigin, timeout, fetch, log }: TransportOptions): Transport {
	const contentType = endpoint.origin === pageOrigin ? 'application/json' : 'text/plain;charset=UTF-8';

	return async (body) => {
		const bytes = encoder.encode(body).length;
		const keepalive =
			keepaliveBytes + bytes <= KEEPALIVE_BUDGET_BYTES && keepaliveRequests < MAX_KEEPALIVE_REQUESTS;
		if (keepalive) {
			keepaliveBytes += bytes;
			keepaliveRequests += 1;
		}
		log(`POST ${endpoint.href} (${bytes} bytes${keepalive ? ', keepalive' : ''})`);
		let response: Response;
		let text: string;
		try {
			response = await (fetch ?? globalThis.fetch)(endpoint, {
				method: 'POST',
				body,
				headers: { 'content-type': contentType },
				keepalive,
				// Aborts with a DOMException named TimeoutError, like ky's own.
				signal: AbortSignal.timeout(timeout),
			});
			// Read to the end, always: only then does the browser give the keepalive quota back.
			text = await response.text();
		} catch (error) {
			const timedOut = (error as Error | undefined)?.name === 'TimeoutError';
			return {
				error: new LpEAError(
					timedOut ? 'timeout' : 'network',
					0,
					timedOut
						? `no answer from the signing endpoint within ${timeout} ms`
						: `could not reach the signing endpoint at ${endpoint.href} (offline, blocked or refused by CORS)`,
					{ cause: error },
				),
			};
		} finally {
			if (keepalive) {
				keepaliveBytes -= bytes;
				keepaliveRequests -= 1;
			}
		}
		const { status } = response;
		log(`answer ${status}`);
		return status === 200
			? {}
			: {
					error: new LpEAError(codeForStatus(status), status, errorMessage(text, status)),
					retryAfter: response.headers.get('retry-after'),
				};
	};
}
