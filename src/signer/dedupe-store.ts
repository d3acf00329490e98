/**
 * Where the signer remembers which request ids it has forwarded. A state is what a later
 * request with the same id is told: `pending` (being forwarded right now), `accepted`
 * (LivePerson answered 200) or `ended` (LivePerson answered 404: the visit is over).
 */
export type DedupeState = 'pending' | 'accepted' | 'ended';

/**
 * What a store holds for a key: the state and, after a colon, a digest of what the request
 * forwards (`accepted:Qm9vbS4uLg…`), so that a different request that reuses an id is told
 * apart from a repeat. The store keeps it as an opaque string; the signer writes and reads
 * it. A bare state (a store that ignores the value it is given) counts as a repeat.
 */
export type DedupeValue = DedupeState | `${DedupeState}:${string}`;

export interface DedupeStore {
	/**
	 * Atomically: when nobody holds `key`, holds it as `value` (default `pending`) for `ttl` ms
	 * and returns null; otherwise returns what it holds and changes nothing.
	 */
	claim(key: string, ttl: number, value?: DedupeValue): Promise<DedupeValue | null>;
	/** Records the outcome of the forward, for `ttl` ms. */
	settle(key: string, value: DedupeValue, ttl: number): Promise<void>;
	/** Lets go of a claim whose forward failed, so that a retry of the request goes through. */
	release(key: string): Promise<void>;
	/**
	 * Optional: whether the store can be used right now (a shared store's server reachable and
	 * taking commands). What `GET /readyz` answers; a store without it is always ready.
	 */
	ready?(): boolean;
}
