import type { Logger } from './logger.js';
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
};

const PREFIX = 'lp-ea:out:';
/** Bounds that leave the host site's own use of localStorage alone. */
export const MAX_OUTBOX_ENTRIES = 100;
/** In UTF-16 code units, as browsers count the quota. */
export const MAX_OUTBOX_SIZE = 256 * 1024;

/**
 * The outbox: one localStorage key per request, so that tabs never overwrite each other's
 * requests. Every storage call is guarded: storage that is absent, blocked or full keeps the
 * request in memory, which costs the guarantee across pages but never the call.
 */
export function createOutbox(window: number, log: Logger, now: () => number = Date.now): Outbox {
	const storage = webStorage('localStorage');
	const memory = new Map<string, string>();

	function attempt<T>(use: (storage: Storage) => T): T | undefined {
		try {
			return storage && use(storage);
		} catch {
			return undefined;
		}
	}

	function keys(): string[] {
		const all = new Set([...(attempt(Object.keys) ?? []), ...memory.keys()]);
		return [...all].filter((key) => key.startsWith(PREFIX));
	}

	function remove(id: string) {
		memory.delete(PREFIX + id);
		attempt((s) => s.removeItem(PREFIX + id));
	}

	function read(key: string): Entry | undefined {
		const text = memory.get(key) ?? attempt((s) => s.getItem(key));
		if (text == null) return undefined;
		let entry: Entry | undefined;
		try {
			entry = { ...JSON.parse(text), id: key.slice(PREFIX.length) };
		} catch {
			// Not ours, or torn: dropped below like an expired one.
		}
		if (entry?.b && entry.t > now() - window) return entry;
		log(entry?.b ? 'expired, never to be sent:' : 'unreadable:', key);
		remove(key.slice(PREFIX.length));
		return undefined;
	}

	function list(): Entry[] {
		return keys()
			.map(read)
			.filter((entry): entry is Entry => !!entry)
			.sort((a, b) => a.t - b.t);
	}

	return {
		put({ id, ...entry }) {
			const text = JSON.stringify(entry);
			const others = list().filter((other) => other.id !== id);
			let size = others.reduce((sum, other) => sum + other.b.length, text.length);
			while (others.length && (others.length >= MAX_OUTBOX_ENTRIES || size > MAX_OUTBOX_SIZE)) {
				const oldest = others.shift()!;
				size -= oldest.b.length;
				log('evicted, the outbox is full:', oldest.id);
				remove(oldest.id);
			}
			if (attempt((s) => (s.setItem(PREFIX + id, text), true))) memory.delete(PREFIX + id);
			else memory.set(PREFIX + id, text);
		},
		get: (id) => read(PREFIX + id),
		remove,
		list,
	};
}
