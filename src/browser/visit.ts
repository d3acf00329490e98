import * as v from 'valibot';
import { describeIssues, visitSchema, type Visit } from '../attributes/index.js';
import type { Logger } from './logger.js';
import { safely } from './safely.js';
import { webStorage } from './web-storage.js';

export type { Visit };

/** The page URL's parameter names for account, visitor and sid; each defaults to its own field name. */
export type VisitParamNames = { account: string; visitor: string; sid: string };

export const VISIT_STORAGE_KEY = 'lp-ea:visit';

const VISIT_FIELDS = ['account', 'visitor', 'sid'] as const;
type VisitField = (typeof VISIT_FIELDS)[number];

/**
 * What is known of the visit on this page, and why it is unknown when it is. `pending`: it
 * may still come from LivePerson's Web Tag, so calls wait for it.
 */
export type VisitState =
	| { visit: Visit; problem?: undefined; pending?: undefined }
	| { visit: null; problem: string; pending?: boolean };

/** Reads what is known of the visit now; the answer changes only while it is pending. */
export type VisitSource = () => VisitState;

type Candidate = Partial<Record<VisitField, unknown>>;

function readStored(storage: Storage | undefined): Candidate {
	const stored: unknown = safely(() => JSON.parse(storage?.getItem(VISIT_STORAGE_KEY) ?? 'null'));
	return stored && typeof stored === 'object' ? stored : {};
}

/** The part of LivePerson's Web Tag that knows the visit. */
type LpTag = { site?: unknown; taglets?: { lp_monitoringSDK?: { getVid?(): unknown; getSid?(): unknown } } };

/**
 * The visit as LivePerson's Web Tag knows it so far. The tag and its monitoring taglet load
 * on their own schedule: until then any part may be missing, empty, or throw.
 */
const readTag = (): Candidate =>
	safely(() => {
		const tag = (globalThis as { lpTag?: LpTag }).lpTag;
		const sdk = tag?.taglets?.lp_monitoringSDK;
		return { account: tag?.site, visitor: sdk?.getVid?.(), sid: sdk?.getSid?.() };
	}) ?? {};

function check(candidate: unknown, source: string): VisitState {
	const parsed = v.safeParse(visitSchema, candidate);
	return parsed.success
		? { visit: parsed.output }
		: { visit: null, problem: `the visit ${source} is not valid: ${describeIssues(parsed.issues)}` };
}

/** Forgets the visit kept for the tab (consent was declined). Only reaching storage throws, and webStorage catches that. */
export const forgetVisit = (): void => webStorage('sessionStorage')?.removeItem(VISIT_STORAGE_KEY);

/** A visit given in code instead of the URL, checked like one. */
export const checkVisit = (visit: unknown): VisitState => check(visit, 'given');

/**
 * The visit from the page URL, completed from sessionStorage for later pages of the same tab
 * (URL values win), and stored back when valid: storage that throws (disabled, full,
 * sandboxed) only costs the memory across pages, never the call. Where neither has it all,
 * LivePerson's Web Tag fills the gaps, whenever it is ready.
 */
export function readVisit(
	href: string,
	storage: Storage | undefined,
	params: Partial<VisitParamNames> = {},
	log: Logger,
): VisitSource {
	const query = new URL(href).searchParams;
	const stored = readStored(storage);
	const name = (field: VisitField) => params[field] || field;
	const page: Candidate = {};
	for (const field of VISIT_FIELDS) page[field] = query.get(name(field)) ?? stored[field];
	const missing = VISIT_FIELDS.filter((field) => page[field] == null);

	let state: VisitState = missing.length
		? {
				visit: null,
				pending: true,
				problem: `the visit is unknown on this page: ${missing.map((field) => `"${name(field)}"`).join(', ')} missing from the URL, from this tab's session and from LivePerson's Web Tag (lpTag)`,
			}
		: check(page, 'in the page URL');
	if (state.visit) {
		try {
			storage?.setItem(VISIT_STORAGE_KEY, JSON.stringify(state.visit));
		} catch (error) {
			log('visit not kept in sessionStorage', error);
		}
	}
	log(state.problem ?? 'visit', state.visit);

	return () => {
		if (state.pending) {
			const tag = readTag();
			const candidate: Candidate = {};
			for (const field of VISIT_FIELDS) candidate[field] = page[field] ?? tag[field];
			if (VISIT_FIELDS.every((field) => candidate[field] != null)) {
				const checked = check(candidate, "from LivePerson's Web Tag");
				// The tag may still be settling: a visit it gives that does not pass is waited past too.
				state = checked.visit ? checked : { ...checked, pending: true };
				if (state.visit) log('visit from lpTag', state.visit);
			}
		}
		return state;
	};
}
