import type { Answer } from './exchange.js';
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from '../shared/error-codes.js';
import type { RefusalReason } from './observer.js';

/**
 * A request the signer answers with an error: the code fixes the status, except where the
 * contract's code has a more precise HTTP status (408 for a slow client, 503 when busy), which
 * the page still reads as that code.
 */
export class Refusal extends Error {
	override readonly name = 'Refusal';
	readonly code: ErrorCode;
	readonly headers: Record<string, string>;
	readonly #status: number | undefined;
	/** Set where the signer turns a request away itself (see `because`); unset for LivePerson's answers. */
	reason?: RefusalReason;

	constructor(code: ErrorCode, message: string, headers: Record<string, string> = {}, status?: number) {
		super(message);
		this.code = code;
		this.headers = headers;
		this.#status = status;
	}

	get status(): number {
		return this.#status ?? (ERROR_STATUS[this.code] || 500);
	}
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function jsonAnswer(status: number, body: object, headers: Record<string, string> = {}): Answer {
	return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

export function refusalAnswer(refusal: Refusal, headers: Record<string, string> = {}): Answer {
	const body: ErrorBody = { error: { code: refusal.code, message: refusal.message } };
	return jsonAnswer(refusal.status, body, { ...headers, ...refusal.headers });
}

/** The refusal, marked with why the signer turned the request away: what the refusals metric counts. */
export function because<T extends Refusal>(reason: RefusalReason, refusal: T): T {
	refusal.reason = reason;
	return refusal;
}
