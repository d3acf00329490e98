/**
 * lp-ea for bundlers: `import { lead, service } from 'lp-ea'` reports to the default
 * endpoint; `createClient(options)` for anything else.
 */
import { createClient, type Client, type ClientOptions } from './client.js';

export { createClient, DEFAULT_ENDPOINT, type Client, type ClientOptions } from './client.js';
export { LpEAError, type ErrorCode } from './errors.js';
export {
	ATTRIBUTE_TYPES,
	SERVICE_STATUS,
	type Attribute,
	type AttributeInput,
	type LeadFields,
	type ServiceFields,
	type ServiceStatus,
	type ServiceStatusName,
	type Visit,
} from '../attributes/index.js';

let shared: Client | undefined;
// Created on first use, so that importing the module does nothing on its own (and works in SSR).
const client = () => (shared ??= createClient());

/**
 * Reports a `lead` attribute (`{ topic?, value?, currency?, leadId? }`) through the default
 * client (endpoint `/lp-ea/events`, visit from the page URL). Resolves when the signing
 * endpoint answers 200; rejects with an `LpEAError` otherwise (`invalid`, `no-visit`, …).
 * Calls made in the same task share one request.
 *
 * @example lead({ topic: 'upgrade', value: 200, currency: 'USD', leadId: 'T-1' })
 */
export const lead: Client['lead'] = (fields) => client().lead(fields);
/**
 * Reports a `service` attribute (`{ topic?, status?, category?, serviceId? }`) through the
 * default client; `status` is 0–13 or its name in kebab case (`'approved'`, `'resolved'`, …).
 * Resolves on the signing endpoint's 200; rejects with an `LpEAError` otherwise.
 *
 * @example service({ status: 'resolved', serviceId: 'T-1234' })
 */
export const service: Client['service'] = (fields) => client().service(fields);
/**
 * Sends ready-made engagement attributes (`{ type: 'lead', lead: {…} }`, …) through the
 * default client, each validated first, all in one request. Resolves on the signing
 * endpoint's 200; rejects with an `LpEAError` otherwise.
 */
export const send: Client['send'] = (...attributes) => client().send(...attributes);
