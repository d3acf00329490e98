import * as v from 'valibot';
import { text, wrapped } from './fields.js';

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

const STATUS_NAMES = Object.keys(SERVICE_STATUS) as ServiceStatusName[];

function isServiceStatus(input: unknown): input is ServiceStatus {
	return typeof input === 'number'
		? Number.isInteger(input) && input >= 0 && input <= 13
		: STATUS_NAMES.includes(input as ServiceStatusName);
}

/** Accepts the number or its name; LivePerson only ever receives the number. */
export const serviceStatus = v.pipe(
	v.custom<ServiceStatus>(
		isServiceStatus,
		(issue) => `must be an integer from 0 to 13 or a status name such as "approved" (got ${issue.received})`,
	),
	v.transform((status): ServiceStatusNumber => (typeof status === 'number' ? status : SERVICE_STATUS[status])),
);

export const serviceAttribute = wrapped('service', 'service', {
	topic: v.optional(text),
	status: v.optional(serviceStatus),
	category: v.optional(text),
	serviceId: v.optional(text),
});

export type ServiceFields = v.InferInput<typeof serviceAttribute>['service'];
