/**
 * The signer's two request paths, so that one suite runs against both and the fast one can
 * never drift from the portable one: the Web defaults (fetch, Web Crypto, the body read from a
 * Web stream) and the Node adapters' injections (undici's pool, node:crypto's HMAC, the body
 * read from a node:http request into a Buffer, no Web Request or Response built).
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { toResponse } from '../../src/signer/exchange.js';
import { createSignerCore } from '../../src/signer/handler.js';
import { toIncoming } from '../../src/signer/node/http.js';
import { withNodePlatform } from '../../src/signer/node/platform.js';
import { createSigner, type SignerHandler, type SignerOptions } from '../../src/signer/index.js';

export type SignerPath = { name: string; node: boolean; create: (options: SignerOptions) => SignerHandler };

/** A Web Request as node:http would hand it over: a readable body, raw headers, the socket's scheme. */
function asNodeRequest(request: Request): IncomingMessage {
	const url = new URL(request.url);
	const body = request.body ? Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>) : Readable.from([]);
	const raw = [...request.headers].flat();
	if (!request.headers.has('host')) raw.push('host', url.host);
	return Object.assign(body, {
		method: request.method,
		url: `${url.pathname}${url.search}`,
		rawHeaders: raw,
		headers: { host: url.host, ...Object.fromEntries(request.headers) },
		socket: { encrypted: url.protocol === 'https:' },
		complete: false,
	}) as unknown as IncomingMessage;
}

/** The Node adapters' signer, called with Web Requests as the suites do. */
function nodeSigner(options: SignerOptions): SignerHandler {
	const core = createSignerCore(withNodePlatform(options));
	return async (request, connection) => {
		const req = asNodeRequest(request);
		const answer = await core(toIncoming(req), connection);
		// What node:http does after an answer that says "connection: close": the socket goes, and the request with it.
		if (answer.headers.connection === 'close') req.destroy();
		return toResponse(answer);
	};
}

export const SIGNER_PATHS: SignerPath[] = [
	{ name: 'Web defaults', node: false, create: (options) => createSigner(options) },
	{ name: 'Node injections', node: true, create: nodeSigner },
];
