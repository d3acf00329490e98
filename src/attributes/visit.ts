import * as v from 'valibot';

/**
 * account, visitor and sid end up in the upstream URL's path and query, so only characters
 * that cannot change its shape are allowed: no '/', '?', '&', '%', whitespace or '..'.
 */
const VISIT_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

const visitId = (name: string) =>
	v.pipe(
		v.string(`${name} must be a string`),
		v.regex(VISIT_ID, `${name} must be 1 to 128 letters, digits, '-', '_' or '.'`),
		v.check((id) => !id.includes('..'), `${name} must not contain '..'`),
	);

export const visitSchema = v.object({
	account: visitId('account'),
	visitor: visitId('visitor'),
	sid: visitId('sid'),
});

export type Visit = v.InferOutput<typeof visitSchema>;
