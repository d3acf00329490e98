import ky, { HTTPError } from 'ky';
/**
 * How the signer reaches LivePerson: the forward (POST) and the domain lookup (GET). The
 * default is `fetch`, so that the handler runs as is on any Web-standard runtime; a platform
 * with something faster injects its own (the Node adapters inject undici's pool).
 */

export type TransportRequest = {
	method: 'GET' | 'POST';
	url: URL;
	headers: Record<string, string>;
	body?: string;
	/**
	 * Milliseconds the signer waits for the whole exchange. The signer stops waiting then
	 * whatever the transport does; the transport should let go of the request by then too.
	 */
	timeout: number;
	/** Read the answer's body as text (the domain lookup), or let it go unread (LivePerson's answer to a forward). */
	read: boolean;
};

/**
 * `text` is '' when the body was not read. `retryAfter`, LivePerson's `Retry-After` header
 * where it sent one: the signer passes nothing of the answer on, but lp-ea/server waits it out
 * before a retry.
 */
export type TransportAnswer = { status: number; text: string; retryAfter?: string };

/**
 * One exchange with LivePerson. It must not follow redirects (a 3xx is the answer) and must
 * send a POST only once: no retries, no pipelining. It rejects when there is no answer.
 */
export type Transport = (request: TransportRequest) => Promise<TransportAnswer>;

/**
 * The Web default. A forward (POST) goes out once with `fetch` itself: it is not idempotent,
 * and it is the hot path, where a client library's own Request and signal would cost. The
 * domain lookup (GET) goes through ky, whose retry fits an idempotent request: one more try
 * after a network error, a 408, 429 or 5xx (honouring Retry-After), within the lookup's own
 * deadline. Redirects are refused either way.
 */
export function fetchTransport(fetcher: typeof globalThis.fetch = (input, init) => fetch(input, init)): Transport {
	const lookups = ky.create({
		fetch: fetcher,
		redirect: 'manual',
		retry: { limit: 1, methods: ['get'], backoffLimit: 1_000 },
	});
	return async ({ method, url, headers, body, timeout, read }) => {
		if (method === 'GET') {
			try {
				const response = await lookups.get(url, { headers, timeout });
				return { status: response.status, text: read ? await response.text() : '' };
			} catch (error) {
				// ky retries on its HTTPError; once it gives up, the status is the answer.
				if (error instanceof HTTPError) return { status: error.response.status, text: '' };
				throw error;
			}
		}
		const response = await fetcher(url, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeout) });
		const retryAfter = response.headers.get('retry-after') ?? undefined;
		if (read) return { status: response.status, text: await response.text(), retryAfter };
		// Let go of the body without reading it; the answer need not wait for that.
		response.body?.cancel().catch(() => {});
		return { status: response.status, text: '', retryAfter };
	};
}
