import ky, { HTTPError, type Options } from 'ky';
import { codeForStatus } from '../shared/error-codes.js';
import { KEEPALIVE_BUDGET_BYTES } from '../shared/limits.js';
import { BACKOFF_CAP, backoff, PUSHBACK_SPREAD, RETRY_AFTER_CAP } from './backoff.js';
import { LpEAError } from './errors.js';
import type { Logger } from './logger.js';
import { safely } from './safely.js';

export type TransportOptions = {
	endpoint: URL;
	/** The page's origin; a different endpoint origin is sent as text/plain, so no preflight. */
	pageOrigin: string;
	/** Each attempt's, in ms. */
	timeout: number;
	fetch?: typeof globalThis.fetch;
	log: Logger;
};

/** What one delivery attempt (with ky's retries on this page) needs from delivery.ts. */
export type Post = {
	/** Ask for keepalive: granted while lp-ea's share of the browser's quota has room. */
	keepalive: boolean;
	/** Aborts the wait for the next retry (back online), or the whole exchange. */
	signal: AbortSignal;
	/** An attempt is about to start (`retry`: not the first); false stops (the request is no longer this page's to send). */
	attempt(retry: boolean): boolean;
	/** An attempt failed with `error` and will be retried; `pushback` when the endpoint asked for a pause (429, 503). */
	failed(error: LpEAError, pushback: boolean): void;
};

/** How it ended: delivered, refused for good (`final`), given up on this page, or stopped by `attempt`. */
export type Outcome = { error?: LpEAError; final?: boolean; stopped?: boolean };

export type Transport = (body: string, post: Post) => Promise<Outcome>;

/** ky's `statusCodes`: every status a response can have (fetch allows 200 to 599) that may succeed later. */
const RETRIED = [408, 429, ...Array.from({ length: 100 }, (_, i) => 500 + i)];
/** What can succeed later, as the contract has it: no answer, 408, 429 and every 5xx. */
export const isRetryable = (status: number): boolean => !status || RETRIED.includes(status);
/** The answers by which the endpoint asks for a pause: their `Retry-After` is waited out, with a spread on top. */
const PUSHBACK = [429, 503];

/**
 * Keepalive requests survive the page navigating away, but a browser refuses one (a
 * TypeError, not a queue) once the keepalive bodies in flight pass 64 KiB, and Chromium also
 * caps how many; so a request asks for keepalive only while lp-ea's share fits. Only fresh calls
 * ask (delivery.ts): a replay cut off by a navigation is replayed again by the next page.
 */
const MAX_KEEPALIVE_REQUESTS = 9;
let keepaliveBytes = 0;
let keepaliveRequests = 0;

const encoder = new TextEncoder();

function refusal(status: number, text: string): LpEAError {
	const said = safely(() => (JSON.parse(text) as { error?: { message?: unknown } }).error?.message);
	// Not our JSON (a proxy's error page, say): the status alone has to do.
	return new LpEAError(codeForStatus(status), status, typeof said === 'string' ? said : `the signing endpoint answered ${status}`);
}

/**
 * One request body posted with ky, retried on this page by ky's own retry: full-jitter
 * backoff (our `delay`, capped by `backoffLimit`), `Retry-After` in both forms for 429 and
 * 503 (capped by `maxRetryAfter`, then spread by `beforeRetry`, so that a hostile `0`, a
 * negative value or a date in 2100 can make neither a loop nor an endless wait), every 5xx.
 * What ky 1.7 does not retry, a timeout, ends the exchange: delivery.ts starts the next one.
 */
