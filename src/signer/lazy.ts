import { webHandler, type SignerCore } from './exchange.js';
import { createSignerCore, type SignerHandler } from './handler.js';
import { refusalAnswer, Refusal } from './refusal.js';
import { SignerConfigError, type SettingNames, type SignerOptions } from './settings.js';

/** `lazySigner` on plain data, for adapters of our own (Workers). */
export function lazyCore(options: () => SignerOptions, names?: SettingNames): SignerCore {
	let core: SignerCore | undefined;
	let misconfigured: SignerConfigError | undefined;
	return async (request, connection) => {
		if (!core && !misconfigured) {
			try {
				core = createSignerCore(options(), names);
			} catch (error) {
				if (!(error instanceof SignerConfigError)) throw error;
				misconfigured = error;
				console.error(`lp-ea signer: ${error.message}`);
			}
		}
		if (core) return core(request, connection);
		return refusalAnswer(new Refusal('server-error', `the signing endpoint is misconfigured: ${misconfigured!.message}`));
	};
}

/**
 * A signer created on its first request, then kept: for hosts that import a module at build
 * time or before its settings exist (Next.js route handlers, Workers, serverless functions).
 * A missing or malformed setting fails that first request and every one after it with a 500
 * that names the settings (never their values) instead of failing the import or the build.
 */
export function lazySigner(options: () => SignerOptions, names?: SettingNames): SignerHandler {
	return webHandler(lazyCore(options, names));
}
