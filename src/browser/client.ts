import * as v from 'valibot';
import {
	attributeSchema,
	describeIssues,
	type Attribute,
	type AttributeInput,
	type LeadFields,
	type ServiceFields,
	type Visit,
} from '../attributes/index.js';
import { createBatcher, type Batcher } from './batch.js';
import { createDelivery } from './delivery.js';
import { LpEAError } from './errors.js';
import { createLogger } from './logger.js';
import { createOutbox } from './outbox.js';
import { replayOnPageEvents } from './replay.js';
import { createTransport } from './transport.js';
import { checkVisit, paramNames, readVisit, type VisitParamNames, type VisitState } from './visit.js';

export const DEFAULT_ENDPOINT = '/lp-ea/events';
export const DEFAULT_TIMEOUT = 10_000;
/** How long a request may wait in the outbox: the signing endpoint's de-duplication window. */
export const DEFAULT_DEDUPE_WINDOW = 60 * 60 * 1000;

export type ClientOptions = {
	/** Where the signing endpoint is, relative to the page or absolute. Default `/lp-ea/events`. */
	endpoint?: string;
	/** Log every step to the console. */
	debug?: boolean;
	/** Milliseconds to wait for the signing endpoint. Default 10,000. */
	timeout?: number;
	/** The page URL's parameter names, where a brand's links use others. */
	params?: Partial<VisitParamNames>;
	/** The visit, given in code instead of read from the page URL. */
	visit?: Visit;
	/** A fetch to use instead of the global one. */
	fetch?: typeof globalThis.fetch;
	/**
	 * Milliseconds a request not yet delivered is kept for retries and replays, then dropped
	 * unsent. Default one hour; never more than the signing endpoint's `dedupeWindow`.
	 */
	dedupeWindow?: number;
};

export type Client = {
	lead(fields?: LeadFields): Promise<void>;
	service(fields?: ServiceFields): Promise<void>;
	send(...attributes: AttributeInput[]): Promise<void>;
	/** The visit this page reports to, or null when account, visitor or sid is unknown. */
	readonly visit: Visit | null;
};

function sessionStore(): Storage | undefined {
	try {
		return globalThis.sessionStorage;
	} catch {
		return undefined; // Access itself throws where storage is blocked.
	}
}

function validate(inputs: readonly unknown[], name: (index: number) => string): Attribute[] {
	return inputs.map((input, index) => {
		const parsed = v.safeParse(attributeSchema, input);
		if (parsed.success) return parsed.output;
		throw new LpEAError('invalid', 0, `${describeIssues(parsed.issues, name(index))}; nothing was sent`);
	});
}

export function createClient(options: ClientOptions = {}): Client {
	const log = createLogger(options.debug);
	const page = globalThis.location?.href;
	const state: VisitState = options.visit
		? checkVisit(options.visit)
		: page
			? readVisit(page, sessionStore(), paramNames(options.params), log)
			: { visit: null, problem: 'there is no page URL to read the visit from; pass `visit`' };

	const timeout = options.timeout ?? DEFAULT_TIMEOUT;
	// A relative endpoint resolves like a link (so <base href> counts); same-origin is the page's own.
	const endpoint = new URL(options.endpoint || DEFAULT_ENDPOINT, globalThis.document?.baseURI ?? page);
	const delivery = createDelivery({
		transport: createTransport({ endpoint, pageOrigin: globalThis.location?.origin ?? '', timeout, fetch: options.fetch, log }),
		outbox: createOutbox(options.dedupeWindow || DEFAULT_DEDUPE_WINDOW, log),
		timeout,
		log,
	});
	replayOnPageEvents(delivery);
	const batch: Batcher | undefined = state.visit ? createBatcher(state.visit, delivery, log) : undefined;

	function enqueue(inputs: readonly unknown[], name: (index: number) => string): Promise<void> {
		try {
			if (!batch) throw new LpEAError('no-visit', 0, `${state.problem}; nothing was sent`);
			if (inputs.length === 0) throw new LpEAError('invalid', 0, 'send() needs at least one attribute');
			const attributes = validate(inputs, name);
			log('queued', attributes);
			return batch(attributes);
		} catch (error) {
			log((error as Error).message);
			return Promise.reject(error);
		}
	}

	return {
		lead: (fields = {}) => enqueue([{ type: 'lead', lead: fields }], () => ''),
		service: (fields = {}) => enqueue([{ type: 'service', service: fields }], () => ''),
		send: (...attributes) => enqueue(attributes, (index) => `attributes[${index}]`),
		get visit() {
			return state.visit;
		},
	};
}
