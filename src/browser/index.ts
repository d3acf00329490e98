/**
 * lp-ea for bundlers: `import { lead, cart } from 'lp-ea'` reports to the default endpoint;
 * `createClient(options)` for anything else.
 */
import { createClient, type Client } from './client.js';

export { createClient, DEFAULT_ENDPOINT, type Client, type ClientOptions } from './client.js';
export { LpEAError, type ErrorCode } from './errors.js';
export {
	ATTRIBUTE_TYPES,
	GENDERS,
	MARKETING_CHANNEL,
	PHONE_TYPES,
	SERVICE_STATUS,
	type Attribute,
	type AttributeInput,
	type AttributeType,
	type CartFields,
	type CtmrinfoFields,
	type ErrorFields,
	type Gender,
	type LeadFields,
	type MarketingChannel,
	type MarketingChannelName,
	type MrktInfoFields,
	type PersonalFields,
	type PhoneType,
	type ProdViewFields,
	type PurchaseFields,
	type SearchInfoFields,
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
export const cart: Client['cart'] = (fields) => client().cart(fields);
export const purchase: Client['purchase'] = (fields) => client().purchase(fields);
export const prodView: Client['prodView'] = (fields) => client().prodView(fields);
export const ctmrinfo: Client['ctmrinfo'] = (fields) => client().ctmrinfo(fields);
export const mrktInfo: Client['mrktInfo'] = (fields) => client().mrktInfo(fields);
export const personal: Client['personal'] = (fields) => client().personal(fields);
export const error: Client['error'] = (fields) => client().error(fields);
export const searchInfo: Client['searchInfo'] = (fields) => client().searchInfo(fields);
export const send: Client['send'] = (...attributes) => client().send(...attributes);
