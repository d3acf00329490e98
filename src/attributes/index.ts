/** The attribute schemas, shared by the browser client and the signing endpoint. */
export {
	ATTRIBUTE_SCHEMAS,
	ATTRIBUTE_TYPES,
	attributeSchema,
	schemaFor,
	withNumbers,
	type Attribute,
	type AttributeInput,
	type AttributeType,
} from './attribute.js';
export { leadAttribute, type LeadFields } from './lead.js';
export {
	SERVICE_STATUS,
	serviceAttribute,
	type ServiceFields,
	type ServiceStatus,
	type ServiceStatusName,
} from './service.js';
export { cartAttribute, type CartFields } from './cart.js';
export { purchaseAttribute, type PurchaseFields } from './purchase.js';
export { prodViewAttribute, type ProdViewFields } from './prod-view.js';
export { ctmrinfoAttribute, type CtmrinfoFields } from './ctmrinfo.js';
export {
	MARKETING_CHANNEL,
	mrktInfoAttribute,
	type MarketingChannel,
	type MarketingChannelName,
	type MrktInfoFields,
} from './mrkt-info.js';
export { GENDERS, PHONE_TYPES, personalAttribute, type Gender, type PersonalFields, type PhoneType } from './personal.js';
export { errorAttribute, type ErrorFields } from './error.js';
export { searchInfoAttribute, type SearchInfoFields } from './search-info.js';
export { visitSchema, type Visit } from './visit.js';
export { describeIssues } from './describe.js';
export { MAX_LIST_LENGTH, MAX_TEXT_LENGTH } from './fields.js';
