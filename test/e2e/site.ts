/**
 * A brand site for the browser suites, on a loopback origin of its own: the pages a test
 * asks for, the bundle (which a test can hold back, to prove the stub), and optionally a
 * signing endpoint on the same origin. Every POST a page makes to an endpoint path is
 * recorded with its request id, its leads and its `Referer`: what the site saw is what all
 * three engines can be compared on, and the Referer tells which page sent a request.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { DEMO_CREDENTIALS, SAMPLE_VISIT, type Demo } from '../../demo/server.mjs';

export const STUB = readFileSync('dist/lp-ea.stub.min.js', 'utf8');
export const BUNDLE = readFileSync('dist/lp-ea.min.js', 'utf8');

/** Options for a signer of the demo's own account and credentials, pointed at its LivePerson stand-in. */
export const demoSigner = (demo: Demo) => ({
	accounts: SAMPLE_VISIT.account,
	consumerKey: DEMO_CREDENTIALS.consumerKey,
	consumerSecret: DEMO_CREDENTIALS.consumerSecret,
	accessToken: DEMO_CREDENTIALS.token,
	accessTokenSecret: DEMO_CREDENTIALS.tokenSecret,
	domain: demo.liveperson.origin,
});

/** One POST a page made: when, from which page, with which request id and leads, and how it was answered. */
export type Post = { at: number; path: string; referer: string; contentType: string; id: string; leadIds: string[]; status?: number };

export type SiteOptions = {
	/** The page for a GET (any path but the bundle's), or undefined for a 404. */
	page?: (url: URL) => string | { html: string; headers?: Record<string, string> } | undefined;
	/** Answers POSTs to `endpointPath` (a signer's Web-standard handler, say); default 200 `{}`. */
	endpoint?: (request: Request) => Promise<Response> | Response;
	endpointPath?: string;
};

export type Site = {
	origin: string;
	posts: Post[];
	/** CORS preflights (OPTIONS) to the endpoint path. */
	preflights: number;
	/** Holds every request for the bundle until the function it returns is called. */
	holdBundle(): () => void;
	/** Each POST waits this long before it is answered: the endpoint and LivePerson's latency. */
	delayMs: number;
	/** Drops each POST's connection unanswered, as a dead endpoint would. */
	offline: boolean;
	close(): Promise<void>;
};

/** A page with the stub inlined and the bundle's tag (`attributes` added to it), as the README tells brands. */
export const lpEaPage = (body = '', attributes = '') =>
	`<!doctype html><html><head><link rel="icon" href="data:,"><script>${STUB}</script>` +
	`<script async src="/lp-ea.min.js" ${attributes}></script></head><body>${body}</body></html>`;

function readBody(request: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks)));
		request.on('error', reject);
	});
}

function parse(body: string): { id: string; leadIds: string[] } {
	try {
		const json = JSON.parse(body) as { id?: string; attributes?: Array<{ lead?: { leadId?: string } }> };
		return { id: json.id ?? '', leadIds: (json.attributes ?? []).flatMap((a) => (a.lead?.leadId ? [a.lead.leadId] : [])) };
	} catch {
		return { id: '', leadIds: [] };
	}
}

export function startSite({ page = () => lpEaPage(), endpoint, endpointPath = '/lp-ea/events' }: SiteOptions = {}): Promise<Site> {
	let gate: Promise<void> | undefined;
	const sockets = new Set<Socket>();
	const site = {
		origin: '',
		posts: [] as Post[],
		preflights: 0,
		delayMs: 0,
		offline: false,
		holdBundle() {
			let release!: () => void;
			gate = new Promise<void>((r) => (release = r));
			return () => {
				gate = undefined;
				release();
			};
		},
	};

	async function serve(request: IncomingMessage, response: ServerResponse) {
		const url = new URL(request.url!, site.origin);
		if (request.method === 'POST' && url.pathname === endpointPath) {
			const body = await readBody(request);
			const post: Post = {
				at: Date.now(),
				path: url.pathname,
				referer: request.headers.referer ?? '',
				contentType: request.headers['content-type'] ?? '',
				...parse(body.toString()),
			};
			site.posts.push(post);
			if (site.offline) return void request.socket.destroy();
			if (site.delayMs) await new Promise((r) => setTimeout(r, site.delayMs));
			const answer = endpoint
				? await endpoint(
						new Request(url, { method: 'POST', headers: request.headers as Record<string, string>, body: new Uint8Array(body) }),
					)
				: new Response('{}', { headers: { 'content-type': 'application/json' } });
			post.status = answer.status;
			response.writeHead(answer.status, Object.fromEntries(answer.headers)).end(Buffer.from(await answer.arrayBuffer()));
			return;
		}
		if (request.method === 'OPTIONS' && url.pathname === endpointPath) {
			site.preflights += 1;
			if (!endpoint) return void response.writeHead(204).end();
			const answer = await endpoint(new Request(url, { method: 'OPTIONS', headers: request.headers as Record<string, string> }));
			response.writeHead(answer.status, Object.fromEntries(answer.headers)).end();
			return;
		}
		if (url.pathname === '/lp-ea.min.js') {
			await gate;
			response.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' }).end(BUNDLE);
			return;
		}
		const found = page(url);
		if (found === undefined) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
		const { html, headers = {} } = typeof found === 'string' ? { html: found } : found;
		response.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store', ...headers }).end(html);
	}

	const server = createServer((request, response) => {
		serve(request, response).catch((error) => {
			if (!response.headersSent) response.writeHead(500).end(String(error));
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => {
			site.origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
			resolve(
				Object.assign(site, {
					close: () =>
						new Promise<void>((done) => {
							for (const socket of sockets) socket.destroy();
							server.close(() => done());
						}),
				}),
			);
		});
	});
}
