import * as v from 'valibot';
import { balance, count, currency, date, text, wrapped } from './fields.js';

/**
 * Customer info. LivePerson may treat a visit as authenticated when `customerId` is sent and
 * then fail the call (this API is for unauthenticated visits); the client warns in debug output.
 */
export const ctmrinfoAttribute = wrapped('ctmrinfo', {
	cstatus: v.optional(text),
	ctype: v.optional(text),
	balance: v.optional(balance),
	currency: v.optional(currency),
	customerId: v.optional(text),
	socialId: v.optional(text),
	imei: v.optional(text),
	userName: v.optional(text),
	companySize: v.optional(count),
	companyBranch: v.optional(text),
	accountName: v.optional(text),
	role: v.optional(text),
	lastPaymentDate: v.optional(date),
	registrationDate: v.optional(date),
	loginStatus: v.optional(count),
	storeZipCode: v.optional(text),
	storeNumber: v.optional(text),
});

export type CtmrinfoFields = v.InferInput<typeof ctmrinfoAttribute>['info'];
