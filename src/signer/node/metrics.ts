/// <reference types="node" />
/**
 * The signer's Prometheus metrics (prom-client): the observer the Web-standard core calls,
 * turned into counters, a histogram and a gauge. Here at the Node edge, so that the core and
 * the Workers bundle carry no metrics library.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import { ERROR_STATUS } from '../../shared/error-codes.js';
import {
	completeObserver,
	DOMAIN_LOOKUP_OUTCOMES,
	REFUSAL_REASONS,
	STORE_OPERATIONS,
	type Observer,
	type SignerObserver,
} from '../observer.js';

export type SignerMetricsOptions = {
	/**
	 * Where the metrics are registered. Default: a registry of lp-ea's own, so that two
	 * signers in one process, or your own metrics in prom-client's global registry, never
	 * collide. Given yours, lp-ea's metrics sit beside your own; signers that share a registry
	 * add up into the same metrics.
	 */
	registry?: Registry;
	/**
	 * Node's process metrics (prom-client's `collectDefaultMetrics`: CPU, memory, event loop
	 * lag…) in the registry too. Default false: in your process they are yours to add, once;
	 * `lp-ea-signer`, whose process it is, turns them on.
	 */
	processMetrics?: boolean;
};

/**
 * The signer's metrics: pass it as the `metrics` option of `createSigner`, `lazySigner`,
 * `createSignerMiddleware` or `startSignerServer`; serve it as `(req, res)` on node:http or
 * Express (`app.get('/metrics', metrics)`), or as a Web `Response` (`metrics.response()`).
 */
export type SignerMetrics = Observer & {
	(req: IncomingMessage, res: ServerResponse): void;
	/** Where the metrics are registered: lp-ea's own, or the one you passed. */
	readonly registry: Registry;
	/** The exposition text as a Web `Response`, for a route handler (`export const GET = () => metrics.response()`). */
	response(): Promise<Response>;
};

/**
 * Buckets for LivePerson's answer time, with the signer's 10 s default timeout as the last:
 * fine below a second, where LivePerson answers, coarse up to the timeout, where it does not.
 */
export const UPSTREAM_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 7.5, 10];

/** The codes the endpoint can answer with: each error code that has a status, `ok` and `preflight`. */
const ANSWER_CODES = ['ok', 'preflight', ...Object.keys(ERROR_STATUS).filter((code) => ERROR_STATUS[code as keyof typeof ERROR_STATUS] > 0)];

/** A label from a fixed set, or `other`: a label value is never what a request chose. */
const bounded = (value: string, known: readonly string[]) => (known.includes(value) ? value : 'other');

/** An HTTP status as a label, from the statuses there are; `error` where no answer came. */
const statusLabel = (status: number | 'error') =>
	status === 'error' ? 'error' : Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'other';

