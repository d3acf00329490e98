import { http, HttpResponse, type DefaultBodyType, type StrictResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

export const PAGE_ORIGIN = 'http://localhost:3000';
export const VISIT = { account: '1234', visitor: 'A3MWU2ZTU2NmMwNzRiN2Vl', sid: 'AsfghSCZT6-Sno2AJw7ZAA' };
export const VISIT_QUERY = new URLSearchParams(VISIT).toString();

/** Any request id as the client makes them: 144 random bits, base64url. */
export const REQUEST_ID = expect.stringMatching(/^[A-Za-z0-9_-]{24}$/);

export type Sent = { url: string; contentType: string | null; body: { id: string; account: string; visitor: string; sid: string; attributes: unknown[] }; bytes: number };

/** msw standing in for the signing endpoint, same-origin and cross-origin, recording what arrives. */
export function useSigningEndpoint() {
	const sent: Sent[] = [];
	let respond: () => StrictResponse<DefaultBodyType> | Response | Promise<Response> = () => HttpResponse.json({});
	const handler = async ({ request }: { request: Request }) => {
		const text = await request.text();
		sent.push({ url: request.url, contentType: request.headers.get('content-type'), body: JSON.parse(text), bytes: new TextEncoder().encode(text).length });
		return respond();
	};
	const server = setupServer(
		http.post(`${PAGE_ORIGIN}/lp-ea/events`, handler),
		http.post(`${PAGE_ORIGIN}/custom/endpoint`, handler),
		http.post('https://signer.example/lp-ea/events', handler),
	);
	beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
	afterEach(() => {
		sent.length = 0;
		respond = () => HttpResponse.json({});
		sessionStorage.clear();
		// The outbox too: a request left there would be replayed into the next test.
		localStorage.clear();
	});
	afterAll(() => server.close());
	return {
		sent,
		answer(next: typeof respond) {
			respond = next;
		},
	};
}

/**
 * happy-dom's Request has no `keepalive` (a browser's does), so what the client asks for
 * would vanish before any test could see it. This gives it the property, as browsers do.
 */
export function giveRequestKeepalive() {
	const Base = globalThis.Request;
	class RequestWithKeepalive extends Base {
		readonly keepalive: boolean;
		constructor(input: RequestInfo | URL, init?: RequestInit) {
			super(input, init);
			this.keepalive = init?.keepalive ?? (input as { keepalive?: boolean }).keepalive ?? false;
		}
	}
	beforeAll(() => {
		globalThis.Request = RequestWithKeepalive as typeof Request;
	});
	afterAll(() => {
		globalThis.Request = Base;
	});
}

/** Puts the page at a URL, as a navigation would. */
export function visitPage(pathAndQuery: string) {
	(window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${PAGE_ORIGIN}${pathAndQuery}`);
}

/** Lets queued microtasks and the mocked network settle. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** The outbox's keys in localStorage. */
export const outboxKeys = () => Object.keys(localStorage).filter((key) => key.startsWith('lp-ea:out:'));

/** Polls until `check` holds: the machine is loaded, so no fixed sleeps. */
export async function until(check: () => boolean, ms = 5_000) {
	const started = Date.now();
	while (!check()) {
		if (Date.now() - started > ms) throw new Error('condition not met in time');
		await new Promise((r) => setTimeout(r, 10));
	}
}

