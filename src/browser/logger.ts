import type { LpEAError } from './errors.js';

export type Logger = (message: string, ...details: unknown[]) => void;

const PREFIX = '[lp-ea]';

/** With `debug`, every step goes to the console; without, nothing does. */
export function createLogger(debug: boolean | undefined): Logger {
	return debug ? (message, ...details) => console.log(`${PREFIX} ${message}`, ...details) : () => {};
}

/** An error the page's developer must hear of, with or without `debug`: `[lp-ea] no-visit: …`. */
export const tell = (level: 'warn' | 'error', error: LpEAError, more = ''): void =>
	console[level](`${PREFIX} ${error.code}: ${error.message}${more}`);