/** The metric of that name already in the registry (another signer's), or a new one. */
function metric<T extends Metric>(registry: Registry, name: string, make: () => T): T {
	return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Label values known in advance start at 0, so that `rate()` and `increase()` see their first increment. */
function zeroed<T extends string>(counter: Counter<T>, label: T, values: readonly string[]): Counter<T> {
	for (const value of values) counter.inc({ [label]: value } as Record<T, string>, 0);
	return counter;
}

/**
 * A counter's increment by one label value, through the child prom-client keeps per value:
 * looked up once per value, not hashed from a labels object on every request.
 */
function incrementer<T extends string, V>(counter: Counter<T>, label: T, toLabel: (value: V) => string): (value: V) => void {
	const children = new Map<string, { inc(): void }>();
	return (value) => {
		const bound = toLabel(value);
		let child = children.get(bound);
		if (!child) children.set(bound, (child = counter.labels({ [label]: bound } as Record<T, string>)));
		child.inc();
	};
}

/** Tells `signerMetrics()`'s result from a plain observer of the brand's own. */
const MARK = Symbol('lp-ea signer metrics');

/**
 * The signer's Prometheus metrics, on a registry of lp-ea's own unless you pass yours. Pass
 * the result as the `metrics` option of any signer (`createSigner`, `lazySigner`,
 * `createSignerMiddleware`, `startSignerServer`), then serve it: `app.get('/metrics', metrics)`
 * on node:http or Express, `export const GET = () => metrics.response()` in a route handler.
 */
export function signerMetrics({ registry = new Registry(), processMetrics = false }: SignerMetricsOptions = {}): SignerMetrics {
	const registers = [registry];
	if (processMetrics) collectDefaultMetrics({ register: registry });
	const requests = metric(registry, 'lp_ea_requests_total', () =>
		zeroed(
			new Counter({
				name: 'lp_ea_requests_total',
				help: 'Answers of the signing endpoint, by code (ok for 200, preflight for a CORS preflight)',
				labelNames: ['code'],
				registers,
			}),
			'code',
			ANSWER_CODES,
		),
	);
	const refusals = metric(registry, 'lp_ea_refusals_total', () =>
		zeroed(
			new Counter({
				name: 'lp_ea_refusals_total',
				help: 'Requests the signer turned away itself, nothing forwarded, by reason',
				labelNames: ['reason'],
				registers,
			}),
			'reason',
			REFUSAL_REASONS,
		),
	);
	const forwards = metric(
		registry,
		'lp_ea_forwards_total',
		() =>
			new Counter({
				name: 'lp_ea_forwards_total',
				help: "Calls to LivePerson, by its HTTP status (error where no answer came in time)",
				labelNames: ['status'],
				registers,
			}),
	);
	const upstream = metric(
		registry,
		'lp_ea_upstream_duration_seconds',
		() =>
			new Histogram({
				name: 'lp_ea_upstream_duration_seconds',
				help: 'How long calls to LivePerson took, answered or not',
				buckets: UPSTREAM_BUCKETS,
				registers,
			}),
	);
	const hits = metric(
		registry,
		'lp_ea_dedupe_hits_total',
		() => new Counter({ name: 'lp_ea_dedupe_hits_total', help: 'Repeats of accepted requests, answered 200 without forwarding', registers }),
	);
	const conflicts = metric(
		registry,
		'lp_ea_dedupe_conflicts_total',
		() => new Counter({ name: 'lp_ea_dedupe_conflicts_total', help: 'Request ids reused for a different request, answered 409', registers }),
	);
	const storeErrors = metric(registry, 'lp_ea_store_errors_total', () =>
		zeroed(
			new Counter({
				name: 'lp_ea_store_errors_total',
				help: 'Failed operations of the de-duplication store (Redis unreachable), by operation',
				labelNames: ['operation'],
				registers,
			}),
			'operation',
			STORE_OPERATIONS,
		),
	);
	const lookups = metric(registry, 'lp_ea_domain_lookups_total', () =>
		zeroed(
			new Counter({
				name: 'lp_ea_domain_lookups_total',
				help: "Lookups of an account's LivePerson domain through the domain API, by outcome",
				labelNames: ['outcome'],
				registers,
			}),
			'outcome',
			DOMAIN_LOOKUP_OUTCOMES,
		),
	);
	const inFlight = metric(
		registry,
		'lp_ea_in_flight',
		() => new Gauge({ name: 'lp_ea_in_flight', help: 'Requests being handled now, bodies arrived (what LP_MAX_IN_FLIGHT caps)', registers }),
	);

	const answered = incrementer(requests, 'code', (code: string) => bounded(code, ANSWER_CODES));
	const refused = incrementer(refusals, 'reason', (reason: string) => bounded(reason, REFUSAL_REASONS));
	const forwarded = incrementer(forwards, 'status', statusLabel);
	const observer: Observer = {
		answered,
		refused,
		forwarded: (status, seconds) => {
			forwarded(status);
			upstream.observe(seconds);
		},
		dedupeHit: () => hits.inc(),
		dedupeConflict: () => conflicts.inc(),
		storeError: (operation) => storeErrors.inc({ operation: bounded(operation, STORE_OPERATIONS) }),
		domainLookup: (outcome) => lookups.inc({ outcome: bounded(outcome, DOMAIN_LOOKUP_OUTCOMES) }),
		inFlight: (change) => inFlight.inc(change),
	};
	const headers = { 'content-type': registry.contentType, 'cache-control': 'no-store' };
	const serve = (req: IncomingMessage, res: ServerResponse) => {
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.writeHead(405, { allow: 'GET, HEAD' }).end();
			return;
		}
		registry.metrics().then(
			(text) => res.writeHead(200, { ...headers, 'content-length': Buffer.byteLength(text) }).end(req.method === 'HEAD' ? undefined : text),
			() => res.writeHead(500).end(),
		);
	};
	return Object.assign(serve, observer, {
		[MARK]: true,
		registry,
		response: async () => new Response(await registry.metrics(), { status: 200, headers }),
	});
}

function isSignerMetrics(value: SignerObserver | undefined): value is SignerMetrics {
	return typeof value === 'function' && MARK in value;
}

/**
 * What the Node adapters count into: the `metrics` option when it is `signerMetrics()`'s,
 * otherwise metrics of their own (so that their metrics handler and port always have
 * figures), with an observer of your own, if given, told as well.
 */
export function adapterMetrics(given: SignerObserver | undefined): { metrics: SignerMetrics; observer: SignerObserver } {
	if (isSignerMetrics(given)) return { metrics: given, observer: given };
	const metrics = signerMetrics();
	if (!given) return { metrics, observer: metrics };
	const yours = completeObserver(given);
	const both = {} as Record<keyof Observer, (...args: never[]) => void>;
	for (const name of Object.keys(yours) as (keyof Observer)[]) {
		both[name] = (...args: never[]) => {
			(metrics[name] as (...a: never[]) => void)(...args);
			(yours[name] as (...a: never[]) => void)(...args);
		};
	}
	return { metrics, observer: both as Observer };
}
