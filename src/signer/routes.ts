import type { Answer, SignerCore } from './exchange.js';
import { jsonAnswer } from './refusal.js';

export const EVENTS_PATH = '/lp-ea/events';
export const HEALTH_PATH = '/healthz';
export const LIVE_PATH = '/livez';
export const READY_PATH = '/readyz';

/** Whether the endpoint can do its job right now: its de-duplication store reachable. */
export type Readiness = () => boolean;

const always: Readiness = () => true;

const LIVE = jsonAnswer(200, { ok: true });
const NOT_READY = jsonAnswer(503, {
	ok: false,
	error: { code: 'server-error', message: 'the signing endpoint cannot reach its de-duplication store' },
});

/**
 * The health checks, by method and path alone, so that an adapter can answer them before it
 * reads anything else of the request (a load balancer's HTTP/1.0 probe sends no Host):
 * `/healthz` and `/livez` (Kubernetes' liveness) answer 200 while the process runs, `/readyz`
 * 200 only while `ready()` says so, 503 otherwise. Undefined for anything else.
 */
export function healthAnswer(method: string, pathname: string, ready: Readiness = always): Answer | undefined {
	if (method !== 'GET' && method !== 'HEAD') return undefined;
	if (pathname === HEALTH_PATH || pathname === LIVE_PATH) return LIVE;
	if (pathname === READY_PATH) return ready() ? LIVE : NOT_READY;
	return undefined;
}

/**
 * The signer's routes, the same on every server of its own (Node, Workers): the handler at
 * `/lp-ea/events`, the health checks (see healthAnswer), 404 elsewhere.
 */
export function signerRoutes(handle: SignerCore, ready: Readiness = always): SignerCore {
	return async (request, connection) => {
		const { pathname } = new URL(request.url);
		if (pathname === EVENTS_PATH) return handle(request, connection);
		return (
			healthAnswer(request.method, pathname, ready) ??
			jsonAnswer(404, { error: { code: 'not-found', message: `nothing here: POST ${EVENTS_PATH}` } })
		);
	};
}
