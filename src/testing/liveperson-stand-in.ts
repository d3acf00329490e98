/// <reference types="node" />
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { StandInTimeoutError } from './errors.js';
import { checkCount, checkTimeout, DEFAULT_TIMEOUT_MS, expectRequests, type ExpectRequestsOptions } from './expect-requests.js';
import { checkSignature, type Credentials } from './oauth-check.js';
import { describeSeen, type Faulted, type Seen } from './seen.js';
import { waitUntil } from './wait.js';

const ROUTE = /^\/api\/account\/([^/]+)\/monitoring\/visitors\/([^/]+)\/visits\/current\/events$/;
const DOMAIN_ROUTE = /^\/api\/account\/([^/]+)\/service\/smt\/baseURI\.json$/;
/** What it keeps; a benchmark's flood must not grow memory without bound. */
const MAX_KEPT = 1_000;

/** One request that reached the events route, as "LivePerson" saw it. */
export type Received = {
	/** When it arrived (ISO 8601). */
	at: string;
	account: string;
	visitor: string;
	sid: string | null;
	/** The `v` query parameter. */
	v: string | null;
	/** What the stand-in answered: 200, or the status of its refusal. */
	status: number;
	/** Whether the OAuth 1.0 signature, key, token, timestamp and nonce all checked out. */
	verified: boolean;
	/** Why it was refused, e.g. `signature does not match`, `timestamp outside the window`. */
	reason?: string;
	/** The engagement attributes, on a 200. */
	attributes?: unknown[];
};

/**
 * Misbehaviour for the next `times` (default 1) requests to the events route. They are not
 * kept in `received`: a fault stands for LivePerson failing before it looked at them.
 */
export type Fault = {
	/** Answer this status (e.g. 500, 429, 401) with a body of LivePerson's own. */
	status?: number;
	/** Headers of that answer, such as `{ 'retry-after': '2' }` with a 429 or 503. */
	headers?: Record<string, string>;
	/** Wait this long first (then answer normally, or with `status`). */
	delayMs?: number;
	/** Never answer. */
	hang?: boolean;
	/** Drop the connection. */
	reset?: boolean;
	times?: number;
};

export type StandInOptions = {
	/** The accounts it knows; any other is answered 422 like LivePerson does. */
	accounts: string[];
	/** The API key it accepts. */
	credentials: Credentials;
	/** Default 0: any free port. */
	port?: number;
	/** Default `127.0.0.1`. */
	host?: string;
	/** Default true. False only for a benchmark baseline that replays one signed request. */
	checkNonces?: boolean;
};

/** Options for `createSigner` from `lp-ea/signer` that point a signer at the stand-in. */
export type StandInSignerOptions = {
	accounts: string;
	consumerKey: string;
	consumerSecret: string;
	accessToken: string;
	accessTokenSecret: string;
	domain: string;
};

export type LivePersonStandIn = {
	/** `http://127.0.0.1:<port>`: the signer's `domain` (`LP_DOMAIN`). */
	origin: string;
	/** Every request to the events route so far, oldest first (the last 1,000). */
	received: Received[];
	/** Emits `request` with each `Received` as it is kept. */
	events: EventEmitter;
	/** `createSigner` options for the stand-in's accounts and credentials. */
	signerOptions: StandInSignerOptions;
	/** The same as environment variables, for `lp-ea-signer` or a signer of your own. */
	env: Record<'LP_ACCOUNT' | 'LP_CONSUMER_KEY' | 'LP_CONSUMER_SECRET' | 'LP_ACCESS_TOKEN' | 'LP_ACCESS_TOKEN_SECRET' | 'LP_DOMAIN', string>;
	/** Misbehave for the next requests; undefined to behave again. */
	setFault(fault: Fault | undefined): void;
	/**
	 * Fail this share (0 to 1) of the requests to the events route from now on, at random, answering
	 * `status` (default 500): LivePerson having a bad day, for tests of retries and de-duplication.
	 */
	setFailShare(share: number, status?: number): void;
	/** How many requests the fail share has failed so far: proof that the faults really happened. */
	readonly injected: number;
	/**
	 * How many requests `setFault` has answered (or hung up on, or left hanging) since the start
	 * or `clear()`: with `received`, every request that reached the events route.
	 */
	readonly faulted: number;
	/** The share set by `setFailShare`. */
	readonly failShare: number;
	/**
	 * Resolves with `received` once it holds `count` requests, refused ones included; rejects
	 * after `timeoutMs` (default 5,000) with a `StandInTimeoutError` that says what it saw:
	 * nothing, refusals with their reasons, requests a fault answered.
	 */
	waitForRequests(count: number, timeoutMs?: number): Promise<Received[]>;
	/**
	 * The assertion for a test: resolves with the requests once exactly `count` were delivered
	 * (answered 200, signature verified) for `visit`, carrying `attributes` if given. Otherwise
	 * rejects with a `StandInAssertionError` (node:assert's `AssertionError`, with `actual` and
	 * `expected`) whose message lists what the stand-in saw and why each refused request was
	 * refused, e.g. `401 not verified (signature does not match)`.
	 *
	 * @example
	 * await lp.expectRequests(1, { visit: { account: '1234', visitor: 'v1', sid: 's1' }, attributes: [{ type: 'lead', lead: { topic: 'upgrade' } }] });
	 */
	expectRequests(count: number, options?: ExpectRequestsOptions): Promise<Received[]>;
	/** Forget what was received and any fault. */
	clear(): void;
	/** Stop listening and drop open connections. */
	close(): Promise<void>;
};

