import * as v from 'valibot';
import { amount, currency, text, wrapped } from './fields.js';

export const leadAttribute = wrapped('lead', {
	topic: v.optional(text),
	value: v.optional(amount),
	currency: v.optional(currency),
	leadId: v.optional(text),
});

export type LeadFields = v.InferInput<typeof leadAttribute>['lead'];