export function createTransport({ endpoint, pageOrigin, timeout, fetch, log }: TransportOptions): Transport {
	const api = ky.create({
		method: 'post',
		headers: { 'content-type': endpoint.origin === pageOrigin ? 'application/json' : 'text/plain;charset=UTF-8' },
		timeout,
		retry: {
			limit: Infinity,
			methods: ['post'],
			statusCodes: RETRIED,
			afterStatusCodes: PUSHBACK,
			maxRetryAfter: RETRY_AFTER_CAP,
			backoffLimit: BACKOFF_CAP,
			delay: (retry) => backoff(retry - 1),
		},
	} satisfies Options);
	const unreachable = (cause: unknown) =>
		new LpEAError('network', 0, `could not reach the signing endpoint at ${endpoint.href} (offline, blocked or refused by CORS)`, { cause });

	return async (body, post) => {
		const bytes = encoder.encode(body).length;
		/** The last attempt's failure, known before ky waits to retry it. */
		let last: LpEAError | undefined;
		let stopped = false;
		try {
			if (!post.attempt(false)) return { stopped: true };
			const response = await api(endpoint, {
				body,
				signal: post.signal,
				// Each attempt, as ky makes it. Its keepalive share is taken and given back here, so a
				// request waiting to retry holds none. The body is read to the end here, inside ky's
				// timeout (a body that never ends times out too), and only then does the browser give
				// the keepalive quota back. What went wrong is reported before ky's wait, so that
				// delivery.ts can hand the request over, or wake it when the browser is back online.
				// The body goes as the string it is, never as a clone's stream: keepalive takes a
				// string body in every engine.
				fetch: async (input) => {
					const request = input as Request;
					last = undefined;
					const keepalive =
						post.keepalive && keepaliveBytes + bytes <= KEEPALIVE_BUDGET_BYTES && keepaliveRequests < MAX_KEEPALIVE_REQUESTS;
					if (keepalive) {
						keepaliveBytes += bytes;
						keepaliveRequests += 1;
					}
					log(`POST ${endpoint.href} (${bytes} bytes${keepalive ? ', keepalive' : ''})`);
					let response: Response;
					let text: string;
					try {
						response = await (fetch ?? globalThis.fetch)(request.url, {
							method: 'POST',
							headers: request.headers,
							body,
							keepalive,
							signal: request.signal,
						});
						// Read to the end, or until ky's timeout aborts the exchange (not every fetch errors the body then).
						text = await new Promise<string>((resolve, reject) => {
							response.text().then(resolve, reject);
							request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
						});
					} catch (error) {
						// An abort is ky's timeout or our own signal: the caller below tells them apart.
						if ((error as Error | undefined)?.name !== 'AbortError') post.failed((last = unreachable(error)), false);
						throw error;
					} finally {
						if (keepalive) {
							keepaliveBytes -= bytes;
							keepaliveRequests -= 1;
						}
					}
					const { status } = response;
					log(`answer ${status}`);
					if (status !== 200) {
						last = refusal(status, text);
						if (isRetryable(status)) post.failed(last, PUSHBACK.includes(status));
					}
					return new Response([204, 205, 304].includes(status) ? null : text, response);
				},
				hooks: {
					beforeRetry: [
						async ({ error }) => {
							// On top of the endpoint's Retry-After, so that pages pushed back together come back apart.
							if (error instanceof HTTPError && PUSHBACK.includes(error.response.status)) await new Promise((r) => setTimeout(r, PUSHBACK_SPREAD * (0.5 + Math.random())));
							if (post.attempt(true)) return;
							stopped = true;
							return ky.stop;
						},
					],
				},
			});
			// Stopped by beforeRetry, ky resolves with nothing. Only a 200 is delivered: another 2xx
			// (a proxy's 204, say) is no word from the signing endpoint, and final.
			if (stopped || !response) return { stopped: true };
			return last ? { error: last, final: true } : {};
		} catch (thrown) {
			if (stopped) return { stopped };
			const error =
				thrown instanceof HTTPError && last
					? last
					: (thrown as Error | undefined)?.name === 'TimeoutError'
						? new LpEAError('timeout', 0, `no answer from the signing endpoint within ${timeout} ms`, { cause: thrown })
						: (last ?? unreachable(thrown));
			return { error, final: !isRetryable(error.status) };
		}
	};
}
