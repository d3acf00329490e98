import type { ConnectionInfo, SignerHandler } from './handler.js';
import { jsonResponse } from './refusal.js';

export const EVENTS_PATH = '/lp-ea/events';
export const HEALTH_PATH = '/healthz';

/**
 * The signer's routes, the same on every server of its own (Node, Workers): the handler at
 * `/lp-ea/events`, a health check at `GET /healthz`, 404 elsewhere.
 */
export function signerRoutes(handle: SignerHandler) {
	return (request: Request, connection?: ConnectionInfo): Promise<Response> | Response => {
		const { pathname } = new URL(request.url);
		if (pathname === EVENTS_PATH) return handle(request, connection);
		if (pathname === HEALTH_PATH && request.method === 'GET') return jsonResponse(200, { ok: true });
		return jsonResponse(404, { error: { code: 'not-found', message: `nothing here: POST ${EVENTS_PATH}` } });
	};
}
