import type { LogEntry, SignerOptions } from './settings.js';

/**
 * C0 and C1 controls, DEL, and the Unicode line and paragraph separators and bidirectional
 * overrides: anything that could start a new line or make one line read as another in a
 * terminal or log viewer.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A value from a request, made safe to log: controls escaped as \u{…}, cut at `max` characters. */
export function printable(value: string, max = 200): string {
	const cut = value.length > max ? `${value.slice(0, max)}…` : value;
	return cut.replace(UNPRINTABLE, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/** One log entry as one JSON line, with the time first: what the CLI and the Worker print. */
export function logLine(entry: LogEntry): string {
	return JSON.stringify({ time: new Date().toISOString(), ...entry });
}

type Log = (entry: LogEntry) => void;

/** Where the adapters log unless told otherwise: one JSON line per request on stdout (the Node adapters: node/stdout-log.ts, the same lines). */
export const logToConsole = (entry: LogEntry): void => console.log(logLine(entry));

/**
 * The adapters' default (lazySigner, the Node server and middleware, the Workers module): a
 * line on stdout unless the brand passed its own function or `false`. `createSigner` has none,
 * being the piece the adapters and the brand's tests are built from.
 */
export function withDefaultLog<T extends Pick<SignerOptions, 'log'>>(options: T, fallback: Log = logToConsole): T {
	return options.log === undefined ? { ...options, log: fallback } : options;
}

/**
 * What an adapter logs its own answers to (a request it answers before the signer, or a
 * misconfigured signer's 500s): the brand's function, nothing for `false`, the default line
 * when the options are unset or could not be read at all.
 */
export function adapterLog(options: Pick<SignerOptions, 'log'> | undefined, fallback: Log = logToConsole): Log | undefined {
	const log = options === undefined ? undefined : options.log;
	if (log === undefined) return fallback;
	return typeof log === 'function' ? log : undefined;
}
