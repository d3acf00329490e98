import type { EventEmitter } from 'node:events';

/**
 * Resolves with what `check` returns once it returns something, checking now and after each
 * `request` event; rejects with what `check` throws, or with `timedOut()` after `timeoutMs`.
 */
export function waitUntil<T>(events: EventEmitter, check: () => T | undefined, timeoutMs: number, timedOut: () => Error): Promise<T> {
	return new Promise((resolve, reject) => {
		const attempt = () => {
			let result: T | undefined;
			try {
				result = check();
			} catch (error) {
				finish();
				return reject(error);
			}
			if (result === undefined) return;
			finish();
			resolve(result);
		};
		const timer = setTimeout(() => {
			finish();
			reject(timedOut());
		}, timeoutMs);
		const finish = () => {
			clearTimeout(timer);
			events.off('request', attempt);
		};
		events.on('request', attempt);
		attempt();
	});
}
