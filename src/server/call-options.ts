import { REQUEST_ID } from '../attributes/envelope.js';
import { LpEAError } from '../browser/errors.js';

/** What a call may be given after its fields. */
export type CallOptions = {
	/**
	 * Makes the call safe to repeat: within the de-duplication window, the same key with the same
	 * visit and attributes is sent to LivePerson at most once (a repeat of an accepted call
	 * resolves without sending), and with anything else it is refused `bad-request` (409).
	 * 16 to 64 letters, digits, `-` or `_`, like the page's request id: a ticket's event id, say.
	 */
	idempotencyKey?: string;
};

const KNOWN = ['idempotencyKey'];

/** The options checked as hard as the fields: a misspelt name is refused, not ignored. */
export function checkCallOptions(options: unknown): CallOptions {
	if (options === undefined) return {};
	if (options === null || typeof options !== 'object' || Array.isArray(options)) {
		throw new LpEAError('invalid', 0, 'the options must be an object such as { idempotencyKey }; nothing was sent');
	}
	const unknown = Object.keys(options).find((name) => !KNOWN.includes(name));
	if (unknown !== undefined) throw new LpEAError('invalid', 0, `options.${unknown.slice(0, 40)} is not an option (idempotencyKey is); nothing was sent`);
	const { idempotencyKey } = options as CallOptions;
	if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || !REQUEST_ID.test(idempotencyKey))) {
		throw new LpEAError('invalid', 0, "idempotencyKey must be 16 to 64 letters, digits, '-' or '_'; nothing was sent");
	}
	return idempotencyKey === undefined ? {} : { idempotencyKey };
}
