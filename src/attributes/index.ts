/** The attribute schemas, shared by the browser client and the signing endpoint. */
export { ATTRIBUTE_TYPES, attributeSchema, type Attribute, type AttributeInput } from './attribute.js';
export { leadAttribute, type LeadFields } from './lead.js';
export {
	SERVICE_STATUS,
	serviceAttribute,
	type ServiceFields,
	type ServiceStatus,
	type ServiceStatusName,
} from './service.js';
export { visitSchema, type Visit } from './visit.js';
export { describeIssues } from './describe.js';
export { MAX_TEXT_LENGTH } from './fields.js';
