import type { Delivery } from './delivery.js';

/**
 * When the outbox is looked at again: at once (a new page of the origin), back online, and
 * when a hidden tab is shown or a page comes back from the back/forward cache. When this
 * page's requests are handed over: the page is hidden, or left (`pagehide`, after which it
 * starts nothing). Never `unload` or `beforeunload`, which cost the back/forward cache.
 */
export function replayOnPageEvents({ replay, online, release, resume }: Delivery): void {
	if (!globalThis.document) return;
	addEventListener('online', online);
	addEventListener('pagehide', () => release(true));
	addEventListener('pageshow', resume);
	document.addEventListener('visibilitychange', () => (document.hidden ? release() : replay()));
	replay();
}
