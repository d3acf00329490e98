/**
 * A `Retry-After` header in milliseconds from now: delay-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`). Undefined when absent or unreadable; a date in the
 * past is 0.
 */
export function retryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
	if (!header) return undefined;
	const seconds = Number(header);
	const ms = seconds >= 0 ? seconds * 1000 : Date.parse(header) - now;
	return ms >= 0 ? ms : ms < 0 ? 0 : undefined; // NaN, from neither form, is neither
}
