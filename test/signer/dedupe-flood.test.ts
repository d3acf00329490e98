import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, test } from 'vitest';
import type { Incoming } from '../../src/signer/exchange.js';
import { createSignerCore } from '../../src/signer/handler.js';
import { nodeHmac, nodeSha256 } from '../../src/signer/node/platform.js';
import { createMemoryStore } from '../../src/signer/stores/memory.js';
import { LEAD, signerOptions, VISIT } from '../helpers/signer.js';

/**
 * A flood of fresh ids against the default in-memory store: what README's "Where ids are
 * remembered" states, measured. The Node path (node:crypto), with a transport that answers
 * 200 at once: the flood is the store's test, not LivePerson's.
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The longest ids the contract allows (64 characters): the most a key could cost before it was hashed. */
const freshId = (i: number) => `flood-${String(i).padStart(58, '0')}`;
const VICTIM = 'the-victims-purchase-id-of-64-characters-'.padEnd(64, 'v');

function incoming(body: string): Incoming {
	return {
		method: 'POST',
		url: 'https://brand.example/lp-ea/events',
		header: (name) => (name === 'content-type' ? 'application/json' : null),
		headerNames: () => ['content-type'],
		text: async () => body,
	};
}

test("the default store withstands 99,999 fresh ids: the victim's replay is still answered 200 without forwarding; the 100,000th pushes it out", async () => {
	let forwarded = 0;
	gc();
	const heapBefore = process.memoryUsage().heapUsed;
	const store = createMemoryStore();
	const handle = createSignerCore({
		...signerOptions('http://127.0.0.1:1'),
		rateLimit: false,
		hmac: nodeHmac,
		sha256: nodeSha256,
		dedupeStore: store,
		transport: async () => {
			forwarded += 1;
			return { status: 200, text: '' };
		},
	});
	const send = async (id: string, visitor = VISIT.visitor) => {
		const answer = await handle(incoming(JSON.stringify({ id, ...VISIT, visitor, attributes: [LEAD] })));
		if (answer.status !== 200) expect(answer, id).toMatchObject({ status: 200 });
	};

	await send(VICTIM);
	const FLOOD = 99_999;
	for (let i = 0; i < FLOOD; i++) await send(freshId(i), `flooder-${i % 1000}`);
	expect(forwarded).toBe(1 + FLOOD);

	// The victim's replay: a repeat, not forwarded.
	await send(VICTIM);
	expect(forwarded).toBe(1 + FLOOD);

	// What the store holds on the heap (with the signer around it, an upper bound), against what it counts.
	gc();
	const onHeap = process.memoryUsage().heapUsed - heapBefore;
	const counted = (store as typeof store & { bytes: number }).bytes;
	console.log(
		`default memory store: ${store.size} ids, ${(onHeap / store.size).toFixed(0)} B an id on the heap (${(onHeap / 2 ** 20).toFixed(1)} MiB), ${(counted / store.size).toFixed(0)} B an id counted against its 16 MiB`,
	);
	expect(store.size).toBe(100_000);
	expect(onHeap).toBeLessThanOrEqual(counted);
	expect(counted).toBeLessThanOrEqual(16 * 2 ** 20);

	// One more fresh id makes 100,001: the oldest, the victim, goes, and its replay is forwarded again.
	await send(freshId(FLOOD));
	await send(VICTIM);
	expect(forwarded).toBe(1 + FLOOD + 2);
}, 120_000);
