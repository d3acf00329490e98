/**
 * What the signer tells whoever counts its work: plain callbacks, so that the Web-standard
 * core stays free of any metrics library. `lp-ea/signer/node`'s `signerMetrics()` turns them
 * into Prometheus metrics; anything else (a Worker writing to Analytics Engine, a test) may
 * pass its own. Every argument is from a small fixed set: never a visitor, sid, id, origin or
 * other text a request chose, so that each can be a metric's label as it is.
 */

/** Why the signer turned a request away itself, before anything was forwarded. */
export const REFUSAL_REASONS = [
	'origin',
	'account',
	'method',
	'content-type',
	'rate-limit',
	'bodies-per-client',
	'body-too-large',
	'body-timeout',
	'hung-up',
	'invalid',
	'in-flight',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** How a lookup of an account's LivePerson domain ended: answered, no answer, an answer that is no LivePerson host, too late. */
export const DOMAIN_LOOKUP_OUTCOMES = ['ok', 'failed', 'invalid', 'timeout'] as const;
export type DomainLookupOutcome = (typeof DOMAIN_LOOKUP_OUTCOMES)[number];

/** What the de-duplication store was asked when it failed. */
export const STORE_OPERATIONS = ['claim', 'settle', 'release'] as const;
export type StoreOperation = (typeof STORE_OPERATIONS)[number];

export type SignerObserver = {
	/** Each answer at the endpoint: its error code, `ok` for 200, `preflight` for a CORS preflight's 204. */
	answered?(code: string): void;
	/** A request the signer turned away itself, and why (it is answered too). */
	refused?(reason: RefusalReason): void;
	/** Each call to LivePerson: its HTTP status, or `error` where none came in time; and how long it took. */
	forwarded?(status: number | 'error', seconds: number): void;
	/** A repeat of an accepted request, answered 200 without forwarding. */
	dedupeHit?(): void;
	/** A request id reused for a different request (answered 409). */
	dedupeConflict?(): void;
	/** The de-duplication store (Redis) failed an operation. */
	storeError?(operation: StoreOperation): void;
	/** A lookup of an account's LivePerson domain (the domain API), not one answered from the cache. */
	domainLookup?(outcome: DomainLookupOutcome): void;
	/** A request entered (+1) or left (-1) the handling counted by the in-flight cap. */
	inFlight?(change: 1 | -1): void;
};

/** Every callback present, so that the hot path calls without checking. */
export type Observer = Required<SignerObserver>;

const nothing = () => {};

/** The observer with a no-op for each callback it lacks. */
export function completeObserver(observer: SignerObserver = {}): Observer {
	return {
		answered: observer.answered?.bind(observer) ?? nothing,
		refused: observer.refused?.bind(observer) ?? nothing,
		forwarded: observer.forwarded?.bind(observer) ?? nothing,
		dedupeHit: observer.dedupeHit?.bind(observer) ?? nothing,
		dedupeConflict: observer.dedupeConflict?.bind(observer) ?? nothing,
		storeError: observer.storeError?.bind(observer) ?? nothing,
		domainLookup: observer.domainLookup?.bind(observer) ?? nothing,
		inFlight: observer.inFlight?.bind(observer) ?? nothing,
	};
}
