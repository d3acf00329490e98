/**
 * lp-ea/global: types for pages that load lp-ea with a script tag. Reference it once,
 *
 *     /// <reference types="lp-ea/global" />
 *
 * (or list `"lp-ea/global"` in tsconfig's `compilerOptions.types`), and `lpEA` /
 * `window.lpEA` have the same types as the `lp-ea` module's client: a wrong field or an
 * unknown status name fails to compile.
 */
import type { Client, LpEAError, SERVICE_STATUS } from './lp-ea.js';

/** What the script tag defines: the client's calls, plus the error class and the enum maps. */
export type LpEAGlobal = Client & {
	/**
	 * The class of every rejection: `error instanceof lpEA.LpEAError`, or test `error.name === 'LpEAError'`.
	 * Defined once the bundle has loaded (the inline stub has only the calls, whose promises settle then).
	 */
	readonly LpEAError: typeof LpEAError;
	/** The service status numbers by name (`approved` → 2). Defined once the bundle has loaded. */
	readonly SERVICE_STATUS: typeof SERVICE_STATUS;
};

declare global {
	/** lp-ea's client, defined by the inline stub and then by `lp-ea.min.js`. */
	var lpEA: LpEAGlobal;
}
