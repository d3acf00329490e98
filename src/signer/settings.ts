import * as v from 'valibot';
import { visitSchema } from '../attributes/index.js';
import { isLoopback } from './address.js';
import type { DedupeStore } from './dedupe-store.js';
import { CLAIM_MARGIN_MS, CLAIM_SHARE_OF_WINDOW } from './deduplicate.js';
import { createMemoryStore } from './stores/memory.js';
import { webHmac, type Hmac, type OAuthCredentials } from './oauth.js';
import { webSha256, type Sha256 } from './sha256.js';
import { fetchTransport, type Transport } from './transport.js';
import { ConfigProblems, SignerConfigError } from './config-error.js';
import { NO_ORIGINS, parseAllowedOrigins, type AllowedOrigins } from './allowed-origins.js';
import { completeObserver, type Observer, type SignerObserver } from './observer.js';

export type RateLimitOptions = {
	/** Requests a client may make at once. Default 30. */
	burst: number;
	/** Requests a client regains per minute. Default 120. */
	perMinute: number;
};

export type LogEntry = {
	status: number;
	code?: string;
	ms: number;
	account?: string;
	/** A short SHA-256 of the visitor id: enough to follow one visitor, not to reveal the id. */
	visitor?: string;
	/** A refused Origin, made printable: what to add to the allowed origins if it is the brand's own. */
	origin?: string;
	/** Something the operator should fix, such as a proxy whose headers are not trusted. */
	warning?: string;
	/** The path of a request the Node adapter answered itself (404, health check). */
	path?: string;
};

/**
 * What the handler takes from its platform, each with a Web-standard default so that it runs
 * as is on Workers, Deno, Bun and Node; an adapter injects what is faster where it runs (the
 * Node adapters inject undici and node:crypto). Not settings: they have no names.
 */
export type SignerPlatform = {
	/** How LivePerson is reached (the forward and the domain lookup). Default: `fetch` (the `fetch` option, or the global one). */
	transport?: Transport;
	/** HMAC-SHA1 for the OAuth signature. Default: Web Crypto. */
	hmac?: Hmac;
	/** SHA-256 as hex, for the log's visitor hash. Default: Web Crypto. */
	sha256?: Sha256;
};

export type SignerOptions = SignerPlatform & {
	/** The account id(s) this endpoint serves; any other is refused with 403. */
	accounts: string | readonly string[];
	consumerKey: string;
	consumerSecret: string;
	accessToken: string;
	accessTokenSecret: string;
	/** LivePerson host (`lo.v.liveperson.net`) or origin. Unset: looked up per account (service `smt`). */
	domain?: string;
	/** The `v` query parameter. Default `1`. */
	apiVersion?: string;
	/**
	 * Origins allowed to call cross-origin, normalised (`HTTPS://Shop.Example.com:443` is
	 * `https://shop.example.com`); `https://*.example.com` admits every subdomain of
	 * example.com, at any depth, on that scheme and port, but not example.com itself.
	 * Same-host calls are always allowed.
	 */
	allowedOrigins?: string | readonly string[];
	/** Milliseconds to wait for LivePerson, and for the domain lookup as a whole. Default 10,000. */
	timeout?: number;
	/** Milliseconds a client may take to send its body. Default 10,000 (then 408). */
	bodyTimeout?: number;
	/** Requests handled at once, counted once their bodies have arrived; beyond it 503 with Retry-After. Default 512. */
	maxInFlight?: number;
	/** Requests of one client address whose bodies may be arriving at once; beyond it 429 with Retry-After. Default 16. */
	maxBodiesPerClient?: number;
	/** Largest request body accepted, in bytes. Default 65,536. */
	maxBodyBytes?: number;
	/** Per-client token bucket, or false to turn it off. */
	rateLimit?: Partial<RateLimitOptions> | false;
	/** Take the client address from the last `X-Forwarded-For` entry (set this only behind your own proxy). */
	trustProxy?: boolean;
	/** Where the domain API is. Default `https://api.liveperson.net`. */
	domainApi?: string;
	/** How long a looked-up domain is kept, in ms. Default one hour. */
	domainTtl?: number;
	/**
	 * Called once per request, after the answer, with an entry that carries no secret and no raw
	 * id but the account. `false`: nothing is logged. Unset: `createSigner` logs nothing, while
	 * `lazySigner`, the Node adapters and the Workers module write one JSON line on stdout.
	 */
	log?: ((entry: LogEntry) => void) | false;
	/** A fetch to use instead of the global one, by the default transport. */
	fetch?: typeof globalThis.fetch;
	/** How long a forwarded request id is remembered, in ms, so that its repeats are not forwarded. Default one hour. */
	dedupeWindow?: number;
	/** Where ids are remembered. Default: this process's memory (bounded). */
	dedupeStore?: DedupeStore;
	/** A Redis server shared by several instances; the Node adapters turn it into `dedupeStore`. */
	redisUrl?: string;
	/**
	 * Told what the signer does (answers, refusals, forwards, repeats, store errors, domain
	 * lookups), for metrics: `signerMetrics()` from `lp-ea/signer/node` for Prometheus, or
	 * callbacks of your own. Unset: nothing is counted.
	 */
	metrics?: SignerObserver;
};

