/**
 * Runs `task` while no other page of the origin runs one: Web Locks where present. Elsewhere
 * it runs at once, and the outbox's per-request leases alone keep pages apart; the rare race
 * that lets two pages send one request costs a request that the signing endpoint absorbs.
 * `task` must do its claiming synchronously: the lock is let go when it returns.
 */
export function exclusive(task: () => void): void {
	const locks = globalThis.navigator?.locks;
	if (locks) locks.request('lp-ea:outbox', task).catch(task);
	else task();
}
