/// <reference types="node" />
import type { IncomingMessage } from 'node:http';
import { checkDeclaredLength, hungUp, tooLarge, tooSlow, utf8, type BodyLimits } from '../read-body.js';

/** What a body parser that ran first (express.json, express.text, express.raw) left in `req.body`. */
export type ParsedRequest = IncomingMessage & { body?: unknown; originalUrl?: string };

function consumed(request: IncomingMessage): boolean {
	return request.readableEnded || (request.complete && !request.readable);
}

/** The body as a body parser left it: its text or bytes as they were, a parsed object as JSON again. */
function parsedBody(request: ParsedRequest, limits: BodyLimits): string {
	const parsed = request.body;
	if (parsed instanceof Uint8Array) {
		if (parsed.byteLength > limits.maxBodyBytes) throw tooLarge(limits);
		return utf8(parsed);
	}
	const text = parsed === undefined ? '' : typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
	if (Buffer.byteLength(text) > limits.maxBodyBytes) throw tooLarge(limits);
	return text;
}

/**
 * node:http's request body as text, read straight into Buffers (no web streams), with the
 * Web reader's rules and refusals: 413 past `maxBodyBytes` (declared or counted), 408 when it
 * has not arrived whole within `bodyTimeout` ms, 400 when the client hangs up or it is not UTF-8.
 * On a refusal the request is no longer read; the answer closes the connection.
 */
export function readNodeBody(request: ParsedRequest, limits: BodyLimits): Promise<string> {
	if (consumed(request)) {
		try {
			return Promise.resolve(parsedBody(request, limits));
		} catch (error) {
			return Promise.reject(error);
		}
	}
	try {
		checkDeclaredLength(request.headers['content-length'], limits);
	} catch (error) {
		return Promise.reject(error);
	}
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		const finish = (error?: Error) => {
			clearTimeout(timer);
			request.off('data', onData).off('end', onEnd).off('error', onHangUp).off('close', onHangUp);
			if (error) {
				request.pause();
				return reject(error);
			}
			try {
				resolve(utf8(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
			} catch (refusal) {
				reject(refusal);
			}
		};
		const onData = (chunk: Buffer) => {
			size += chunk.length;
			if (size > limits.maxBodyBytes) return finish(tooLarge(limits, { connection: 'close' }));
			chunks.push(chunk);
		};
		const onEnd = () => finish();
		const onHangUp = () => finish(hungUp());
		const timer = setTimeout(() => finish(tooSlow(limits)), limits.bodyTimeout);
		request.on('data', onData).on('end', onEnd).on('error', onHangUp).on('close', onHangUp);
	});
}
