import { safely } from './safely.js';

/**
 * `localStorage` or `sessionStorage`, or undefined where there is none: in a sandboxed iframe,
 * or with cookies disabled, merely reading the property throws.
 */
export const webStorage = (kind: 'localStorage' | 'sessionStorage'): Storage | undefined => safely(() => globalThis[kind]);
