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

export const lead: Client['lead'] = (fields) => client().lead(fields);
export const service: Client['service'] = (fields) => client().service(fields);
export const send: Client['send'] = (...attributes) => client().send(...attributes);
