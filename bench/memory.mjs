/**
 * The signer's memory under fresh ids: lp-ea-signer, de-duplicating in memory, takes
 * BENCH_MEMORY_SECONDS (default 300) of load at BENCH_CONNECTIONS (default 50) with a new
 * request `id` on every request (bench/fresh-ids.mjs), so that its store fills to its
 * cap (100,000 ids, 16 MiB) and then evicts. Prints the resident set every 10 s, and checks
 * that it stays within the RSS after the first 10 s plus the store's stated bound plus a fixed
 * overhead (BENCH_MEMORY_SLACK_MIB, default 32 MiB: heap growth, undici's pools, GC headroom).
 *
 *   npm run build && node bench/memory.mjs
 */
import { readFileSync } from 'node:fs';
import { signerEnv } from './common.mjs';
import { CONNECTIONS, freePort, here, OTHER_CORES, ready, runNode, SERVER_CORE, setting } from './harness.mjs';

const SECONDS = Number(process.env.BENCH_MEMORY_SECONDS ?? 300);
const SLACK_MIB = Number(process.env.BENCH_MEMORY_SLACK_MIB ?? 32);
const STORE_MIB = 16; // src/signer/stores/memory.ts: maxBytes' default
const SAMPLE_MS = 10_000;

const rssMiB = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const upstreamPort = await freePort();
const upstreamOrigin = `http://127.0.0.1:${upstreamPort}`;
runNode(here('upstream.mjs'), [String(upstreamPort)], {}, OTHER_CORES);
await ready(`${upstreamOrigin}/stats`);
const port = await freePort();
const signer = runNode(here('../dist/signer-cli.mjs'), [], signerEnv(upstreamOrigin, port), SERVER_CORE);
const url = `http://127.0.0.1:${port}/lp-ea/events`;
await ready(url);
const started = rssMiB(signer.pid);

const load = runNode(here('fresh-ids.mjs'), [url, String(CONNECTIONS), String(SECONDS)], {}, OTHER_CORES, ['ignore', 'pipe', 'inherit']);
let out = '';
load.stdout.on('data', (d) => (out += d));
const done = new Promise((resolve) => load.on('close', resolve));

console.log(`lp-ea-signer's resident memory under fresh ids: ${setting().replace(/, \d+ interleaved.*$/, '')}, ${SECONDS} s\n`);
console.log(`| s | RSS MiB |\n|---:|---:|\n| 0 | ${started.toFixed(1)} |`);
const curve = [];
const timer = setInterval(() => {
	const mib = rssMiB(signer.pid);
	curve.push(mib);
	console.log(`| ${curve.length * (SAMPLE_MS / 1000)} | ${mib.toFixed(1)} |`);
}, SAMPLE_MS);
await done;
clearInterval(timer);
const result = JSON.parse(out);
const stats = await (await fetch(`${upstreamOrigin}/stats`)).json();
const [first] = curve;
const peak = Math.max(...curve);
const bound = first + STORE_MIB + SLACK_MIB;
console.log(`\n${result.total} requests (${result.ok} answered 200, ${result.failed} not), ${stats.requests} forwarded, ${stats.bad} bad signatures`);
console.log(`RSS after ${SAMPLE_MS / 1000} s ${first.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB, last ${curve.at(-1).toFixed(1)} MiB; bound ${bound.toFixed(1)} MiB (after ${SAMPLE_MS / 1000} s + the store's ${STORE_MIB} MiB + ${SLACK_MIB} MiB)`);
if (peak > bound || result.failed || result.ok !== stats.requests || stats.bad) {
	console.error(peak > bound ? 'over the bound' : 'requests failed');
	process.exitCode = 1;
}
process.exit();
