/**
 * Work that must end by a deadline even when what it waits on does not: the work gets an
 * AbortSignal that fires at the deadline, and the caller stops waiting then, whether or not
 * the work noticed the signal (a transport may ignore it, or a body may trickle forever).
 */
export function withDeadline<T>(ms: number, expired: () => Error, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
	const controller = new AbortController();
	let timer: ReturnType<typeof setTimeout> | undefined;
	const late = new Promise<never>((_, reject) => {
		timer = setTimeout(() => {
			const error = expired();
			controller.abort(error);
			reject(error);
		}, Math.max(0, ms));
	});
	const running = work(controller.signal);
	// The loser of the race may still settle; nobody waits for it then.
	running.catch(() => {});
	return Promise.race([running, late]).finally(() => clearTimeout(timer));
}
