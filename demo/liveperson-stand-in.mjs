/**
 * A local stand-in for LivePerson's Engagement Attributes API, strict like the real one:
 * it checks the route, `v` and `sid`, the method override, and the OAuth 1.0 signature,
 * timestamp window and nonce reuse. Signatures are checked with `oauth-sign`, a separate
 * implementation from lp-ea's signer, so a mistake shared by both cannot pass unseen.
 *
 * It keeps what it received for the demo's live view, and can be told to misbehave
 * (answer a status, answer slowly, hang, reset the connection) for the tests.
 */
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import oauth from 'oauth-sign';

const ROUTE = /^\/api\/account\/([^/]+)\/monitoring\/visitors\/([^/]+)\/visits\/current\/events$/;
const DOMAIN_ROUTE = /^\/api\/account\/([^/]+)\/service\/smt\/baseURI\.json$/;
const TIMESTAMP_WINDOW_S = 300;
/** What it keeps for the live view; a benchmark's flood must not grow memory without bound. */
const MAX_KEPT = 1_000;

/** `OAuth a="1", b="2"` as a Map of decoded fields. */
function parseAuthorization(header) {
	if (!header?.startsWith('OAuth ')) return undefined;
	const fields = new Map();
	for (const part of header.slice(6).split(',')) {
		const match = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(part);
		if (!match) return undefined;
		fields.set(match[1], decodeURIComponent(match[2]));
	}
	return fields;
}

function readBody(request) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		request.on('data', (chunk) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}

function send(response, status, body) {
	response.writeHead(status, { 'content-type': 'application/json' });
	response.end(JSON.stringify(body));
}

/**
 * @param {object} options
 * @param {string[]} options.accounts the accounts it knows; others answer 422
 * @param {{consumerKey: string, consumerSecret: string, token: string, tokenSecret: string}} options.credentials
 * @param {number} [options.port] 0 for any free port
 * @param {boolean} [options.checkNonces] false only for a benchmark baseline that replays one signed request
 */
