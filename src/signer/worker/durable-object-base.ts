import { DurableObject } from 'cloudflare:workers';

/** A row of `storage.sql`: SQLite's values as the Workers runtime gives them. */
export type SqlRow = Record<string, string | number | null | ArrayBuffer>;

/** The part of a SQLite-backed Durable Object's `ctx.storage.sql` lp-ea uses. */
export interface SqlStorage {
	exec(query: string, ...bindings: Array<string | number | null>): { toArray(): SqlRow[] };
}

/** The part of a Durable Object's `ctx` lp-ea uses. */
export interface DurableObjectContext {
	readonly storage: {
		readonly sql: SqlStorage;
		getAlarm(): Promise<number | null>;
		setAlarm(time: number): Promise<void>;
	};
}

/**
 * `DurableObject` from `cloudflare:workers`, the base a class needs for its methods to be
 * called by RPC on a stub, typed in these terms: the package's declarations then hold no
 * import of the runtime's module, and a brand's type-check needs nothing more than lp-ea.
 * The import stays an import in dist/signer-worker.mjs (rollup.config.mjs), for the runtime
 * to provide.
 */
export const DurableObjectBase = DurableObject as unknown as abstract new (
	ctx: DurableObjectContext,
	env: unknown,
) => { readonly ctx: DurableObjectContext };
