/**
 * The signer's memory under fresh ids. One lp-ea-signer process, de-duplicating in memory,
 * takes two loads at BENCH_CONNECTIONS (default 50), one after the other:
 *
 * 1. BENCH_MEMORY_BASELINE_SECONDS (default 60) of requests without an id: the process busy
 *    as it will be, its heap grown to what the load needs, nothing for the store to keep.
 * 2. BENCH_MEMORY_SECONDS (default 300) of requests that each carry a new `id`
 *    (bench/fresh-ids.mjs), so that the store fills to its cap (100,000 ids, 16 MiB) within
 *    seconds and then evicts for the rest of the run.
 *
 * Prints the resident set every 10 s, and checks that the highest of the second load stays
 * within the highest of the first plus the store's stated bound (16 MiB) plus a fixed slack
 * (BENCH_MEMORY_SLACK_MIB, default 64): a new id on every request is more garbage a request
 * (claims, digests, their promises), and V8 lets the heap grow further between collections
 * (its young generation alone may take 3 × 16 MiB on 64-bit Node 20). The heap in use, from the
 * CLI's own process metrics (LP_METRICS_PORT), is printed beside each sample. A second check:
 * no upward trend, the last minute's mean within 16 MiB of the second minute's.
 *
 *   npm run bench:memory
 */
import { readFileSync } from 'node:fs';
import { signerEnv } from './common.mjs';
import { CONNECTIONS, freePort, here, OTHER_CORES, ready, runNode, SERVER_CORE, setting } from './harness.mjs';

const BASELINE_SECONDS = Number(process.env.BENCH_MEMORY_BASELINE_SECONDS ?? 60);
const SECONDS = Number(process.env.BENCH_MEMORY_SECONDS ?? 300);
const SLACK_MIB = Number(process.env.BENCH_MEMORY_SLACK_MIB ?? 64);
const STORE_MIB = 16; // src/signer/stores/memory.ts: maxBytes' default
const SAMPLE_MS = 10_000;

const rssMiB = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
async function heapMiB() {
	const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
	return Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)[1]) / 2 ** 20;
}
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

const upstreamPort = await freePort();
const upstreamOrigin = `http://127.0.0.1:${upstreamPort}`;
runNode(here('upstream.mjs'), [String(upstreamPort)], {}, OTHER_CORES);
await ready(`${upstreamOrigin}/stats`);
const port = await freePort();
const metricsPort = await freePort();
// The CLI's own process metrics, for the heap beside the resident set.
const signer = runNode(here('../dist/signer-cli.mjs'), [], { ...signerEnv(upstreamOrigin, port), LP_METRICS_PORT: String(metricsPort) }, SERVER_CORE);
const url = `http://127.0.0.1:${port}/lp-ea/events`;
await ready(url);

console.log(`lp-ea-signer's resident memory: ${setting().replace(/, \d+ interleaved.*$/, '')}; ${BASELINE_SECONDS} s without ids, then ${SECONDS} s with a new id on every request\n`);
console.log(`| s | ids | RSS MiB | heap used MiB |\n|---:|---|---:|---:|\n| 0 | | ${rssMiB(signer.pid).toFixed(1)} | ${(await heapMiB()).toFixed(1)} |`);
let elapsed = 0;

/** One load, sampled every 10 s: the samples and the load's counts. */
async function phase(seconds, ids) {
	const load = runNode(here('fresh-ids.mjs'), [url, String(CONNECTIONS), String(seconds), ids], {}, OTHER_CORES, ['ignore', 'pipe', 'inherit']);
	let out = '';
	load.stdout.on('data', (d) => (out += d));
	const samples = [];
	const timer = setInterval(async () => {
		elapsed += SAMPLE_MS / 1000;
		samples.push(rssMiB(signer.pid));
		console.log(`| ${elapsed} | ${ids} | ${samples.at(-1).toFixed(1)} | ${(await heapMiB()).toFixed(1)} |`);
	}, SAMPLE_MS);
	await new Promise((resolve) => load.on('close', resolve));
	clearInterval(timer);
	return { samples, counts: JSON.parse(out) };
}

const before = await phase(BASELINE_SECONDS, 'none');
const after = await phase(SECONDS, 'fresh');
const stats = await (await fetch(`${upstreamOrigin}/stats`)).json();

const busy = Math.max(...before.samples);
const peak = Math.max(...after.samples);
const bound = busy + STORE_MIB + SLACK_MIB;
const perMinute = 60_000 / SAMPLE_MS;
const secondMinute = mean(after.samples.slice(perMinute, 2 * perMinute));
const lastMinute = mean(after.samples.slice(-perMinute));
const requests = before.counts.total + after.counts.total;
const ok = before.counts.ok + after.counts.ok;
console.log(`\n${requests} requests (${ok} answered 200), ${after.counts.total} of them with a new id; ${stats.requests} forwarded, ${stats.bad} bad signatures`);
console.log(`RSS without ids: highest ${busy.toFixed(1)} MiB. With fresh ids: highest ${peak.toFixed(1)} MiB, bound ${bound.toFixed(1)} MiB (that + the store's ${STORE_MIB} MiB + ${SLACK_MIB} MiB); mean of the second minute ${secondMinute.toFixed(1)} MiB, of the last ${lastMinute.toFixed(1)} MiB`);
const problems = [
	peak > bound && 'over the bound',
	lastMinute > secondMinute + 16 && 'growing',
	(ok !== requests || stats.requests !== ok || stats.bad) && 'requests failed',
].filter(Boolean);
if (problems.length) {
	console.error(problems.join('; '));
	process.exitCode = 1;
}
process.exit();
