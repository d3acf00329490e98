import { LpEAError } from './errors.js';

/**
 * The visitor's answer as the brand's consent manager tells it. The manager owns it: lp-ea keeps
 * no record of it, so every page is told again (or runs without `consent: 'pending'`).
 */
export type Consent = {
	/** Runs `send` once consent is given: at once if it is, in call order when it comes if pending; refused `no-consent` if declined. */
	gate(send: () => Promise<void>): Promise<void>;
	/** The answer, which may change either way: only `true` is consent (a manager's `"false"` or a typo is not). */
	set(granted: unknown): void;
};

/**
 * Pending until `set` is first called. `changed` hears each change of answer, not a repeat,
 * before any held call goes: granted, it starts what sends and stores; declined, it clears it.
 */
export function createConsent(changed: (granted: boolean) => void): Consent {
	let granted: boolean | undefined;
	let answered!: () => void;
	/** Resolved by the first answer: calls wait on it, and go on in the order they waited. */
	const ready = new Promise<void>((resolve) => (answered = resolve));
	const refusal = new LpEAError('no-consent', 0, 'consent was declined; nothing was sent');
	return {
		// The answer as it stands when the call's turn comes: granted then declined in one task refuses it.
		// A call declined while its request was out settles as that request does: delivered, or
		// refused too, since the outbox that would have kept it for a retry was cleared.
		gate: (send) =>
			ready
				.then(() => (granted ? send() : Promise.reject(refusal)))
				.catch((error: unknown) => Promise.reject(granted ? error : refusal)),
		set(yes) {
			if ((yes = yes === true) !== granted) changed((granted = yes as boolean));
			answered();
		},
	};
}
