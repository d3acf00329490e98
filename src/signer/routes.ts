import type { SignerCore } from './exchange.js';
import { jsonAnswer } from './refusal.js';

export const EVENTS_PATH = '/lp-ea/events';
export const HEALTH_PATH = '/healthz';

/**
 * The signer's routes, the same on every server of its own (Node, Workers): the handler at
 * `/lp-ea/events`, a health check at `GET /healthz`, 404 elsewhere.
 */
export function signerRoutes(handle: SignerCore): SignerCore {
	return async (request, connection) => {
		const { pathname } = new URL(request.url);
		if (pathname === EVENTS_PATH) return handle(request, connection);
		if (pathname === HEALTH_PATH && request.method === 'GET') return jsonAnswer(200, { ok: true });
		return jsonAnswer(404, { error: { code: 'not-found', message: `nothing here: POST ${EVENTS_PATH}` } });
	};
}
