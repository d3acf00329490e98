/// <reference types="node" />
/**
 * node:http requests as the signer's Incoming and its Answers written back: the edge between
 * Node servers (node:http, Express, Connect) and the signer, with no Web Request or Response
 * built on the way.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionInfo } from '../connection.js';
import type { Answer, Incoming } from '../exchange.js';
import { readNodeBody, type ParsedRequest } from './read-body.js';

const connections = new WeakMap<Socket, ConnectionInfo>();

/**
 * Keeps the socket's addresses from the moment it opens: once the client resets it, Node
 * reports them as undefined, and a request must not slip past the rate limit that way.
 */
export function rememberConnection(socket: Socket): void {
	connections.set(socket, { clientAddress: socket.remoteAddress, localAddress: socket.localAddress });
}

export function connectionOf(request: ParsedRequest): ConnectionInfo {
	const socket = request.socket;
	return connections.get(socket) ?? { clientAddress: socket.remoteAddress, localAddress: socket.localAddress };
}

const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(:\d{1,5})?$/i;

/** Thrown for a request whose URL cannot be told (a malformed Host, say). */
export class UnreadableRequest extends Error {
	override readonly name = 'UnreadableRequest';
}

/** A header as `Headers.get` reads it: repeated ones joined with ", " (req.headers keeps only the first of some). */
function header(raw: readonly string[], name: string): string | null {
	let value: string | null = null;
	for (let i = 0; i < raw.length; i += 2) {
		if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) value = value === null ? raw[i + 1]! : `${value}, ${raw[i + 1]}`;
	}
	return value;
}

export function toIncoming(request: ParsedRequest): Incoming {
	const scheme = (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
	const host = request.headers.host ?? '';
	const target = request.originalUrl ?? request.url ?? '';
	// Put together by hand, not resolved: a Host with '@' or a target like '//x' must not pick the URL's host.
	const url = `${scheme}://${host}${target}`;
	if (!HOST.test(host) || !target.startsWith('/') || !URL.canParse(url)) {
		throw new UnreadableRequest('the request has no usable Host header or path');
	}
	const raw = request.rawHeaders;
	return {
		method: request.method ?? 'GET',
		url,
		header: (name) => header(raw, name),
		headerNames: () => Object.keys(request.headers),
		text: (limits) => readNodeBody(request, limits),
	};
}

export function writeAnswer({ status, headers, body }: Answer, to: ServerResponse): void {
	if (to.headersSent || to.destroyed) return;
	to.writeHead(status, body === null ? headers : { ...headers, 'content-length': Buffer.byteLength(body) });
	to.end(body ?? undefined);
}
