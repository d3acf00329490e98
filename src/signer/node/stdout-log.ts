/// <reference types="node" />
import { logLine } from '../log-line.js';
import type { LogEntry } from '../settings.js';

let pending: string[] = [];
let scheduled = false;
let hooked = false;

function flush(): void {
	scheduled = false;
	if (pending.length === 0) return;
	const text = `${pending.join('\n')}\n`;
	pending = [];
	process.stdout.write(text);
}

/**
 * The Node adapters' default log: the lines `console.log` would print (log-line.ts), written
 * to stdout together once per turn of the event loop. Node's stdout is synchronous on files
 * and, on Linux, pipes: one write a request was a system call a request, plus console's
 * formatting, a measurable share of the signer's time under load (bench/profile.mjs). Lines
 * still waiting when the process exits are written then, synchronously.
 */
export function logToStdout(entry: LogEntry): void {
	pending.push(logLine(entry));
	if (scheduled) return;
	scheduled = true;
	setImmediate(flush);
	if (!hooked) {
		hooked = true;
		process.once('exit', flush);
	}
}
