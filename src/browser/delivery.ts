import { backoff, RETRY_AFTER_CAP, PUSHBACK_SPREAD } from './backoff.js';
import { LpEAError } from './errors.js';
import type { Logger } from './logger.js';
import type { Entry, Outbox } from './outbox.js';
import { requestId } from './request-id.js';
import { exclusive } from './tab-lock.js';
import type { Transport } from './transport.js';

export type Delivery = {
	/**
	 * Sends a request made on this page (kept in the outbox first) at once, asking for keepalive;
	 * with `hold`, only once the endpoint's pushback ends. Resolves true when delivered (here or by
	 * another tab), false once it is gone from the outbox (expired, evicted), and rejects with a
	 * final refusal; `failed` hears of each attempt that will be retried.
	 */
	send(id: string, body: string, failed: (error: LpEAError) => void, hold?: boolean): Promise<boolean>;
	/** A held request's new body (more calls joined it), or false once it has been sent. */
	amend(id: string, body: string): boolean;
	/** Whether the outbox still has the request (to retry later). */
	kept(id: string): boolean;
	/** Whether the endpoint is pushing back: a 429 or 503 is being waited out. */
	pushback(): boolean;
	/** Takes over what no page is sending (left by earlier pages, or other tabs'), a few at a time. */
	replay(): void;
	/** Back online: retries now what waits for the network (never what waits for a `Retry-After`), and replays. */
	online(): void;
	/** The page is hidden (`leaving`: or left): hands its requests to the next page, but not one that may still be answered. */
	release(leaving?: boolean): void;
	/** The page is shown again (back from the back/forward cache included). */
	resume(): void;
};

export type DeliveryOptions = {
	transport: Transport;
	/** The transport's endpoint (href): only its requests are replayed here. */
	endpoint: string;
	outbox: Outbox;
	/** Each attempt's timeout, in ms. */
	timeout: number;
	log: Logger;
};

/** Replays in flight at a time: the page's own calls, and its other requests, come first. */
export const MAX_REPLAYS = 2;
/** No lease is longer: one that ends further away than this was set before the clock went back. */
export const MAX_LEASE = 3 * 60_000;
/** Keeps setTimeout from firing at once on a delay past 2^31 - 1 ms. */
const timer = (run: () => void, ms: number) => setTimeout(run, Math.min(Math.max(ms, 0), MAX_LEASE));
/** Waits `ms`, or less if `signal` aborts (back online). */
const pause = (ms: number, signal: AbortSignal) =>
	new Promise<void>((done) => {
		const wait = timer(done, ms);
		signal.addEventListener('abort', () => (clearTimeout(wait), done()), { once: true });
	});

/** This page's hold on one of its requests. */
type Hold = {
	/** When its latest attempt started. */
	since: number;
	/** Whether that attempt got an answer (the endpoint's refusal): else it may have reached the endpoint. */
	answered?: boolean;
	/** Waiting for the next attempt. */
	waiting?: boolean;
	/** Waiting out the endpoint's 429 or 503. */
	pushback?: boolean;
	abort: AbortController;
};

/**
 * Delivery across pages and tabs: a request is written to the outbox before it is sent and
 * removed on 200 or on a final refusal. ky retries it on this page (transport.ts); here are the
 * lease that keeps other pages off a request while this one has it, the hand-over when the page
 * goes, the replay of what other pages left, and the word to other tabs when one is delivered.
 */
