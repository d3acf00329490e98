import { isLoopback } from './address.js';
import { deadline } from './deadline.js';
import { Refusal } from './refusal.js';
import { parseLivePersonOrigin, type Settings } from './settings.js';

/** The LivePerson origin for an account, waited for no later than `deadline` (a Date.now() time). */
export type DomainResolver = (account: string, deadline: number) => Promise<string>;

type Cached = { origin: string; expires: number };

/** The domain API's answer is a few hundred bytes; more is not an answer. */
const MAX_ANSWER_BYTES = 16 * 1024;

const LIVEPERSON_HOST = /(^|\.)liveperson\.net$/;

// Messages name the account and the settings that would avoid them only: never the lookup's
// URL or anything from its answer.
const failed = (account: string, { names }: Settings) =>
	new Refusal('bad-gateway', `could not look up the LivePerson domain of account ${account}: set ${names.domain} to skip the lookup`);
const late = (account: string, { timeout, names }: Settings) =>
	new Refusal('timeout', `the LivePerson domain lookup for account ${account} took longer than ${timeout} ms (${names.timeout})`);

/**
 * The answer becomes the upstream host, so it is held to LP_DOMAIN's rule and more: an https
 * host under liveperson.net. Only a lookup API on loopback (a local stand-in) may answer with
 * a loopback origin, on its own scheme.
 */
function upstreamOrigin(baseURI: unknown, domainApi: string): string | undefined {
	if (typeof baseURI !== 'string') return undefined;
	const api = new URL(domainApi);
	try {
		if (isLoopback(api.hostname)) {
			const local = new URL(`${api.protocol}//${baseURI}`);
			if (isLoopback(local.hostname) && `${local.protocol}//${local.host}` === `${api.protocol}//${baseURI}`) return local.origin;
		}
		const origin = new URL(parseLivePersonOrigin(baseURI, 'baseURI'));
		return origin.protocol === 'https:' && LIVEPERSON_HOST.test(origin.hostname) ? origin.origin : undefined;
	} catch {
		return undefined;
	}
}

function parseAnswer(text: string): unknown {
	if (text.length > MAX_ANSWER_BYTES) return undefined;
	return JSON.parse(text);
}

/** One lookup, headers and body, within `settings.timeout`; its outcome told to `observe` once. */
function lookup(settings: Settings, account: string): Promise<string> {
	const { domainApi, timeout, transport, observe } = settings;
	const url = new URL(`${domainApi}/api/account/${encodeURIComponent(account)}/service/smt/baseURI.json?version=1.0`);
	let answeredNoHost = false;
	const looked = deadline(
		timeout,
		() => late(account, settings),
		async () => {
			let body: unknown;
			try {
				const answer = await transport({ method: 'GET', url, headers: {}, timeout, read: true });
				if (answer.status !== 200) throw failed(account, settings);
				body = parseAnswer(answer.text);
			} catch {
				throw failed(account, settings);
			}
			const origin = upstreamOrigin((body as { baseURI?: unknown } | null)?.baseURI, domainApi);
			if (!origin) {
				answeredNoHost = true;
				throw new Refusal('bad-gateway', `the LivePerson domain lookup for account ${account} gave no LivePerson host: set ${settings.names.domain} to skip the lookup`);
			}
			return origin;
		},
	);
	// Told from the outcome, not from inside: a lookup past its deadline may still fail later.
	looked.then(
		() => observe.domainLookup('ok'),
		(error: Refusal) => observe.domainLookup(error.code === 'timeout' ? 'timeout' : answeredNoHost ? 'invalid' : 'failed'),
	);
	return looked;
}

/**
 * The LivePerson origin for an account: the configured domain, or the domain API's answer,
 * kept for `domainTtl`. Concurrent look-ups for one account share one request, but each
 * caller waits only until its own deadline; a failed lookup is not kept, so the next request
 * tries again.
 */
export function createDomainResolver(settings: Settings, now: () => number = Date.now): DomainResolver {
	const { domain } = settings;
	if (domain) return async () => domain;
	const cache = new Map<string, Cached>();
	const pending = new Map<string, Promise<string>>();
	return (account, until) => {
		const hit = cache.get(account);
		if (hit && hit.expires > now()) return Promise.resolve(hit.origin);
		let lookingUp = pending.get(account);
		if (!lookingUp) {
			lookingUp = lookup(settings, account)
				.then((origin) => {
					cache.set(account, { origin, expires: now() + settings.domainTtl });
					return origin;
				})
				.finally(() => pending.delete(account));
			pending.set(account, lookingUp);
		}
		const shared = lookingUp;
		return deadline(until - now(), () => late(account, settings), () => shared);
	};
}
