import { deadline } from './deadline.js';
import { because, Refusal } from './refusal.js';

// The refusals of a body read, the same whichever adapter reads it.
export const tooLarge = (limit: number, headers: Record<string, string> = {}) =>
	because('body-too-large', new Refusal('too-large', `the request body must be at most ${limit} bytes`, headers));
export const tooSlow = (timeout: number) =>
	because('body-timeout', new Refusal('timeout', `the request body did not arrive within ${timeout} ms`, { connection: 'close' }, 408));
// The client hung up mid-body: its mistake, not ours, and nobody is left to answer.
export const hungUp = () => because('hung-up', new Refusal('bad-request', 'the client closed the connection before the whole body arrived'));

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Bytes as text, refused with 400 unless they are UTF-8. */
export function utf8(bytes: Uint8Array): string {
	try {
		return decoder.decode(bytes);
	} catch {
		throw because('invalid', new Refusal('bad-request', 'the request body is not valid UTF-8'));
	}
}

/** A declared Content-Length past the limit is refused before a byte is read. */
export function checkDeclaredLength(contentLength: string | null | undefined, limit: number): void {
	if (Number(contentLength) > limit) throw tooLarge(limit);
}

async function readChunks(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number) {
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		let next: ReadableStreamReadResult<Uint8Array>;
		try {
			next = await reader.read();
		} catch {
			throw hungUp();
		}
		if (next.done) return { chunks, size };
		size += next.value.byteLength;
		if (size > limit) {
			await reader.cancel().catch(() => {});
			throw tooLarge(limit, { connection: 'close' });
		}
		chunks.push(next.value);
	}
}

/**
 * A Web Request's body as text, refused with 413 as soon as it passes `limit` bytes: the
 * stream is read chunk by chunk and cancelled there, so a huge or endless body costs no more
 * than the limit. A body that has not arrived whole within `timeout` ms is refused with 408,
 * so that a client trickling bytes holds nothing for long.
 */
export async function readBody(request: Request, limit: number, timeout: number): Promise<string> {
	checkDeclaredLength(request.headers.get('content-length'), limit);
	const body = request.body;
	if (!body) return '';
	const reader = body.getReader();
	const late = () => {
		reader.cancel().catch(() => {});
		return tooSlow(timeout);
	};
	const { chunks, size } = await deadline(timeout, late, () => readChunks(reader, limit));
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return utf8(bytes);
}
