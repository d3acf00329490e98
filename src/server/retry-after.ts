/**
 * `Retry-After` as milliseconds from `now`: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined for anything else, and for a wait that is not ahead (`0`, a date gone by): the
 * caller's own backoff applies then.
 */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
	if (value === undefined) return undefined;
	const text = value.trim();
	const ms = /^\d+$/.test(text) ? Number(text) * 1000 : /[a-z]/i.test(text) ? Date.parse(text) - now : Number.NaN;
	return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}
