import type { DedupeStore } from '../dedupe-store.js';
import { SignerConfigError } from '../settings.js';
import { durableObjectStore, type DedupeNamespace } from '../stores/durable-object.js';

/** The binding of the de-duplication Durable Object in a Worker's `env`, and the class it binds. */
export const DEDUPE_BINDING = 'LP_DEDUPE';
export const DEDUPE_CLASS = 'LpEaDedupe';

/** Said once per isolate by a Worker without the binding: what it remembers, and what would make it global. */
export const PER_ISOLATE_NOTE =
	`lp-ea signer: de-duplicating per isolate, in memory: a retry that reaches another isolate or location may be forwarded again; ` +
	`bind the ${DEDUPE_CLASS} Durable Object as ${DEDUPE_BINDING} to remember ids across all of them`;

const isNamespace = (value: unknown): value is DedupeNamespace =>
	typeof value === 'object' && value !== null && typeof (value as DedupeNamespace).idFromName === 'function' && typeof (value as DedupeNamespace).get === 'function';

/**
 * The Durable Object store when `env` has the binding; undefined without it (the signer's
 * in-memory store). Anything else under the name is a setting at fault, never ignored: a
 * Worker that was meant to de-duplicate globally must not quietly do it per isolate.
 */
export function dedupeStoreFromEnv(env: Record<string, unknown>): DedupeStore | undefined {
	const binding = env[DEDUPE_BINDING];
	if (binding === undefined) return undefined;
	if (!isNamespace(binding)) {
		throw new SignerConfigError(DEDUPE_BINDING, `must be a Durable Object namespace binding of the class ${DEDUPE_CLASS} ([[durable_objects.bindings]]), not a [vars] entry`);
	}
	return durableObjectStore(binding);
}
