import * as v from 'valibot';
import { describeIssues, visitSchema, type Visit } from '../attributes/index.js';
import type { Logger } from './logger.js';

export type { Visit };

export type VisitParamNames = { account: string; visitor: string; sid: string };

export const DEFAULT_PARAM_NAMES: VisitParamNames = { account: 'account', visitor: 'visitor', sid: 'sid' };

/** The parameter names to read, each defaulting to its own field name. */
export function paramNames(names: Partial<VisitParamNames> = {}): VisitParamNames {
	return {
		account: names.account || DEFAULT_PARAM_NAMES.account,
		visitor: names.visitor || DEFAULT_PARAM_NAMES.visitor,
		sid: names.sid || DEFAULT_PARAM_NAMES.sid,
	};
}

export const VISIT_STORAGE_KEY = 'lp-ea:visit';

const VISIT_FIELDS = ['account', 'visitor', 'sid'] as const;

/** What is known of the visit on this page, and why it is unknown when it is. */
export type VisitState = { visit: Visit; problem?: undefined } | { visit: null; problem: string };

function readStored(storage: Storage | undefined): Partial<Visit> {
	try {
		const stored: unknown = JSON.parse(storage?.getItem(VISIT_STORAGE_KEY) ?? 'null');
		return stored && typeof stored === 'object' ? (stored as Partial<Visit>) : {};
	} catch {
		return {};
	}
}

/**
 * The visit from the page URL, completed from sessionStorage for later pages of the same
 * tab; URL values win. A valid visit is stored back. Storage that throws (disabled, full,
 * sandboxed) only costs the memory across pages, never the call.
 */
export function readVisit(href: string, storage: Storage | undefined, names: VisitParamNames, log: Logger): VisitState {
	const query = new URL(href).searchParams;
	const stored = readStored(storage);
	const candidate: Record<string, unknown> = {};
	for (const field of VISIT_FIELDS) {
		candidate[field] = query.get(names[field]) ?? stored[field];
	}
	const missing = VISIT_FIELDS.filter((field) => candidate[field] == null);
	if (missing.length > 0) {
		const problem = `the visit is unknown on this page: ${missing.map((f) => `"${names[f]}"`).join(', ')} missing from the URL and from this tab's session`;
		log(problem);
		return { visit: null, problem };
	}
	const state = check(candidate, 'in the page URL');
	if (!state.visit) {
		log(state.problem);
		return state;
	}
	try {
		storage?.setItem(VISIT_STORAGE_KEY, JSON.stringify(state.visit));
	} catch (error) {
		log('could not keep the visit in sessionStorage', error);
	}
	log('visit', state.visit);
	return state;
}

function check(candidate: unknown, source: string): VisitState {
	const parsed = v.safeParse(visitSchema, candidate);
	return parsed.success
		? { visit: parsed.output }
		: { visit: null, problem: `the visit ${source} is not valid: ${describeIssues(parsed.issues)}` };
}

/** A visit given in code instead of the URL, checked like one. */
export const checkVisit = (visit: unknown): VisitState => check(visit, 'given');
