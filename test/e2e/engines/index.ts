import { existsSync } from 'node:fs';
import { test } from 'vitest';
import { ENGINE_NAMES, EngineMissing, type Capabilities, type Engine, type EngineName } from './engine.js';

export * from './engine.js';

/**
 * The engine this run drives: `LP_EA_ENGINE`, which vitest.browser.config.ts sets per project
 * (`npm run test:browser -- --project firefox` runs one).
 */
export const ENGINE: EngineName = (() => {
	const name = (process.env.LP_EA_ENGINE || 'chromium') as EngineName;
	if (!ENGINE_NAMES.includes(name)) throw new Error(`LP_EA_ENGINE=${name}: use one of ${ENGINE_NAMES.join(', ')}`);
	return name;
})();

/**
 * What each engine can do here, known before it launches (tests are collected first), and
 * for what it cannot, why: the reason goes into the skipped test's title.
 */
const CAPABILITIES: Record<EngineName, { [K in keyof Capabilities]: true | string }> = {
	chromium: { offline: true, tabs: true, console: true },
	firefox: { offline: true, tabs: true, console: true },
	webkit: {
		offline: 'WebKitWebDriver has no network emulation',
		tabs: true,
		console: true,
	},
};

export const CAN: Capabilities = Object.fromEntries(
	Object.entries(CAPABILITIES[ENGINE]).map(([name, value]) => [name, value === true]),
) as Capabilities;

/** `test`, or where this engine lacks `capability`, `test.skip` with the reason in its title: never a silent pass. */
export function needs(capability: keyof Capabilities): typeof test {
	const why = CAPABILITIES[ENGINE][capability];
	if (why === true) return test;
	return ((title: string, fn: () => unknown, timeout?: number) => test.skip(`${title} [skipped in ${ENGINE}: ${why}]`, fn, timeout)) as typeof test;
}

/** A test's or suite's title with the engine in front, so every result says where it ran. */
export const titled = (title: string): string => `${ENGINE}: ${title}`;

/** The binary at `path` (named by the variable `variable`), or an error that says how to install it. */
export function binary(variable: string, path: string, install: string): string {
	if (existsSync(path)) return path;
	throw new EngineMissing(`${ENGINE}: ${path} not found (set ${variable} to another path, or install it: ${install})`);
}

/** Launches this run's engine. */
export async function launch(): Promise<Engine> {
	const module =
		ENGINE === 'firefox' ? await import('./firefox.js') : ENGINE === 'webkit' ? await import('./webkit.js') : await import('./chromium.js');
	return module.launch();
}

/** Polls `read` until it gives a value, for what the page and the servers do on their own time. */
export async function until<T>(read: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
	const started = Date.now();
	for (;;) {
		const value = await read();
		if (value) return value;
		if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting`);
		await new Promise((r) => setTimeout(r, 50));
	}
}
