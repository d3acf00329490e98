import type { DedupeStore } from './dedupe-store.js';
import { Refusal } from './refusal.js';

/** "Try again shortly": a 503 with Retry-After, which the page retries while it keeps the request. */
export class TryAgain extends Refusal {
	constructor(message: string, seconds: number) {
		super('server-error', message, { 'retry-after': String(seconds) });
	}

	override get status(): number {
		return 503;
	}
}

export type DedupeOptions = {
	store: DedupeStore;
	/** How long an accepted id is remembered, in ms. */
	window: number;
	/** How long a claim holds while its forward is under way: longer than the forward may take. */
	claimTtl: number;
};

/**
 * Forwards a request once per `key` (account and id): a repeat of an accepted request
 * resolves without forwarding; a repeat of a request whose visit had ended is refused 404
 * again; a request while another with its id is being forwarded is told to try again. A
 * forward that fails for any other reason lets go of the id, so that its retry goes through.
 * Where the store cannot be reached, nothing is forwarded: the page is told to try again.
 */
export async function forwardOnce(key: string, { store, window, claimTtl }: DedupeOptions, forward: () => Promise<void>): Promise<void> {
	let held;
	try {
		held = await store.claim(key, claimTtl);
	} catch {
		throw new TryAgain('the signing endpoint cannot reach its de-duplication store; try again later', 5);
	}
	if (held === 'accepted') return;
	if (held === 'ended') throw new Refusal('not-found', 'the visit has ended: LivePerson refused this request before (404)');
	if (held) throw new TryAgain('a request with this id is being forwarded right now; try again shortly', 1);
	try {
		await forward();
	} catch (error) {
		const ended = error instanceof Refusal && error.code === 'not-found';
		// Best effort: a store that fails here lets the claim run out on its own after claimTtl.
		await (ended ? store.settle(key, 'ended', window) : store.release(key)).catch(() => {});
		throw error;
	}
	await store.settle(key, 'accepted', window).catch(() => {});
}
