import type { Envelope } from '../attributes/envelope.js';
import { deadline } from './deadline.js';
import type { DedupeState, DedupeStore, DedupeValue } from './dedupe-store.js';
import type { Observer } from './observer.js';
import { Refusal } from './refusal.js';
import type { Sha256 } from './sha256.js';

/** "Try again shortly": a 503 with Retry-After, which the page retries while it keeps the request. */
export class TryAgain extends Refusal {
	constructor(message: string, seconds: number) {
		super('server-error', message, { 'retry-after': String(seconds) });
	}

	override get status(): number {
		return 503;
	}
}

/**
 * An id reused for another request: final for the page (a 4xx other than 408 and 429), which
 * drops it rather than retry what can never go through. 409 has no code of its own in the
 * contract; the page reads it by its class, as `bad-request`. Nothing of the body is echoed.
 * Each of these refusals is a class of its own, so that lp-ea/server can say it in its own words.
 */
export class ReusedId extends Refusal {
	constructor() {
		super('bad-request', 'id was already used for a different request within the de-duplication window; a new request needs a new id', {}, 409);
	}
}

/** Another forward of this request holds the claim: the page retries in a second. */
export class BeingForwarded extends TryAgain {
	constructor() {
		super('a request with this id is being forwarded right now; try again shortly', 1);
	}
}

/** The store failed the claim: nothing is forwarded, since nothing could tell a repeat apart. */
export class StoreUnreachable extends TryAgain {
	constructor() {
		super('the signing endpoint cannot reach its de-duplication store; try again later', 5);
	}
}

const beingForwarded = () => new BeingForwarded();

/** How much longer than the forward's own deadline a claim holds: the store's round trips on either side of it. */
export const CLAIM_MARGIN_MS = 5_000;

/**
 * The most of the window a claim may hold: a claim left behind (an instance that died
 * mid-forward, a store that did a SET after we stopped waiting) holds the id's retries off
 * until it runs out, and the page has the rest of the window to get through.
 */
export const CLAIM_SHARE_OF_WINDOW = 1 / 4;

export type DedupeOptions = {
	store: DedupeStore;
	/** How long an accepted id is remembered, in ms. */
	window: number;
	/** How long a claim holds while its forward is under way: longer than the forward may take. */
	claimTtl: number;
	/** How long a repeat waits for the original in flight in this instance, in ms. */
	wait: number;
	sha256: Sha256;
	/** Told of repeats answered without forwarding, reused ids and store failures. */
	observe: Pick<Observer, 'dedupeHit' | 'dedupeConflict' | 'storeError'>;
};

/** A forward that resolves once LivePerson accepted, and otherwise throws the Refusal to answer. */
export type Forward = () => Promise<void>;

const BASE64URL = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (c) => c.charCodeAt(0));
const codes: number[] = [];

/**
 * The start of a hex digest in base64url, two characters for every three hex digits, as one
 * flat string: keys and digests are kept by the hundred thousand, so they are short, and never
 * a slice of a longer string (which would keep the longer one alive).
 */
function compact(hex: string, characters: number): string {
	codes.length = characters;
	for (let c = 0; c < characters; c += 2) {
		const bits = parseInt(hex.slice(c * 1.5, c * 1.5 + 3), 16);
		codes[c] = BASE64URL[bits >> 6]!;
		codes[c + 1] = BASE64URL[bits & 63]!;
	}
	return String.fromCharCode.apply(null, codes);
}

/**
 * A key of 132 bits (22 characters) for account and id: no two ids of a window meet by
 * chance, in any store. A digest of 96 bits (16 characters) for what is forwarded: it only
 * tells the requests under one id apart.
 */
const KEY_CHARACTERS = 22;
const DIGEST_CHARACTERS = 16;

function parse(held: DedupeValue): [DedupeState, string | undefined] {
	const colon = held.indexOf(':');
	return colon < 0 ? [held as DedupeState, undefined] : [held.slice(0, colon) as DedupeState, held.slice(colon + 1)];
}

/**
 * Forwards a request once per account and id. The claim is bound to a digest of what is
 * forwarded (account, visitor, sid, the validated attributes): a repeat of an accepted request
 * resolves without forwarding; a repeat of a request whose visit had ended is refused 404
 * again; the same id with anything else forwarded is refused 409, whatever the state. A repeat
 * while the original is in flight in this instance waits for the original's outcome (up to
 * `wait`) and shares it; while another instance holds the claim, it is told to try again. A
 * forward that fails for any other reason lets go of the id, so that its retry goes through.
 * Where the store cannot be reached, nothing is forwarded: the page is told to try again.
 */
export function createDeduplicator({ store, window, claimTtl, wait, sha256, observe }: DedupeOptions) {
	/** The forwards in flight in this instance, by key: what a repeat waits for. */
	const running = new Map<string, { digest: string; outcome: Promise<void> }>();

	async function claimAndForward(key: string, digest: string, forward: Forward): Promise<void> {
		let held;
		try {
			held = await store.claim(key, claimTtl, `pending:${digest}`);
		} catch {
			observe.storeError('claim');
			throw new StoreUnreachable();
		}
		if (held) {
			const [state, heldDigest] = parse(held);
			if (heldDigest !== undefined && heldDigest !== digest) {
				observe.dedupeConflict();
				throw new ReusedId();
			}
			if (state === 'accepted') return observe.dedupeHit();
			if (state === 'ended') throw new Refusal('not-found', 'the visit has ended: LivePerson refused this request before (404)');
			// Another instance (or one that died mid-forward, until the claim runs out) has it.
			throw beingForwarded();
		}
		try {
			await forward();
		} catch (error) {
			const ended = error instanceof Refusal && error.code === 'not-found';
			// Best effort: a store that fails here lets the claim run out on its own after claimTtl.
			await (ended ? store.settle(key, `ended:${digest}`, window) : store.release(key)).catch(() =>
				observe.storeError(ended ? 'settle' : 'release'),
			);
			throw error;
		}
		await store.settle(key, `accepted:${digest}`, window).catch(() => observe.storeError('settle'));
	}

	/** `body` is the attributes as forwarded (JSON): what the digest covers, with the visit. */
	return async function forwardOnce(envelope: Envelope & { id: string }, body: string, forward: Forward): Promise<void> {
		const { account, visitor, sid, id } = envelope;
		// Account, visitor and sid hold no ':' or newline (the schema's characters), so neither text can mean two requests.
		const hashes = [sha256(`${account}:${id}`), sha256(`${account}\n${visitor}\n${sid}\n${body}`)];
		// node:crypto's hash is synchronous: no promise to wait for on the Node hot path.
		const [k, d] = typeof hashes[0] === 'string' && typeof hashes[1] === 'string' ? (hashes as string[]) : await Promise.all(hashes);
		const key = compact(k!, KEY_CHARACTERS);
		const digest = compact(d!, DIGEST_CHARACTERS);
		const original = running.get(key);
		if (original?.digest === digest) {
			// The original's success is this repeat's too: answered 200, forwarded once.
			return deadline(wait, beingForwarded, () => original.outcome).then(observe.dedupeHit);
		}
		// A different request under an id in flight here is not waited for: the store tells it 409.
		const outcome = claimAndForward(key, digest, forward);
		if (!original) {
			running.set(key, { digest, outcome });
			const done = () => void running.delete(key);
			outcome.then(done, done);
		}
		return outcome;
	};
}
