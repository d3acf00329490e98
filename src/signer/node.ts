/**
 * lp-ea/signer/node: the signer on Node. `startSignerServer` for a server of its own,
 * `createSignerMiddleware` for Express, Connect and node:http.
 */
export { startSignerServer, type SignerServer, type SignerServerOptions } from './node-server.js';
export { createSignerMiddleware, type SignerMiddleware } from './node-middleware.js';
