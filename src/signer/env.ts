import { SignerConfigError, type SettingNames, type SignerOptions } from './settings.js';

/** The environment variable behind each setting, so that errors name what the operator sets. */
export const ENV_NAMES: SettingNames = {
	accounts: 'LP_ACCOUNT',
	consumerKey: 'LP_CONSUMER_KEY',
	consumerSecret: 'LP_CONSUMER_SECRET',
	accessToken: 'LP_ACCESS_TOKEN',
	accessTokenSecret: 'LP_ACCESS_TOKEN_SECRET',
	domain: 'LP_DOMAIN',
	apiVersion: 'LP_API_VERSION',
	allowedOrigins: 'LP_ALLOWED_ORIGINS',
	timeout: 'LP_TIMEOUT_MS',
	maxBodyBytes: 'LP_MAX_BODY_BYTES',
	rateLimit: 'LP_RATE_LIMIT',
	trustProxy: 'LP_TRUST_PROXY',
	domainApi: 'LP_DOMAIN_API',
	domainTtl: 'LP_DOMAIN_TTL_MS',
	log: 'log',
	fetch: 'fetch',
	dedupeWindow: 'LP_DEDUPE_WINDOW_MS',
	dedupeStore: 'dedupeStore',
	redisUrl: 'LP_REDIS_URL',
};

export type Env = Record<string, string | undefined>;

function number(env: Env, name: string): number | undefined {
	const value = env[name];
	if (value === undefined || value === '') return undefined;
	if (!/^\d+$/.test(value)) throw new SignerConfigError(name, 'must be a positive whole number');
	return Number(value);
}

/** `off`, or `BURST/PER_MINUTE` such as `30/120`. */
function rateLimit(value: string | undefined): SignerOptions['rateLimit'] {
	if (value === undefined || value === '') return undefined;
	if (value === 'off') return false;
	const match = /^(\d+)\/(\d+)$/.exec(value);
	if (!match) throw new SignerConfigError(ENV_NAMES.rateLimit, 'must be "off" or BURST/PER_MINUTE such as 30/120');
	return { burst: Number(match[1]), perMinute: Number(match[2]) };
}

/**
 * Signer options from environment variables: the Node server's settings, and a Workers
 * script's `env` just as well. Pass the result to `createSigner`, with `ENV_NAMES` when
 * errors should name the variables.
 */
export function optionsFromEnv(env: Env): SignerOptions {
	return {
		accounts: env.LP_ACCOUNT ?? '',
		consumerKey: env.LP_CONSUMER_KEY ?? '',
		consumerSecret: env.LP_CONSUMER_SECRET ?? '',
		accessToken: env.LP_ACCESS_TOKEN ?? '',
		accessTokenSecret: env.LP_ACCESS_TOKEN_SECRET ?? '',
		domain: env.LP_DOMAIN || undefined,
		apiVersion: env.LP_API_VERSION || undefined,
		allowedOrigins: env.LP_ALLOWED_ORIGINS,
		timeout: number(env, ENV_NAMES.timeout),
		maxBodyBytes: number(env, ENV_NAMES.maxBodyBytes),
		rateLimit: rateLimit(env.LP_RATE_LIMIT),
		trustProxy: env.LP_TRUST_PROXY === '1' || env.LP_TRUST_PROXY === 'true',
		domainApi: env.LP_DOMAIN_API || undefined,
		domainTtl: number(env, ENV_NAMES.domainTtl),
		dedupeWindow: number(env, ENV_NAMES.dedupeWindow),
		redisUrl: env.LP_REDIS_URL || undefined,
	};
}
