/// <reference types="node" />
/**
 * node:http requests as Web `Request`s and Web `Response`s written back: the edge between
 * Node servers (node:http, Express, Connect) and the Web-standard handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { ConnectionInfo } from './connection.js';

const connections = new WeakMap<Socket, ConnectionInfo>();

/**
 * Keeps the socket's addresses from the moment it opens: once the client resets it, Node
 * reports them as undefined, and a request must not slip past the rate limit that way.
 */
export function rememberConnection(socket: Socket): void {
	connections.set(socket, { clientAddress: socket.remoteAddress, localAddress: socket.localAddress });
}

export function connectionOf(request: IncomingMessage): ConnectionInfo {
	const socket = request.socket;
	return connections.get(socket) ?? { clientAddress: socket.remoteAddress, localAddress: socket.localAddress };
}

/** What a body parser that ran first (express.json, express.text, express.raw) left in `req.body`. */
type ParsedRequest = IncomingMessage & { body?: unknown; originalUrl?: string };

function consumed(request: IncomingMessage): boolean {
	return request.readableEnded || (request.complete && !request.readable);
}

/**
 * The body as a body parser left it: its text or bytes as they were, a parsed object as JSON
 * again. Untouched, the stream itself, read (and bounded) by the handler.
 */
function bodyOf(request: ParsedRequest): BodyInit | null {
	if (request.method === 'GET' || request.method === 'HEAD') return null;
	if (!consumed(request)) return Readable.toWeb(request) as ReadableStream<Uint8Array>;
	const parsed = request.body;
	if (parsed === undefined) return null;
	if (typeof parsed === 'string') return parsed;
	if (parsed instanceof Uint8Array) return new Uint8Array(parsed);
	return JSON.stringify(parsed);
}

const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(:\d{1,5})?$/i;

/** Thrown for a request that cannot be a Web Request (a malformed Host, say). */
export class UnreadableRequest extends Error {
	override readonly name = 'UnreadableRequest';
}

export function toRequest(request: ParsedRequest): Request {
	const body = bodyOf(request);
	const headers = new Headers();
	const raw = request.rawHeaders;
	for (let i = 0; i < raw.length; i += 2) {
		const name = raw[i]!.toLowerCase();
		if (name.startsWith(':')) continue;
		// A parsed body is sent again as what it is now: its own length, no longer compressed.
		if (typeof body === 'string' || body instanceof Uint8Array) {
			if (name === 'content-length' || name === 'content-encoding' || name === 'transfer-encoding') continue;
		}
		headers.append(name, raw[i + 1]!);
	}
	const scheme = (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
	const host = request.headers.host ?? '';
	const target = request.originalUrl ?? request.url ?? '';
	// Put together by hand, not resolved: a Host with '@' or a target like '//x' must not pick the URL's host.
	if (!HOST.test(host) || !target.startsWith('/')) throw new UnreadableRequest('the request has no usable Host header or path');
	try {
		return new Request(`${scheme}://${host}${target}`, { method: request.method, headers, body, duplex: 'half' } as RequestInit);
	} catch {
		throw new UnreadableRequest('the request has no usable Host header or path');
	}
}

export async function writeResponse(response: Response, to: ServerResponse): Promise<void> {
	if (to.headersSent || to.destroyed) {
		await response.body?.cancel();
		return;
	}
	const headers: Record<string, string> = {};
	response.headers.forEach((value, name) => {
		headers[name] = value;
	});
	const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
	to.writeHead(response.status, headers);
	to.end(body);
}
