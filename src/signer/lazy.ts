import { webHandler, type SignerCore } from './exchange.js';
import { createSignerCore, type SignerHandler } from './handler.js';
import { adapterLog, withDefaultLog } from './log-line.js';
import { misconfigured } from './misconfigured.js';
import { SignerConfigError, type SettingNames, type SignerOptions } from './settings.js';

/** `lazySigner` on plain data, for adapters of our own (Workers). */
export function lazyCore(options: () => SignerOptions, names?: SettingNames): SignerCore {
	let core: SignerCore | undefined;
	/** The signer, or the misconfigured stand-in; an error of another kind is thrown again, and tried again next time. */
	function create(): SignerCore {
		let given: SignerOptions | undefined;
		try {
			given = withDefaultLog(options());
			return createSignerCore(given, names);
		} catch (error) {
			if (!(error instanceof SignerConfigError)) throw error;
			return misconfigured(error, adapterLog(given));
		}
	}
	return async (request, connection) => (core ??= create())(request, connection);
}

/**
 * A signer created on its first request, then kept: for hosts that import a module at build
 * time or before its settings exist (Next.js route handlers, Workers, serverless functions).
 * A missing or malformed setting fails that first request and every one after it with a 500
 * that names the settings (never their values) instead of failing the import or the build.
 * Unless `log` says otherwise, it logs one JSON line per request on stdout, as lp-ea-signer does.
 */
export function lazySigner(options: () => SignerOptions, names?: SettingNames): SignerHandler {
	return webHandler(lazyCore(options, names));
}
