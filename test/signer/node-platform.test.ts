/**
 * What the Node adapters inject, and that a caller's own choice wins over it. Their behaviour
 * is proven by the suites that run on both paths (handler, hardening, fuzz, oauth).
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { nodeHmac, nodeSha256, undiciTransport, withNodePlatform } from '../../src/signer/node/platform.js';
import { fetchTransport } from '../../src/signer/transport.js';
import { signerOptions } from '../helpers/signer.js';

let server: Server;
let origin: string;
const seen: Array<{ method: string; body: string }> = [];
beforeAll(async () => {
	server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			seen.push({ method: req.method!, body });
			const pushBack = req.url === '/busy' ? { 'retry-after': '7' } : {};
			res.writeHead(req.url === '/missing' ? 404 : req.url === '/busy' ? 429 : 200, { 'content-type': 'application/json', ...pushBack }).end('{"baseURI":"x"}');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
	server.closeAllConnections();
	server.close();
});

test('the Node adapters inject undici, createHmac and createHash unless the caller chose', () => {
	const injected = withNodePlatform(signerOptions('lo.v.liveperson.net'));
	expect(injected.transport).toBeTypeOf('function');
	expect(injected.hmac).toBe(nodeHmac);
	expect(injected.sha256).toBe(nodeSha256);
	// A test's fetch keeps the Web transport it is for; an explicit transport or hmac is kept as given.
	const fetch = (() => Promise.resolve(new Response('{}'))) as typeof globalThis.fetch;
	expect(withNodePlatform({ ...signerOptions('x'), fetch }).transport).toBeUndefined();
	const transport = () => Promise.resolve({ status: 200, text: '' });
	const hmac = () => () => 'mac';
	expect(withNodePlatform({ ...signerOptions('x'), transport, hmac })).toMatchObject({ transport, hmac, sha256: nodeSha256 });
});

test('nodeHmac and nodeSha256 are node:crypto\'s HMAC-SHA1 (base64) and SHA-256 (hex)', () => {
	expect(nodeHmac('key&secret')('text')).toBe(createHmac('sha1', 'key&secret').update('text').digest('base64'));
	expect(nodeSha256('visitor')).toBe(createHash('sha256').update('visitor').digest('hex'));
});

test('undiciTransport: a POST is sent once with its headers and body; its answer is not read; a GET\'s is', async () => {
	const transport = undiciTransport();
	seen.length = 0;
	const posted = await transport({ method: 'POST', url: new URL(`${origin}/events?v=1`), headers: { 'content-type': 'application/json' }, body: '[1]', timeout: 2_000, read: false });
	expect(posted).toEqual({ status: 200, text: '' });
	expect(seen).toEqual([{ method: 'POST', body: '[1]' }]);
	expect(await transport({ method: 'GET', url: new URL(`${origin}/missing`), headers: {}, timeout: 2_000, read: true })).toEqual({ status: 404, text: '{"baseURI":"x"}' });
});

test.each([
	['undiciTransport', undiciTransport()],
	['fetchTransport', fetchTransport()],
])("%s gives the answer's Retry-After, read or not, and none where there is none", async (_, transport) => {
	const request = { method: 'POST', headers: {}, body: '[]', timeout: 2_000 } as const;
	for (const read of [false, true]) {
		expect(await transport({ ...request, url: new URL(`${origin}/busy`), read })).toMatchObject({ status: 429, retryAfter: '7' });
	}
	expect((await transport({ ...request, url: new URL(`${origin}/events`), read: false })).retryAfter).toBeUndefined();
});

test('undiciTransport rejects when nothing answers', async () => {
	await expect(undiciTransport()({ method: 'GET', url: new URL('http://127.0.0.1:1/'), headers: {}, timeout: 2_000, read: true })).rejects.toThrow();
});
