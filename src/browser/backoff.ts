/** The first retry waits up to this long; each later one up to twice as long as the last. */
export const BACKOFF_BASE = 1_000;
/** No wait the client picks itself is longer (a Retry-After may ask for more). */
export const BACKOFF_CAP = 30_000;

/**
 * "Full jitter": a random wait between 0 and the exponential bound, so that pages that
 * failed together do not all come back together.
 */
export const backoff = (attempt: number, random: () => number = Math.random): number =>
	Math.floor(random() * Math.min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt));