export function createDelivery({ transport, endpoint, outbox, timeout, log }: DeliveryOptions): Delivery {
	const me = requestId();
	const mine = new Map<string, Hold>();
	/** Requests made while the endpoint pushes back, not sent yet, each with what sends it. */
	const held = new Map<string, () => void>();
	/** Calls waiting for word of a request that another tab may deliver. */
	const waiters = new Map<string, (word: Word) => void>();
	const channel = globalThis.BroadcastChannel ? new BroadcastChannel('lp-ea') : undefined;
	(channel as { unref?: () => void } | undefined)?.unref?.();
	channel?.addEventListener('message', ({ data }: MessageEvent<Word>) => waiters.get(data.id)?.(data));
	let replaying = 0;
	let leaving = false;
	/** The endpoint's latest pushback, for the calls held while it lasts. */
	let lastPushback: LpEAError | undefined;
	let lookAgain: ReturnType<typeof setTimeout> | undefined;
	/** How long this page's lease lasts while it has a request: an attempt, then a wait for the next. */
	const lease = Math.min(timeout + RETRY_AFTER_CAP + 2 * PUSHBACK_SPREAD, MAX_LEASE);
	/** The lease of a POST that may still be answered, or have reached the endpoint, after this page is gone. */
	const handOver = (since: number) => Math.min(since + timeout, Date.now() + MAX_LEASE);

	const claim = (entry: Entry, until: number) => outbox.put({ ...entry, o: me, u: until });
	const isFree = (entry: Entry, now = Date.now()) => entry.o === me || !((entry.u ?? 0) > now) || entry.u! - now > MAX_LEASE;
	/** Tells this page's calls and the other tabs' how a request ended. */
	function announce(id: string, error?: LpEAError) {
		const word: Word = { id, error: error && { code: error.code, status: error.status, message: error.message } };
		waiters.get(id)?.(word);
		channel?.postMessage(word);
	}

	/** Whether one of this page's requests is waiting out the endpoint's 429 or 503. */
	const pushedBackNow = () => [...mine.values()].some((hold) => hold.pushback);

	function sendHeld() {
		if (pushedBackNow()) return;
		for (const [id, run] of held) {
			held.delete(id);
			run();
		}
	}

	/** True once delivered; false once gone from the outbox; undefined when it is another page's now. Throws a final refusal. */
	async function deliver(id: string, fresh: boolean, failed: (error: LpEAError) => void = () => {}): Promise<boolean | undefined> {
		// Not answered, not waiting, not pushed back: each flag starts unset.
		const hold: Hold = { since: 0, abort: new AbortController() };
		mine.set(id, hold);
		try {
			for (let exchange = 0; ; exchange++) {
				const entry = outbox.get(id);
				if (!entry) return false;
				const outcome = await transport(entry.b, {
					keepalive: fresh,
					signal: hold.abort.signal,
					attempt(retry) {
						const now = Date.now();
						const current = outbox.get(id);
						// A page that is going sends its own new calls still (keepalive is for exactly that), but no retry.
						if ((leaving && retry) || !current || !isFree(current, now)) return false;
						claim(current, leaving ? handOver(now) : now + lease);
						const wasPushedBack = hold.pushback;
						Object.assign(hold, { since: now, answered: false, waiting: false, pushback: false });
						if (wasPushedBack) sendHeld();
						return true;
					},
					failed(error, pushback) {
						Object.assign(hold, { answered: error.status > 0, waiting: true, pushback });
						if (pushback) lastPushback = error;
						log('retry', id, error.code);
						failed(error);
					},
				});
				if (outcome.stopped) return outbox.get(id) ? undefined : false;
				if (!outcome.error) {
					outbox.remove(id);
					announce(id);
					return true;
				}
				if (outcome.final) {
					outbox.remove(id);
					announce(id, outcome.error);
					throw outcome.error;
				}
				// A timeout (ky 1.7 does not retry one), or a wait for the network cut short by online():
				// the next exchange after the backoff, or at once when back online. Anything else
				// ended because the page went.
				failed(outcome.error);
				if (leaving) return undefined;
				Object.assign(hold, { answered: false, waiting: true });
				if (!hold.abort.signal.aborted) await pause(backoff(exchange), hold.abort.signal);
				if (hold.abort.signal.aborted) hold.abort = new AbortController();
			}
		} finally {
			mine.delete(id);
			if (hold.pushback) sendHeld();
		}
	}

	function replay() {
		if (leaving || globalThis.document?.hidden) return;
		exclusive(() => {
			clearTimeout(lookAgain);
			const now = Date.now();
			let next = Infinity;
			for (const entry of outbox.list()) {
				// Another endpoint's request waits for a client of that endpoint.
				if (mine.has(entry.id) || held.has(entry.id) || entry.e !== endpoint) continue;
				if (!isFree(entry, now)) {
					next = Math.min(next, entry.u!);
					continue;
				}
				if (replaying >= MAX_REPLAYS) break; // the rest as these end
				replaying += 1;
				log('replay', entry.id);
				// Its own call is long settled: a final refusal is for the debug log only.
				deliver(entry.id, false)
					.catch((error) => log('refused', entry.id, error))
					.finally(() => {
						replaying -= 1;
						replay();
					});
			}
			// Another page holds some: look again when its lease runs out, in case that page is gone.
			if (next < Infinity) lookAgain = timer(replay, next - now);
		});
	}

	return {
		send(id, body, failed, hold) {
			outbox.put({ id, t: Date.now(), b: body, e: endpoint, o: me, u: Date.now() + lease });
			return new Promise<boolean>((resolve, reject) => {
				// Another tab may deliver it (it took the request over while this one was hidden).
				waiters.set(id, (word) => {
					waiters.delete(id);
					if (word.error) reject(new LpEAError(word.error.code, word.error.status, word.error.message));
					else resolve(true);
				});
				// Gone from the outbox: perhaps another tab delivered it and its word is on the way.
				const settle = (delivered: boolean | undefined) =>
					delivered ? (waiters.delete(id), resolve(true)) : delivered === false && timer(() => (waiters.delete(id), resolve(false)), 250);
				const run = () =>
					deliver(id, true, failed).then(settle, (error) => {
						waiters.delete(id);
						reject(error);
					});
				if (!hold) return void run();
				held.set(id, run);
				if (lastPushback) failed(lastPushback);
				log('held', id); // until the endpoint's pushback ends
			});
		},
		amend(id, body) {
			// Only while it is still held here: once handed over, another tab may be sending it.
			const entry = held.has(id) && outbox.get(id);
			if (entry && entry.o === me) outbox.put({ ...entry, b: body });
			return !!entry && entry.o === me;
		},
		kept: (id) => !!outbox.get(id),
		// A page that is hidden or going holds nothing back: its calls go at once, by keepalive.
		pushback: () => !leaving && !globalThis.document?.hidden && pushedBackNow(),
		replay,
		online() {
			for (const hold of mine.values()) if (hold.waiting && !hold.answered) hold.abort.abort();
			replay();
		},
		release(isLeaving) {
			leaving ||= !!isLeaving;
			const now = Date.now();
			for (const [id, hold] of mine) {
				const entry = outbox.get(id);
				// A POST still out, or one that got no answer (the page leaving cuts it off), may have
				// reached the endpoint and may yet be answered: its lease lasts as long as the attempt
				// may take, and only then may the next page send it. One the endpoint refused for now
				// goes to the next page at once.
				if (entry?.o === me) claim(entry, hold.answered ? now : handOver(hold.since));
			}
			// Held requests go to whichever page sends first; this one replays them if it comes back.
			for (const id of held.keys()) {
				const entry = outbox.get(id);
				if (entry?.o === me) claim(entry, now);
				held.delete(id);
			}
		},
		resume() {
			leaving = false;
			replay();
		},
	};
}

/** What a tab tells the others when it has delivered, or seen refused, a request. */
type Word = { id: string; error?: { code: LpEAError['code']; status: number; message: string } };
