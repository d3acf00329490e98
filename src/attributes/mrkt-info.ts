import * as v from 'valibot';
import { numbered, numbering, text, wrapped } from './fields.js';

/** LivePerson's marketing channel numbers (0 to 6), by the kebab-case form of their documented names. */
export const MARKETING_CHANNEL = numbering('direct search social email referral paid-search display');

export type MarketingChannelName = keyof typeof MARKETING_CHANNEL;
export type MarketingChannel = MarketingChannelName | (typeof MARKETING_CHANNEL)[MarketingChannelName];

export const mrktInfoAttribute = wrapped('mrktInfo', {
	channel: v.optional(numbered(MARKETING_CHANNEL)),
	affiliate: v.optional(text),
	campaignId: v.optional(text),
});

export type MrktInfoFields = v.InferInput<typeof mrktInfoAttribute>['info'];
