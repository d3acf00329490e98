import { backoff } from './backoff.js';
import { LpEAError } from './errors.js';
import type { Logger } from './logger.js';
import type { Entry, Outbox } from './outbox.js';
import { requestId } from './request-id.js';
import { retryAfter } from './retry-after.js';
import { exclusive } from './tab-lock.js';
import type { Transport } from './transport.js';

/** What can succeed later, as the contract has it: no answer, 408, 429 and every 5xx. */
export const isRetryable = (status: number): boolean => status === 0 || status === 408 || status === 429 || status >= 500;

export type Delivery = {
	/** Sends a request kept in the outbox until it is delivered, refused for good or expired. Settles by `deadline` (ms since the epoch). */
	send(id: string, body: string, deadline: number): Promise<void>;
	/** Takes over what no page is sending (left by earlier pages, or other tabs'). */
	replay(): void;
	/** Back online: retries now what waits for the network (never what waits for a `Retry-After`), and replays. */
	online(): void;
	/** Hands this page's requests over to the next page at once: the page is being hidden or left. */
	release(): void;
};

export type DeliveryOptions = {
	transport: Transport;
	/** The transport's endpoint (href): only its requests are replayed here. */
	endpoint: string;
	outbox: Outbox;
	timeout: number;
	log: Logger;
};

/**
 * Delivery with retries: a request is written to the outbox before it is sent and removed
 * on 200 or on a final refusal; anything else is retried with backoff (or as `Retry-After`
 * asks) on this page, under a lease in the outbox that keeps other pages off it.
 */
export function createDelivery({ transport, endpoint, outbox, timeout, log }: DeliveryOptions): Delivery {
	const me = requestId();
	/** This page's requests, each with the time before which no page may send it: the end of its `Retry-After`, or 0. */
	const mine = new Map<string, number>();
	const sleepers = new Set<() => void>();
	let lookAgain: ReturnType<typeof setTimeout> | undefined;

	const lease = (entry: Entry, ms: number) => outbox.put({ ...entry, o: me, u: Date.now() + ms });
	const isFree = (entry: Entry) => entry.o === me || !((entry.u ?? 0) > Date.now());

	/** True once delivered; false once gone from the outbox (expired or evicted); undefined when another page took it over. */
	async function deliver(id: string, failed: (error: LpEAError) => void): Promise<boolean | undefined> {
		try {
			for (let attempt = 0; ; attempt++) {
				mine.set(id, 0);
				const entry = outbox.get(id);
				if (!entry) return false;
				if (!isFree(entry)) return;
				lease(entry, 2 * timeout);
				const answer = await transport(entry.b);
				if (!answer.error) {
					outbox.remove(id);
					return true;
				}
				if (!isRetryable(answer.error.status)) {
					outbox.remove(id);
					throw answer.error;
				}
				failed(answer.error);
				const asked = retryAfter(answer.retryAfter);
				const wait = asked ?? backoff(attempt);
				const offline = answer.error.code === 'network';
				log('retry', id, wait, answer.error.code);
				if (!outbox.get(id)) return false;
				if (asked != null) mine.set(id, Date.now() + asked);
				lease(entry, wait + 2 * timeout);
				await new Promise<void>((wake) => {
					const done = () => {
						clearTimeout(timer);
						sleepers.delete(done);
						wake();
					};
					const timer = setTimeout(done, wait);
					// Only a wait for the network ends early; a Retry-After is the endpoint's to set.
					if (offline) sleepers.add(done);
				});
			}
		} finally {
			mine.delete(id);
		}
	}

	function replay() {
		exclusive(() => {
			clearTimeout(lookAgain);
			let next = Infinity;
			for (const entry of outbox.list()) {
				// Another endpoint's request waits for a client of that endpoint.
				if (mine.has(entry.id) || entry.e !== endpoint) continue;
				if (!isFree(entry)) {
					next = Math.min(next, entry.u!);
					continue;
				}
				log('replay', entry.id);
				// Its own call is long settled: a final refusal is for the debug log only.
				deliver(entry.id, () => {}).catch((error) => log('refused', entry.id, error));
			}
			// Another page holds some: look again when its lease runs out, in case that page is gone.
			if (next < Infinity) lookAgain = setTimeout(replay, next - Date.now());
		});
	}

	return {
		send(id, body, deadline) {
			outbox.put({ id, t: Date.now(), b: body, e: endpoint });
			return new Promise((resolve, reject) => {
				let last: LpEAError | undefined;
				// Queued only while the outbox still has it: an evicted or expired request is gone.
				const fail = (queued = !!outbox.get(id)) =>
					reject(
						new LpEAError(
							last?.code ?? 'timeout',
							last?.status ?? 0,
							`${last?.message ?? 'no answer in time'}; ${queued ? 'kept to retry later' : 'not kept (the outbox was full, or it expired)'}`,
							{ cause: last },
							queued,
						),
					);
				const timer = setTimeout(fail, deadline - Date.now());
				deliver(id, (error) => (last = error)).then(
					(delivered) => delivered != null && (clearTimeout(timer), delivered ? resolve() : fail(false)),
					(error) => (clearTimeout(timer), reject(error)),
				);
			});
		},
		replay,
		online() {
			for (const wake of sleepers) wake();
			replay();
		},
		release() {
			// The next page may take them at once, but not before a Retry-After ends.
			for (const [id, notBefore] of mine) {
				const entry = outbox.get(id);
				if (entry?.o === me) outbox.put({ ...entry, u: notBefore });
			}
		},
	};
}
