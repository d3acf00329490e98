import type { LogEntry } from './settings.js';

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
