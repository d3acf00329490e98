/// <reference types="node" />
import type { EventEmitter } from 'node:events';
import { isDeepStrictEqual, inspect } from 'node:util';
import { StandInArgumentError, StandInAssertionError } from './errors.js';
import type { Received } from './liveperson-stand-in.js';
import { describeSeen, describeVisit, matchesVisit, type Seen, type VisitFilter } from './seen.js';
import { waitUntil } from './wait.js';

export type ExpectRequestsOptions = {
	/** How long to wait for them; default 5,000 ms. */
	timeoutMs?: number;
	/** The visit they are for; a field left out matches any value. Default: any visit. */
	visit?: VisitFilter;
	/**
	 * The attributes they carried, all of them together in the order they arrived, compared
	 * deeply and strictly: a missing or extra field fails. Together, because the page may send
	 * calls made close together in one request or in several.
	 */
	attributes?: unknown[];
};

/** What `expectRequests` reads of the stand-in. */
export type Observed = { origin: string; received: readonly Received[]; seen: readonly Seen[]; events: EventEmitter };

export const DEFAULT_TIMEOUT_MS = 5_000;
const OPTIONS = ['timeoutMs', 'visit', 'attributes'];
const VISIT_FIELDS = ['account', 'visitor', 'sid'];

const requests = (n: number) => (n === 1 ? '1 delivered request' : `${n} delivered requests`);
const show = (value: unknown) => inspect(value, { depth: 8, breakLength: Infinity });

export function checkCount(name: string, count: unknown): asserts count is number {
	if (!Number.isInteger(count) || (count as number) < 0) {
		throw new StandInArgumentError(`${name}: count must be a whole number, 0 or more (got ${show(count)})`);
	}
}

export function checkTimeout(name: string, timeoutMs: unknown): asserts timeoutMs is number | undefined {
	if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
		throw new StandInArgumentError(`${name}: timeoutMs must be a number of milliseconds, 0 or more (got ${show(timeoutMs)})`);
	}
}

/** Refuses what would silently match everything: a misspelt option or visit field, a visit id that is not a string. */
function checkOptions(count: unknown, options: unknown): asserts options is ExpectRequestsOptions {
	const name = 'expectRequests';
	checkCount(name, count);
	if (typeof options !== 'object' || options === null) throw new StandInArgumentError(`${name}: options must be an object (got ${show(options)})`);
	const unknown = Object.keys(options).filter((key) => !OPTIONS.includes(key));
	if (unknown.length) throw new StandInArgumentError(`${name}: unknown option ${unknown.join(', ')} (known: ${OPTIONS.join(', ')})`);
	const { timeoutMs, visit, attributes } = options as Record<string, unknown>;
	checkTimeout(name, timeoutMs);
	if (visit !== undefined) {
		if (typeof visit !== 'object' || visit === null) throw new StandInArgumentError(`${name}: visit must be an object (got ${show(visit)})`);
		for (const [key, value] of Object.entries(visit)) {
			if (!VISIT_FIELDS.includes(key)) throw new StandInArgumentError(`${name}: visit.${key} is not a visit field (known: ${VISIT_FIELDS.join(', ')})`);
			if (value !== undefined && typeof value !== 'string') throw new StandInArgumentError(`${name}: visit.${key} must be a string (got ${show(value)})`);
		}
	}
	if (attributes !== undefined && !Array.isArray(attributes)) {
		throw new StandInArgumentError(`${name}: attributes must be an array (got ${show(attributes)})`);
	}
}

/**
 * Waits until exactly `count` requests for the visit were delivered (answered 200, signature
 * verified) and resolves with them. Fails with a `StandInAssertionError` when fewer came within
 * the timeout, when more came, or when their attributes are not the expected ones; its message
 * lists what the stand-in saw, with the reason of each refusal.
 */
export function expectRequests(observed: Observed, count: number, options: ExpectRequestsOptions = {}): Promise<Received[]> {
	try {
		checkOptions(count, options);
	} catch (error) {
		return Promise.reject(error);
	}
	const { timeoutMs = DEFAULT_TIMEOUT_MS, visit = {}, attributes } = options;
	const forVisit = describeVisit(visit);
	const wanted = `${requests(count)}${forVisit ? ` for ${forVisit}` : ''}`;
	const delivered = () => observed.received.filter((record) => record.status === 200 && matchesVisit(record, visit));
	const saw = () => describeSeen(observed.origin, observed.seen, visit);

	const check = () => {
		const found = delivered();
		if (found.length < count) return undefined;
		if (found.length > count) throw new StandInAssertionError(`expected ${wanted}, got ${found.length}; ${saw()}`, found.length, count);
		const carried = found.flatMap((record) => record.attributes ?? []);
		if (attributes !== undefined && !isDeepStrictEqual(carried, attributes)) {
			throw new StandInAssertionError(
				`expected ${wanted} carrying ${show(attributes)}, got ${show(carried)}; ${saw()}`,
				carried,
				attributes,
			);
		}
		return found;
	};
	return waitUntil(observed.events, check, timeoutMs, () => {
		const got = delivered().length;
		return new StandInAssertionError(`expected ${wanted} within ${timeoutMs} ms, got ${got}; ${saw()}`, got, count);
	});
}
