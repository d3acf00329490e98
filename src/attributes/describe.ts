import type * as v from 'valibot';

const MAX_MESSAGE = 240;

/** `lead.value`, `products[0].product.price`: where in the input an issue lies. */
function pathOf(issue: v.BaseIssue<unknown>): string {
	return (issue.path ?? []).map(({ key }) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
}

/**
 * One readable sentence naming the field that failed, such as
 * `lead.value: must be a finite number, not negative (got "200")`. Long received values are cut
 * so that a 50 KB string never comes back in an error message.
 */
export function describeIssues(issues: readonly [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]], prefix = ''): string {
	const [issue] = issues;
	const path = (prefix + pathOf(issue)).replace(/^\./, '');
	const got = issue.input === undefined ? '' : ` (got ${issue.received})`;
	const message = `${path ? `${path}: ` : ''}${issue.message}${got}`;
	return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}
