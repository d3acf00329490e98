import * as v from 'valibot';
import { count, flag, text, wrapped } from './fields.js';

/** Something that went wrong for the visitor, such as a form field refused. */
export const errorAttribute = wrapped('error', {
	contextId: v.optional(text),
	message: v.optional(text),
	code: v.optional(text),
	level: v.optional(count),
	resolved: v.optional(flag),
});

export type ErrorFields = v.InferInput<typeof errorAttribute>['error'];
