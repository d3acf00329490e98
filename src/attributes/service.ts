import * as v from 'valibot';
import { numbered, numbering, text, wrapped } from './fields.js';

/** LivePerson's service status numbers (0 to 13), by the kebab-case form of their documented names. */
export const SERVICE_STATUS = numbering(
	'complete in-progress approved cancelled not-approved reviewed missing-details closed removed assigned waiting-for-customer-response waiting-for-response pending resolved',
);

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
