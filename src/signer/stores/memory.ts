import type { DedupeStore, DedupeValue } from '../dedupe-store.js';

export type MemoryStoreOptions = {
	/** Ids remembered at most. Default 100,000: an hour of 27 requests a second. */
	maxEntries?: number;
	/** Bytes the entries may take on the heap at most, counted as V8 lays them out (see `entryBytes`). Default 16 MiB. */
	maxBytes?: number;
	now?: () => number;
};

/**
 * A Map entry's share of the Map's hash table: three pointers and half a bucket (28 bytes) a
 * slot, and at most 2.5 slots an entry. V8 keeps a deleted entry's slot until it rehashes, and
 * then into a table twice as large when the holes are fewer than half of it: a store that
 * evicts as it adds would settle at 2.6 slots an entry and keep growing its table. `compact`
 * copies the entries into a new Map once the holes reach a quarter of them, which keeps the
 * table at most twice the entries when copied, and 2.5 times what is left after deletions.
 */
const MAP_ENTRY_BYTES = 2.5 * (3 * 8 + 8 / 2);

/**
 * A flat string on V8 (64-bit, as Node is built: no pointer compression): a 16-byte header and
 * a byte a character, rounded up to 8. What the signer stores is ASCII, one byte a character.
 */
const stringBytes = (length: number) => (16 + length + 7) & ~7;

/** The expiry's digits: 7 of base 64 hold 42 bits of milliseconds, beyond the year 2100. */
const EXPIRY_DIGITS = 7;
const DIGIT_ZERO = 48;

/**
 * What an entry costs at most, checked against the heap by test/signer/dedupe-flood.test.ts:
 * for the signer's keys (22 characters) and values (up to 25), 158 bytes, so that 16 MiB holds
 * the 100,000 ids the count allows.
 */
const entryBytes = (key: string, packed: string) => MAP_ENTRY_BYTES + stringBytes(key.length) + stringBytes(packed.length);

const codes: number[] = [];

/**
 * The expiry and the value as one flat string. One string per entry, and no object: an
 * object holding the value and the expiry costs a third more (the object, a boxed number,
 * and whatever cons or sliced string the caller built the value as); String.fromCharCode
 * makes a flat copy whatever the caller's string was.
 */
function pack(expires: number, value: string): string {
	codes.length = 0;
	for (let place = 64 ** (EXPIRY_DIGITS - 1); place >= 1; place /= 64) codes.push(DIGIT_ZERO + (Math.floor(expires / place) % 64));
	for (let i = 0; i < value.length; i++) codes.push(value.charCodeAt(i));
	return String.fromCharCode.apply(null, codes);
}

function expiry(packed: string): number {
	let expires = 0;
	for (let i = 0; i < EXPIRY_DIGITS; i++) expires = expires * 64 + (packed.charCodeAt(i) - DIGIT_ZERO);
	return expires;
}

/**
 * The de-duplication store of one signer process (or one Workers isolate): bounded in
 * entries and in bytes so that a flood of ids cannot grow memory, each entry expiring after
 * its ttl. Past a bound the least recently written go first: a flood of more fresh ids than
 * `maxEntries` within the window pushes the oldest out, and their repeats would be forwarded
 * again. Size the bounds for the window's traffic, or share a Redis store (`LP_REDIS_URL`).
 */
export function createMemoryStore({ maxEntries = 100_000, maxBytes = 16 * 1024 * 1024, now = Date.now }: MemoryStoreOptions = {}): DedupeStore & {
	readonly size: number;
	/** What the entries take on the heap, as counted against `maxBytes`. */
	readonly bytes: number;
} {
	let entries = new Map<string, string>();
	let bytes = 0;
	/** Entries deleted since the Map was last copied: the holes in its table. */
	let holes = 0;

	function drop(key: string) {
		const packed = entries.get(key);
		if (packed === undefined) return;
		entries.delete(key);
		bytes -= entryBytes(key, packed);
		holes += 1;
	}

	/** A copy has no holes and a table sized for what it holds (see MAP_ENTRY_BYTES). */
	function compact() {
		if (holes <= entries.size / 4 + 16) return;
		entries = new Map(entries);
		holes = 0;
	}

	function read(key: string): DedupeValue | null {
		const packed = entries.get(key);
		if (packed === undefined) return null;
		if (expiry(packed) <= now()) {
			drop(key);
			compact();
			return null;
		}
		return packed.slice(EXPIRY_DIGITS) as DedupeValue;
	}

	function write(key: string, value: DedupeValue, ttl: number) {
		const time = now();
		const packed = pack(Math.max(0, time + ttl), value);
		const before = entries.get(key);
		// A claim's outcome replaces it where it is, which leaves no hole: the Map's order is the
		// order in which ids were first claimed, and the oldest of those go first.
		if (before !== undefined) bytes -= entryBytes(key, before);
		entries.set(key, packed);
		bytes += entryBytes(key, packed);
		// The oldest go while a bound is passed, and so do the expired at the head, so that an
		// idle store shrinks as it is written to rather than only when full.
		for (const [oldest, held] of entries) {
			if (entries.size <= maxEntries && bytes <= maxBytes && expiry(held) > time) break;
			drop(oldest);
		}
		compact();
	}

	return {
		async claim(key, ttl, value = 'pending') {
			const held = read(key);
			if (!held) write(key, value, ttl);
			return held;
		},
		async settle(key, value, ttl) {
			write(key, value, ttl);
		},
		async release(key) {
			drop(key);
			compact();
		},
		get size() {
			return entries.size;
		},
		get bytes() {
			return bytes;
		},
	};
}
