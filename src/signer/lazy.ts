import { createSigner, type SignerHandler } from './handler.js';
import { refusalResponse, Refusal } from './refusal.js';
import { SignerConfigError, type SettingNames, type SignerOptions } from './settings.js';

/**
 * A signer created on its first request, then kept: for hosts that import a module at build
 * time or before its settings exist (Next.js route handlers, Workers, serverless functions).
 * A missing or malformed setting fails that first request and every one after it with a 500
 * that names the settings (never their values) instead of failing the import or the build.
 */
export function lazySigner(options: () => SignerOptions, names?: SettingNames): SignerHandler {
	let handler: SignerHandler | undefined;
	let misconfigured: SignerConfigError | undefined;
	return async (request, connection) => {
		if (!handler && !misconfigured) {
			try {
				handler = createSigner(options(), names);
			} catch (error) {
				if (!(error instanceof SignerConfigError)) throw error;
				misconfigured = error;
				console.error(`lp-ea signer: ${error.message}`);
			}
		}
		if (handler) return handler(request, connection);
		return refusalResponse(new Refusal('server-error', `the signing endpoint is misconfigured: ${misconfigured!.message}`));
	};
}
