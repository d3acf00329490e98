/// <reference types="node" />
import type { Agent } from 'undici';
import { checkRedisUrl, ConfigProblems, MAX_TIMER_MS, OPTION_NAMES, resolveSettings, SignerConfigError, wholeNumber, type Settings, type SignerOptions } from '../signer/settings.js';
import type { DedupeStore } from '../signer/dedupe-store.js';
import { nodeHmac, nodeSha256, undiciTransport, upstreamAgent } from '../signer/node/platform.js';

/**
 * What `createReporter` takes: the signing endpoint's settings that make sense where there is
 * no page (no origins, rate limit or body limits), with the same names and meanings, and
 * `timeout` for the whole call, retries included.
 */
export type ReporterOptions = Pick<
	SignerOptions,
	'consumerKey' | 'consumerSecret' | 'accessToken' | 'accessTokenSecret' | 'domain' | 'apiVersion' | 'domainApi'
> & {
	/**
	 * The account id(s) this reporter may report to, comma-separated or a list; a call for any
	 * other is refused `forbidden` before anything is sent. Unset: any account the API key serves.
	 */
	accounts?: string | readonly string[];
	/** How long a looked-up domain is kept, in ms. Default one hour. */
	domainTtl?: number;
	/** Milliseconds a call may take in all, retries and their waits included: it settles by then. Default 10,000. */
	timeout?: number;
	/** Milliseconds one attempt waits for LivePerson before it counts as failed and is retried. Default 5,000, at most `timeout`. */
	attemptTimeout?: number;
	/** How long an accepted `idempotencyKey` is remembered, in ms. Default one hour. */
	dedupeWindow?: number;
	/** Where idempotency keys are remembered. Default: this process's memory (bounded). */
	dedupeStore?: DedupeStore;
	/** A Redis server to remember idempotency keys in, shared with other processes (and with the signing endpoint's `LP_REDIS_URL`). */
	redisUrl?: string;
};

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Half the default timeout: a hung attempt leaves time for another. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 5_000;

/**
 * The signer's settings for the reporter: its `timeout` is the attempt's, which is what a
 * forward waits and a claim outlives (so the window check applies to it); the call's own
 * `timeout` and the accounts are the reporter's.
 */
export type ReporterSettings = {
	signer: Settings;
	/** Unset: any account. */
	accounts: ReadonlySet<string> | undefined;
	timeout: number;
	attemptTimeout: number;
	/** The pool the transport uses, closed by `close()`. */
	agent: Agent;
	redisUrl: string | undefined;
};

/** What messages call each setting: the reporter's option names, the attempt's timeout by its own. */
const NAMES = { ...OPTION_NAMES, timeout: 'attemptTimeout' };

/**
 * The signer's settings require accounts; the reporter's are optional (a back end may report
 * for any account its key serves), so an entry stands in for the check and is never consulted.
 */
const ANY_ACCOUNT = '0';

/** Every option checked, every problem at once in one SignerConfigError naming each option, never a value. */
export function resolveReporterOptions(options: ReporterOptions): ReporterSettings {
	if (typeof options !== 'object' || options === null) {
		throw new SignerConfigError('options', 'must be an object: { consumerKey, consumerSecret, accessToken, accessTokenSecret, … }');
	}
	const problems = new ConfigProblems();
	const timeout = problems.check(() => wholeNumber(options.timeout, DEFAULT_TIMEOUT_MS, 'timeout', MAX_TIMER_MS), DEFAULT_TIMEOUT_MS);
	const attemptTimeout = Math.min(
		timeout,
		problems.check(() => wholeNumber(options.attemptTimeout, DEFAULT_ATTEMPT_TIMEOUT_MS, 'attemptTimeout', MAX_TIMER_MS), DEFAULT_ATTEMPT_TIMEOUT_MS),
	);
	const redisUrl = options.redisUrl && !options.dedupeStore ? problems.check(() => checkRedisUrl(options.redisUrl!, 'redisUrl'), undefined) : undefined;
	const agent = upstreamAgent();
	const signer = problems.check(
		() =>
			resolveSettings(
				{
					accounts: options.accounts ?? ANY_ACCOUNT,
					consumerKey: options.consumerKey,
					consumerSecret: options.consumerSecret,
					accessToken: options.accessToken,
					accessTokenSecret: options.accessTokenSecret,
					domain: options.domain,
					apiVersion: options.apiVersion,
					domainApi: options.domainApi,
					domainTtl: options.domainTtl,
					timeout: attemptTimeout,
					dedupeWindow: options.dedupeWindow,
					dedupeStore: options.dedupeStore,
					transport: undiciTransport(agent),
					hmac: nodeHmac,
					sha256: nodeSha256,
				},
				NAMES,
			),
		undefined,
	);
	if (problems.list.length > 0) void agent.close();
	problems.throwIfAny();
	return { signer: signer!, accounts: options.accounts === undefined ? undefined : signer!.accounts, timeout, attemptTimeout, agent, redisUrl };
}
