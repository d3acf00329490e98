import { LpEAError } from './errors.js';
import { tell } from './logger.js';
import type { Visit, VisitSource } from './visit.js';

/** How often calls waiting for LivePerson's Web Tag look again. */
const POLL_MS = 50;

/**
 * Whether this page has said so: a refused call may be a form's lead that goes with the page,
 * unseen, so the first refusal is told without `debug` too; once, however many calls follow.
 */
let warned = false;

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
			else if (!pending || now >= giveUp) {
				const error = new LpEAError('no-visit', 0, `${problem}; nothing was sent`);
				if (!warned) tell('warn', error, `. See "Where the visit comes from" in lp-ea's README`);
				warned = true;
				reject(error);
			}
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
