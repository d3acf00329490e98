export type ConfigProblem = { setting: string; problem: string };

/**
 * Settings that are missing or malformed, all of them at once. The message names each
 * setting and never holds a value: an operator may have pasted a secret into the wrong one.
 */
export class SignerConfigError extends Error {
	override readonly name = 'SignerConfigError';
	/** The first setting at fault. */
	readonly setting: string;
	readonly problems: readonly ConfigProblem[];

	constructor(setting: string | readonly ConfigProblem[], problem = '') {
		const problems = typeof setting === 'string' ? [{ setting, problem }] : setting;
		super(problems.map((p) => `${p.setting} ${p.problem}`).join('; '));
		this.problems = problems;
		this.setting = problems[0]?.setting ?? '';
	}
}

/** Runs each check, keeping its problem and going on with the fallback, so that all are reported. */
export class ConfigProblems {
	readonly list: ConfigProblem[] = [];

	check<T>(run: () => T, fallback: T): T {
		try {
			return run();
		} catch (error) {
			if (!(error instanceof SignerConfigError)) throw error;
			this.list.push(...error.problems);
			return fallback;
		}
	}

	throwIfAny(): void {
		if (this.list.length > 0) throw new SignerConfigError(this.list);
	}
}
