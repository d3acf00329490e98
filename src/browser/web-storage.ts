/**
 * `localStorage` or `sessionStorage`, or undefined where there is none: in a sandboxed iframe,
 * or with cookies disabled, merely reading the property throws.
 */
export function webStorage(kind: 'localStorage' | 'sessionStorage'): Storage | undefined {
	try {
		return globalThis[kind];
	} catch {
		return undefined;
	}
}
