import type { Logger } from './logger.js';
import { carriesPersonalData } from './personal-data.js';
import { safely } from './safely.js';
import { webStorage } from './web-storage.js';

/**
 * One request waiting for its answer: its id, when it was made (`t`), the body as sent
 * (`b`), the endpoint it is for (`e`, a URL's href: clients of other endpoints share the
 * origin's outbox), and which page is sending it (`o`) until when (`u`): the lease that keeps
 * other pages of the origin from sending it at the same time.
 */
export type Entry = { id: string; t: number; b: string; e: string; o?: string; u?: number };

export type Outbox = {
	/** Writes an entry; a new one first makes room, oldest out. */
	put(entry: Entry): void;
	/** The entry, unless it is gone (delivered, refused, evicted) or expired. */
	get(id: string): Entry | undefined;
	remove(id: string): void;
	/** Every live entry, oldest first; expired ones are dropped on the way. */
	list(): Entry[];
	/** Removes every entry, other pages' and other endpoints' too (consent was declined). */
	clear(): void;
};

const PREFIX = 'lp-ea:out:';
/** Bounds that leave the host site's own use of localStorage alone. */
export const MAX_OUTBOX_ENTRIES = 100;
/** In UTF-16 code units of keys and values, as browsers count the quota. */
export const MAX_OUTBOX_SIZE = 256 * 1024;

/**
 * The outbox: one localStorage key per request, so that tabs never overwrite each other's
 * requests. Every storage call is guarded: storage that is absent, blocked or full keeps the
 * request in memory, which costs the guarantee across pages but never the call. An index in
 * memory (each entry's creation time and stored size, kept up to date by `storage` events
 * from other tabs and by every full read) lets a write make room without reading them all.
 */
export function createOutbox(window: number, log: Logger, personalInMemory?: boolean, now: () => number = Date.now): Outbox {
	const storage = webStorage('localStorage');
	const memory = new Map<string, string>();
	/** Key → when its request was made, and the characters it takes in storage (key and value, as quotas count). */
	const index = new Map<string, { t: number; size: number }>();

	const attempt = <T>(use: (storage: Storage) => T): T | undefined => safely(() => storage && use(storage));

	function note(key: string, text: string | null | undefined) {
		// Unreadable: the next full read drops it.
		const t = safely(() => text != null && (JSON.parse(text) as { t?: unknown }).t);
		if (typeof t === 'number') index.set(key, { t, size: key.length + text!.length });
		else index.delete(key);
	}
	globalThis.addEventListener?.('storage', (event: StorageEvent) => {
		if (event.key?.startsWith(PREFIX)) note(event.key, event.newValue);
	});

	function remove(id: string) {
		memory.delete(PREFIX + id);
		index.delete(PREFIX + id);
		attempt((s) => s.removeItem(PREFIX + id));
	}

	function read(key: string): Entry | undefined {
		const text = memory.get(key) ?? attempt((s) => s.getItem(key));
		if (text == null) return void index.delete(key);
		// Not ours, or torn: dropped below like an expired one.
		const entry = safely((): Entry => ({ ...JSON.parse(text), id: key.slice(PREFIX.length) }));
		if (entry?.b && entry.t > now() - window) {
			index.set(key, { t: entry.t, size: key.length + text.length });
			return entry;
		}
		log(entry?.b ? 'expired, not sent:' : 'unreadable:', key);
		remove(key.slice(PREFIX.length));
		return undefined;
	}

	function list(): Entry[] {
		index.clear();
		const keys = new Set([...(attempt(Object.keys) ?? []), ...memory.keys()]);
		return [...keys]
			.filter((key) => key.startsWith(PREFIX))
			.map(read)
			.filter((entry): entry is Entry => !!entry)
			.sort((a, b) => a.t - b.t);
	}
	list();

	return {
		put({ id, ...entry }) {
			const key = PREFIX + id;
			const text = JSON.stringify(entry);
			index.delete(key);
			let size = key.length + text.length;
			for (const other of index.values()) size += other.size;
			// Oldest out, by the index alone: no other entry is read, however many there are.
			while (index.size && (index.size >= MAX_OUTBOX_ENTRIES || size > MAX_OUTBOX_SIZE)) {
				let oldest: string | undefined;
				for (const [other, { t }] of index) if (oldest === undefined || t < index.get(oldest)!.t) oldest = other;
				size -= index.get(oldest!)!.size;
				log('outbox full, evicted:', oldest!.slice(PREFIX.length));
				remove(oldest!.slice(PREFIX.length));
			}
			// Personal data kept out of storage lives in memory, like a request that storage refused.
			if (!(personalInMemory && carriesPersonalData(entry.b)) && attempt((s) => (s.setItem(key, text), true))) memory.delete(key);
			else {
				// Full, say: the request lives in memory, and no stale copy (an older lease or body, or a held
				// request before personal data joined it) stays for other tabs.
				memory.set(key, text);
				attempt((s) => s.removeItem(key));
			}
			index.set(key, { t: entry.t, size: key.length + text.length });
		},
		get: (id) => read(PREFIX + id),
		remove,
		list,
		clear: () => list().forEach(({ id }) => remove(id)),
	};
}
