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
/** Reports a `cart` attribute (`{ total, numItems, currency?, products? }`): what the visitor's cart holds now; LivePerson replaces the previous cart. Resolves on the signing endpoint's 200; rejects with an `LpEAError` otherwise. */
export const cart: Client['cart'] = (fields) => client().cart(fields);
/** Reports a `purchase` attribute (`{ total?, currency?, orderId?, cart? }`): a completed order. Resolves on the signing endpoint's 200; rejects with an `LpEAError` otherwise. */
export const purchase: Client['purchase'] = (fields) => client().purchase(fields);
/** Reports a `prodView` attribute (`{ currency?, products }`): the products the visitor is looking at. Resolves on the signing endpoint's 200; rejects with an `LpEAError` otherwise. */
export const prodView: Client['prodView'] = (fields) => client().prodView(fields);
/** Reports a `ctmrinfo` attribute (customer status, type, balance, ids, dates…). LivePerson may treat a visit as authenticated when `customerId` is sent, and fail the call. Resolves on the signing endpoint's 200; rejects with an `LpEAError` otherwise. */
export const ctmrinfo: Client['ctmrinfo'] = (fields) => client().ctmrinfo(fields);
/** Reports a `mrktInfo` attribute (`{ channel?, affiliate?, campaignId? }`); `channel` is 0–6 or its name (`'paid-search'`, …). Resolves on the signing endpoint's 200; rejects with an `LpEAError` otherwise. */
export const mrktInfo: Client['mrktInfo'] = (fields) => client().mrktInfo(fields);
/** Reports a `personal` attribute (`{ firstname?, lastname?, age?, contacts?, gender?, company?, language? }`). Resolves on the signing endpoint's 200; rejects with an `LpEAError` otherwise. */
export const personal: Client['personal'] = (fields) => client().personal(fields);
/** Reports an `error` attribute (`{ contextId?, message?, code?, level?, resolved? }`), such as a form field the visitor could not get past. Resolves on the signing endpoint's 200; rejects with an `LpEAError` otherwise. */
export const error: Client['error'] = (fields) => client().error(fields);
/** Reports a `searchInfo` attribute (`{ keywords }`): what the visitor searched for. Resolves on the signing endpoint's 200; rejects with an `LpEAError` otherwise. */
export const searchInfo: Client['searchInfo'] = (fields) => client().searchInfo(fields);
/**
 * Sends ready-made engagement attributes of any of the ten types (`{ type: 'lead', lead: {…} }`, …)
 * through the default client, each validated first, all in one request. Resolves on the signing
 * endpoint's 200; rejects with an `LpEAError` otherwise.
 */
export const send: Client['send'] = (...attributes) => client().send(...attributes);
