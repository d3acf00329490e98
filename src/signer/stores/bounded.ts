import type { DedupeValue } from '../dedupe-store.js';

/** A shared store that did not answer in time: the signer answers 503 with Retry-After, as for any store error. */
export class StoreTimeout extends Error {
	override readonly name = 'StoreTimeout';

	constructor(store: string) {
		super(`${store} did not answer in time`);
	}
}

/** No call to a shared store waits longer: an unreachable store must turn into a quick "try again", not a hung request. */
export const STORE_TIMEOUT_MS = 2_000;

/** `promise`, or a StoreTimeout once STORE_TIMEOUT_MS have passed without its answer. */
export function within<T>(promise: Promise<T>, store: string): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new StoreTimeout(store)), STORE_TIMEOUT_MS);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A claim, within STORE_TIMEOUT_MS. A stalled store may still make the claim after we stopped
 * waiting: the request was answered 503 and forwarded nothing, so a claim that turns out to be
 * ours would only hold its retries off ("being forwarded right now") until it ran out. `letGo`
 * releases it as soon as its late answer says it was ours.
 */
export async function claimWithin(claim: Promise<DedupeValue | null>, store: string, letGo: () => Promise<unknown>): Promise<DedupeValue | null> {
	try {
		return (await within(claim, store)) ?? null;
	} catch (error) {
		claim.then((held) => (held === null ? letGo() : undefined)).catch(() => {});
		throw error;
	}
}
