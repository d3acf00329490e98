import type { ShardRow, ShardRows } from '../stores/dedupe-shard.js';
import type { SqlStorage } from './durable-object-base.js';

/**
 * A shard's table in the object's SQLite (`ctx.storage.sql`): synchronous, so a claim's read
 * and write run with nothing between them, and indexed by expiry so that a sweep reads only
 * what it deletes. Writes are committed before the object's answer leaves (the runtime's
 * output gate): a claim answered null is durable.
 */
export function sqlRows(sql: SqlStorage): ShardRows {
	sql.exec('CREATE TABLE IF NOT EXISTS lp_ea_dedupe (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER NOT NULL) WITHOUT ROWID');
	sql.exec('CREATE INDEX IF NOT EXISTS lp_ea_dedupe_expires ON lp_ea_dedupe (expires)');
	return {
		get(key): ShardRow | undefined {
			const [row] = sql.exec('SELECT value, expires FROM lp_ea_dedupe WHERE key = ?', key).toArray();
			return row ? { value: String(row.value), expires: Number(row.expires) } : undefined;
		},
		put(key, { value, expires }) {
			sql
				.exec(
					'INSERT INTO lp_ea_dedupe (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires',
					key,
					value,
					expires,
				)
				.toArray();
		},
		delete(key) {
			sql.exec('DELETE FROM lp_ea_dedupe WHERE key = ?', key).toArray();
		},
		deleteExpired(now) {
			sql.exec('DELETE FROM lp_ea_dedupe WHERE expires <= ?', now).toArray();
		},
		earliest() {
			const [row] = sql.exec('SELECT MIN(expires) AS earliest FROM lp_ea_dedupe').toArray();
			return row?.earliest === null || row?.earliest === undefined ? undefined : Number(row.earliest);
		},
	};
}
