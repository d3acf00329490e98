import { checkRedisUrl, ConfigProblems, resolveSettings, SignerConfigError, type SettingNames, type SignerOptions } from './settings.js';

/** Settings of the Node server alone (`lp-ea-signer`), not of the handler. */
export type ServerSettingNames = {
	/** Where Prometheus metrics are served, on a port of their own. */
	metricsPort: string;
	metricsHost: string;
};

/** The environment variable behind each setting, so that errors name what the operator sets. */
export const ENV_NAMES: SettingNames & ServerSettingNames = {
	accounts: 'LP_ACCOUNT',
	consumerKey: 'LP_CONSUMER_KEY',
	consumerSecret: 'LP_CONSUMER_SECRET',
	accessToken: 'LP_ACCESS_TOKEN',
	accessTokenSecret: 'LP_ACCESS_TOKEN_SECRET',
	domain: 'LP_DOMAIN',
	apiVersion: 'LP_API_VERSION',
	allowedOrigins: 'LP_ALLOWED_ORIGINS',
	timeout: 'LP_TIMEOUT_MS',
	bodyTimeout: 'LP_BODY_TIMEOUT_MS',
	maxInFlight: 'LP_MAX_IN_FLIGHT',
	maxBodiesPerClient: 'LP_MAX_BODIES_PER_CLIENT',
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
	metrics: 'metrics',
	metricsPort: 'LP_METRICS_PORT',
	metricsHost: 'LP_METRICS_HOST',
};

export type Env = Record<string, string | undefined>;

/**
 * What a value that is neither text nor a number is, for the message: a Workers `env` holds
 * [vars] as wrangler wrote them, and a JSON array or object there is no setting at all.
 */
function kindOf(value: unknown): string {
	if (Array.isArray(value)) return 'an array (list several values comma-separated in one string)';
	return value === null ? 'null' : `${typeof value === 'object' ? 'an' : 'a'} ${typeof value}`;
}

/** The environment without null entries, which stand for variables that are not set. */
function unsetNulls(env: Env): Env {
	return Object.values(env).includes(null as never) ? Object.fromEntries(Object.entries(env).filter(([, value]) => value !== null)) : env;
}

/** Decimal digits only: `0x10`, `1e3` or ` 80` are typos, not numbers. */
export function decimal(env: Env, name: string): number | undefined {
	const value: unknown = env[name];
	if (value === undefined || value === '') return undefined;
	if (typeof value !== 'string' && typeof value !== 'number') throw new SignerConfigError(name, `must be a whole number, not ${kindOf(value)}`);
	if (!/^\d{1,16}$/.test(String(value))) throw new SignerConfigError(name, 'must be a whole number written in decimal digits');
	return Number(value);
}

/** `off`, or `BURST/PER_MINUTE` such as `30/120`. */
function rateLimit(value: string | undefined): SignerOptions['rateLimit'] {
	if (value === undefined || value === '') return undefined;
	if (value === 'off') return false;
	const match = /^(\d{1,7})\/(\d{1,7})$/.exec(value);
	if (!match) throw new SignerConfigError(ENV_NAMES.rateLimit, 'must be "off" or BURST/PER_MINUTE such as 30/120');
	return { burst: Number(match[1]), perMinute: Number(match[2]) };
}

/** `1`/`true` or `0`/`false`; unset is false. A Workers [vars] entry may be a TOML number or boolean. */
export function flag(env: Env, name: string): boolean {
	const raw: unknown = env[name];
	if (raw !== undefined && typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
		throw new SignerConfigError(name, `must be 1 (or true) or 0 (or false), not ${kindOf(raw)}`);
	}
	const value = raw === undefined ? '' : String(raw);
	if (value === '' || value === '0' || value === 'false') return false;
	if (value === '1' || value === 'true') return true;
	throw new SignerConfigError(name, 'must be 1 (or true) or 0 (or false)');
}

/**
 * Signer options from environment variables: the Node server's settings, and a Workers
 * script's `env` just as well. Every variable is checked here, and every problem is reported
 * at once in one SignerConfigError that names the variables and holds none of their values.
 */
export function optionsFromEnv(given: Env): SignerOptions {
	// workerd binds a `fromEnvironment` variable that is not set as null: unset, as in Node.
	const env = unsetNulls(given);
	const problems = new ConfigProblems();
	const mistyped = new Set<string>();
	// A Workers [vars] entry may be a TOML number (LP_ACCOUNT = 12345678). Anything else is
	// refused by name: ignored, an array of origins would refuse every page, an array of
	// accounts would read as none.
	const text = (name: string) => {
		const value: unknown = env[name];
		if (value === undefined || typeof value === 'string' || typeof value === 'number') return value === undefined ? undefined : String(value);
		mistyped.add(name);
		problems.list.push({ setting: name, problem: `must be a string, not ${kindOf(value)}` });
		return undefined;
	};
	const options: SignerOptions = {
		accounts: text('LP_ACCOUNT') ?? '',
		consumerKey: text('LP_CONSUMER_KEY') ?? '',
		consumerSecret: text('LP_CONSUMER_SECRET') ?? '',
		accessToken: text('LP_ACCESS_TOKEN') ?? '',
		accessTokenSecret: text('LP_ACCESS_TOKEN_SECRET') ?? '',
		domain: text('LP_DOMAIN') || undefined,
		apiVersion: text('LP_API_VERSION') || undefined,
		allowedOrigins: text('LP_ALLOWED_ORIGINS'),
		timeout: problems.check(() => decimal(env, ENV_NAMES.timeout), undefined),
		bodyTimeout: problems.check(() => decimal(env, ENV_NAMES.bodyTimeout), undefined),
		maxInFlight: problems.check(() => decimal(env, ENV_NAMES.maxInFlight), undefined),
		maxBodiesPerClient: problems.check(() => decimal(env, ENV_NAMES.maxBodiesPerClient), undefined),
		maxBodyBytes: problems.check(() => decimal(env, ENV_NAMES.maxBodyBytes), undefined),
		rateLimit: problems.check(() => rateLimit(text('LP_RATE_LIMIT')), undefined),
		trustProxy: problems.check(() => flag(env, ENV_NAMES.trustProxy), false),
		domainApi: text('LP_DOMAIN_API') || undefined,
		domainTtl: problems.check(() => decimal(env, ENV_NAMES.domainTtl), undefined),
		dedupeWindow: problems.check(() => decimal(env, ENV_NAMES.dedupeWindow), undefined),
		redisUrl: text('LP_REDIS_URL') || undefined,
	};
	// A Redis URL is the Node adapters' to turn into a store: here only its form is checked.
	// A setting of the wrong type is said once, not again as missing.
	const rest = new ConfigProblems();
	rest.check(() => resolveSettings({ ...options, redisUrl: undefined }, ENV_NAMES), undefined);
	problems.list.push(...rest.list.filter((p) => !mistyped.has(p.setting)));
	if (options.redisUrl) problems.check(() => checkRedisUrl(options.redisUrl!, ENV_NAMES.redisUrl), undefined);
	problems.throwIfAny();
	return options;
}
