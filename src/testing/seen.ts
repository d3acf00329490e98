import type { Received } from './liveperson-stand-in.js';

/**
 * A request that a fault (`setFault`, `setFailShare`) answered in LivePerson's place. Not part
 * of `received`, but kept for the messages below: a test that waits in vain should say that
 * its requests did arrive and were failed on purpose.
 */
export type Faulted = Pick<Received, 'at' | 'account' | 'visitor' | 'sid'> & {
	/** What the fault did, e.g. `answered 500`, `dropped the connection`, `never answered`. */
	answer: string;
	by: 'setFault' | 'setFailShare';
};

/** The part of a visit a test expects; fields left out match any value. */
export type VisitFilter = { account?: string; visitor?: string; sid?: string };

/** The most lines a message lists; a flood of requests must not make an unreadable one. */
const MAX_LINES = 10;

export const describeVisit = (visit: { account?: string; visitor?: string; sid?: string | null }): string =>
	(['account', 'visitor', 'sid'] as const)
		.filter((key) => visit[key] !== undefined)
		.map((key) => `${key} ${visit[key] ?? '(none)'}`)
		.join(', ');

export const matchesVisit = (record: Pick<Received, 'account' | 'visitor' | 'sid'>, visit: VisitFilter): boolean =>
	(['account', 'visitor', 'sid'] as const).every((key) => visit[key] === undefined || visit[key] === record[key]);

/** One request as a line: what the stand-in answered, why, and for which visit. */
export function describeRecord(record: Received): string {
	const visit = describeVisit(record);
	if (record.status === 200) {
		const types = (record.attributes ?? []).map((attribute) => (attribute as { type?: unknown }).type).join(', ');
		return `${record.status} delivered (${types || 'no attributes'}): ${visit}`;
	}
	const what = record.verified ? 'refused' : 'not verified';
	return `${record.status} ${what} (${record.reason ?? 'no reason'}): ${visit}`;
}

export const describeFault = (fault: Faulted): string => `${fault.answer} by ${fault.by}: ${describeVisit(fault)}`;

/** A request the stand-in kept, or one a fault answered: what it saw, in arrival order. */
export type Seen = Received | Faulted;

const isFault = (entry: Seen): entry is Faulted => 'answer' in entry;

/**
 * What reached the events route, oldest first, as indented lines for an error message;
 * `expected` marks the requests for another visit. Nothing at all says where the stand-in
 * listens, since a signer pointed elsewhere is the usual cause.
 */
export function describeSeen(origin: string, seen: readonly Seen[], expected?: VisitFilter): string {
	if (seen.length === 0) return `nothing reached its events route (is the signer's domain / LP_DOMAIN ${origin}?)`;
	const line = (entry: Seen) =>
		isFault(entry)
			? describeFault(entry)
			: `${describeRecord(entry)}${expected && !matchesVisit(entry, expected) ? ' (another visit)' : ''}`;
	const shown = seen.slice(-MAX_LINES);
	const earlier = seen.length - shown.length;
	return [
		`it saw ${seen.length === 1 ? '1 request' : `${seen.length} requests`}:`,
		...(earlier ? [`  … ${earlier} earlier`] : []),
		...shown.map((entry) => `  ${line(entry)}`),
	].join('\n');
}
