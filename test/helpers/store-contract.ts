import { expect, test } from 'vitest';
import type { DedupeStore } from '../../src/signer/dedupe-store.js';

/**
 * The de-duplication store's contract, as test/signer/redis-store.test.ts holds the Redis store
 * to it: atomic claims, values carried as given, settle, release and expiry. `clients` makes
 * that many stores over one shared backing; `pass(ms)` lets that much time go by for it.
 */
export function storeContract(clients: (count: number) => DedupeStore[], pass: (ms: number) => Promise<void>) {
	test('claims are atomic: of many concurrent claims from several clients, exactly one wins', async () => {
		const stores = clients(3);
		const claims = await Promise.all(Array.from({ length: 30 }, (_, i) => stores[i % 3]!.claim('concurrent-key', 5_000)));
		expect(claims.filter((c) => c === null)).toHaveLength(1);
		expect(claims.filter((c) => c === 'pending')).toHaveLength(29);
	});

	test('a claim holds the value it is given (state and digest) and gives it to the claims after it', async () => {
		const [a, b] = clients(2);
		expect(await a!.claim('value-key', 5_000, 'pending:digest-a')).toBeNull();
		expect(await b!.claim('value-key', 5_000, 'pending:digest-b')).toBe('pending:digest-a');
		await a!.settle('value-key', 'accepted:digest-a', 5_000);
		expect(await b!.claim('value-key', 5_000, 'pending:digest-b')).toBe('accepted:digest-a');
	});

	test('settle records the outcome, release lets go, the ttl expires', async () => {
		const [s] = clients(1);
		expect(await s!.claim('settled-key', 5_000)).toBeNull();
		await s!.settle('settled-key', 'accepted', 5_000);
		expect(await s!.claim('settled-key', 5_000)).toBe('accepted');
		await s!.release('settled-key');
		expect(await s!.claim('settled-key', 150)).toBeNull();
		expect(await s!.claim('settled-key', 150)).toBe('pending');
		await pass(400);
		expect(await s!.claim('settled-key', 5_000)).toBeNull();
	});
}
