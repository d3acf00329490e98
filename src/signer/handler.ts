import * as v from 'valibot';
import { envelopeSchema, type Envelope } from '../attributes/envelope.js';
import { describeIssues } from '../attributes/index.js';
import { clientKey, type ConnectionInfo } from './connection.js';
import { createDeduplicator } from './deduplicate.js';
import { createDomainResolver } from './domain.js';
import { forward } from './forward.js';
import { createOAuthSigner } from './oauth.js';
import { checkOrigin, PREFLIGHT_HEADERS } from './origin.js';
import { isAcceptedContentType } from './content-type.js';
import { createArrivals, createRateLimiter } from './rate-limit.js';
import { printable } from './log-line.js';
import { webHandler, type Answer, type Incoming, type SignerCore } from './exchange.js';
import { because, jsonAnswer, Refusal, refusalAnswer } from './refusal.js';
import { resolveSettings, type LogEntry, type SettingNames, type Settings, type SignerOptions } from './settings.js';

export type { ConnectionInfo } from './connection.js';

export type SignerHandler = (request: Request, connection?: ConnectionInfo) => Promise<Response>;

function checkContentType(request: Incoming): void {
	if (!isAcceptedContentType(request.header('content-type'))) {
		throw because('content-type', new Refusal('unsupported-media-type', 'the body must be JSON sent as application/json or text/plain (UTF-8)'));
	}
}

function parseEnvelope(text: string): Envelope {
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		throw because('invalid', new Refusal('bad-request', 'the request body is not JSON'));
	}
	const parsed = v.safeParse(envelopeSchema, json);
	if (!parsed.success) throw because('invalid', new Refusal('bad-request', describeIssues(parsed.issues)));
	return parsed.output;
}

// Each limit's refusal names the setting that sets it, so that the operator who reads it in a
// page's console knows what to tune.

/** Past `limit` requests at once, new ones are turned away at once rather than queued. */
function busy({ names }: Settings): Refusal {
	return because('in-flight', new Refusal('server-error', `the signing endpoint is busy (${names.maxInFlight}): try again in a second`, { 'retry-after': '1' }, 503));
}

/** A client past its share of bodies still arriving; its body is not read, so its connection goes. */
function tooManyBodies({ names }: Settings): Refusal {
	return because('bodies-per-client', new Refusal(
		'rate-limited',
		`too many requests from this address are still sending their bodies (${names.maxBodiesPerClient}): try again in a second`,
		{ 'retry-after': '1', connection: 'close' },
	));
}

function overRate(wait: number, { names }: Settings): Refusal {
	return because('rate-limit', new Refusal('rate-limited', `too many requests (${names.rateLimit}): try again in ${wait} s`, { 'retry-after': String(wait) }));
}

function notServed(account: string, { names }: Settings): Refusal {
	return because('account', new Refusal('forbidden', `account ${account} is not served by this endpoint: add it to ${names.accounts}`));
}

/**
 * The signing endpoint as a Web-standard handler: `(Request) => Promise<Response>`. It
 * validates the page's envelope with the same schemas the browser uses, refuses anything
 * that is not its own brand's, signs with OAuth 1.0 and forwards to LivePerson.
 * Bad options throw a SignerConfigError naming every option at fault (or, with `names`,
 * whatever the operator calls it, such as an environment variable). `transport`, `hmac` and
 * `sha256` replace the Web defaults with what is faster on the platform (see SignerPlatform).
 */
export function createSigner(options: SignerOptions, names?: SettingNames): SignerHandler {
	return webHandler(createSignerCore(options, names));
}

