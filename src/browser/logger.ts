export type Logger = (message: string, ...details: unknown[]) => void;

const PREFIX = '[lp-ea]';

/** With `debug`, every step goes to the console; without, nothing does. */
export function createLogger(debug: boolean | undefined): Logger {
	return debug ? (message, ...details) => console.log(`${PREFIX} ${message}`, ...details) : () => {};
}
