/**
 * optionsFromEnv with what a Workers `env` can hold besides text: wrangler passes a [vars]
 * entry as a TOML string, number or boolean, or as JSON (an array, an object). A value of a
 * type no setting takes is refused by name, never ignored.
 */
import { expect, test } from 'vitest';
import { optionsFromEnv, SignerConfigError } from '../../src/signer/index.js';
import { CREDENTIALS } from '../helpers/signer.js';

const env = {
	LP_ACCOUNT: '1234',
	LP_CONSUMER_KEY: CREDENTIALS.consumerKey,
	LP_CONSUMER_SECRET: CREDENTIALS.consumerSecret,
	LP_ACCESS_TOKEN: CREDENTIALS.token,
	LP_ACCESS_TOKEN_SECRET: CREDENTIALS.tokenSecret,
};

function problems(extra: Record<string, unknown>): string[] {
	try {
		optionsFromEnv({ ...env, ...extra } as Record<string, string>);
	} catch (error) {
		expect(error).toBeInstanceOf(SignerConfigError);
		return (error as SignerConfigError).problems.map((p) => `${p.setting} ${p.problem}`);
	}
	return [];
}

test.each([
	['LP_ALLOWED_ORIGINS', ['https://shop.example'], 'must be a string, not an array (list several values comma-separated in one string)'],
	['LP_ACCOUNT', ['1234', '5678'], 'must be a string, not an array (list several values comma-separated in one string)'],
	['LP_DOMAIN', { host: 'lo.v.liveperson.net' }, 'must be a string, not an object'],
	['LP_CONSUMER_SECRET', null, 'is required'],
	['LP_DOMAIN', true, 'must be a string, not a boolean'],
	['LP_MAX_IN_FLIGHT', [8], 'must be a whole number, not an array (list several values comma-separated in one string)'],
	['LP_TIMEOUT_MS', { ms: 1000 }, 'must be a whole number, not an object'],
	['LP_TRUST_PROXY', [1], 'must be 1 (or true) or 0 (or false), not an array (list several values comma-separated in one string)'],
	['LP_RATE_LIMIT', ['30/120'], 'must be a string, not an array (list several values comma-separated in one string)'],
])('%s as %j is refused by name, once', (name, value, problem) => {
	expect(problems({ [name]: value })).toEqual([`${name} ${problem}`]);
});

test('null stands for a variable that is not set (workerd binds an unset fromEnvironment so): a required one is required, an optional one takes its default', () => {
	expect(problems({ LP_ACCESS_TOKEN: null, LP_ACCESS_TOKEN_SECRET: null }).sort()).toEqual(['LP_ACCESS_TOKEN is required', 'LP_ACCESS_TOKEN_SECRET is required']);
	const options = optionsFromEnv({ ...env, LP_DOMAIN: null, LP_TIMEOUT_MS: null, LP_TRUST_PROXY: null } as unknown as Record<string, string>);
	expect(options.domain).toBeUndefined();
	expect(options.timeout).toBeUndefined();
	expect(options.trustProxy).toBe(false);
});

test('every mistyped setting is reported at once, with the other problems', () => {
	expect(problems({ LP_ACCOUNT: ['1234'], LP_DOMAIN: {}, LP_TIMEOUT_MS: 'soon' }).sort()).toEqual([
		'LP_ACCOUNT must be a string, not an array (list several values comma-separated in one string)',
		'LP_DOMAIN must be a string, not an object',
		'LP_TIMEOUT_MS must be a whole number written in decimal digits',
	]);
});

test('what wrangler may rightly pass is read as before: TOML numbers and booleans', () => {
	const options = optionsFromEnv({ ...env, LP_ACCOUNT: 12345678, LP_MAX_IN_FLIGHT: 64, LP_TRUST_PROXY: true } as unknown as Record<string, string>);
	expect(options).toMatchObject({ accounts: '12345678', maxInFlight: 64, trustProxy: true });
	expect(optionsFromEnv({ ...env, LP_MAX_BODIES_PER_CLIENT: '4' }).maxBodiesPerClient).toBe(4);
});
