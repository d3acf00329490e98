import { describe, expect, test } from 'vitest';
import { createSigner, ENV_NAMES, optionsFromEnv, SignerConfigError } from '../../src/signer/index.js';
import { CREDENTIALS, signerOptions } from '../helpers/signer.js';

const valid = signerOptions('lo.v.liveperson.net');

function configError(run: () => unknown): SignerConfigError {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(SignerConfigError);
		return error as SignerConfigError;
	}
	throw new Error('expected a SignerConfigError');
}

test('valid options make a handler', () => {
	expect(typeof createSigner(valid)).toBe('function');
});

test.each(['accounts', 'consumerKey', 'consumerSecret', 'accessToken', 'accessTokenSecret'] as const)(
	'a missing %s is refused, by name',
	(name) => {
		const error = configError(() => createSigner({ ...valid, [name]: '' }));
		expect(error.setting).toBe(name);
		expect(error.message).toMatch(new RegExp(`^${name} `));
	},
);

test.each([
	['accounts', { accounts: '12/34' }],
	['accounts', { accounts: ' , ' }],
	['consumerSecret', { consumerSecret: ` ${CREDENTIALS.consumerSecret}` }],
	['domain', { domain: 'http://lo.v.liveperson.net' }],
	['domain', { domain: 'http://10.0.0.5:8080' }],
	['domain', { domain: 'https://lo.v.liveperson.net/api' }],
	['domain', { domain: 'https://u:p@lo.v.liveperson.net' }],
	['domain', { domain: 'lo.v.liveperson.net/x' }],
	['apiVersion', { apiVersion: '1&x=2' }],
	['allowedOrigins', { allowedOrigins: '*' }],
	['allowedOrigins', { allowedOrigins: 'https://shop.example/path' }],
	['allowedOrigins', { allowedOrigins: 'shop.example' }],
	['timeout', { timeout: -1 }],
	['rateLimit', { rateLimit: { burst: 0 } }],
])('a malformed %s is refused by name: %j', (setting, bad) => {
	const error = configError(() => createSigner({ ...valid, ...bad }));
	expect(error.setting).toBe(setting);
	expect(error.message).not.toContain(CREDENTIALS.consumerSecret);
});

test('LP_DOMAIN accepts a host, an https origin, and plain http only on loopback', () => {
	for (const domain of ['lo.v.liveperson.net', 'https://lo.v.liveperson.net', 'http://127.0.0.1:8080', 'http://localhost:9', 'http://[::1]:9']) {
		expect(() => createSigner({ ...valid, domain }), domain).not.toThrow();
	}
});

test('from the environment, errors name the variable and never print its value', () => {
	const env = {
		LP_ACCOUNT: '1234',
		LP_CONSUMER_KEY: 'k',
		LP_CONSUMER_SECRET: 'shh-secret ',
		LP_ACCESS_TOKEN: 't',
		LP_ACCESS_TOKEN_SECRET: 'shh-token-secret',
	};
	const error = configError(() => optionsFromEnv(env));
	expect(error.setting).toBe('LP_CONSUMER_SECRET');
	expect(configError(() => createSigner({ ...optionsFromEnv({ ...env, LP_CONSUMER_SECRET: 'ok' }), consumerSecret: ' x' }, ENV_NAMES)).setting).toBe('LP_CONSUMER_SECRET');
	expect(error.message).not.toContain('shh');
	const fine = { ...env, LP_CONSUMER_SECRET: 'shh-secret' };
	expect(configError(() => optionsFromEnv({ ...fine, LP_TIMEOUT_MS: 'soon' })).setting).toBe('LP_TIMEOUT_MS');
	expect(configError(() => optionsFromEnv({ ...fine, LP_RATE_LIMIT: 'lots' })).setting).toBe('LP_RATE_LIMIT');
	expect(optionsFromEnv({ ...fine, LP_RATE_LIMIT: 'off' }).rateLimit).toBe(false);
	expect(optionsFromEnv({ ...fine, LP_RATE_LIMIT: '5/60' }).rateLimit).toEqual({ burst: 5, perMinute: 60 });
});

test('a Workers env may hold numbers (TOML [vars]) where the Node environment holds text', () => {
	const env = { LP_ACCOUNT: 1234, LP_CONSUMER_KEY: 'k', LP_CONSUMER_SECRET: 's', LP_ACCESS_TOKEN: 't', LP_ACCESS_TOKEN_SECRET: 'ts', LP_TIMEOUT_MS: 5000 };
	const options = optionsFromEnv(env as unknown as Record<string, string>);
	expect(options.accounts).toBe('1234');
	expect(options.timeout).toBe(5000);
	// LP_TRUST_PROXY = 1 and = true in wrangler.toml arrive as a number and a boolean.
	expect(optionsFromEnv({ ...env, LP_TRUST_PROXY: 1 } as unknown as Record<string, string>).trustProxy).toBe(true);
	expect(optionsFromEnv({ ...env, LP_TRUST_PROXY: true } as unknown as Record<string, string>).trustProxy).toBe(true);
	expect(optionsFromEnv({ ...env, LP_TRUST_PROXY: 0 } as unknown as Record<string, string>).trustProxy).toBe(false);
});

describe('a timeout the de-duplication window cannot hold', () => {
	test.each([
		['a timeout of 15 minutes with the default window (an hour)', { timeout: 15 * 60_000 }],
		['a window of 30 s with the default timeout (10 s)', { dedupeWindow: 30_000 }],
	])('%s is refused at start, naming both settings', (_, bad) => {
		const error = configError(() => createSigner({ ...valid, ...bad }));
		expect(error.setting).toBe('timeout');
		expect(error.message).toMatch(/^timeout .*dedupeWindow/);
	});

	test('from the environment: the message names LP_TIMEOUT_MS and LP_DEDUPE_WINDOW_MS, and neither value', () => {
		const env = { LP_ACCOUNT: '1234', LP_CONSUMER_KEY: 'k', LP_CONSUMER_SECRET: 's', LP_ACCESS_TOKEN: 't', LP_ACCESS_TOKEN_SECRET: 'ts' };
		const error = configError(() => optionsFromEnv({ ...env, LP_TIMEOUT_MS: '900000', LP_DEDUPE_WINDOW_MS: '1800000' }));
		expect(error.problems).toHaveLength(1);
		expect(error.message).toContain('LP_TIMEOUT_MS');
		expect(error.message).toContain('LP_DEDUPE_WINDOW_MS');
		expect(error.message).not.toMatch(/900000|1800000/);
	});

	test('settings that work together are accepted; a malformed one is reported alone', () => {
		expect(() => createSigner({ ...valid, timeout: 60_000, dedupeWindow: 5 * 60_000 })).not.toThrow();
		expect(() => createSigner({ ...valid, timeout: 10_000, dedupeWindow: 60_000 })).not.toThrow();
		expect(configError(() => createSigner({ ...valid, timeout: -1, dedupeWindow: 20_000 })).problems).toEqual([
			{ setting: 'timeout', problem: expect.stringMatching(/^must be a whole number/) },
		]);
	});
});