function readBody(request: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	response.writeHead(status, { ...headers, 'content-type': 'application/json' });
	response.end(JSON.stringify(body));
}

/**
 * A local stand-in for LivePerson's Engagement Attributes API, strict like the real one: it
 * checks the route, `v` and `sid`, the method override, and the OAuth 1.0 signature,
 * timestamp window and nonce reuse, with an OAuth implementation of its own (oauth-sign).
 * It also answers the domain API (service `smt`) with its own host. It keeps what it
 * received, and misbehaves on demand.
 *
 * @example
 * const lp = await startLivePerson({ accounts: ['1234'], credentials });
 * const handle = createSigner(lp.signerOptions);
 * // … drive your page or call `handle` …
 * expect(lp.received[0]).toMatchObject({ verified: true, attributes: [{ type: 'lead' }] });
 * await lp.close();
 */
export function startLivePerson({
	accounts,
	credentials,
	port = 0,
	host = '127.0.0.1',
	checkNonces = true,
}: StandInOptions): Promise<LivePersonStandIn> {
	const received: Received[] = [];
	// What it saw, faults included, in arrival order: for the messages of a test that waits in vain.
	const seen: Seen[] = [];
	const nonces = checkNonces ? new Map<string, number>() : undefined;
	const events = new EventEmitter();
	let fault: Fault | undefined;
	const failing = { share: 0, status: 500, injected: 0 };
	let faultedBySetFault = 0;
	const sockets = new Set<Socket>();

	function remember(entry: Seen): void {
		if (seen.length >= MAX_KEPT) seen.shift();
		seen.push(entry);
	}

	function keep(record: Received): void {
		if (received.length >= MAX_KEPT) received.shift();
		received.push(record);
		remember(record);
		events.emit('request', record);
	}

	async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
		const domain = DOMAIN_ROUTE.exec(url.pathname);
		if (domain && request.method === 'GET') {
			return send(response, 200, { service: 'smt', account: domain[1], baseURI: url.host });
		}
		if (url.pathname === '/_stand-in/received' && request.method === 'GET') return send(response, 200, received);
		const route = ROUTE.exec(url.pathname);
		if (!route) return send(response, 404, { message: 'no such route' });
		const body = await readBody(request);
		const faulted = (answer: string, by: Faulted['by']) => {
			if (by === 'setFault') faultedBySetFault += 1;
			remember({ at: new Date().toISOString(), account: route[1]!, visitor: route[2]!, sid: url.searchParams.get('sid'), answer, by });
		};

		const current = fault;
		if (current && (current.times ?? 1) > 0) {
			current.times = (current.times ?? 1) - 1;
			if (current.times === 0) fault = undefined;
			if (current.reset) {
				faulted('dropped the connection', 'setFault');
				return void request.socket.destroy();
			}
			if (current.hang) return void faulted('never answered', 'setFault');
			if (current.delayMs) await new Promise((done) => setTimeout(done, current.delayMs));
			if (current.status) {
				faulted(`${current.status} answered`, 'setFault');
				return send(response, current.status, { message: 'forced by the test', secret: 'upstream-body-must-not-leak' }, current.headers);
			}
		}
		if (failing.share > 0 && Math.random() < failing.share) {
			failing.injected += 1;
			faulted(`${failing.status} answered`, 'setFailShare');
			return send(response, failing.status, { message: 'failed on purpose by the stand-in' });
		}

		const record: Received = {
			at: new Date().toISOString(),
			account: route[1]!,
			visitor: route[2]!,
			sid: url.searchParams.get('sid'),
			v: url.searchParams.get('v'),
			status: 0,
			verified: false,
		};
		const refuse = (status: number, reason: string) => {
			keep({ ...record, status, reason });
			send(response, status, { message: reason });
		};
		if (request.method !== 'POST') return refuse(405, 'POST with x-http-method-override: PUT');
		if (request.headers['x-http-method-override'] !== 'PUT') return refuse(400, 'x-http-method-override must be PUT');
		if (!record.v) return refuse(400, 'v is required');
		if (!record.sid) return refuse(400, 'sid is required');
		const problem = checkSignature(request.headers.authorization, url, credentials, nonces);
		if (problem) return refuse(401, problem);
		record.verified = true;
		if (!accounts.includes(record.account)) return refuse(422, 'invalid account id');
		if (!String(request.headers['content-type']).startsWith('application/json')) {
			return refuse(400, 'Content-Type must be application/json');
		}
		let attributes: unknown;
		try {
			attributes = JSON.parse(body);
		} catch {
			return refuse(400, 'body is not JSON');
		}
		if (!Array.isArray(attributes) || attributes.some((a) => typeof a?.type !== 'string')) {
			return refuse(400, 'body must be an array of engagement attributes');
		}
		keep({ ...record, status: 200, attributes });
		send(response, 200, {});
	}

	const server = createServer((request, response) => {
		handle(request, response).catch((error: unknown) => {
			if (!response.headersSent) send(response, 500, { message: String(error) });
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	function waitForRequests(origin: string, count: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Received[]> {
		try {
			checkCount('waitForRequests', count);
			checkTimeout('waitForRequests', timeoutMs);
		} catch (error) {
			return Promise.reject(error);
		}
		return waitUntil(events, () => (received.length >= count ? received : undefined), timeoutMs, () => {
			const message = `the LivePerson stand-in received ${received.length} of ${count} requests within ${timeoutMs} ms; ${describeSeen(origin, seen)}`;
			return new StandInTimeoutError(message, count, received.length);
		});
	}

	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			const shownHost = host.includes(':') ? `[${host}]` : host;
			const origin = `http://${shownHost}:${(server.address() as AddressInfo).port}`;
			const signerOptions: StandInSignerOptions = {
				accounts: accounts.join(','),
				consumerKey: credentials.consumerKey,
				consumerSecret: credentials.consumerSecret,
				accessToken: credentials.token,
				accessTokenSecret: credentials.tokenSecret,
				domain: origin,
			};
			resolve({
				origin,
				received,
				events,
				signerOptions,
				env: {
					LP_ACCOUNT: signerOptions.accounts,
					LP_CONSUMER_KEY: credentials.consumerKey,
					LP_CONSUMER_SECRET: credentials.consumerSecret,
					LP_ACCESS_TOKEN: credentials.token,
					LP_ACCESS_TOKEN_SECRET: credentials.tokenSecret,
					LP_DOMAIN: origin,
				},
				setFault(next) {
					fault = next ? { ...next } : undefined;
				},
				setFailShare(share, status = 500) {
					failing.share = share;
					failing.status = status;
				},
				get injected() {
					return failing.injected;
				},
				get faulted() {
					return faultedBySetFault;
				},
				get failShare() {
					return failing.share;
				},
				waitForRequests: (count, timeoutMs) => waitForRequests(origin, count, timeoutMs),
				expectRequests: (count, options) => expectRequests({ origin, received, seen, events }, count, options),
				clear() {
					received.length = 0;
					seen.length = 0;
					fault = undefined;
					faultedBySetFault = 0;
				},
				close() {
					for (const socket of sockets) socket.destroy();
					return new Promise((done) => server.close(() => done()));
				},
			});
		});
	});
}
