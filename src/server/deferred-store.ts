import type { DedupeStore } from '../signer/dedupe-store.js';

/**
 * A store that is still being made (Redis connects in the background, since `createReporter`
 * returns at once): each call waits for it. A store that could not be made fails every call,
 * which the de-duplication turns into "cannot reach the store", forwarding nothing.
 */
export function deferredStore(made: Promise<DedupeStore>): DedupeStore {
	// Never an unhandled rejection: the failure is each call's to report.
	made.catch(() => {});
	return {
		claim: async (key, ttl, value) => (await made).claim(key, ttl, value),
		settle: async (key, value, ttl) => (await made).settle(key, value, ttl),
		release: async (key) => (await made).release(key),
	};
}
