import { widerKey } from './address.js';
import type { RateLimitOptions } from './settings.js';

type Bucket = { tokens: number; at: number };

/** Enough clients to remember for a busy endpoint, few enough that a flood of addresses cannot grow memory. */
const MAX_CLIENTS = 10_000;

/**
 * How many clients' allowance an IPv6 /48 gets as a whole: enough for a site with many
 * hosts behind it, while one host with a /48 gets 16 buckets' worth instead of 65,536.
 */
export const WIDER_PREFIX_CLIENTS = 16;

/**
 * A token bucket per client: `burst` requests at once, refilled at `perMinute`. An IPv6
 * client (its /64) also draws on the bucket of its /48, which holds and refills
 * WIDER_PREFIX_CLIENTS times as much; a request goes on only when both have a token.
 * Returns 0 when the request may go on, or the seconds to wait.
 */
export function createRateLimiter({ burst, perMinute }: RateLimitOptions, now: () => number = Date.now) {
	const buckets = new Map<string, Bucket>();
	const perMs = perMinute / 60_000;
	const wideBurst = burst * WIDER_PREFIX_CLIENTS;
	const widePerMs = perMs * WIDER_PREFIX_CLIENTS;

	/** The client's bucket, refilled to `time`. */
	function bucketOf(client: string, size: number, refill: number, time: number): Bucket {
		const bucket = buckets.get(client) ?? { tokens: size, at: time };
		bucket.tokens = Math.min(size, bucket.tokens + (time - bucket.at) * refill);
		bucket.at = time;
		// Re-inserting keeps the Map in least-recently-seen order, so the oldest goes first.
		buckets.delete(client);
		buckets.set(client, bucket);
		if (buckets.size > MAX_CLIENTS) buckets.delete(buckets.keys().next().value as string);
		return bucket;
	}

	const wait = (bucket: Bucket, refill: number) => Math.ceil((1 - bucket.tokens) / refill / 1000);

	return (client: string): number => {
		const time = now();
		const own = bucketOf(client, burst, perMs, time);
		const prefix = widerKey(client);
		const wide = prefix === undefined ? undefined : bucketOf(prefix, wideBurst, widePerMs, time);
		if (own.tokens >= 1 && (!wide || wide.tokens >= 1)) {
			own.tokens -= 1;
			if (wide) wide.tokens -= 1;
			return 0;
		}
		return Math.max(own.tokens >= 1 ? 0 : wait(own, perMs), wide && wide.tokens < 1 ? wait(wide, widePerMs) : 0);
	};
}

/**
 * Counts the requests of each client whose bodies are still arriving, so that no client can
 * hold more than `max` of them: a body that trickles in holds no in-flight slot (those are
 * taken once it has arrived), but it holds a socket and a timer until its deadline.
 * `enter` says whether the client may start one more; `leave` once that body has arrived or failed.
 */
export function createArrivals(max: number) {
	const arriving = new Map<string, number>();
	return {
		enter(client: string): boolean {
			const count = arriving.get(client) ?? 0;
			if (count >= max) return false;
			arriving.set(client, count + 1);
			return true;
		},
		leave(client: string): void {
			const count = arriving.get(client) ?? 1;
			// Gone at zero, so that the map holds only clients with a body under way.
			if (count <= 1) arriving.delete(client);
			else arriving.set(client, count - 1);
		},
	};
}
