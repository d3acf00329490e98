import { Refusal } from './refusal.js';

export type OriginCheck = {
	/** Headers a browser needs to read the answer: set only for a listed cross-origin caller. */
	cors: Record<string, string>;
};

/**
 * Who may call. No Origin header: not a browser page (curl, a server), so CORS has nothing
 * to guard. An Origin on the endpoint's own host: the brand's own pages (compared by host so
 * that TLS ended at a proxy does not turn https pages into strangers). A listed origin: CORS
 * headers for it. Anything else, `null` included, is refused without CORS headers.
 */
export function checkOrigin(request: Request, allowed: ReadonlySet<string>): OriginCheck {
	const origin = request.headers.get('origin');
	if (origin === null) return { cors: {} };
	if (allowed.has(origin)) {
		return { cors: { 'access-control-allow-origin': origin, vary: 'Origin' } };
	}
	let host: string | undefined;
	try {
		host = new URL(origin).host;
	} catch {
		// malformed: refused below
	}
	if (host && host === new URL(request.url).host) return { cors: {} };
	throw new Refusal('forbidden', `origin ${origin.slice(0, 200)} is not allowed to call this endpoint`);
}

export const PREFLIGHT_HEADERS = {
	'access-control-allow-methods': 'POST, OPTIONS',
	'access-control-allow-headers': 'content-type',
	'access-control-max-age': '600',
};
