import type { DedupeValue } from '../dedupe-store.js';
import { MAX_TIMER_MS } from '../settings.js';

/** One held key: its value, opaque, and when it expires (ms since the epoch). */
export type ShardRow = { value: string; expires: number };

/**
 * A shard's table, synchronous so that a claim's read and write run with nothing between them
 * (a Durable Object's `storage.sql`; a Map in the unit tests).
 */
export interface ShardRows {
	get(key: string): ShardRow | undefined;
	put(key: string, row: ShardRow): void;
	delete(key: string): void;
	/** Deletes every row that expired at or before `now`. */
	deleteExpired(now: number): void;
	/** The earliest expiry held, or undefined when the table is empty. */
	earliest(): number | undefined;
}

/**
 * A call the store's client never makes: the object is reachable only through its binding,
 * but whatever reaches it malformed is refused, never stored.
 */
export class DedupeCallError extends Error {
	override readonly name = 'DedupeCallError';

	constructor(what: string) {
		super(`lp-ea de-duplication object: ${what}`);
	}
}

/** The signer's keys are 22 characters of base64url (a hash of account and id); some room for other callers. */
const KEY = /^[A-Za-z0-9_-]{1,64}$/;
/** Values are opaque (the signer writes a state and a digest, 25 characters): printable ASCII, bounded. */
const VALUE = /^[\x21-\x7e]{1,256}$/;

export function checkKey(key: unknown): string {
	if (typeof key !== 'string' || !KEY.test(key)) throw new DedupeCallError('a key is 1 to 64 characters of A-Z a-z 0-9 _ -');
	return key;
}

function checkValue(value: unknown): DedupeValue {
	if (typeof value !== 'string' || !VALUE.test(value)) throw new DedupeCallError('a value is 1 to 256 printable ASCII characters');
	return value as DedupeValue;
}

function checkTtl(ttl: unknown): number {
	if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TIMER_MS) {
		throw new DedupeCallError(`a ttl is a whole number of ms from 1 to ${MAX_TIMER_MS}`);
	}
	return ttl;
}

/**
 * How often a shard sweeps at most: expiry is checked on every read, so sweeping only gives
 * the space back, and a claim's row (held for seconds, then settled for the window) need not
 * wake the object each time one would have run out.
 */
export const SWEEP_EVERY_MS = 60_000;

/** When to sweep next for rows expiring from `earliest` on: not before it, nor sooner than SWEEP_EVERY_MS from now. */
export const nextSweep = (earliest: number, now: number) => Math.max(earliest, now + SWEEP_EVERY_MS);

/**
 * The de-duplication store's semantics on one shard's table, as the Redis store has them: a
 * claim holds a free key (or one whose row expired) and returns null, or returns what is held
 * and changes nothing; settle writes; release deletes. Every argument is checked first.
 */
export function dedupeShard(rows: ShardRows, now: () => number = Date.now) {
	const held = (key: string): DedupeValue | null => {
		const row = rows.get(key);
		return row && row.expires > now() ? (row.value as DedupeValue) : null;
	};
	return {
		claim(key: unknown, ttl: unknown, value: unknown = 'pending'): DedupeValue | null {
			const [k, t, v] = [checkKey(key), checkTtl(ttl), checkValue(value)];
			const before = held(k);
			if (before === null) rows.put(k, { value: v, expires: now() + t });
			return before;
		},
		settle(key: unknown, value: unknown, ttl: unknown): void {
			const [k, v, t] = [checkKey(key), checkValue(value), checkTtl(ttl)];
			rows.put(k, { value: v, expires: now() + t });
		},
		release(key: unknown): void {
			rows.delete(checkKey(key));
		},
		/** Deletes what expired; answers when to sweep again, or undefined when nothing is left. */
		sweep(): number | undefined {
			const time = now();
			rows.deleteExpired(time);
			const earliest = rows.earliest();
			return earliest === undefined ? undefined : nextSweep(earliest, time);
		},
	};
}

export type DedupeShard = ReturnType<typeof dedupeShard>;
