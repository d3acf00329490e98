import type { Attribute, Visit } from '../attributes/index.js';
import { MAX_ATTRIBUTES_PER_REQUEST, MAX_REQUEST_BYTES } from '../shared/limits.js';
import { chunk } from './chunk.js';
import type { Delivery } from './delivery.js';
import { LpEAError } from './errors.js';
import type { Logger } from './logger.js';
import { requestId } from './request-id.js';

type Call = { deadline: number; sent: Promise<void>[]; resolve: () => void; reject: (error: unknown) => void };
type Entry = { json: string; bytes: number; call: Call };

/** Sends the attributes with the batch; the call settles by `deadline` (a time, in ms since the epoch). */
export type Batcher = (attributes: readonly Attribute[], deadline: number) => Promise<void>;

const encoder = new TextEncoder();

/**
 * Calls made together go out together: the queue is flushed in a microtask, which runs
 * before a submit handler's navigation can start, so a call made right before leaving the
 * page is already on the wire when the page unloads. Batches larger than one request may
 * carry are split, in order.
 */
export function createBatcher(visit: Visit, delivery: Delivery, log: Logger): Batcher {
	// The envelope without its id and attributes: `"account":…,"sid":…,"attributes":[`.
	const fields = JSON.stringify({ ...visit, attributes: [] }).slice(1, -2);
	const envelope = (id: string, attributes: string) => `{"id":"${id}",${fields}${attributes}]}`;
	const emptyBytes = encoder.encode(envelope(requestId(), '')).length;
	let queue: Entry[] = [];

	function flush() {
		const entries = queue;
		queue = [];
		const runs = chunk(entries, (entry) => entry.bytes, MAX_REQUEST_BYTES - emptyBytes, MAX_ATTRIBUTES_PER_REQUEST);
		log(`sending ${entries.length} attribute(s) in ${runs.length} request(s)`);
		for (const run of runs) {
			const id = requestId();
			// A request serves every call in it: it settles by the earliest of their deadlines.
			const deadline = Math.min(...run.map((entry) => entry.call.deadline));
			const sent = delivery.send(id, envelope(id, run.map((entry) => entry.json).join(',')), deadline);
			for (const call of new Set(run.map((entry) => entry.call))) call.sent.push(sent);
		}
		for (const call of new Set(entries.map((entry) => entry.call))) {
			Promise.all(call.sent).then(() => call.resolve(), call.reject);
		}
	}

	return (attributes, deadline) =>
		new Promise<void>((resolve, reject) => {
			const call: Call = { deadline, sent: [], resolve, reject };
			const entries = attributes.map((attribute) => {
				const json = JSON.stringify(attribute);
				return { json, bytes: encoder.encode(json).length, call };
			});
			const tooLarge = entries.find((entry) => emptyBytes + entry.bytes > MAX_REQUEST_BYTES);
			if (tooLarge) {
				reject(
					new LpEAError(
						'too-large',
						0,
						`a ${tooLarge.bytes}-byte attribute does not fit in one request (at most ${MAX_REQUEST_BYTES} bytes); nothing was sent`,
					),
				);
				return;
			}
			if (queue.length === 0) queueMicrotask(flush);
			queue.push(...entries);
		});
}
