/**
 * Work that must end by a deadline even when what it waits on does not (a transport may
 * ignore its timeout, a body may trickle forever): the caller stops waiting at `ms` and gets
 * `expired()`, whether or not the work has settled. The timer is armed before the work starts,
 * so that the deadline wins over a timeout of the same length inside the work.
 */
export function deadline<T>(ms: number, expired: () => Error, work: () => Promise<T>): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const timer = setTimeout(() => reject(expired()), Math.max(0, ms));
		// The loser of the race may still settle; nobody waits for it then.
		work().then(
			(value) => {
				clearTimeout(timer);
				resolve(value);
			},
			(error: unknown) => {
				clearTimeout(timer);
				reject(error);
			},
		);
	});
}
