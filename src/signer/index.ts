/**
 * lp-ea/signer: the signing endpoint as a Web-standard handler, for any runtime with
 * `Request`, `Response`, `fetch` and Web Crypto (Node 20+, Workers, Deno, Bun).
 */
export { createSigner, type ConnectionInfo, type SignerHandler } from './handler.js';
export { lazySigner } from './lazy.js';
export { ENV_NAMES, optionsFromEnv, type Env } from './env.js';
export {
	SignerConfigError,
	type ConfigProblem,
	type LogEntry,
	type RateLimitOptions,
	type SignerOptions,
} from './settings.js';
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
export type { DedupeState, DedupeStore } from './dedupe-store.js';
