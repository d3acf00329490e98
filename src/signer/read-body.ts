import { deadline } from './deadline.js';
import { because, Refusal } from './refusal.js';
import type { Settings } from './settings.js';

/** How much body, and how long for it, with the settings' names for refusals that say which to change. */
export type BodyLimits = Pick<Settings, 'maxBodyBytes' | 'bodyTimeout' | 'names'>;

// The refusals of a body read, the same whichever adapter reads it.
export const tooLarge = ({ maxBodyBytes, names }: BodyLimits, headers: Record<string, string> = {}) =>
	because('body-too-large', new Refusal('too-large', `the request body must be at most ${maxBodyBytes} bytes (${names.maxBodyBytes})`, headers));
export const tooSlow = ({ bodyTimeout, names }: BodyLimits) =>
	because('body-timeout', new Refusal('timeout', `the request body did not arrive within ${bodyTimeout} ms (${names.bodyTimeout})`, { connection: 'close' }, 408));
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
export function checkDeclaredLength(contentLength: string | null | undefined, limits: BodyLimits): void {
	if (Number(contentLength) > limits.maxBodyBytes) throw tooLarge(limits);
}

async function readChunks(reader: ReadableStreamDefaultReader<Uint8Array>, limits: BodyLimits) {
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
		if (size > limits.maxBodyBytes) {
			await reader.cancel().catch(() => {});
			throw tooLarge(limits, { connection: 'close' });
		}
		chunks.push(next.value);
	}
}

/**
 * A Web Request's body as text, refused with 413 as soon as it passes `maxBodyBytes`: the
 * stream is read chunk by chunk and cancelled there, so a huge or endless body costs no more
 * than the limit. A body that has not arrived whole within `bodyTimeout` ms is refused with
 * 408, so that a client trickling bytes holds nothing for long.
 */
export async function readBody(request: Request, limits: BodyLimits): Promise<string> {
	checkDeclaredLength(request.headers.get('content-length'), limits);
	const body = request.body;
	if (!body) return '';
	const reader = body.getReader();
	const late = () => {
		reader.cancel().catch(() => {});
		return tooSlow(limits);
	};
	const { chunks, size } = await deadline(limits.bodyTimeout, late, () => readChunks(reader, limits));
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return utf8(bytes);
}
