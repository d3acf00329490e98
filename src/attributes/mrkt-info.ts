import * as v from 'valibot';
import { numbered, text, wrapped } from './fields.js';

/** LivePerson's marketing channel numbers, by the kebab-case form of their documented names. */
export const MARKETING_CHANNEL = {
	direct: 0,
	search: 1,
	social: 2,
	email: 3,
	referral: 4,
	'paid-search': 5,
	display: 6,
} as const;

export type MarketingChannelName = keyof typeof MARKETING_CHANNEL;
export type MarketingChannel = MarketingChannelName | (typeof MARKETING_CHANNEL)[MarketingChannelName];

export const mrktInfoAttribute = wrapped('mrktInfo', {
	channel: v.optional(numbered(MARKETING_CHANNEL)),
	affiliate: v.optional(text),
	campaignId: v.optional(text),
});

export type MrktInfoFields = v.InferInput<typeof mrktInfoAttribute>['info'];
