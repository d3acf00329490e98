import { withDeadline } from './deadline.js';
import { Refusal } from './refusal.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

async function readChunks(body: ReadableStream<Uint8Array>, limit: number, tooLarge: () => Refusal, signal: AbortSignal) {
	const reader = body.getReader();
	signal.addEventListener('abort', () => reader.cancel().catch(() => {}), { once: true });
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		let next: ReadableStreamReadResult<Uint8Array>;
		try {
			next = await reader.read();
		} catch {
			// The client hung up mid-body: its mistake, not ours, and nobody is left to answer.
			throw new Refusal('bad-request', 'the client closed the connection before the whole body arrived');
		}
		if (next.done) return { chunks, size };
		size += next.value.byteLength;
		if (size > limit) {
			await reader.cancel().catch(() => {});
			throw tooLarge();
		}
		chunks.push(next.value);
	}
}

/**
 * The body as text, refused with 413 as soon as it passes `limit` bytes: the stream is read
 * chunk by chunk and cancelled there, so a huge or endless body costs no more than the limit.
 * A body that has not arrived whole within `timeout` ms is refused with 408, so that a client
 * trickling bytes holds nothing for long.
 */
export async function readBody(request: Request, limit: number, timeout: number): Promise<string> {
	const tooLarge = () => new Refusal('too-large', `the request body must be at most ${limit} bytes`);
	const declared = Number(request.headers.get('content-length'));
	if (declared > limit) throw tooLarge();
	const body = request.body;
	if (!body) return '';
	const slow = () =>
		new Refusal('timeout', `the request body did not arrive within ${timeout} ms`, { connection: 'close' }, 408);
	const { chunks, size } = await withDeadline(timeout, slow, (signal) => readChunks(body, limit, tooLarge, signal));
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		bytes.set(chunk, offset);
		offset += chunk.byteLength;
	}
	try {
		return decoder.decode(bytes);
	} catch {
		throw new Refusal('bad-request', 'the request body is not valid UTF-8');
	}
}
