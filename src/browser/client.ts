import * as v from 'valibot';
import {
	ATTRIBUTE_TYPES,
	describeIssues,
	schemaFor,
	withNumbers,
	type Attribute,
	type AttributeInput,
	type CartFields,
	type CtmrinfoFields,
	type ErrorFields,
	type LeadFields,
	type MrktInfoFields,
	type PersonalFields,
	type ProdViewFields,
	type PurchaseFields,
	type SearchInfoFields,
	type ServiceFields,
	type Visit,
} from '../attributes/index.js';
import { fieldsSchema } from '../attributes/attribute.js';
import { droppedFields } from '../attributes/dropped.js';
import { shape } from '../attributes/fields.js';
import { createBatcher, type Batcher } from './batch.js';
import { createConsent } from './consent.js';
import { createDelivery, type Delivery } from './delivery.js';
import { LpEAError } from './errors.js';
import { createLogger } from './logger.js';
import { createOutbox, type Outbox } from './outbox.js';
import { replayOnPageEvents } from './replay.js';
import { createTransport } from './transport.js';
import { checkVisit, forgetVisit, readVisit, type VisitParamNames, type VisitSource } from './visit.js';
import { waitForVisit } from './wait-for-visit.js';
import { webStorage } from './web-storage.js';

export const DEFAULT_ENDPOINT = '/lp-ea/events';
export const DEFAULT_TIMEOUT = 10_000;
/** How long a request may wait in the outbox: the signing endpoint's de-duplication window. */
export const DEFAULT_DEDUPE_WINDOW = 60 * 60 * 1000;

export type ClientOptions = {
	/** Where the signing endpoint is, relative to the page or absolute. Default `/lp-ea/events`. */
	endpoint?: string;
	/** Log every step to the console. */
	debug?: boolean;
	/** Milliseconds a call may take, waiting for LivePerson's Web Tag included: it settles by then. Default 10,000. */
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
	/**
	 * `'pending'`: calls are held in memory, nothing sent, nothing stored (not even the visit), until
	 * `consent(true)` sends them or `consent(false)` refuses them. Without it, consent is taken as given;
	 * any other value set is taken as `'pending'`, so that a typo never sends without consent.
	 */
	consent?: 'pending';
	/**
	 * `'memory'`: a request carrying a `personal` or `ctmrinfo` attribute waits for delivery in this
	 * page's memory, never in localStorage: it is lost if the page goes before it is delivered. Default
	 * `'local'`: kept in localStorage like every other request.
	 */
	personalStorage?: 'memory' | 'local';
};

/**
 * One helper per LivePerson type, named as LivePerson names it, building the attribute as
 * documented. Each call validates first (rejecting `invalid`, naming the field, with nothing
 * sent), then resolves when the signing endpoint answers 200 and rejects with an `LpEAError`
 * otherwise; `error.queued` says whether the request is kept for a later retry.
 */
export type Client = {
	/** A `lead`: `{ topic?, value?, currency?, leadId? }`. */
	lead(fields?: LeadFields): Promise<void>;
	/** A `service`: `{ topic?, status?, category?, serviceId? }`; `status` is 0–13 or its kebab-case name. */
	service(fields?: ServiceFields): Promise<void>;
	/** A `cart`: `{ total, numItems, currency?, products? }`; LivePerson replaces the previous cart. */
	cart(fields: CartFields): Promise<void>;
	/** A `purchase`: `{ total?, currency?, orderId?, cart? }`. */
	purchase(fields?: PurchaseFields): Promise<void>;
	/** A `prodView`: `{ currency?, products }`, the products the visitor is looking at. */
	prodView(fields?: ProdViewFields): Promise<void>;
	/** A `ctmrinfo`. Beware `customerId`: LivePerson may then treat the visit as authenticated and fail the call. */
	ctmrinfo(fields?: CtmrinfoFields): Promise<void>;
	/** A `mrktInfo`: `{ channel?, affiliate?, campaignId? }`; `channel` is 0–6 or its name (`'paid-search'`, …). */
	mrktInfo(fields?: MrktInfoFields): Promise<void>;
	/** A `personal`: `{ firstname?, lastname?, age?, contacts?, gender?, company?, language? }`. */
	personal(fields?: PersonalFields): Promise<void>;
	/** An `error`: `{ contextId?, message?, code?, level?, resolved? }`. */
	error(fields?: ErrorFields): Promise<void>;
	/** A `searchInfo`: `{ keywords }`. */
	searchInfo(fields: SearchInfoFields): Promise<void>;
	/** Ready-made attributes of any of the ten types (`{ type: 'cart', … }`), each validated, all in one request. */
	send(...attributes: AttributeInput[]): Promise<void>;
	/**
	 * The visitor's consent, from the brand's consent manager: `true` sends what was held and goes on
	 * as usual; `false` refuses what was held and every later call (`no-consent`), and clears lp-ea's
	 * outbox and the visit it kept. Either may follow the other; lp-ea does not remember it.
	 */
	consent(granted: boolean): void;
	/** The visit this page reports to, or null while account, visitor or sid is unknown. */
	readonly visit: Visit | null;
};

