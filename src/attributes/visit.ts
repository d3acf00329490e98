import * as v from 'valibot';

/**
 * account, visitor and sid end up in the upstream URL's path and query, so only characters
 * that cannot change its shape are allowed: no '/', '?', '&', '%', whitespace or '..'.
 */
const visitId = v.custom<string>(
	(id) => typeof id === 'string' && /^[\w-][\w.-]{0,127}$/.test(id) && !id.includes('..'),
	"must be 1 to 128 letters, digits, '-', '_' or '.', without '..'",
);

export const visitSchema = v.object({ account: visitId, visitor: visitId, sid: visitId });

export type Visit = v.InferOutput<typeof visitSchema>;
