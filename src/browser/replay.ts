import type { Delivery } from './delivery.js';

/**
 * When the outbox is looked at again: at once (a new page of the origin), back online, and
 * when a hidden tab is shown (a page coming back from the back/forward cache is shown too). When this
 * page's requests are handed over: the page is hidden or left. Never `unload` or
 * `beforeunload`, which cost the back/forward cache.
 */
export function replayOnPageEvents({ replay, online, release }: Delivery): void {
	if (!globalThis.document) return;
	addEventListener('online', online);
	addEventListener('pagehide', release);
	document.addEventListener('visibilitychange', () => (document.hidden ? release() : replay()));
	replay();
}
