/**
 * lp-ea's Workers module (dist/signer-worker.mjs) in Cloudflare's workerd, against a
 * hand-written Worker relay (bench/worker-relay.mjs: oauth-1.0a and Web Crypto), both in
 * front of the same upstream as `npm run bench`. Each Worker runs in a workerd process of its
 * own, pinned alone on the last core; the upstream and the load on the others. Reports req/s,
 * latency and CPU per request of the workerd process, medians over interleaved rounds.
 *
 *   npm run build && node bench/workerd.mjs       (BENCH_* as for bench/signer.mjs)
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envelope, signerEnv } from './common.mjs';
import { freePort, here, OTHER_CORES, ready, rounds, run, runNode, SERVER_CORE, report } from './harness.mjs';

const require = createRequire(import.meta.url);
const WORKERD = require('workerd').default;
const text = (value) => JSON.stringify(value);

/** A workerd config serving one Worker on `port`, its env the signer's settings, fetch reaching loopback only. */
function config(modules, env, port) {
	return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [${modules.join(', ')}],
  compatibilityDate = "2026-10-23",
  bindings = [${Object.entries(env).map(([k, v]) => `(name = ${text(k)}, text = ${text(v)})`).join(', ')}],
  globalOutbound = "loopback",
);
`;
}

const upstreamPort = await freePort();
const upstreamOrigin = `http://127.0.0.1:${upstreamPort}`;
runNode(here('upstream.mjs'), [String(upstreamPort)], {}, OTHER_CORES);
await ready(`${upstreamOrigin}/stats`);

const dir = mkdtempSync(join(tmpdir(), 'lp-ea-bench-workerd-'));
copyFileSync(here('../dist/signer-worker.mjs'), join(dir, 'signer-worker.mjs'));
copyFileSync(here('worker-relay.mjs'), join(dir, 'worker-relay.mjs'));
copyFileSync(require.resolve('oauth-1.0a'), join(dir, 'oauth-1.0a.js'));
const workers = [
	{ name: 'lp-ea Workers module (signer-worker.mjs)', key: 'lp-ea', modules: ['(name = "worker.mjs", esModule = embed "signer-worker.mjs")'] },
	{ name: 'Worker relay, oauth-1.0a + Web Crypto (baseline)', key: 'relay', modules: ['(name = "worker.mjs", esModule = embed "worker-relay.mjs")', '(name = "oauth-1.0a", commonJsModule = embed "oauth-1.0a.js")'] },
];
for (const worker of workers) {
	const port = await freePort();
	const { PORT, HOST, ...env } = signerEnv(upstreamOrigin, port);
	const file = join(dir, `${worker.key}.capnp`);
	writeFileSync(file, config(worker.modules, env, port));
	worker.process = run(WORKERD, ['serve', file], {}, SERVER_CORE);
	worker.url = `http://127.0.0.1:${port}/lp-ea/events`;
	worker.headers = { 'content-type': 'application/json' };
	worker.body = envelope;
	await ready(worker.url);
}

const summary = await rounds(workers);
await report('lp-ea Workers benchmark in workerd', summary, { relay: 'relay' }, upstreamOrigin);
