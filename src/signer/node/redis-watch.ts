/// <reference types="node" />
/**
 * What the operator is told about the Redis store: one line at start naming where Redis is
 * and, when it cannot be used, why; then one line per loss and one per recovery, never one
 * per request or per reconnect attempt. A line names the host and port, never the URL's user
 * or password.
 */
import { printable } from '../log-line.js';

/** Redis replies that mean Redis will not take these credentials: retrying will not help. */
const REFUSED = /^(WRONGPASS|NOAUTH|NOPERM)\b|^ERR AUTH\b|invalid password/i;

/** LP_REDIS_URL's host and port, and nothing else of it. */
export function redisHost(url: string): string {
	const { hostname, port } = new URL(url);
	return `${hostname}:${port || '6379'}`;
}

/** node-redis's error in a line, with the URL's password cut out should its words ever hold it. */
function why(error: Error | undefined, url: URL): string {
	if (!error) return 'no answer';
	const code = (error as NodeJS.ErrnoException).code;
	let text = code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message || error.name;
	for (const secret of new Set([url.password, decodeURIComponent(url.password)])) {
		if (secret) text = text.split(secret).join('***');
	}
	return printable(text);
}

export type RedisStart = {
	ready: boolean;
	/** Set when Redis refused the credentials: the reason, for a SignerConfigError. */
	refused?: string;
};

export type RedisWatch = {
	/** For createRedisStore's onState. */
	onState(ready: boolean, error?: Error): void;
	/**
	 * Called once the store's first connection attempt is over: says how it went, except for
	 * credentials Redis refused when `refusalIsFatal` (the caller stops with `refused` instead).
	 */
	started(refusalIsFatal: boolean): RedisStart;
};

/**
 * Watches the store's state and says each change once through `say`. While Redis stays down,
 * a line is said when it goes, and once more only if it then refuses the credentials
 * instead (or the other way round), however many reconnect attempts fail.
 */
export function watchRedis(url: string, setting: string, say: (line: string) => void): RedisWatch {
	const parsed = new URL(url);
	const where = `Redis at ${redisHost(url)} (${setting})`;
	let starting = true;
	let ready = false;
	let everReady = false;
	let reason: string | undefined;
	/** Unreachable or refusing, each said once per outage. */
	const said = new Set<boolean>();
	return {
		onState(now, error) {
			if (now) {
				if (!ready && !starting) say(`${where} answers${everReady ? ' again' : ''}: ready`);
				ready = everReady = true;
				reason = undefined;
				said.clear();
				return;
			}
			const wasReady = ready;
			ready = false;
			reason = why(error, parsed);
			const refused = REFUSED.test(reason);
			if (starting || said.has(refused)) return;
			said.add(refused);
			const what = refused ? `${where} refuses the credentials` : `${wasReady ? 'lost' : 'still no'} ${where}`;
			say(`${what}: ${reason}; not ready (GET /readyz answers 503) until it answers, retrying`);
		},
		started(refusalIsFatal) {
			starting = false;
			if (ready) {
				say(`de-duplicating through ${where}`);
				return { ready };
			}
			const because = reason ?? 'no answer within 2 s';
			const isRefusal = REFUSED.test(because);
			said.add(isRefusal);
			const refused = isRefusal ? `was refused by Redis at ${redisHost(url)}: ${because}; check its user and password` : undefined;
			if (refused && refusalIsFatal) return { ready, refused };
			say(`${refused ? `${setting} ${refused}` : `cannot reach ${where}: ${because}`}; starting not ready (GET /readyz answers 503), retrying`);
			return { ready, refused };
		},
	};
}
