import * as v from 'valibot';
import { visitSchema } from '../attributes/index.js';
import type { DedupeStore } from './dedupe-store.js';
import { createMemoryStore } from './memory-store.js';
import type { OAuthCredentials } from './oauth.js';

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
};

export type SignerOptions = {
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
	/** Origins allowed to call cross-origin. Same-host calls are always allowed. */
	allowedOrigins?: string | readonly string[];
	/** Milliseconds to wait for LivePerson (and the domain lookup). Default 10,000. */
	timeout?: number;
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
	/** Called once per request, after the answer. Carries no secret and no raw ids but the account. */
	log?: (entry: LogEntry) => void;
	/** A fetch to use instead of the global one. */
	fetch?: typeof globalThis.fetch;
	/** How long a forwarded request id is remembered, in ms, so that its repeats are not forwarded. Default one hour. */
	dedupeWindow?: number;
	/** Where ids are remembered. Default: this process's memory (bounded). */
	dedupeStore?: DedupeStore;
	/** A Redis server shared by several instances; the Node adapters turn it into `dedupeStore`. */
	redisUrl?: string;
};

export type Settings = {
	accounts: ReadonlySet<string>;
	credentials: OAuthCredentials;
	domain?: string;
	apiVersion: string;
	allowedOrigins: ReadonlySet<string>;
	timeout: number;
	maxBodyBytes: number;
	rateLimit: RateLimitOptions | false;
	trustProxy: boolean;
	domainApi: string;
	domainTtl: number;
	log?: (entry: LogEntry) => void;
	fetch?: typeof globalThis.fetch;
	dedupeWindow: number;
	dedupeStore: DedupeStore;
};

/** A setting that is missing or malformed. The message names the setting and never holds its value. */
export class SignerConfigError extends Error {
	override readonly name = 'SignerConfigError';
	readonly setting: string;

	constructor(setting: string, problem: string) {
		super(`${setting} ${problem}`);
		this.setting = setting;
	}
}

/** The name each setting goes by: option names for `createSigner`, variable names for the CLI. */
export type SettingNames = Record<keyof SignerOptions, string>;

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
};

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
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
	if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname))) return url.origin;
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

function positive(value: number | undefined, fallback: number, setting: string): number {
	if (value === undefined) return fallback;
	if (!Number.isInteger(value) || value <= 0) throw new SignerConfigError(setting, 'must be a positive whole number');
	return value;
}

function origin(value: string, setting: string): string {
	let parsed: URL | undefined;
	try {
		parsed = new URL(value);
	} catch {
		// reported below
	}
	if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== value.replace(/\/$/, '')) {
		throw new SignerConfigError(setting, `must list origins such as https://www.example.com (got "${value}")`);
	}
	return parsed.origin;
}

const accountId = visitSchema.entries.account;

export function resolveSettings(options: SignerOptions, names: SettingNames = OPTION_NAMES): Settings {
	const accounts = list(options.accounts);
	if (accounts.length === 0) throw new SignerConfigError(names.accounts, 'is required: the account id(s) to serve');
	for (const account of accounts) {
		if (!v.is(accountId, account)) throw new SignerConfigError(names.accounts, `holds an invalid account id "${account}"`);
	}
	const apiVersion = options.apiVersion ?? '1';
	if (!/^\d+(\.\d+)?$/.test(apiVersion)) throw new SignerConfigError(names.apiVersion, 'must be a version number such as 1');
	const rateLimit =
		options.rateLimit === false
			? false
			: {
					burst: positive(options.rateLimit?.burst, 30, names.rateLimit),
					perMinute: positive(options.rateLimit?.perMinute, 120, names.rateLimit),
				};
	return {
		accounts: new Set(accounts),
		credentials: {
			consumerKey: secret(options.consumerKey, names.consumerKey),
			consumerSecret: secret(options.consumerSecret, names.consumerSecret),
			token: secret(options.accessToken, names.accessToken),
			tokenSecret: secret(options.accessTokenSecret, names.accessTokenSecret),
		},
		domain: options.domain ? parseLivePersonOrigin(options.domain, names.domain) : undefined,
		apiVersion,
		allowedOrigins: new Set(list(options.allowedOrigins).map((o) => origin(o, names.allowedOrigins))),
		timeout: positive(options.timeout, 10_000, names.timeout),
		maxBodyBytes: positive(options.maxBodyBytes, 64 * 1024, names.maxBodyBytes),
		rateLimit,
		trustProxy: options.trustProxy ?? false,
		domainApi: parseLivePersonOrigin(options.domainApi ?? 'https://api.liveperson.net', names.domainApi),
		domainTtl: positive(options.domainTtl, 60 * 60 * 1000, names.domainTtl),
		log: options.log,
		fetch: options.fetch,
		dedupeWindow: positive(options.dedupeWindow, 60 * 60 * 1000, names.dedupeWindow),
		dedupeStore: options.dedupeStore ?? memoryStoreUnlessRedis(options.redisUrl, names.redisUrl),
	};
}

/** A Redis URL needs a Node adapter to turn it into a store; anywhere else it is refused, never ignored. */
function memoryStoreUnlessRedis(redisUrl: string | undefined, setting: string): DedupeStore {
	if (redisUrl) {
		throw new SignerConfigError(setting, 'needs the Node server or middleware (lp-ea/signer/node); elsewhere pass a dedupeStore');
	}
	return createMemoryStore();
}
