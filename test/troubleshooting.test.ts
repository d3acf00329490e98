import { request } from 'node:http';
import { startSignerServer, type SignerServer } from 'lp-ea/signer/node';
import { startLivePerson, type LivePersonStandIn } from 'lp-ea/testing';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { startCli } from './helpers/cli.js';

// Troubleshooting rows of the README that live on the signer's side, with lp-ea-signer itself.
let lp: LivePersonStandIn;
let signer: SignerServer;
beforeAll(async () => {
	lp = await startLivePerson({ accounts: ['1234'], credentials: { consumerKey: 'k', consumerSecret: 's', token: 't', tokenSecret: 'u' } });
	signer = await startSignerServer({ signer: { ...lp.signerOptions, rateLimit: false }, port: 0 });
});
beforeEach(() => lp.clear());
afterAll(async () => {
	await signer.close();
	await lp.close();
});

/** A POST as a same-origin page's request reaches the signer through a proxy that sets `host` (and any extra headers). */
function viaProxy(host: string, to = signer, extra: Record<string, string> = {}): Promise<{ status: number; body: string }> {
	const body = JSON.stringify({ account: '1234', visitor: 'v', sid: 's', attributes: [{ type: 'lead', lead: {} }] });
	const { port } = new URL(to.url);
	return new Promise((resolve, reject) => {
		const req = request(
			{
				host: '127.0.0.1',
				port,
				path: '/lp-ea/events',
				method: 'POST',
				headers: { host, origin: 'https://www.example.com', 'content-type': 'application/json', ...extra },
			},
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
	expect(JSON.parse(answer.body)).toEqual({
		error: { code: 'forbidden', message: 'origin https://www.example.com may not call this endpoint: add it to allowedOrigins' },
	});
	expect(lp.received).toHaveLength(0);
});

test('passing only the original Host to a loopback-bound signer is not enough: it could be DNS rebinding', async () => {
	const answer = await viaProxy('www.example.com');
	expect(answer.status).toBe(403);
	expect(lp.received).toHaveLength(0);
});

test('the fix: LP_TRUST_PROXY=1 and the proxy forwards the scheme and host the browser saw (the nginx recipe)', async () => {
	const trusting = await startSignerServer({ signer: { ...lp.signerOptions, rateLimit: false, trustProxy: true }, port: 0 });
	try {
		const { port } = new URL(trusting.url);
		const forwarded = { 'x-forwarded-host': 'www.example.com', 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' };
		const answer = await viaProxy(`127.0.0.1:${port}`, trusting, forwarded);
		expect(answer.status).toBe(200);
		expect(lp.received[0]).toMatchObject({ status: 200, verified: true });
	} finally {
		await trusting.close();
	}
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

test('401 from a skewed clock: a signer ten minutes ahead is refused by LivePerson, and the page is told to check the clock', async () => {
	const skew = 'data:text/javascript,const now = Date.now; Date.now = () => now() + 600000;';
	const cli = await startCli(lp.env, ['--import', skew]);
	try {
		const response = await fetch(cli.url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ account: '1234', visitor: 'v', sid: 's', attributes: [{ type: 'lead', lead: {} }] }),
		});
		expect(response.status).toBe(401);
		expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: "LivePerson refused the signature (401): check the signer's API key and clock" } });
		expect(lp.received).toEqual([expect.objectContaining({ status: 401, verified: false, reason: 'timestamp outside the window' })]);
	} finally {
		await cli.stop();
	}
});
