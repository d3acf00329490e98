import * as v from 'valibot';
import { numbered, text, wrapped } from './fields.js';

/** LivePerson's service status numbers, by the kebab-case form of their documented names. */
export const SERVICE_STATUS = {
	complete: 0,
	'in-progress': 1,
	approved: 2,
	cancelled: 3,
	'not-approved': 4,
	reviewed: 5,
	'missing-details': 6,
	closed: 7,
	removed: 8,
	assigned: 9,
	'waiting-for-customer-response': 10,
	'waiting-for-response': 11,
	pending: 12,
	resolved: 13,
} as const;

export type ServiceStatusName = keyof typeof SERVICE_STATUS;
export type ServiceStatusNumber = (typeof SERVICE_STATUS)[ServiceStatusName];
export type ServiceStatus = ServiceStatusName | ServiceStatusNumber;

export const serviceAttribute = wrapped('service', {
	topic: v.optional(text),
	status: v.optional(numbered(SERVICE_STATUS)),
	category: v.optional(text),
	serviceId: v.optional(text),
});

export type ServiceFields = v.InferInput<typeof serviceAttribute>['service'];
