import { LpEAError } from '../browser/errors.js';
import { BeingForwarded, ReusedId, StoreUnreachable } from '../signer/deduplicate.js';
import { Unreachable } from '../signer/forward.js';
import { Refusal } from '../signer/refusal.js';
import { GaveUp } from './retry.js';

/** How the retries ended, for a message that says why the call stopped where it did. */
function howItEnded({ attempts, askedToWait }: GaveUp): string {
	const waited = askedToWait === undefined ? '' : `; LivePerson asked to wait ${Math.ceil(askedToWait / 1000)} s, past the call's timeout`;
	return `${attempts > 1 ? ` (${attempts} attempts)` : ''}${waited}`;
}

/**
 * What a call rejects with: the contract's LpEAError, with the code and status the page would
 * read from the signing endpoint for the same outcome, but `status` 0 where LivePerson gave no
 * answer at all (`network`, `timeout`), since the back end is the one that waited. Messages are
 * the signer's own words, or ours for what only a back end does (idempotency keys); none holds a
 * secret, a header or LivePerson's body. `queued` is false: nothing is kept for later.
 */
export function rejection(error: unknown): LpEAError {
	if (error instanceof LpEAError) return error;
	if (!(error instanceof GaveUp)) return new LpEAError('server-error', 0, 'lp-ea/server failed to report the attributes', { cause: error });
	const { last } = error;
	const ended = howItEnded(error);
	if (last instanceof Unreachable) return new LpEAError('network', 0, `${last.message}${ended}`, { cause: last.cause });
	if (last instanceof ReusedId) {
		return new LpEAError(
			'bad-request',
			last.status,
			'idempotencyKey was already used for another call (other attributes or another visit) within the de-duplication window (dedupeWindow); a new call needs a new key; nothing was sent',
		);
	}
	if (last instanceof StoreUnreachable) {
		return new LpEAError('server-error', last.status, `the de-duplication store (redisUrl or dedupeStore) cannot be reached, so nothing was sent${ended}`);
	}
	if (last instanceof BeingForwarded) {
		return new LpEAError('server-error', last.status, `a call with this idempotencyKey is being reported elsewhere right now (another process sharing the store)${ended}`);
	}
	if (last instanceof Refusal) return new LpEAError(last.code, last.code === 'timeout' ? 0 : last.status, `${last.message}${ended}`);
	return new LpEAError('server-error', 0, 'lp-ea/server failed to report the attributes', { cause: last });
}
