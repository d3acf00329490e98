import type { DedupeState, DedupeStore } from '../dedupe-store.js';

export type MemoryStoreOptions = {
	/** Ids remembered at most. Default 100,000: an hour of 27 requests a second. */
	maxEntries?: number;
	/** Bytes of keys remembered at most (UTF-16, roughly). Default 16 MiB. */
	maxBytes?: number;
	now?: () => number;
};

/** A Map's own cost per entry, besides the key: the value, the expiry, the slot. */
const ENTRY_OVERHEAD = 64;

/**
 * The de-duplication store of one signer process (or one Workers isolate): bounded in
 * entries and bytes so that a flood of ids cannot grow memory, each entry expiring after
 * its ttl. Past a bound the least recently written go first, which can let a very old
 * repeat through: size the bounds for an hour of the endpoint's traffic.
 */
export function createMemoryStore({ maxEntries = 100_000, maxBytes = 16 * 1024 * 1024, now = Date.now }: MemoryStoreOptions = {}): DedupeStore & {
	readonly size: number;
} {
	const entries = new Map<string, { state: DedupeState; expires: number }>();
	let bytes = 0;

	function drop(key: string) {
		if (entries.delete(key)) bytes -= key.length * 2 + ENTRY_OVERHEAD;
	}

	function read(key: string) {
		const entry = entries.get(key);
		if (entry && entry.expires <= now()) drop(key);
		return entries.get(key)?.state ?? null;
	}

	function write(key: string, state: DedupeState, ttl: number) {
		drop(key); // re-inserted last: the Map's order is the order of writing
		entries.set(key, { state, expires: now() + ttl });
		bytes += key.length * 2 + ENTRY_OVERHEAD;
		for (const oldest of entries.keys()) {
			if (entries.size <= maxEntries && bytes <= maxBytes) break;
			drop(oldest);
		}
	}

	return {
		async claim(key, ttl) {
			const held = read(key);
			if (!held) write(key, 'pending', ttl);
			return held;
		},
		async settle(key, state, ttl) {
			write(key, state, ttl);
		},
		async release(key) {
			drop(key);
		},
		get size() {
			return entries.size;
		},
	};
}