/** Each input parsed by the schema of its type; the first that fails is named (`attributes[1].lead.value`). */
function validate(inputs: readonly unknown[], inList: boolean): Attribute[] {
	return inputs.map((input, index) => {
		const parsed = v.safeParse(schemaFor(input), input);
		if (parsed.success) return withNumbers(parsed.output);
		throw new LpEAError('invalid', 0, `${describeIssues(parsed.issues, inList ? `attributes[${index}]` : '')}; nothing was sent`);
	});
}

/**
 * A client of its own: another endpoint, the visit given in code, debug output, a timeout. The
 * script tag's `window.lpEA` and the module's `lead()`, `cart()`, … are clients made with the defaults.
 *
 * @example createClient({ endpoint: 'https://signer.example.com/lp-ea/events', debug: true }).lead({ value: 200 })
 */
export function createClient(options: ClientOptions = {}): Client {
	const log = createLogger(options.debug);
	const page = globalThis.location?.href;
	const given = options.visit && checkVisit(options.visit);
	/** The visit, completed from and kept in `storage` where one is given. */
	const visitFrom = (storage?: Storage): VisitSource =>
		given
			? () => given
			: page
				? readVisit(page, storage, options.params, log)
				: () => ({ visit: null, problem: 'there is no page URL to read the visit from; pass `visit`' });

	const timeout = options.timeout ?? DEFAULT_TIMEOUT;
	// A relative endpoint resolves like a link (so <base href> counts); same-origin is the page's own.
	const endpoint = new URL(options.endpoint || DEFAULT_ENDPOINT, globalThis.document?.baseURI ?? page);
	// Made once consent is given (at once, without `consent: 'pending'`): until then nothing is read
	// from storage or written to it, and nothing is sent, the backlog of earlier pages included.
	let outbox: Outbox | undefined;
	const openOutbox = () => (outbox ??= createOutbox(options.dedupeWindow || DEFAULT_DEDUPE_WINDOW, log, options.personalStorage === 'memory'));
	let delivery: Delivery | undefined;
	let visitNow: VisitSource;
	let visitLater: ReturnType<typeof waitForVisit>;
	let batch: Batcher | undefined;
	let allowed: boolean | undefined;
	const batchFor = (visit: Visit) => (batch ??= createBatcher(visit, delivery!, log, () => allowed));

	const consent = createConsent((granted) => {
		log('consent', (allowed = granted));
		if (!granted) {
			// What is out already may still arrive; with its outbox entry gone nothing is retried, and
			// gated calls send nothing new.
			openOutbox().clear();
			return forgetVisit();
		}
		visitNow = visitFrom(webStorage('sessionStorage'));
		visitLater = waitForVisit(visitNow);
		if (delivery) return;
		delivery = createDelivery({
			transport: createTransport({ endpoint, pageOrigin: globalThis.location?.origin ?? '', timeout, fetch: options.fetch, log }),
			endpoint: endpoint.href,
			outbox: openOutbox(),
			timeout,
			log,
		});
		// The backlog needs no visit of this page: each request in it carries its own.
		replayOnPageEvents(delivery);
	});
	// Any value holds the calls (a typo of 'pending' must not send without consent).
	if (options.consent) visitNow = visitFrom();
	else consent.set(true);

	/** Validates now; sends once consent allows: known then, the visit lets the call join that task's batch. */
	function enqueue(inputs: readonly unknown[], inList: boolean): Promise<void> {
		try {
			if (inputs.length === 0) throw new LpEAError('invalid', 0, 'send() needs at least one attribute');
			const attributes = validate(inputs, inList);
			if (attributes.some((attribute) => (attribute as { info?: { customerId?: string } }).info?.customerId != null)) {
				log('warning: ctmrinfo.customerId: an authenticated visit, may fail');
			}
			log('queued', attributes);
			return consent.gate(() => {
				// One timeout for the whole call, from when it may be sent: waiting for the Web Tag spends some of it.
				const deadline = Date.now() + timeout;
				const { visit } = visitNow();
				return visit
					? batchFor(visit)(attributes, deadline)
					: visitLater(deadline).then((later) => batchFor(later)(attributes, deadline));
			});
		} catch (error) {
			log((error as Error).message);
			return Promise.reject(error);
		}
	}

	const client = {
		send: (...attributes: unknown[]) => enqueue(attributes, true),
		consent: consent.set,
		get visit() {
			return visitNow().visit;
		},
	} as Client;
	for (const type of ATTRIBUTE_TYPES) {
		(client as Record<string, unknown>)[type] = (fields: unknown = {}) => {
			// Silently, a misspelt field would just not reach LivePerson: debug output says which.
			for (const field of droppedFields(fieldsSchema(type), fields)) log(`${type}() dropped ${field}`);
			return enqueue([shape(type, fields)], false);
		};
	}
	return client;
}
