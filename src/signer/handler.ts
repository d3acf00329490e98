import * as v from 'valibot';
import { envelopeSchema, type Envelope } from '../attributes/envelope.js';
import { describeIssues } from '../attributes/index.js';
import { forwardOnce } from './deduplicate.js';
import { createDomainResolver } from './domain.js';
import { forward } from './forward.js';
import { createOAuthSigner } from './oauth.js';
import { checkOrigin, PREFLIGHT_HEADERS } from './origin.js';
import { createRateLimiter } from './rate-limit.js';
import { readBody } from './read-body.js';
import { jsonResponse, Refusal, refusalResponse } from './refusal.js';
import { resolveSettings, type LogEntry, type SettingNames, type Settings, type SignerOptions } from './settings.js';

/** What the platform knows of the connection; adapters fill it in. */
export type ConnectionInfo = { clientAddress?: string };

export type SignerHandler = (request: Request, connection?: ConnectionInfo) => Promise<Response>;

const ACCEPTED_TYPES = new Set(['application/json', 'text/plain']);

function checkContentType(request: Request): void {
	const [type = '', ...params] = (request.headers.get('content-type') ?? '').toLowerCase().split(';');
	const charset = params.map((p) => p.trim()).find((p) => p.startsWith('charset='));
	if (!ACCEPTED_TYPES.has(type.trim()) || (charset && charset !== 'charset=utf-8')) {
		throw new Refusal('unsupported-media-type', 'the body must be JSON sent as application/json or text/plain (UTF-8)');
	}
}

function parseEnvelope(text: string): Envelope {
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		throw new Refusal('bad-request', 'the request body is not JSON');
	}
	const parsed = v.safeParse(envelopeSchema, json);
	if (!parsed.success) throw new Refusal('bad-request', describeIssues(parsed.issues));
	return parsed.output;
}

/** The last X-Forwarded-For entry is the one the brand's own proxy wrote; earlier ones are the caller's word. */
function clientAddress(request: Request, connection: ConnectionInfo | undefined, trustProxy: boolean) {
	const forwarded = trustProxy ? request.headers.get('x-forwarded-for')?.split(',').pop()?.trim() : undefined;
	return forwarded || connection?.clientAddress;
}

async function shortHash(id: string): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(id));
	return Array.from(new Uint8Array(digest).slice(0, 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The signing endpoint as a Web-standard handler: `(Request) => Promise<Response>`. It
 * validates the page's envelope with the same schemas the browser uses, refuses anything
 * that is not its own brand's, signs with OAuth 1.0 and forwards to LivePerson.
 * Bad options throw a SignerConfigError naming the option (or, with `names`, whatever the
 * operator calls it, such as an environment variable).
 */
export function createSigner(options: SignerOptions, names?: SettingNames): SignerHandler {
	const settings: Settings = resolveSettings(options, names);
	const resolveDomain = createDomainResolver(settings);
	const sign = createOAuthSigner(settings.credentials);
	const rateLimit = settings.rateLimit ? createRateLimiter(settings.rateLimit) : undefined;
	// A claim outlives the forward it guards (LivePerson's timeout), so that it never runs out mid-way.
	const dedupe = { store: settings.dedupeStore, window: settings.dedupeWindow, claimTtl: settings.timeout + 5_000 };

	async function accept(request: Request, connection: ConnectionInfo | undefined, entry: Partial<LogEntry>) {
		const client = clientAddress(request, connection, settings.trustProxy);
		const wait = rateLimit && client ? rateLimit(client) : 0;
		if (wait > 0) throw new Refusal('rate-limited', `too many requests: try again in ${wait} s`, { 'retry-after': String(wait) });
		checkContentType(request);
		const envelope = parseEnvelope(await readBody(request, settings.maxBodyBytes));
		entry.account = envelope.account;
		if (settings.log) entry.visitor = await shortHash(envelope.visitor);
		if (!settings.accounts.has(envelope.account)) {
			throw new Refusal('forbidden', `account ${envelope.account} is not served by this endpoint`);
		}
		const origin = await resolveDomain(envelope.account);
		const send = () => forward(settings, sign, origin, envelope);
		await (envelope.id ? forwardOnce(`lp-ea:${envelope.account}:${envelope.id}`, dedupe, send) : send());
	}

	return async (request, connection) => {
		const started = Date.now();
		const entry: Partial<LogEntry> = {};
		let cors: Record<string, string> = {};
		let response: Response;
		try {
			if (request.method !== 'POST' && request.method !== 'OPTIONS') {
				throw new Refusal('method-not-allowed', `${request.method} is not allowed: POST the attributes`, {
					allow: 'POST, OPTIONS',
				});
			}
			cors = checkOrigin(request, settings.allowedOrigins).cors;
			if (request.method === 'OPTIONS') {
				response = new Response(null, { status: 204, headers: cors.vary ? { ...cors, ...PREFLIGHT_HEADERS } : {} });
			} else {
				await accept(request, connection, entry);
				response = jsonResponse(200, {}, cors);
			}
		} catch (error) {
			// Anything unforeseen is answered in our words: an exception's text could hold what it should not.
			response = refusalResponse(
				error instanceof Refusal ? error : new Refusal('server-error', 'the signing endpoint failed'),
				cors,
			);
			entry.code = error instanceof Refusal ? error.code : 'server-error';
		}
		settings.log?.({ status: response.status, ...entry, ms: Date.now() - started });
		return response;
	};
}
