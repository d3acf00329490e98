/**
 * lp-ea/server: engagement attributes reported from a back end (Node 20.19+), straight to
 * LivePerson, with the page's helpers and schemas, the signing endpoint's OAuth signer and
 * de-duplication, and retries within a deadline.
 */
export { createReporter, type Reporter } from './reporter.js';
export type { ReporterOptions } from './options.js';
export type { CallOptions } from './call-options.js';
export { LpEAError, type ErrorCode } from '../browser/errors.js';
export { SignerConfigError, type ConfigProblem } from '../signer/settings.js';
export type { DedupeStore } from '../signer/dedupe-store.js';
export type {
	AttributeInput,
	AttributeType,
	CartFields,
	CtmrinfoFields,
	ErrorFields,
	LeadFields,
	MrktInfoFields,
	PersonalFields,
	ProdViewFields,
	PurchaseFields,
	SearchInfoFields,
	ServiceFields,
	ServiceStatus,
	Visit,
} from '../attributes/index.js';
