import type { ErrorCode } from '../shared/error-codes.js';

export type { ErrorCode };

/**
 * Every rejection of an lp-ea call. `status` is the HTTP status, or 0 where no response came.
 * `queued` is true when the attributes were not delivered in time but are kept in the
 * outbox, to be retried on this page or re-sent from the next one.
 */
export class LpEAError extends Error {
	override readonly name = 'LpEAError';
	readonly code: ErrorCode;
	readonly status: number;
	readonly queued: boolean;

	constructor(code: ErrorCode, status: number, message: string, options?: { cause?: unknown }, queued = false) {
		super(message, options);
		this.code = code;
		this.status = status;
		this.queued = queued;
	}
}
