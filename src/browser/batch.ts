import type { Attribute, Visit } from '../attributes/index.js';
import { MAX_ATTRIBUTES_PER_REQUEST, MAX_REQUEST_BYTES } from '../shared/limits.js';
import { chunk } from './chunk.js';
import type { Delivery } from './delivery.js';
import { LpEAError } from './errors.js';
import type { Logger } from './logger.js';
import { requestId } from './request-id.js';

/** One lp-ea call: its attributes' requests, the last error one of them met, and how it settles. */
type Call = { requests: Request[]; last?: LpEAError; settle: (error?: LpEAError) => void };
type Item = { json: string; bytes: number; call: Call };
/** One request as sent (or held): its attributes in order, and the calls that wait for it. */
type Request = { id: string; items: Item[]; bytes: number; sent?: Promise<boolean> };

/** Sends the attributes with the batch; the call settles by `deadline` (a time, in ms since the epoch). */
export type Batcher = (attributes: readonly Attribute[], deadline: number) => Promise<void>;

const encoder = new TextEncoder();

/**
 * Calls made together go out together: the queue is flushed in a microtask, which runs
 * before a submit handler's navigation can start, so a call made right before leaving the
 * page is already on the wire when the page unloads. Batches larger than one request may
 * carry are split, in order. While the endpoint pushes back (a 429 or 503 being waited out),
 * calls of later tasks join one request that has not been sent yet, rather than each adding
 * a request to the outbox; it goes when the pushback ends.
 */
export function createBatcher(visit: Visit, delivery: Delivery, log: Logger, allowed: () => boolean | undefined): Batcher {
	// The envelope without its id and attributes: `"account":…,"sid":…,"attributes":[`.
	const fields = JSON.stringify({ ...visit, attributes: [] }).slice(1, -2);
	const envelope = (request: Request) => `{"id":"${request.id}",${fields}${request.items.map((item) => item.json).join(',')}]}`;
	const room = MAX_REQUEST_BYTES - encoder.encode(envelope({ id: requestId(), items: [], bytes: 0 })).length;
	let queue: Item[] = [];
	/** The request that calls may still join: held, not sent. */
	let open: Request | undefined;

	/** A request's attribute bytes with `items` added, one separator byte before each. */
	const grown = (bytes: number, items: Item[]) => items.reduce((sum, item) => sum + 1 + item.bytes, bytes);
	const fits = (request: Request, items: Item[]) =>
		request.items.length + items.length <= MAX_ATTRIBUTES_PER_REQUEST && grown(request.bytes, items) <= room;
	/** The calls of `items` wait for `request` too. */
	const attach = (request: Request, items: Item[]) => {
		for (const call of new Set(items.map((item) => item.call))) call.requests.push(request);
	};

	function start(request: Request, hold: boolean) {
		const failed = (error: LpEAError) => request.items.forEach((item) => (item.call.last = error));
		request.sent = delivery.send(request.id, envelope(request), failed, hold);
		open = hold ? request : undefined;
		attach(request, request.items);
	}

	function flush() {
		const items = queue;
		queue = [];
		// Declined since these calls were queued (in a microtask, or while the visit was awaited):
		// nothing is stored or sent, and each call settles by its deadline, refused no-consent.
		if (!allowed()) return;
		if (delivery.pushback()) {
			if (open && fits(open, items) && delivery.amend(open.id, envelope({ ...open, items: [...open.items, ...items] }))) {
				open.items.push(...items);
				open.bytes = grown(open.bytes, items);
				attach(open, items);
				log('joined', open.id, items.length); // the held request, and how many attributes joined it
				return settleEach(items);
			}
		}
		const runs = chunk(items, (item) => item.bytes, room, MAX_ATTRIBUTES_PER_REQUEST);
		log(`${items.length} attribute(s) in ${runs.length} request(s)`);
		for (const run of runs) start({ id: requestId(), items: run, bytes: grown(-1, run) }, delivery.pushback());
		settleEach(items);
	}

	/** Each call settles once all its requests have: delivered, refused, or gone. */
	function settleEach(items: Item[]) {
		for (const call of new Set(items.map((item) => item.call))) {
			Promise.all(call.requests.map((request) => request.sent)).then(
				(delivered) => call.settle(delivered.every(Boolean) ? undefined : gone(call)),
				(error) => call.settle(error),
			);
		}
	}

	/** Not delivered by the deadline: `queued` while the outbox still has some of it. */
	function gone(call: Call, queued = call.requests.some((request) => delivery.kept(request.id))) {
		const { last } = call;
		return new LpEAError(
			last?.code ?? 'timeout',
			last?.status ?? 0,
			`${last?.message ?? 'no answer in time'}; ${queued ? 'kept to retry later' : 'not kept (the outbox was full, or it expired)'}`,
			{ cause: last },
			queued,
		);
	}

	return (attributes, deadline) =>
		new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => call.settle(gone(call)), deadline - Date.now());
			const call: Call = {
				requests: [],
				settle(error) {
					clearTimeout(timer);
					if (error) reject(error);
					else resolve();
				},
			};
			const items = attributes.map((attribute) => {
				const json = JSON.stringify(attribute);
				return { json, bytes: encoder.encode(json).length, call };
			});
			const tooLarge = items.find((item) => item.bytes > room);
			if (tooLarge) {
				return call.settle(
					new LpEAError(
						'too-large',
						0,
						`a ${tooLarge.bytes}-byte attribute does not fit in one request (at most ${MAX_REQUEST_BYTES} bytes); nothing was sent`,
					),
				);
			}
			if (queue.length === 0) queueMicrotask(flush);
			queue.push(...items);
		});
}
