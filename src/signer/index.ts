/**
 * lp-ea/signer: the signing endpoint as a Web-standard handler, for any runtime with
 * `Request`, `Response`, `fetch` and Web Crypto (Node 20.19+, Workers, Deno, Bun).
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
	type SignerPlatform,
} from './settings.js';
export { createMemoryStore, type MemoryStoreOptions } from './stores/memory.js';
export type { DedupeState, DedupeStore, DedupeValue } from './dedupe-store.js';
export { fetchTransport, type Transport, type TransportAnswer, type TransportRequest } from './transport.js';
export { webHmac, type Hmac } from './oauth.js';
export { webSha256, type Sha256 } from './sha256.js';
export type { DomainLookupOutcome, RefusalReason, SignerObserver, StoreOperation } from './observer.js';
