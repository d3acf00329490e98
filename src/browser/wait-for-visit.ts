import { LpEAError } from './errors.js';
import type { Visit, VisitSource } from './visit.js';

/** How often calls waiting for LivePerson's Web Tag look again. */
const POLL_MS = 50;

type Waiter = { giveUp: number; resolve: (visit: Visit) => void; reject: (error: LpEAError) => void };

/**
 * For calls made before the visit is known: each returned promise resolves with the visit once
 * `source` has it (LivePerson's Web Tag loads on its own schedule). One poll serves all the
 * calls waiting, so that they go out together once it comes; each gives up with `no-visit` at
 * its own deadline, and all at once where the visit cannot come (no page URL, or a URL whose
 * visit is not valid).
 */
export function waitForVisit(source: VisitSource): (giveUp: number) => Promise<Visit> {
	let waiters: Waiter[] = [];
	const look = () => {
		const { visit, problem, pending } = source();
		const now = Date.now();
		waiters = waiters.filter(({ giveUp, resolve, reject }) => {
			if (visit) resolve(visit);
			else if (!pending || now >= giveUp) reject(new LpEAError('no-visit', 0, `${problem}; nothing was sent`));
			else return true;
			return false;
		});
		if (waiters.length > 0) setTimeout(look, POLL_MS);
	};
	return (giveUp) =>
		new Promise<Visit>((resolve, reject) => {
			if (waiters.push({ giveUp, resolve, reject }) === 1) setTimeout(look, POLL_MS);
		});
}
