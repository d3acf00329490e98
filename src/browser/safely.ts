/**
 * What `run` returns, or undefined where it throws: storage that is blocked, full or sandboxed,
 * text that is not lp-ea's JSON, a Web Tag half loaded. None of them may cost a call.
 */
export function safely<T>(run: () => T): T | undefined {
	try {
		return run();
	} catch {
		return undefined;
	}
}