export type Settings = {
	accounts: ReadonlySet<string>;
	credentials: OAuthCredentials;
	transport: Transport;
	hmac: Hmac;
	sha256: Sha256;
	domain?: string;
	apiVersion: string;
	allowedOrigins: AllowedOrigins;
	timeout: number;
	bodyTimeout: number;
	maxInFlight: number;
	maxBodiesPerClient: number;
	maxBodyBytes: number;
	rateLimit: RateLimitOptions | false;
	trustProxy: boolean;
	domainApi: string;
	domainTtl: number;
	log?: (entry: LogEntry) => void;
	fetch?: typeof globalThis.fetch;
	/** What the operator calls each setting, for messages that tell which one to change. */
	names: SettingNames;
	dedupeWindow: number;
	/** How long a claim holds while its forward is under way: the timeout and a margin, well inside the window. */
	claimTtl: number;
	dedupeStore: DedupeStore;
	/** `metrics` with a no-op for each callback it lacks. */
	observe: Observer;
};

export { ConfigProblems, SignerConfigError, type ConfigProblem } from './config-error.js';

/** The name each setting goes by: option names for `createSigner`, variable names for the CLI. */
export type SettingNames = Record<Exclude<keyof SignerOptions, keyof SignerPlatform>, string>;

export const OPTION_NAMES: SettingNames = {
	accounts: 'accounts',
	consumerKey: 'consumerKey',
	consumerSecret: 'consumerSecret',
	accessToken: 'accessToken',
	accessTokenSecret: 'accessTokenSecret',
	domain: 'domain',
	apiVersion: 'apiVersion',
	allowedOrigins: 'allowedOrigins',
	timeout: 'timeout',
	bodyTimeout: 'bodyTimeout',
	maxInFlight: 'maxInFlight',
	maxBodiesPerClient: 'maxBodiesPerClient',
	maxBodyBytes: 'maxBodyBytes',
	rateLimit: 'rateLimit',
	trustProxy: 'trustProxy',
	domainApi: 'domainApi',
	domainTtl: 'domainTtl',
	log: 'log',
	fetch: 'fetch',
	dedupeWindow: 'dedupeWindow',
	dedupeStore: 'dedupeStore',
	redisUrl: 'redisUrl',
	metrics: 'metrics',
};

const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/i;

/**
 * A LivePerson host or origin as an origin. Plain http is allowed only for loopback hosts
 * (a local stand-in): anywhere else it would send OAuth headers in the clear.
 */
export function parseLivePersonOrigin(value: string, setting: string): string {
	if (HOST.test(value)) return `https://${value.toLowerCase()}`;
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new SignerConfigError(setting, 'must be a host name such as lo.v.liveperson.net or an https origin');
	}
	if (url.origin === 'null' || url.username || url.password || url.search || url.hash || url.pathname !== '/') {
		throw new SignerConfigError(setting, 'must be a host name or an origin, with no path, query or credentials');
	}
	if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) return url.origin;
	throw new SignerConfigError(setting, 'must use https (plain http only for a loopback host)');
}

function list(value: string | readonly string[] | undefined): string[] {
	const items = typeof value === 'string' ? value.split(',') : (value ?? []);
	return items.map((item) => item.trim()).filter(Boolean);
}

