import type { SignerCore } from './exchange.js';
import { Refusal, refusalAnswer } from './refusal.js';
import type { LogEntry, SignerConfigError } from './settings.js';

/**
 * A signer whose settings are wrong, for the adapters that must not throw while the brand's
 * app starts (lazySigner, the middleware, the Workers module): said once on stderr, then every
 * request answered 500 naming the settings (never their values), and logged like any other
 * request, so that the brand's log shows its endpoint failing (the stderr line says why).
 */
export function misconfigured(error: SignerConfigError, log: ((entry: LogEntry) => void) | undefined): SignerCore {
	console.error(`lp-ea signer: ${error.message}`);
	const answer = refusalAnswer(new Refusal('server-error', `the signing endpoint is misconfigured: ${error.message}`));
	return async () => {
		log?.({ status: answer.status, code: 'server-error', ms: 0 });
		return answer;
	};
}
