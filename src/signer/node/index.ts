/**
 * lp-ea/signer/node: the signer on Node. `startSignerServer` for a server of its own,
 * `createSignerMiddleware` for Express, Connect and node:http. Both inject Node's faster
 * pieces; `undiciTransport`, `nodeHmac` and `nodeSha256` are those pieces, for a Web
 * handler of your own on Node (`createSigner({ ...options, transport: undiciTransport() })`).
 */
export { startSignerServer, type SignerServer, type SignerServerOptions } from './server.js';
export { createSignerMiddleware, type SignerMiddleware } from './middleware.js';
export { nodeHmac, nodeSha256, undiciTransport } from './platform.js';
export { signerMetrics, UPSTREAM_BUCKETS, type SignerMetrics, type SignerMetricsOptions } from './metrics.js';
