import type { DedupeValue } from '../dedupe-store.js';
import { dedupeShard, nextSweep, type DedupeShard } from '../stores/dedupe-shard.js';
import { DurableObjectBase, type DurableObjectContext } from './durable-object-base.js';
import { sqlRows } from './sql-rows.js';

/**
 * Wakes the object to sweep once a row may have expired, unless a sweep is already due. An
 * alarm at or before now is the one running (or overdue), which may have found the table empty
 * and set none after it: this row then sets its own. Expiry is checked on every read, so an
 * alarm only gives space back.
 */
async function sweepLater(ctx: DurableObjectContext, expires: number): Promise<void> {
	const now = Date.now();
	const due = await ctx.storage.getAlarm();
	if (due === null || due <= now) await ctx.storage.setAlarm(nextSweep(expires, now));
}

/**
 * The de-duplication Durable Object: one shard of the ids a Worker remembers (see
 * `durableObjectStore`), in the object's SQLite storage. Bind it as `LP_DEDUPE` (wrangler.toml's
 * `[[durable_objects.bindings]]`, with a `new_sqlite_classes` migration) and lp-ea/signer/worker
 * de-duplicates through it. A claim reads and writes in one synchronous step, so that of any
 * number of concurrent claims of a key exactly one gets null. Every argument is checked: a
 * malformed call throws a DedupeCallError and stores nothing.
 */
export class LpEaDedupe extends DurableObjectBase {
	private readonly shard: DedupeShard;

	constructor(ctx: DurableObjectContext, env: unknown) {
		super(ctx, env);
		this.shard = dedupeShard(sqlRows(ctx.storage.sql));
	}

	/** Holds `key` as `value` for `ttl` ms when nobody holds it and answers null; otherwise answers what is held. */
	async claim(key: string, ttl: number, value: DedupeValue = 'pending'): Promise<DedupeValue | null> {
		const held = this.shard.claim(key, ttl, value);
		if (held === null) await sweepLater(this.ctx, Date.now() + ttl);
		return held;
	}

	/** Records the outcome of a forward for `ttl` ms. */
	async settle(key: string, value: DedupeValue, ttl: number): Promise<void> {
		this.shard.settle(key, value, ttl);
		await sweepLater(this.ctx, Date.now() + ttl);
	}

	/** Lets go of a claim whose forward failed. */
	async release(key: string): Promise<void> {
		this.shard.release(key);
	}

	/** The sweep: deletes what expired, and wakes again for what is left. */
	async alarm(): Promise<void> {
		const next = this.shard.sweep();
		if (next !== undefined) await this.ctx.storage.setAlarm(next);
	}
}