/** The signer on plain data, for adapters that read their platform's requests directly (Node). */
export function createSignerCore(options: SignerOptions, names?: SettingNames): SignerCore {
	const settings: Settings = resolveSettings(options, names);
	const resolveDomain = createDomainResolver(settings);
	const sign = createOAuthSigner(settings.credentials, settings.hmac);
	const shortHash = async (id: string) => (await settings.sha256(id)).slice(0, 16);
	const rateLimit = settings.rateLimit ? createRateLimiter(settings.rateLimit) : undefined;
	const arrivals = createArrivals(settings.maxBodiesPerClient);
	let inFlight = 0;
	let warnedAboutProxy = false;

	/** Once: a proxy's X-Forwarded-For that is not trusted means every client shares one address. */
	function proxyWarning(request: Incoming, connection: ConnectionInfo | undefined): string | undefined {
		if (settings.trustProxy || warnedAboutProxy || connection?.addressFromPlatform) return undefined;
		if (request.header('x-forwarded-for') === null) return undefined;
		warnedAboutProxy = true;
		return `X-Forwarded-For ignored: behind your own reverse proxy, set ${settings.names.trustProxy}=1 so that each client is rate-limited on its own and the endpoint sees its own origin`;
	}

	// A claim outlives the forward it guards (settings.claimTtl), so that it never runs out mid-way;
	// a repeat waits for the original in flight here no longer than its own forward could take.
	const forwardOnce = createDeduplicator({
		store: settings.dedupeStore,
		window: settings.dedupeWindow,
		claimTtl: settings.claimTtl,
		wait: settings.timeout,
		sha256: settings.sha256,
		observe: settings.observe,
	});

	/**
	 * The body, once it has arrived whole. Until then it counts against its client's share of
	 * bodies arriving, not against the in-flight cap: a client trickling bytes holds no slot
	 * that another client's request needs.
	 */
	async function bodyOf(request: Incoming, client: string): Promise<string> {
		if (!arrivals.enter(client)) throw tooManyBodies(settings);
		try {
			return await request.text(settings);
		} finally {
			arrivals.leave(client);
		}
	}

	async function accept(request: Incoming, connection: ConnectionInfo | undefined, entry: Partial<LogEntry>) {
		const client = clientKey(request, connection, settings.trustProxy);
		const wait = rateLimit ? rateLimit(client) : 0;
		if (wait > 0) throw overRate(wait, settings);
		checkContentType(request);
		const text = await bodyOf(request, client);
		if (inFlight >= settings.maxInFlight) throw busy(settings);
		inFlight += 1;
		settings.observe.inFlight(1);
		try {
			await handle(text, entry);
		} finally {
			inFlight -= 1;
			settings.observe.inFlight(-1);
		}
	}

	/** A request whose body has arrived: validated, checked, forwarded (once per id). */
	async function handle(text: string, entry: Partial<LogEntry>) {
		const envelope = parseEnvelope(text);
		entry.account = envelope.account;
		if (settings.log) entry.visitor = await shortHash(envelope.visitor);
		if (!settings.accounts.has(envelope.account)) throw notServed(envelope.account, settings);
		const origin = await resolveDomain(envelope.account, Date.now() + settings.timeout);
		// Stringified once: what is sent is what the de-duplication digest covers.
		const body = JSON.stringify(envelope.attributes);
		const send = () => forward(settings, sign, origin, envelope, body);
		await (envelope.id ? forwardOnce({ ...envelope, id: envelope.id }, body, send) : send());
	}

	/** The CORS headers for this caller; a refused Origin is kept for the log before the refusal goes on. */
	function corsFor(request: Incoming, connection: ConnectionInfo | undefined, entry: Partial<LogEntry>) {
		try {
			return checkOrigin(request, connection, settings).cors;
		} catch (error) {
			entry.origin = printable(request.header('origin') ?? '');
			throw error;
		}
	}

	return async (request, connection) => {
		const started = Date.now();
		const entry: Partial<LogEntry> = {};
		const warning = proxyWarning(request, connection);
		let cors: Record<string, string> = {};
		let response: Answer;
		try {
			// First, so that every refusal after it carries them: a page reads its code and Retry-After.
			cors = corsFor(request, connection, entry);
			if (request.method !== 'POST' && request.method !== 'OPTIONS') {
				throw because('method', new Refusal('method-not-allowed', `${request.method} is not allowed: POST the attributes`, {
					allow: 'POST, OPTIONS',
				}));
			}
			if (request.method === 'OPTIONS') {
				response = { status: 204, headers: cors.vary ? { ...cors, ...PREFLIGHT_HEADERS } : {}, body: null };
			} else {
				await accept(request, connection, entry);
				response = jsonAnswer(200, {}, cors);
			}
		} catch (error) {
			// Anything unforeseen is answered in our words: an exception's text could hold what it should not.
			const refusal = error instanceof Refusal ? error : new Refusal('server-error', 'the signing endpoint failed');
			response = refusalAnswer(refusal, cors);
			entry.code = refusal.code;
			if (refusal.reason) settings.observe.refused(refusal.reason);
		}
		settings.observe.answered(entry.code ?? (response.status === 204 ? 'preflight' : 'ok'));
		settings.log?.({ status: response.status, ...entry, ms: Date.now() - started, ...(warning ? { warning } : {}) });
		return response;
	};
}
