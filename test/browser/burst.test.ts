// @vitest-environment happy-dom
/**
 * One busy page against the signer with its default rate limit (30 at once, 120 a minute):
 * 150 `prodView` calls in separate tasks within a second. Before coalescing, the 100-entry
 * outbox evicted requests that were waiting out 429s and 18 calls were lost (`queued: false`),
 * and every retry waited exactly `Retry-After: 1`. Now the calls made while the endpoint pushes
 * back join held requests, and every one arrives.
 */
import { http } from 'msw';
import { fetch as nodeFetch } from 'undici';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSigner } from '../../src/signer/index.js';
import { startLivePerson, type LivePersonStandIn } from '../../src/testing/index.js';
import { createClient } from '../../src/browser/index.js';
import { PAGE_ORIGIN, VISIT, VISIT_QUERY, visitPage } from '../helpers/page.js';

let lp: LivePersonStandIn;
const answers = new Map<number, number>();
const server = setupServer();

beforeAll(async () => {
	lp = await startLivePerson({ accounts: [VISIT.account], credentials: { consumerKey: 'k', consumerSecret: 's', token: 't', tokenSecret: 'u' } });
	// The default signer: rate limit included. One client address, as one visitor's page is. It
	// reaches the stand-in with Node's own fetch, not this page environment's.
	const handle = createSigner({ ...lp.signerOptions, fetch: nodeFetch as unknown as typeof fetch });
	server.use(
		http.post(`${PAGE_ORIGIN}/lp-ea/events`, async ({ request }) => {
			const response = await handle(new Request(request.url, { method: 'POST', headers: request.headers, body: await request.text() }), {
				clientAddress: '198.51.100.7',
			});
			answers.set(response.status, (answers.get(response.status) ?? 0) + 1);
			return response;
		}),
	);
	server.listen({ onUnhandledRequest: 'bypass' });
});
afterAll(async () => {
	server.close();
	await lp?.close();
});

test('150 prodView calls in separate tasks within a second: all delivered, none lost', async () => {
	visitPage(`/shop?${VISIT_QUERY}`);
	const client = createClient({ timeout: 20_000 });
	const outcomes: Array<Promise<string>> = [];
	for (let i = 0; i < 150; i++) {
		outcomes.push(
			client
				.prodView({ products: [{ product: { sku: `SKU-${i}`, name: 'x', price: 1 } }] })
				.then(() => 'delivered', (error: { code: string; queued: boolean }) => `${error.code} queued=${error.queued}`),
		);
		await new Promise((r) => setTimeout(r, 6)); // each call in a task of its own: 150 in about a second
	}
	const settled = await Promise.all(outcomes);
	const skus = lp.received.flatMap((record) =>
		record.status === 200 ? ((record.attributes ?? []) as Array<{ products: Array<{ product: { sku: string } }> }>).map((a) => a.products[0]!.product.sku) : [],
	);
	console.log(`150 prodView calls: ${settled.filter((s) => s === 'delivered').length} delivered, answers by status ${JSON.stringify(Object.fromEntries(answers))}, ${lp.received.length} requests reached LivePerson`);
	expect(answers.get(429) ?? 0).toBeGreaterThan(0); // the endpoint really pushed back
	expect(settled.filter((s) => s !== 'delivered')).toEqual([]);
	expect(new Set(skus).size).toBe(150);
	expect(skus).toHaveLength(150); // each once
}, 30_000);
