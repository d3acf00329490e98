import * as v from 'valibot';
import { describeIssues, visitSchema, type Visit } from '../attributes/index.js';
import { LpEAError } from '../browser/errors.js';

/**
 * The visit a call reports to, checked with the page's own schema. Missing or malformed, it is
 * `no-visit`, as on a page whose visit is unknown: nothing can be sent without it.
 */
export function checkVisit(visit: unknown): Visit {
	const parsed = v.safeParse(visitSchema, visit);
	if (parsed.success) return parsed.output;
	const what = visit === null || typeof visit !== 'object' ? 'must be { account, visitor, sid }' : describeIssues(parsed.issues);
	throw new LpEAError('no-visit', 0, `the visit ${what}; nothing was sent`);
}

/** An account outside `accounts` is refused as the signing endpoint refuses it: `forbidden`, before anything is sent. */
export function checkAccount(account: string, accounts: ReadonlySet<string> | undefined): void {
	if (accounts && !accounts.has(account)) {
		throw new LpEAError('forbidden', 403, `account ${account} is not one of this reporter's accounts: add it to accounts; nothing was sent`);
	}
}
