import type { Envelope } from '../attributes/envelope.js';
import type { ErrorCode } from '../shared/error-codes.js';
import { deadline } from './deadline.js';
import { createNonce, type OAuthSigner } from './oauth.js';
import { Refusal } from './refusal.js';
import type { Settings } from './settings.js';

/** LivePerson's documented answers, as the contract's codes; anything else is a bad gateway. */
const UPSTREAM: Record<number, [ErrorCode, string]> = {
	400: ['bad-request', 'LivePerson refused the attributes (400)'],
	401: ['unauthorized', "LivePerson refused the signature (401): check the signer's API key and clock"],
	404: ['not-found', 'LivePerson does not know this visit (404): it may have ended'],
	422: ['invalid-account', 'LivePerson does not know this account (422)'],
	429: ['rate-limited', 'LivePerson is rate-limiting this API key (429)'],
	500: ['server-error', 'LivePerson failed to handle the request (500)'],
};

/**
 * LivePerson answered, but not 200: the contract's code for its status, in our words. What it
 * answered is kept for lp-ea/server, which retries a 408, 429 or 5xx (after `retryAfter`); the
 * signer passes neither on.
 */
export class UpstreamRefusal extends Refusal {
	readonly upstreamStatus: number;
	readonly retryAfter: string | undefined;

	constructor(status: number, retryAfter?: string) {
		const [code, message] = UPSTREAM[status] ?? ['bad-gateway', `LivePerson answered ${status}`];
		super(code, message);
		this.upstreamStatus = status;
		this.retryAfter = retryAfter;
	}
}

/**
 * No answer from LivePerson at all (refused, reset, no such host): a bad gateway for the page,
 * a network error for lp-ea/server. The transport's error is kept as the cause, never in the message.
 */
export class Unreachable extends Refusal {
	constructor(cause: unknown) {
		super('bad-gateway', 'could not reach LivePerson');
		this.cause = cause;
	}
}

/** The upstream URL, built only from configuration and validated ids. */
export function upstreamUrl(origin: string, apiVersion: string, { account, visitor, sid }: Envelope): URL {
	const url = new URL(
		`/api/account/${encodeURIComponent(account)}/monitoring/visitors/${encodeURIComponent(visitor)}/visits/current/events`,
		origin,
	);
	url.searchParams.set('v', apiVersion);
	url.searchParams.set('sid', sid);
	return url;
}

/**
 * Signs and sends the validated attributes, waiting `timeout` ms at most (the signer's own by
 * default). Resolves on LivePerson's 200; otherwise throws a Refusal of our own wording (an
 * UpstreamRefusal, an Unreachable, or a `timeout`): LivePerson's body is never read into an answer.
 */
export async function forward(
	settings: Settings,
	sign: OAuthSigner,
	origin: string,
	envelope: Envelope,
	body = JSON.stringify(envelope.attributes),
	timeout = settings.timeout,
): Promise<void> {
	const url = upstreamUrl(origin, settings.apiVersion, envelope);
	const authorization = await sign({
		method: 'POST',
		url,
		timestamp: Math.floor(Date.now() / 1000),
		nonce: createNonce(),
	});
	const started = performance.now();
	const answered = deadline(
		timeout,
		() => new Refusal('timeout', `LivePerson did not answer within ${timeout} ms (${settings.names.timeout})`),
		() =>
			settings
				.transport({
					method: 'POST',
					url,
					headers: { authorization, 'content-type': 'application/json', 'x-http-method-override': 'PUT' },
					body,
					timeout,
					read: false,
				})
				.catch((error: unknown) => {
					throw new Unreachable(error);
				}),
	);
	// Told from the outcome, once: a transport that rejects after the deadline is not a second call.
	const seconds = () => (performance.now() - started) / 1000;
	answered.then(
		({ status }) => settings.observe.forwarded(status, seconds()),
		() => settings.observe.forwarded('error', seconds()),
	);
	const { status, retryAfter } = await answered;
	if (status === 200) return;
	throw new UpstreamRefusal(status, retryAfter);
}