function secret(value: unknown, setting: string): string {
	if (typeof value !== 'string' || value === '') throw new SignerConfigError(setting, 'is required');
	if (value.trim() !== value) throw new SignerConfigError(setting, 'must not start or end with white space');
	return value;
}

/** How long a client may take to send its body, unless `bodyTimeout` says otherwise. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/**
 * Bodies one client address may be sending at once: a page sends a few requests at a time
 * (two replays and a fresh call), a proxy that buffers bodies sends them whole.
 */
export const DEFAULT_BODIES_PER_CLIENT = 16;

/** The longest delay timers accept: beyond it Node and browsers fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** How long an accepted request id is remembered: the page drops what is older, never sends it. */
export const DEFAULT_DEDUPE_WINDOW_MS = 60 * 60 * 1000;

/**
 * A URL node-redis accepts: redis:// or rediss://, a host, and at most a database number as
 * its path. The message never holds the value: it may carry a password.
 */
export function checkRedisUrl(value: string, setting: string): string {
	let url: URL | undefined;
	try {
		url = new URL(value);
	} catch {
		// reported below
	}
	if (!url || !/^rediss?:$/.test(url.protocol) || !url.hostname || !/^\/?\d*$/.test(url.pathname)) {
		throw new SignerConfigError(setting, 'must be a URL such as redis://[user:password@]host[:port][/db] (or rediss://)');
	}
	return value;
}

/** A whole number within bounds, or the fallback when unset. NaN (unparsable text) is malformed too. */
export function wholeNumber(value: number | undefined, fallback: number, setting: string, max: number, min = 1): number {
	if (value === undefined) return fallback;
	if (!Number.isInteger(value) || value < min || value > max) {
		throw new SignerConfigError(setting, `must be a whole number from ${min} to ${max}`);
	}
	return value;
}

export function positive(value: number | undefined, fallback: number, setting: string): number {
	return wholeNumber(value, fallback, setting, Number.MAX_SAFE_INTEGER);
}

const accountId = visitSchema.entries.account;

function accountList(value: SignerOptions['accounts'], setting: string): string[] {
	const accounts = list(value);
	if (accounts.length === 0) throw new SignerConfigError(setting, 'is required: the account id(s) to serve');
	const bad = accounts.findIndex((account) => !v.is(accountId, account));
	if (bad >= 0) throw new SignerConfigError(setting, `entry ${bad + 1} is not an account id (digits, letters, '-', '_', '.')`);
	return accounts;
}

function logOption(value: unknown, setting: string): ((entry: LogEntry) => void) | undefined {
	if (value === undefined || value === false) return undefined;
	if (typeof value === 'function') return value as (entry: LogEntry) => void;
	throw new SignerConfigError(setting, 'must be a function that takes each log entry, or false to log nothing');
}

function rateLimitSettings(value: SignerOptions['rateLimit'], setting: string): RateLimitOptions | false {
	if (value === false) return false;
	return {
		burst: wholeNumber(value?.burst, 30, setting, 1_000_000),
		perMinute: wholeNumber(value?.perMinute, 120, setting, 1_000_000),
	};
}

