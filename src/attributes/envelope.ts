import * as v from 'valibot';
import { MAX_ATTRIBUTES_PER_REQUEST } from '../shared/limits.js';
import { attributeSchema } from './attribute.js';
import { visitSchema } from './visit.js';

/** A request's id: what the signer de-duplicates on. The bundle sends 22 characters (128 bits). */
export const REQUEST_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** The body a page posts to the signing endpoint. Only the signer reads it whole. */
export const envelopeSchema = v.object({
	id: v.optional(
		v.pipe(v.string('id must be a string'), v.regex(REQUEST_ID, "id must be 16 to 64 letters, digits, '-' or '_'")),
	),
	...visitSchema.entries,
	attributes: v.pipe(
		v.array(attributeSchema, 'must be a list'),
		v.minLength(1, 'must not be empty'),
		v.maxLength(MAX_ATTRIBUTES_PER_REQUEST, `must hold at most ${MAX_ATTRIBUTES_PER_REQUEST} items`),
	),
});

export type Envelope = v.InferOutput<typeof envelopeSchema>;
