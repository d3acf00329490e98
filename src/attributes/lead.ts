import * as v from 'valibot';
import { amount, currency, text } from './fields.js';

export const leadFields = v.object({
	topic: v.optional(text),
	value: v.optional(amount),
	currency: v.optional(currency),
	leadId: v.optional(text),
});

export const leadAttribute = v.object({
	type: v.literal('lead'),
	lead: leadFields,
});

export type LeadFields = v.InferInput<typeof leadFields>;
