import * as v from 'valibot';
import { leadAttribute } from './lead.js';
import { serviceAttribute } from './service.js';

/** Every attribute type lp-ea knows. A new type is one schema module and one entry here. */
const ATTRIBUTE_SCHEMAS = [leadAttribute, serviceAttribute] as const;

export const ATTRIBUTE_TYPES = ATTRIBUTE_SCHEMAS.map((schema) => schema.entries.type.literal);

export const attributeSchema = v.variant(
	'type',
	ATTRIBUTE_SCHEMAS,
	(issue) => `type must be one of ${ATTRIBUTE_TYPES.map((t) => `"${t}"`).join(', ')} (got ${issue.received})`,
);

/** An attribute as callers may write it (service status by name, for one). */
export type AttributeInput = v.InferInput<typeof attributeSchema>;
/** An attribute as LivePerson receives it. */
export type Attribute = v.InferOutput<typeof attributeSchema>;