/** Every option checked, every problem reported at once in one SignerConfigError. */
export function resolveSettings(options: SignerOptions, names: SettingNames = OPTION_NAMES): Settings {
	const problems = new ConfigProblems();
	const check = problems.check.bind(problems);
	const apiVersion = options.apiVersion ?? '1';
	const settings: Settings = {
		accounts: new Set(check(() => accountList(options.accounts, names.accounts), [])),
		credentials: {
			consumerKey: check(() => secret(options.consumerKey, names.consumerKey), ''),
			consumerSecret: check(() => secret(options.consumerSecret, names.consumerSecret), ''),
			token: check(() => secret(options.accessToken, names.accessToken), ''),
			tokenSecret: check(() => secret(options.accessTokenSecret, names.accessTokenSecret), ''),
		},
		transport: options.transport ?? fetchTransport(options.fetch),
		hmac: options.hmac ?? webHmac,
		sha256: options.sha256 ?? webSha256,
		domain: options.domain ? check(() => parseLivePersonOrigin(options.domain!, names.domain), undefined) : undefined,
		apiVersion: check(() => {
			if (!/^\d{1,4}(\.\d{1,4})?$/.test(apiVersion)) throw new SignerConfigError(names.apiVersion, 'must be a version number such as 1');
			return apiVersion;
		}, '1'),
		allowedOrigins: check(() => parseAllowedOrigins(list(options.allowedOrigins), names.allowedOrigins), NO_ORIGINS),
		timeout: check(() => wholeNumber(options.timeout, 10_000, names.timeout, MAX_TIMER_MS), 10_000),
		bodyTimeout: check(
			() => wholeNumber(options.bodyTimeout, DEFAULT_BODY_TIMEOUT_MS, names.bodyTimeout, MAX_TIMER_MS),
			DEFAULT_BODY_TIMEOUT_MS,
		),
		maxInFlight: check(() => wholeNumber(options.maxInFlight, 512, names.maxInFlight, 1_000_000), 512),
		maxBodiesPerClient: check(
			() => wholeNumber(options.maxBodiesPerClient, DEFAULT_BODIES_PER_CLIENT, names.maxBodiesPerClient, 1_000_000),
			DEFAULT_BODIES_PER_CLIENT,
		),
		maxBodyBytes: check(() => wholeNumber(options.maxBodyBytes, 64 * 1024, names.maxBodyBytes, 16 * 1024 * 1024), 0),
		rateLimit: check(() => rateLimitSettings(options.rateLimit, names.rateLimit), false),
		trustProxy: options.trustProxy ?? false,
		domainApi: check(
			() => parseLivePersonOrigin(options.domainApi ?? 'https://api.liveperson.net', names.domainApi),
			'https://api.liveperson.net',
		),
		domainTtl: check(() => wholeNumber(options.domainTtl, 60 * 60 * 1000, names.domainTtl, MAX_TIMER_MS), 0),
		log: check(() => logOption(options.log, names.log), undefined),
		fetch: options.fetch,
		names,
		dedupeWindow: check(
			() => wholeNumber(options.dedupeWindow, DEFAULT_DEDUPE_WINDOW_MS, names.dedupeWindow, MAX_TIMER_MS),
			DEFAULT_DEDUPE_WINDOW_MS,
		),
		claimTtl: 0,
		observe: completeObserver(options.metrics),
		// Never undefined once problems.throwIfAny() has passed.
		dedupeStore: check<DedupeStore | undefined>(
			() => options.dedupeStore ?? memoryStoreUnlessRedis(options.redisUrl, names.redisUrl),
			undefined,
		)!,
	};
	settings.claimTtl = settings.timeout + CLAIM_MARGIN_MS;
	// Only two settings that are each well-formed can be at odds; otherwise their own problem is enough.
	if (!problems.list.some((p) => p.setting === names.timeout || p.setting === names.dedupeWindow)) {
		check(() => claimFitsWindow(settings.timeout, settings.dedupeWindow, names), undefined);
	}
	problems.throwIfAny();
	return settings;
}

/**
 * A claim holds an id for the timeout and a margin; one left behind (an instance that died
 * mid-forward, a store that did a SET after the signer stopped waiting) holds the id's retries
 * off until it runs out. It must run out well within the window, or a page could drop a
 * request before its retries get through.
 */
function claimFitsWindow(timeout: number, dedupeWindow: number, names: SettingNames): void {
	if (timeout + CLAIM_MARGIN_MS <= dedupeWindow * CLAIM_SHARE_OF_WINDOW) return;
	throw new SignerConfigError(
		names.timeout,
		`is too long for ${names.dedupeWindow}: with 5 s more, it must fit in a quarter of the window, so that a request whose forward never finished can still be retried within it; lower ${names.timeout} or raise ${names.dedupeWindow}`,
	);
}

/** A Redis URL needs a Node adapter to turn it into a store; anywhere else it is refused, never ignored. */
function memoryStoreUnlessRedis(redisUrl: string | undefined, setting: string): DedupeStore {
	if (redisUrl) {
		throw new SignerConfigError(setting, 'needs the Node server or middleware (lp-ea/signer/node); elsewhere pass a dedupeStore');
	}
	return createMemoryStore();
}
