import type { RateLimitOptions } from './settings.js';

type Bucket = { tokens: number; at: number };

/** Enough clients to remember for a busy endpoint, few enough that a flood of addresses cannot grow memory. */
const MAX_CLIENTS = 10_000;

/**
 * A token bucket per client: `burst` requests at once, refilled at `perMinute`. Returns
 * 0 when the request may go on, or the seconds to wait.
 */
export function createRateLimiter({ burst, perMinute }: RateLimitOptions, now: () => number = Date.now) {
	const buckets = new Map<string, Bucket>();
	const perMs = perMinute / 60_000;

	return (client: string): number => {
		const time = now();
		const bucket = buckets.get(client) ?? { tokens: burst, at: time };
		bucket.tokens = Math.min(burst, bucket.tokens + (time - bucket.at) * perMs);
		bucket.at = time;
		// Re-inserting keeps the Map in least-recently-seen order, so the oldest goes first.
		buckets.delete(client);
		buckets.set(client, bucket);
		if (buckets.size > MAX_CLIENTS) buckets.delete(buckets.keys().next().value as string);
		if (bucket.tokens >= 1) {
			bucket.tokens -= 1;
			return 0;
		}
		return Math.ceil((1 - bucket.tokens) / perMs / 1000);
	};
}
