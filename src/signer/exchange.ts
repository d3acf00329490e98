import type { ConnectionInfo } from './connection.js';
import { readBody, type BodyLimits } from './read-body.js';

/**
 * A request as the signer reads it: the little it needs, which every platform can give
 * without building anything. The Web adapter reads a `Request`; the Node adapter reads
 * node:http's request directly, its body into a Buffer.
 */
export type Incoming = {
	readonly method: string;
	/** The URL as the client asked for it, scheme and host included. */
	readonly url: string;
	/** A header (name in lower case), repeated ones joined with ", " as `Headers.get` does; null when absent. */
	header(name: string): string | null;
	/** Every header name, in lower case. */
	headerNames(): Iterable<string>;
	/**
	 * The body as UTF-8 text: refused with 413 past `maxBodyBytes`, with 408 when it has not
	 * arrived whole within `bodyTimeout` ms, with 400 when it is not UTF-8 or the client hung up.
	 */
	text(limits: BodyLimits): Promise<string>;
};

/** The signer's answer as plain data: each adapter writes it its own way. */
export type Answer = { status: number; headers: Record<string, string>; body: string | null };

/** What every adapter calls: the signer, or its routes, on plain data. */
export type SignerCore = (request: Incoming, connection?: ConnectionInfo) => Promise<Answer>;

export function fromRequest(request: Request): Incoming {
	return {
		method: request.method,
		url: request.url,
		header: (name) => request.headers.get(name),
		headerNames: () => request.headers.keys(),
		text: (limits) => readBody(request, limits),
	};
}

export function toResponse({ status, headers, body }: Answer): Response {
	return new Response(body, { status, headers });
}

/** The Web-standard face of a core: `(Request) => Promise<Response>`. */
export function webHandler(core: SignerCore) {
	return async (request: Request, connection?: ConnectionInfo): Promise<Response> =>
		toResponse(await core(fromRequest(request), connection));
}
