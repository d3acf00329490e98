/** The first retry waits up to this long; each later one up to twice as long as the last. */
export const BACKOFF_BASE = 1_000;
/** No wait the client picks itself is shorter, whatever the dice say: a failing endpoint is never hammered. */
export const BACKOFF_FLOOR = 250;
/** No wait the client picks itself is longer: ky's `backoffLimit`. */
export const BACKOFF_CAP = 30_000;
/** The longest `Retry-After` honoured (ky's `maxRetryAfter`): a proxy's `3000000` or a date in 2100 waits this long. */
export const RETRY_AFTER_CAP = 60_000;
/**
 * Added to every wait after a 429 or 503, between half and one and a half times this: the
 * floor under a hostile `Retry-After: 0` (or -1, or a date in the past), and the spread that
 * keeps pages the endpoint pushed back together from coming back together.
 */
export const PUSHBACK_SPREAD = 1_000;

/**
 * "Full jitter" (ky's `retry.delay` for retry number `attempt + 1`): a random wait up to the
 * exponential bound, so that pages that failed together do not come back together; never
 * under the floor.
 */
export const backoff = (attempt: number, random: () => number = Math.random): number =>
	Math.max(BACKOFF_FLOOR, Math.floor(random() * Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt)));
