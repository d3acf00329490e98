import * as v from 'valibot';
import { MAX_ATTRIBUTES_PER_REQUEST } from '../shared/limits.js';
import { attributeSchema } from './attribute.js';
import { visitSchema } from './visit.js';

/** The body a page posts to the signing endpoint. Only the signer reads it whole. */
export const envelopeSchema = v.object({
	...visitSchema.entries,
	attributes: v.pipe(
		v.array(attributeSchema, 'must be a list'),
		v.minLength(1, 'must not be empty'),
		v.maxLength(MAX_ATTRIBUTES_PER_REQUEST, `must hold at most ${MAX_ATTRIBUTES_PER_REQUEST} items`),
	),
});

export type Envelope = v.InferOutput<typeof envelopeSchema>;
