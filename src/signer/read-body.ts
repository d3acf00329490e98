import { Refusal } from './refusal.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The body as text, refused with 413 as soon as it passes `limit` bytes: the stream is read
 * chunk by chunk and cancelled there, so a huge or endless body costs no more than the limit.
 */
export async function readBody(request: Request, limit: number): Promise<string> {
	const tooLarge = () => new Refusal('too-large', `the request body must be at most ${limit} bytes`);
	const declared = Number(request.headers.get('content-length'));
	if (declared > limit) throw tooLarge();
	if (!request.body) return '';
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > limit) {
			await reader.cancel().catch(() => {});
			throw tooLarge();
		}
		chunks.push(value);
	}
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
