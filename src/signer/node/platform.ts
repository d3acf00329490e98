/// <reference types="node" />
/**
 * What the Node adapters inject into the Web-standard handler: an upstream transport on
 * undici's keep-alive pool instead of `fetch`, and node:crypto's HMAC and SHA-256 instead of
 * Web Crypto's.
 * Same contract as the Web defaults (test/signer runs the same suites against both).
 */
import { createHash, createHmac } from 'node:crypto';
import { Agent, type Dispatcher } from 'undici';
import type { Hmac } from '../oauth.js';
import type { SignerOptions } from '../settings.js';
import type { Sha256 } from '../sha256.js';
import type { Transport } from '../transport.js';

/** node:crypto's HMAC-SHA1: synchronous, and no key object to import. */
export const nodeHmac: Hmac = (key) => (text) => createHmac('sha1', key).update(text).digest('base64');

/** node:crypto's SHA-256: synchronous, where Web Crypto's digest is a job on the thread pool. */
export const nodeSha256: Sha256 = (text) => createHash('sha256').update(text).digest('hex');

/**
 * The pool undiciTransport uses by default: keep-alive connections per origin, one request per
 * connection at a time (pipelining 1): a POST is not idempotent, so it must never sit behind
 * another on a connection that may fail under both. For whoever must close it (lp-ea/server).
 */
export const upstreamAgent = (): Agent => new Agent({ pipelining: 1, keepAliveTimeout: 10_000 });

/** A header undici gives as a list when it came more than once: the first (a Retry-After is one value). */
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * undici's `request` through a pool of keep-alive connections per origin (`upstreamAgent`).
 * undici follows no redirect unless told to.
 */
export function undiciTransport(dispatcher: Dispatcher = upstreamAgent()): Transport {
	return async ({ method, url, headers, body, timeout, read }) => {
		const answer = await dispatcher.request({
			origin: url.origin,
			path: `${url.pathname}${url.search}`,
			method,
			headers,
			body,
			headersTimeout: timeout,
			bodyTimeout: timeout,
		});
		const retryAfter = first(answer.headers['retry-after']);
		if (read) return { status: answer.statusCode, text: await answer.body.text(), retryAfter };
		// Let go of the body without waiting for it, and keep the connection if it is short.
		answer.body.dump().catch(() => {});
		return { status: answer.statusCode, text: '', retryAfter };
	};
}

/**
 * The options with Node's injections where the caller chose none: an explicit `transport`
 * or `fetch` (a test's, say) keeps the request path the caller asked for.
 */
export function withNodePlatform(options: SignerOptions): SignerOptions {
	return {
		...options,
		transport: options.transport ?? (options.fetch ? undefined : undiciTransport()),
		hmac: options.hmac ?? nodeHmac,
		sha256: options.sha256 ?? nodeSha256,
	};
}
