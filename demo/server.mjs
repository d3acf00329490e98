/**
 * The demo's three parts on loopback: a LivePerson stand-in, the real signing endpoint
 * (from dist/, configured with demo credentials and LP_DOMAIN pointing at the stand-in),
 * and a brand site served on the signer's origin with a live view of what LivePerson got.
 * `npm start` runs it; the Chromium tests start it the same way.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { readFile } from 'node:fs/promises';
import { createSigner } from '../dist/signer.mjs';
import { startLivePerson } from './liveperson-stand-in.mjs';

const here = (path) => new URL(path, import.meta.url);

/** Demo credentials: shared by the signer and the stand-in, and by nothing real. */
export const DEMO_CREDENTIALS = {
	consumerKey: 'demo-app-key',
	consumerSecret: 'demo-secret-never-in-the-browser',
	token: 'demo-access-token',
	tokenSecret: 'demo-token-secret-never-in-the-browser',
};

export const SAMPLE_VISIT = { account: '1234', visitor: 'A3MWU2ZTU2NmMwNzRiN2Vl', sid: 'AsfghSCZT6-Sno2AJw7ZAA' };

function listen(fetch, port, host) {
	return new Promise((resolve, reject) => {
		const server = serve({ fetch, port, hostname: host }, (info) => resolve({ server, port: info.port }));
		server.once('error', reject);
	});
}

/**
 * @param {object} [options]
 * @param {number} [options.port] the brand site's port; 0 for any free one
 * @param {string} [options.host]
 * @param {object} [options.signer] signer options to add or override (timeout, rateLimit, …)
 */
export async function startDemo({ port = 0, host = '127.0.0.1', signer = {} } = {}) {
	const liveperson = await startLivePerson({ accounts: ['1234', '5678'], credentials: DEMO_CREDENTIALS, host });
	const handle = createSigner({
		// 4321 is served by the signer but unknown to LivePerson: the demo's way to show a 422.
		accounts: '1234,5678,4321',
		consumerKey: DEMO_CREDENTIALS.consumerKey,
		consumerSecret: DEMO_CREDENTIALS.consumerSecret,
		accessToken: DEMO_CREDENTIALS.token,
		accessTokenSecret: DEMO_CREDENTIALS.tokenSecret,
		domain: liveperson.origin,
		...signer,
	});

	const [stub, bundle, layout] = await Promise.all([
		readFile(here('../dist/lp-ea.stub.min.js'), 'utf8'),
		readFile(here('../dist/lp-ea.min.js'), 'utf8'),
		readFile(here('public/layout.html'), 'utf8'),
	]);
	// Each page's content in the shared layout, with the stub inlined as the README tells brands to do.
	// (Replacements by function: a page's `$'` or `$$` must not read as a replacement pattern.)
	const page = async (name, title) => {
		const main = await readFile(here(`public/${name}`), 'utf8');
		return layout
			.replace('{{title}}', () => title)
			.replace('{{main}}', () => main)
			.replace('<!-- lp-ea stub -->', () => `<script>${stub}</script>`);
	};

	// The demo's switches (demo/public/outbox.js shows them): "LivePerson" failing a share of
	// requests, and the signing endpoint offline (connections dropped unanswered).
	const faults = {
		signerOffline: false,
		get livepersonFailShare() {
			return liveperson.failShare;
		},
		set livepersonFailShare(share) {
			liveperson.setFailShare(share);
		},
	};
	// Every POST a page made, as the site saw it: the browser suites count requests and tell
	// which page sent each (its Referer) here, the one view all three engines share.
	const posts = [];
	const app = new Hono();
	app.all('/lp-ea/events', async (c) => {
		if (c.req.method === 'POST') {
			let body = {};
			try {
				body = JSON.parse(await c.req.raw.clone().text());
			} catch {}
			posts.push({
				at: Date.now(),
				referer: c.req.header('referer') ?? '',
				contentType: c.req.header('content-type') ?? '',
				id: body.id ?? '',
				leadIds: (body.attributes ?? []).flatMap((a) => (a?.lead?.leadId ? [a.lead.leadId] : [])),
			});
		}
		if (!faults.signerOffline) return handle(c.req.raw, { clientAddress: c.env?.incoming?.socket?.remoteAddress });
		c.env?.incoming?.socket?.destroy();
		return new Promise(() => {}); // the socket is gone: nothing is ever answered
	});
	app.get('/demo/faults', (c) => c.json({ ...faults, injected: liveperson.injected }));
	app.post('/demo/faults', async (c) => {
		const body = await c.req.json().catch(() => ({}));
		if (typeof body.signerOffline === 'boolean') faults.signerOffline = body.signerOffline;
		if (typeof body.livepersonFailShare === 'number' && body.livepersonFailShare >= 0 && body.livepersonFailShare <= 1) {
			faults.livepersonFailShare = body.livepersonFailShare;
		}
		return c.json({ ...faults, injected: liveperson.injected });
	});
	app.get('/outbox.js', async (c) =>
		c.body(await readFile(here('public/outbox.js'), 'utf8'), 200, { 'content-type': 'text/javascript' }),
	);
	app.get('/', async (c) => c.html(await page('index.html', 'Northwind Mobile — lp-ea demo')));
	app.get('/thanks', async (c) => c.html(await page('thanks.html', 'Thank you — Northwind Mobile')));
	app.get('/shop', async (c) => c.html(await page('shop.html', 'Store — Northwind Mobile')));
	app.get('/tag-visit', async (c) => c.html(await page('tag-visit.html', 'Web Tag visit — Northwind Mobile')));
	app.get('/demo.css', async (c) => c.body(await readFile(here('public/demo.css'), 'utf8'), 200, { 'content-type': 'text/css' }));
	app.get('/live-view.js', async (c) =>
		c.body(await readFile(here('public/live-view.js'), 'utf8'), 200, { 'content-type': 'text/javascript' }),
	);
	app.get('/lp-ea.min.js', (c) => c.body(bundle, 200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }));
	// The live view: what the stand-in received so far, then each new request as it arrives.
	app.get('/demo/received', (c) => c.json(liveperson.received));
	app.get('/demo/stream', (c) =>
		streamSSE(c, async (stream) => {
			const send = (record) => stream.writeSSE({ event: 'request', data: JSON.stringify(record) });
			liveperson.events.on('request', send);
			stream.onAbort(() => liveperson.events.off('request', send));
			while (!stream.aborted) await stream.sleep(15_000).then(() => stream.writeSSE({ event: 'ping', data: '' }));
		}),
	);

	const { server, port: actual } = await listen(app.fetch, port, host);
	const origin = `http://${host}:${actual}`;
	const query = new URLSearchParams(SAMPLE_VISIT);
	return {
		origin,
		url: `${origin}/?${query}`,
		liveperson,
		faults,
		posts,
		async close() {
			server.closeAllConnections?.();
			await Promise.all([new Promise((done) => server.close(() => done())), liveperson.close()]);
		},
	};
}