export function startLivePerson({ accounts, credentials, port = 0, host = '127.0.0.1', checkNonces = true }) {
	const received = [];
	const nonces = new Map();
	const events = new EventEmitter();
	/** Misbehaviour for the next requests: { status?, delayMs?, hang?, reset?, times? } */
	let fault;
	/** A share of requests to fail on purpose, as LivePerson having a bad day: { share, status, injected }. */
	const failing = { share: 0, status: 500, injected: 0 };
	const sockets = new Set();

	function keep(record) {
		if (received.length >= MAX_KEPT) received.shift();
		received.push(record);
		events.emit('request', record);
	}

	function verify(request, url) {
		const auth = parseAuthorization(request.headers.authorization);
		if (!auth) return 'no OAuth Authorization header';
		if (auth.get('oauth_signature_method') !== 'HMAC-SHA1') return 'signature method is not HMAC-SHA1';
		if (auth.get('oauth_version') !== undefined && auth.get('oauth_version') !== '1.0') return 'oauth_version is not 1.0';
		if (auth.get('oauth_consumer_key') !== credentials.consumerKey) return 'unknown consumer key';
		if (auth.get('oauth_token') !== credentials.token) return 'unknown token';
		const timestamp = Number(auth.get('oauth_timestamp'));
		if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > TIMESTAMP_WINDOW_S) {
			return 'timestamp outside the window';
		}
		const nonce = auth.get('oauth_nonce');
		if (!nonce) return 'no nonce';
		const key = `${timestamp}:${nonce}`;
		if (checkNonces && nonces.has(key)) return 'nonce used before';
		const params = {};
		for (const [name, value] of url.searchParams) params[name] = value;
		for (const [name, value] of auth) if (name !== 'oauth_signature' && name !== 'realm') params[name] = value;
		const expected = oauth.hmacsign('POST', `${url.origin}${url.pathname}`, params, credentials.consumerSecret, credentials.tokenSecret);
		if (expected !== auth.get('oauth_signature')) return 'signature does not match';
		if (checkNonces) {
			nonces.set(key, Date.now());
			for (const [old, at] of nonces) if (Date.now() - at > TIMESTAMP_WINDOW_S * 2000) nonces.delete(old);
		}
		return undefined;
	}

	async function handle(request, response) {
		const url = new URL(request.url, `http://${request.headers.host}`);
		const domain = DOMAIN_ROUTE.exec(url.pathname);
		if (domain && request.method === 'GET') {
			return send(response, 200, { service: 'smt', account: domain[1], baseURI: `${url.host}` });
		}
		if (url.pathname === '/_stand-in/received' && request.method === 'GET') return send(response, 200, received);
		const route = ROUTE.exec(url.pathname);
		if (!route) return send(response, 404, { message: 'no such route' });
		const body = await readBody(request);

		const current = fault;
		if (current && (current.times ?? 1) > 0) {
			current.times = (current.times ?? 1) - 1;
			if (current.times === 0) fault = undefined;
			if (current.reset) return request.socket.destroy();
			if (current.hang) return; // never answers
			if (current.delayMs) await new Promise((r) => setTimeout(r, current.delayMs));
			if (current.status) return send(response, current.status, { message: 'forced by the test', secret: 'upstream-body-must-not-leak' });
		}
		if (failing.share > 0 && Math.random() < failing.share) {
			failing.injected += 1;
			return send(response, failing.status, { message: 'failed on purpose by the stand-in' });
		}

		const [, account, visitor] = route;
		const record = { at: new Date().toISOString(), account, visitor, sid: url.searchParams.get('sid'), v: url.searchParams.get('v') };
		const refuse = (status, reason) => {
			record.status = status;
			record.reason = reason;
			record.verified = false;
			keep(record);
			send(response, status, { message: reason });
		};
		if (request.method !== 'POST') return refuse(405, 'POST with x-http-method-override: PUT');
		if (request.headers['x-http-method-override'] !== 'PUT') return refuse(400, 'x-http-method-override must be PUT');
		if (!record.v) return refuse(400, 'v is required');
		if (!record.sid) return refuse(400, 'sid is required');
		const problem = verify(request, url);
		if (problem) return refuse(401, problem);
		record.verified = true;
		if (!accounts.includes(account)) return refuse(422, 'invalid account id');
		if (!String(request.headers['content-type']).startsWith('application/json')) return refuse(400, 'Content-Type must be application/json');
		let attributes;
		try {
			attributes = JSON.parse(body);
		} catch {
			return refuse(400, 'body is not JSON');
		}
		if (!Array.isArray(attributes) || attributes.some((a) => typeof a?.type !== 'string')) {
			return refuse(400, 'body must be an array of engagement attributes');
		}
		record.attributes = attributes;
		record.status = 200;
		keep(record);
		send(response, 200, {});
	}

	const server = createServer((request, response) => {
		handle(request, response).catch((error) => {
			if (!response.headersSent) send(response, 500, { message: String(error) });
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	return new Promise((resolve) => {
		server.listen(port, host, () => {
			const origin = `http://${host}:${server.address().port}`;
			resolve({
				origin,
				received,
				events,
				/** Misbehave for the next `times` (default 1) requests to the events route. */
				setFault(next) {
					fault = next ? { ...next } : undefined;
				},
				clear() {
					received.length = 0;
					fault = undefined;
				},
				/** Fail this share (0 to 1) of the requests to the events route from now on, answering `status`. */
				setFailShare(share, status = 500) {
					failing.share = share;
					failing.status = status;
				},
				/** How many requests the fail share has failed so far. */
				get injected() {
					return failing.injected;
				},
				get failShare() {
					return failing.share;
				},
				close() {
					for (const socket of sockets) socket.destroy();
					return new Promise((done) => server.close(() => done()));
				},
			});
		});
	});
}
