import * as v from 'valibot';
import { integer, list, oneOf, record, text, wrapped } from './fields.js';

export const GENDERS = ['MALE', 'FEMALE', 'OTHER'] as const;
export type Gender = (typeof GENDERS)[number];

export const PHONE_TYPES = ['HOME', 'MOBILE', 'WORK', 'FAX', 'MAIN', 'HOME_FAX', 'WORK_FAX', 'PAGER', 'OTHER'] as const;
export type PhoneType = (typeof PHONE_TYPES)[number];

export const personalAttribute = wrapped('personal', {
	firstname: v.optional(text),
	lastname: v.optional(text),
	age: v.optional(
		record({
			age: v.optional(integer(0, 150)),
			year: v.optional(integer(1000, 9999)),
			month: v.optional(integer(1, 12)),
			day: v.optional(integer(1, 31)),
		}),
	),
	contacts: v.optional(
		list(
			record({
				email: v.optional(text),
				phone: v.optional(text),
				phoneType: v.optional(oneOf(PHONE_TYPES)),
				address: v.optional(record({ country: v.optional(text), region: v.optional(text) })),
			}),
		),
	),
	gender: v.optional(oneOf(GENDERS)),
	company: v.optional(text),
	language: v.optional(text),
});

export type PersonalFields = v.InferInput<typeof personalAttribute>['personal'];
