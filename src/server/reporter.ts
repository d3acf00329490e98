/// <reference types="node" />
import {
	ATTRIBUTE_TYPES,
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
import { shape } from '../attributes/fields.js';
import { LpEAError } from '../browser/errors.js';
import { createDeduplicator } from '../signer/deduplicate.js';
import { createDomainResolver } from '../signer/domain.js';
import { forward } from '../signer/forward.js';
import { redisStoreFor } from '../signer/node/signer.js';
import { createOAuthSigner } from '../signer/oauth.js';
import type { RedisStore } from '../signer/stores/redis.js';
import { checkAttributes } from './attributes.js';
import { checkCallOptions, type CallOptions } from './call-options.js';
import { deferredStore } from './deferred-store.js';
import { resolveReporterOptions, type ReporterOptions } from './options.js';
import { rejection } from './rejection.js';
import { retrying } from './retry.js';
import { checkAccount, checkVisit } from './visit.js';

/**
 * The page's ten helpers and `send()`, for a back end: each takes the visit first (the page's
 * `lpEA.visit`, handed over with a form or kept with a ticket), validates as the page does,
 * signs and posts to LivePerson directly, retrying what can succeed later within `timeout`.
 * Each resolves once LivePerson answered 200 and rejects with an `LpEAError` otherwise
 * (`queued` is always false: nothing is kept for later).
 */
export type Reporter = {
	/** A `lead`: `{ topic?, value?, currency?, leadId? }`. */
	lead(visit: Visit, fields?: LeadFields, options?: CallOptions): Promise<void>;
	/** A `service`: `{ topic?, status?, category?, serviceId? }`; `status` is 0–13 or its kebab-case name (`'resolved'`). */
	service(visit: Visit, fields?: ServiceFields, options?: CallOptions): Promise<void>;
	/** A `cart`: `{ total, numItems, currency?, products? }`; LivePerson replaces the previous cart. */
	cart(visit: Visit, fields: CartFields, options?: CallOptions): Promise<void>;
	/** A `purchase`: `{ total?, currency?, orderId?, cart? }`. */
	purchase(visit: Visit, fields?: PurchaseFields, options?: CallOptions): Promise<void>;
	/** A `prodView`: `{ currency?, products }`. */
	prodView(visit: Visit, fields?: ProdViewFields, options?: CallOptions): Promise<void>;
	/** A `ctmrinfo`. Beware `customerId`: LivePerson may then treat the visit as authenticated and fail the call. */
	ctmrinfo(visit: Visit, fields?: CtmrinfoFields, options?: CallOptions): Promise<void>;
	/** A `mrktInfo`: `{ channel?, affiliate?, campaignId? }`; `channel` is 0–6 or its name (`'paid-search'`, …). */
	mrktInfo(visit: Visit, fields?: MrktInfoFields, options?: CallOptions): Promise<void>;
	/** A `personal`: `{ firstname?, lastname?, age?, contacts?, gender?, company?, language? }`. */
	personal(visit: Visit, fields?: PersonalFields, options?: CallOptions): Promise<void>;
	/** An `error`: `{ contextId?, message?, code?, level?, resolved? }`. */
	error(visit: Visit, fields?: ErrorFields, options?: CallOptions): Promise<void>;
	/** A `searchInfo`: `{ keywords }`. */
	searchInfo(visit: Visit, fields: SearchInfoFields, options?: CallOptions): Promise<void>;
	/**
	 * Ready-made attributes of any of the ten types, each validated, all in one request (at most
	 * 50): `send(visit, a, b)`, or `send(visit, [a, b], { idempotencyKey })` to give options.
	 */
	send(visit: Visit, ...attributes: AttributeInput[]): Promise<void>;
	send(visit: Visit, attributes: readonly AttributeInput[], options?: CallOptions): Promise<void>;
	/** Refuses new calls, waits for those under way (each within its timeout), then lets go of the connections and of Redis. */
	close(): Promise<void>;
};

/**
 * A reporter for a back end, made once and shared: the domain cache, the connection pool and
 * the idempotency keys live in it. Every option is checked now: a missing or malformed one
 * throws a SignerConfigError that names it, never its value.
 *
 * @example
 * const reporter = createReporter({ accounts: '12345678', consumerKey, consumerSecret, accessToken, accessTokenSecret });
 * await reporter.service(visit, { status: 'resolved', serviceId: 'T-1234' });
 */
export function createReporter(options: ReporterOptions): Reporter {
	const settings = resolveReporterOptions(options);
	const { signer, accounts, timeout, attemptTimeout, agent } = settings;
	const sign = createOAuthSigner(signer.credentials, signer.hmac);
	const resolveDomain = createDomainResolver(signer);
	// Made in the background, as the signer's middleware makes it: calls wait for it. The
	// signer's maker reads only redisUrl (checked by now) of the options.
	const redis: Promise<RedisStore | undefined> | undefined = settings.redisUrl ? redisStoreFor({ ...options, accounts: '' }) : undefined;
	const store = redis ? deferredStore(redis.then((made) => made!)) : signer.dedupeStore;
	// The signer's de-duplication as it is: each attempt claims the key, a concurrent repeat in
	// this process waits for the attempt under way, an accepted key is remembered for the window.
	const forwardOnce = createDeduplicator({
		store,
		window: signer.dedupeWindow,
		claimTtl: signer.claimTtl,
		wait: attemptTimeout,
		sha256: signer.sha256,
		observe: signer.observe,
	});
	const underWay = new Set<Promise<void>>();
	let closed = false;

	async function report(visitInput: unknown, inputs: readonly unknown[], inList: boolean, callOptions: unknown): Promise<void> {
		const end = Date.now() + timeout;
		if (closed) throw new LpEAError('network', 0, 'this reporter was closed (close()); nothing was sent');
		const attributes = checkAttributes(inputs, inList);
		const { idempotencyKey: id } = checkCallOptions(callOptions);
		const visit = checkVisit(visitInput);
		checkAccount(visit.account, accounts);
		const envelope = { ...visit, attributes };
		// Stringified once: what is sent is what the de-duplication digest covers.
		const body = JSON.stringify(attributes);
		await retrying(
			async (until) => {
				const origin = await resolveDomain(visit.account, until);
				const send = () => forward(signer, sign, origin, envelope, body, Math.max(1, until - Date.now()));
				await (id ? forwardOnce({ ...envelope, id }, body, send) : send());
			},
			{ end, timeout, attemptTimeout },
		);
	}

	function call(visit: unknown, inputs: readonly unknown[], inList: boolean, callOptions: unknown): Promise<void> {
		const done = report(visit, inputs, inList, callOptions).catch((error: unknown) => {
			throw rejection(error);
		});
		const tracked = done.then(
			() => void underWay.delete(tracked),
			() => void underWay.delete(tracked),
		);
		underWay.add(tracked);
		return done;
	}

	const reporter = {
		send(visit: unknown, ...rest: unknown[]) {
			// An array is never an attribute: it is the list form, which can take options after it.
			if (Array.isArray(rest[0])) {
				if (rest.length > 2) return Promise.reject(new LpEAError('invalid', 0, 'send(visit, attributes, options) takes nothing after the options; nothing was sent'));
				return call(visit, rest[0], true, rest[1]);
			}
			return call(visit, rest, true, undefined);
		},
		async close() {
			closed = true;
			await Promise.all(underWay);
			await agent.close();
			await (await redis?.catch(() => undefined))?.close();
		},
	} as Reporter;
	for (const type of ATTRIBUTE_TYPES) {
		(reporter as unknown as Record<string, unknown>)[type] = (visit: unknown, fields: unknown = {}, callOptions?: unknown) =>
			call(visit, [shape(type, fields)], false, callOptions);
	}
	return reporter;
}
