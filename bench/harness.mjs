/**
 * What each benchmark runner shares: its settings from the environment, processes pinned
 * with taskset (the server under test alone on the last core, everything else on the
 * others), CPU time read from /proc, autocannon's CLI as the load, paired and interleaved
 * rounds, medians. Each piece runs in its own process.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

export const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const AUTOCANNON = here('../node_modules/autocannon/autocannon.js');
export const CORES = availableParallelism();
const hasTaskset = (() => {
	try {
		execFileSync('taskset', ['-V'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
})();
export const PINNED = CORES >= 2 && hasTaskset;
export const SERVER_CORE = String(CORES - 1);
export const OTHER_CORES = CORES >= 2 ? `0-${CORES - 2}` : '0';
const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

const children = [];
process.on('exit', () => children.forEach((child) => child.kill()));
process.on('SIGINT', () => process.exit(130));

/** A process on the given cores (when pinning is possible), killed when the runner exits. */
export function run(command, args, env, cores, stdio = ['ignore', 'ignore', 'inherit']) {
	const [file, argv] = PINNED ? ['taskset', ['-c', cores, command, ...args]] : [command, args];
	const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio });
	children.push(child);
	return child;
}

/** A Node script, as `run` does. */
export const runNode = (script, args, env, cores, stdio) => run(process.execPath, [script, ...args], env, cores, stdio);

export function freePort() {
	return new Promise((resolve) => {
		const probe = createServer().listen(0, '127.0.0.1', () => {
			const { port } = probe.address();
			probe.close(() => resolve(port));
		});
	});
}

export async function ready(url) {
	for (let i = 0; i < 200; i++) {
		try {
			await fetch(url);
			return;
		} catch {
			await new Promise((r) => setTimeout(r, 50));
		}
	}
	throw new Error(`${url} did not come up`);
}

/** User and system CPU of a process so far, in µs. */
export function cpu(pid) {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

function load(url, headers, body, seconds) {
	return new Promise((resolve, reject) => {
		const args = ['-j', '-c', String(CONNECTIONS), '-d', String(seconds), '-m', 'POST', '-b', body];
		for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
		const child = runNode(AUTOCANNON, [...args, url], {}, OTHER_CORES, ['ignore', 'pipe', 'ignore']);
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.on('error', reject);
		child.on('close', () => {
			try {
				resolve(JSON.parse(out));
			} catch {
				reject(new Error(`autocannon gave no result for ${url}`));
			}
		});
	});
}

const pin = (target, cores) => PINNED && target.moves && execFileSync('taskset', ['-pc', cores, String(target.process.pid)], { stdio: 'ignore' });

/** One load of `seconds` against a target `{ url, headers, body, process, moves? }`: throughput, latency and the target's CPU per request. */
export async function measure(target, seconds) {
	pin(target, SERVER_CORE);
	const before = cpu(target.process.pid);
	const result = await load(target.url, target.headers, target.body, seconds);
	const used = cpu(target.process.pid) - before;
	pin(target, OTHER_CORES);
	const failed = result.non2xx + result.errors + result.timeouts;
	return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total, failed, cpuPerRequest: used / Math.max(1, result.requests.total) };
}

const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * A warm-up, then ROUNDS rounds in which every target runs once, in a rotated order, so that
 * a noisy neighbour hurts all of them alike. Returns each target's medians by its key.
 */
export async function rounds(targets) {
	console.error(`warming up (${WARMUP} s each)…`);
	for (const target of targets) await measure(target, WARMUP);
	const runs = new Map(targets.map((t) => [t.key, []]));
	for (let round = 0; round < ROUNDS; round++) {
		const order = targets.map((_, i) => targets[(i + round) % targets.length]);
		for (const target of order) {
			const result = await measure(target, SECONDS);
			runs.get(target.key).push(result);
			console.error(`round ${round + 1}/${ROUNDS} ${target.name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.cpuPerRequest.toFixed(0)} µs CPU/req${result.failed ? `, ${result.failed} FAILED` : ''}`);
		}
	}
	return new Map(
		targets.map((t) => {
			const all = runs.get(t.key);
			return [t.key, { name: t.name, ...Object.fromEntries(['rps', 'p50', 'p99', 'cpuPerRequest'].map((k) => [k, median(all.map((r) => r[k]))])), failed: all.reduce((n, r) => n + r.failed, 0) }];
		}),
	);
}

/** The heading every runner prints over its table. */
export const setting = () =>
	`node ${process.version}, ${CORES} cores, ${PINNED ? `server pinned alone on core ${SERVER_CORE}` : 'not pinned (needs taskset and 2+ cores)'}, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS} s, medians; a 2-attribute body`;

/** A markdown table of the medians, each figure also as a ratio to the named baselines. */
export function table(summary, baselines) {
	const ratio = (value, of) => `${(value / of).toFixed(2)}×`;
	const names = Object.keys(baselines);
	const lines = [
		`| server | req/s | ${names.map((n) => `vs ${n}`).join(' | ')} | p50 ms | p99 ms | CPU µs/req | ${names.map((n) => `CPU vs ${n}`).join(' | ')} |`,
		`|---|---:|${names.map(() => '---:|').join('')}---:|---:|---:|${names.map(() => '---:|').join('')}`,
	];
	for (const s of summary.values()) {
		const base = names.map((n) => summary.get(baselines[n]));
		lines.push(`| ${s.name} | ${s.rps.toFixed(0)} | ${base.map((b) => ratio(s.rps, b.rps)).join(' | ')} | ${s.p50} | ${s.p99} | ${s.cpuPerRequest.toFixed(0)} | ${base.map((b) => ratio(s.cpuPerRequest, b.cpuPerRequest)).join(' | ')} |`);
	}
	return lines.join('\n');
}

/**
 * The run's table under its heading, the upstream's signature check, and exit: 1 when a target
 * had failed requests or a signature was bad or none was checked (the figures are not comparable).
 */
export async function report(title, summary, baselines, upstreamOrigin) {
	const stats = await (await fetch(`${upstreamOrigin}/stats`)).json();
	console.log(`\n${title}: ${setting()}\n`);
	console.log(table(summary, baselines));
	console.log(`\nupstream: ${stats.requests} requests, ${stats.checked} signatures checked with oauth-sign, ${stats.bad} bad`);
	const failed = [...summary.values()].filter((s) => s.failed > 0);
	if (failed.length || stats.bad || !stats.checked) {
		console.error(`not comparable: ${failed.map((s) => `${s.name} had ${s.failed} failed requests`).join('; ') || 'bad or unchecked signatures'}`);
		process.exitCode = 1;
	}
	process.exit();
}
