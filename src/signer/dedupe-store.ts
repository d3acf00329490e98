/**
 * Where the signer remembers which request ids it has forwarded. Values are what a later
 * request with the same id is told: `pending` (being forwarded right now), `accepted`
 * (LivePerson answered 200) or `ended` (LivePerson answered 404: the visit is over).
 */
export type DedupeState = 'pending' | 'accepted' | 'ended';

export interface DedupeStore {
	/**
	 * Atomically: when nobody holds `key`, holds it as `pending` for `ttl` ms and returns
	 * null; otherwise returns what it holds and changes nothing.
	 */
	claim(key: string, ttl: number): Promise<DedupeState | null>;
	/** Records the outcome of the forward, for `ttl` ms. */
	settle(key: string, state: DedupeState, ttl: number): Promise<void>;
	/** Lets go of a claim whose forward failed, so that a retry of the request goes through. */
	release(key: string): Promise<void>;
}
