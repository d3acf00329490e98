import { backoff } from '../browser/backoff.js';
import { deadline } from '../signer/deadline.js';
import { TryAgain } from '../signer/deduplicate.js';
import { UpstreamRefusal } from '../signer/forward.js';
import { Refusal } from '../signer/refusal.js';
import { retryAfterMs } from './retry-after.js';

/** LivePerson's answers that may go the other way later: the rest of the 4xx never will. */
const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * Whether a failed attempt is worth another: LivePerson answered 408, 429 or 5xx, did not
 * answer (a dropped connection, a timeout), its domain could not be looked up, or the
 * de-duplication store asked to try again (unreachable, or another process is forwarding the
 * same key). Everything else (a 4xx, a key reused for other attributes, a visit that ended) is final.
 */
export function isRetryable(error: unknown): boolean {
	if (error instanceof UpstreamRefusal) return retryableStatus(error.upstreamStatus);
	if (error instanceof TryAgain) return true;
	return error instanceof Refusal && (error.code === 'bad-gateway' || error.code === 'timeout');
}

/** The wait the failure asked for: LivePerson's Retry-After, or the de-duplication's own. */
const askedFor = (error: unknown): string | undefined =>
	error instanceof UpstreamRefusal ? error.retryAfter : error instanceof Refusal ? error.headers['retry-after'] : undefined;

/** The last attempt's failure, and how the retries ended. */
export class GaveUp extends Error {
	override readonly name = 'GaveUp';

	constructor(
		readonly last: unknown,
		readonly attempts: number,
		/** Set when a Retry-After asked for more than the call had left: how long, in ms. */
		readonly askedToWait?: number,
	) {
		super('lp-ea/server gave up');
	}
}

export type Attempt = (until: number) => Promise<void>;

export type RetryOptions = {
	/** When the call must have settled (a Date.now() time). */
	end: number;
	/** How long the call may take in all, and one attempt, in ms: for the messages, and the attempt's deadline. */
	timeout: number;
	attemptTimeout: number;
	random?: () => number;
};

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Runs `attempt` until it succeeds, fails for good, or the call's time is up. Each attempt
 * ends by its own deadline (`until`: `attemptTimeout` from its start, never past `end`) whether
 * or not what it waits on does. Between attempts, a full-jitter backoff (the page's own) or,
 * when longer, the Retry-After asked for; a wait that would end past `end` is not waited out:
 * the call gives up at once with the last failure.
 */
export async function retrying(attempt: Attempt, { end, timeout, attemptTimeout, random = Math.random }: RetryOptions): Promise<void> {
	for (let attempts = 1; ; attempts++) {
		const started = Date.now();
		const until = Math.min(end, started + attemptTimeout);
		const late = () =>
			until === end
				? new Refusal('timeout', `LivePerson did not answer within the call's ${timeout} ms (timeout)`)
				: new Refusal('timeout', `LivePerson did not answer within ${attemptTimeout} ms (attemptTimeout)`);
		try {
			return await deadline(until - started, late, () => attempt(until));
		} catch (error) {
			if (!isRetryable(error)) throw new GaveUp(error, attempts);
			const asked = retryAfterMs(askedFor(error));
			const wait = Math.max(asked ?? 0, backoff(attempts - 1, random));
			if (Date.now() + wait >= end) throw new GaveUp(error, attempts, asked !== undefined && asked >= end - Date.now() ? asked : undefined);
			await sleep(wait);
		}
	}
}
