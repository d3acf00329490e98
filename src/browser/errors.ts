import type { ErrorCode } from '../shared/error-codes.js';

export type { ErrorCode };

/** Every rejection of an lp-ea call. `status` is the HTTP status, or 0 where no response came. */
export class LpEAError extends Error {
	override readonly name = 'LpEAError';
	readonly code: ErrorCode;
	readonly status: number;

	constructor(code: ErrorCode, status: number, message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.code = code;
		this.status = status;
	}
}
