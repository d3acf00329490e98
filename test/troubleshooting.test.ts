import { request } from 'node:http';
import { startSignerServer, type SignerServer } from 'lp-ea/signer/node';
import { startLivePerson, type LivePersonStandIn } from 'lp-ea/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';

// The README's Troubleshooting row "403 behind a reverse proxy", with lp-ea-signer's own server:
// a proxy that rewrites Host makes the site's own pages look foreign; passing Host through fixes it.
let lp: LivePersonStandIn;
let signer: SignerServer;
beforeAll(async () => {
	lp = await startLivePerson({ accounts: ['1234'], credentials: { consumerKey: 'k', consumerSecret: 's', token: 't', tokenSecret: 'u' } });
	signer = await startSignerServer({ signer: { ...lp.signerOptions, rateLimit: false }, port: 0 });
});
afterAll(async () => {
	await signer.close();
	await lp.close();
});

/** A POST as a same-origin page's request reaches the signer through a proxy that sets `host`. */
function viaProxy(host: string, to = signer): Promise<{ status: number; body: string }> {
	const body = JSON.stringify({ account: '1234', visitor: 'v', sid: 's', attributes: [{ type: 'lead', lead: {} }] });
	const { port } = new URL(to.url);
	return new Promise((resolve, reject) => {
		const req = request(
			{ host: '127.0.0.1', port, path: '/lp-ea/events', method: 'POST', headers: { host, origin: 'https://www.example.com', 'content-type': 'application/json' } },
			(res) => {
				let text = '';
				res.on('data', (chunk) => (text += chunk));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

test('a proxy that rewrites Host to the upstream: the site\'s own page is refused 403, as the README quotes', async () => {
	const { port } = new URL(signer.url);
	const answer = await viaProxy(`127.0.0.1:${port}`);
	expect(answer.status).toBe(403);
	expect(JSON.parse(answer.body)).toEqual({ error: { code: 'forbidden', message: 'origin https://www.example.com is not allowed to call this endpoint' } });
	expect(lp.received).toHaveLength(0);
});

test('the fix: a proxy that passes the original Host through (proxy_set_header Host $host)', async () => {
	const answer = await viaProxy('www.example.com');
	expect(answer.status).toBe(200);
	expect(lp.received[0]).toMatchObject({ status: 200, verified: true });
});

test('or the other fix: the site\'s origin listed in LP_ALLOWED_ORIGINS', async () => {
	const listing = await startSignerServer({ signer: { ...lp.signerOptions, rateLimit: false, allowedOrigins: 'https://www.example.com' }, port: 0 });
	try {
		const answer = await viaProxy(`127.0.0.1:${new URL(listing.url).port}`, listing);
		expect(answer.status).toBe(200);
	} finally {
		await listing.close();
	}
});
