/// <reference types="node" />
import { parseArgs } from 'node:util';
import { decimal } from '../signer/env.js';
import { ConfigProblems, OPTION_NAMES, parseLivePersonOrigin, resolveSettings, SignerConfigError, wholeNumber } from '../signer/settings.js';
import type { Credentials } from './oauth-check.js';

/** A command line `lp-ea-stand-in` cannot parse; the message says which argument. */
export class CliUsageError extends Error {
	override name = 'CliUsageError';
}

/**
 * Each setting: its flag, and its variable. The variables are not the signer's `LP_*` names on
 * purpose: a shell that holds the real API key for lp-ea-signer must not have it picked up by
 * the stand-in and printed.
 */
export const SETTINGS = {
	account: { flag: '--account', env: 'LP_STAND_IN_ACCOUNT', fallback: '12345678' },
	consumerKey: { flag: '--consumer-key', env: 'LP_STAND_IN_CONSUMER_KEY', fallback: 'test-key' },
	consumerSecret: { flag: '--consumer-secret', env: 'LP_STAND_IN_CONSUMER_SECRET', fallback: 'test-secret' },
	accessToken: { flag: '--access-token', env: 'LP_STAND_IN_ACCESS_TOKEN', fallback: 'test-token' },
	accessTokenSecret: { flag: '--access-token-secret', env: 'LP_STAND_IN_ACCESS_TOKEN_SECRET', fallback: 'test-token-secret' },
	port: { flag: '--port', env: 'LP_STAND_IN_PORT', fallback: '8788' },
	host: { flag: '--host', env: 'LP_STAND_IN_HOST', fallback: '127.0.0.1' },
} as const;
type Name = keyof typeof SETTINGS;

export type StandInCliSettings = { accounts: string[]; credentials: Credentials; port: number; host: string };

/** The flags as given: their values by name without the dashes, `help` and `version` true when present. */
export type CommandLine = Record<string, string | boolean | undefined>;

const OPTIONS = {
	...Object.fromEntries(Object.values(SETTINGS).map(({ flag }) => [flag.slice(2), { type: 'string' as const }])),
	help: { type: 'boolean', short: 'h' },
	version: { type: 'boolean', short: 'v' },
} as const;

/** The arguments as flags; a `CliUsageError` in one short line for what parseArgs refuses. */
export function commandLine(args: string[]): CommandLine {
	try {
		return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
	} catch (error) {
		const { code, message } = error as NodeJS.ErrnoException;
		const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
		if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new CliUsageError(`unknown option ${quoted}`);
		if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new CliUsageError(`unexpected argument ${JSON.stringify(quoted)}`);
		if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new CliUsageError(`${quoted.split(' ')[0]} needs a value`);
		throw error;
	}
}

/**
 * The command line and the environment as the stand-in's settings: a flag wins over its
 * variable, which wins over the default. Accounts and credentials are checked by the signer's
 * own rules, so that the block printed for lp-ea-signer is one it accepts; every problem is
 * reported at once (a `SignerConfigError` naming the flag or variable), never with its value.
 */
export function standInSettings(flags: CommandLine, env: NodeJS.ProcessEnv): StandInCliSettings {
	const given = (name: Name) => flags[SETTINGS[name].flag.slice(2)] as string | undefined;
	const value = (name: Name) => given(name) ?? env[SETTINGS[name].env] ?? SETTINGS[name].fallback;
	const named = (name: Name) => (given(name) !== undefined ? SETTINGS[name].flag : SETTINGS[name].env);
	const problems = new ConfigProblems();
	const signer = problems.check(
		() =>
			resolveSettings(
				{
					accounts: value('account'),
					consumerKey: value('consumerKey'),
					consumerSecret: value('consumerSecret'),
					accessToken: value('accessToken'),
					accessTokenSecret: value('accessTokenSecret'),
				},
				{
					...OPTION_NAMES,
					accounts: named('account'),
					consumerKey: named('consumerKey'),
					consumerSecret: named('consumerSecret'),
					accessToken: named('accessToken'),
					accessTokenSecret: named('accessTokenSecret'),
				},
			),
		undefined,
	);
	const port = problems.check(() => wholeNumber(decimal({ [named('port')]: value('port') }, named('port')), 8788, named('port'), 65_535, 0), 0);
	const host = value('host');
	problems.check(() => {
		try {
			parseLivePersonOrigin(`http://${host.includes(':') ? `[${host}]` : host}:1`, named('host'));
		} catch {
			throw new SignerConfigError(named('host'), 'must be a loopback address (127.0.0.1, ::1 or localhost): lp-ea-signer accepts a plain-http LP_DOMAIN only there');
		}
	}, undefined);
	problems.throwIfAny();
	return {
		accounts: [...signer!.accounts],
		credentials: signer!.credentials,
		port,
		host,
	};
}
