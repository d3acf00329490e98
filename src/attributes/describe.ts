import * as v from 'valibot';

const MAX_MESSAGE = 240;

/**
 * One readable sentence naming the field that failed, such as
 * `lead.value: must be a finite number`. Long received values are cut so that a
 * 50 KB string never comes back in an error message.
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], prefix = ''): string {
	const issue = issues[0];
	if (!issue) return 'invalid input';
	const path = [prefix, v.getDotPath(issue)].filter(Boolean).join('.');
	const message = path ? `${path}: ${issue.message}` : issue.message;
	return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}
