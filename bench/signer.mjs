/**
 * lp-ea's signer against the relay a brand would write by hand, each piece in its own
 * process: the upstream (bench/upstream.mjs, a minimal LivePerson), the server under test
 * (pinned alone on the last core with taskset when there are two or more), and the load
 * generator (autocannon's CLI, on the other cores with the upstream). Rounds are paired and
 * interleaved: every round runs each server once, in a rotated order, so that a noisy
 * neighbour hurts all of them alike. Reports req/s, p50/p99 latency and the server's CPU per
 * request (from /proc/<pid>/stat), medians over the rounds, and ratios to the Express relay
 * (what a brand would write) and to the floor relay (bench/floor-relay.mjs: the job and
 * nothing else).
 *
 *   npm run bench
 *   BENCH_ROUNDS=5 BENCH_SECONDS=20 npm run bench     (longer; defaults 3 rounds of 10 s)
 *   BENCH_CONNECTIONS=50 BENCH_WARMUP_SECONDS=3
 *   BENCH_COMPARE=../old/dist/signer-cli.mjs npm run bench   (adds another build's CLI as a row)
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import oauth from 'oauth-sign';
import { attributes, credentials, envelope, signerEnv, visit } from './common.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const AUTOCANNON = here('../node_modules/autocannon/autocannon.js');
const CORES = availableParallelism();
const hasTaskset = (() => {
	try {
		execFileSync('taskset', ['-V'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
})();
const PINNED = CORES >= 2 && hasTaskset;
const SERVER_CORE = String(CORES - 1);
const OTHER_CORES = CORES >= 2 ? `0-${CORES - 2}` : '0';
const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

const children = [];
process.on('exit', () => children.forEach((child) => child.kill()));
process.on('SIGINT', () => process.exit(130));

function run(script, args, env, cores, stdio = ['ignore', 'ignore', 'inherit']) {
	const command = PINNED ? ['taskset', ['-c', cores, process.execPath, script, ...args]] : [process.execPath, [script, ...args]];
	const child = spawn(command[0], command[1], { env: { ...process.env, ...env }, stdio });
	children.push(child);
	return child;
}

function freePort() {
	return new Promise((resolve) => {
		const probe = createServer().listen(0, '127.0.0.1', () => {
			const { port } = probe.address();
			probe.close(() => resolve(port));
		});
	});
}

async function ready(url) {
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
function cpu(pid) {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

function load(url, headers, body, seconds) {
	return new Promise((resolve, reject) => {
		const args = ['-j', '-c', String(CONNECTIONS), '-d', String(seconds), '-m', 'POST', '-b', body];
		for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
		const child = run(AUTOCANNON, [...args, url], {}, OTHER_CORES, ['ignore', 'pipe', 'ignore']);
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

// The upstream, and a request to it signed with oauth-sign for the "directly" row.
const upstreamPort = await freePort();
const upstreamOrigin = `http://127.0.0.1:${upstreamPort}`;
const upstream = run(here('upstream.mjs'), [String(upstreamPort)], {}, OTHER_CORES);
await ready(`${upstreamOrigin}/stats`);
const direct = new URL(`/api/account/${visit.account}/monitoring/visitors/${visit.visitor}/visits/current/events?v=1&sid=${visit.sid}`, upstreamOrigin);
const fields = {
	oauth_consumer_key: credentials.consumerKey,
	oauth_nonce: 'benchmark-direct',
	oauth_signature_method: 'HMAC-SHA1',
	oauth_timestamp: String(Math.floor(Date.now() / 1000)),
	oauth_token: credentials.token,
	oauth_version: '1.0',
};
fields.oauth_signature = oauth.hmacsign('POST', `${direct.origin}${direct.pathname}`, { ...fields, v: '1', sid: visit.sid }, credentials.consumerSecret, credentials.tokenSecret);
const authorization = `OAuth ${Object.entries(fields).map(([k, v]) => `${k}="${oauth.rfc3986(v)}"`).join(', ')}`;

const servers = [
	{ name: 'lp-ea Node signer (lp-ea-signer)', key: 'node', script: here('../dist/signer-cli.mjs') },
	{ name: 'lp-ea Web handler, no injections', key: 'web', script: here('web-handler.mjs') },
	{ name: 'Express relay (baseline)', key: 'express', script: here('express-relay.mjs') },
	{ name: 'floor relay (node:http, createHmac, undici Pool; nothing else)', key: 'floor', script: here('floor-relay.mjs') },
	// Another build's CLI (an older commit's dist/signer-cli.mjs, say), to see a change's effect in the same run.
	...(process.env.BENCH_COMPARE ? [{ name: `lp-ea-signer of ${process.env.BENCH_COMPARE}`, key: 'compare', script: process.env.BENCH_COMPARE }] : []),
];
for (const server of servers) {
	const port = await freePort();
	server.url = `http://127.0.0.1:${port}/lp-ea/events`;
	server.process = run(server.script, [], signerEnv(upstreamOrigin, port), SERVER_CORE);
	server.headers = { 'content-type': 'application/json' };
	server.body = envelope;
	await ready(server.url);
}
// The upstream alone is measured on the server core, moved there for its rounds only.
const targets = [
	{ name: 'upstream directly (reference)', key: 'upstream', url: direct.href, process: upstream, moves: true, headers: { authorization, 'content-type': 'application/json', 'x-http-method-override': 'PUT' }, body: JSON.stringify(attributes) },
	...servers,
];
const pin = (target, cores) => PINNED && target.moves && execFileSync('taskset', ['-pc', cores, String(target.process.pid)], { stdio: 'ignore' });

async function measure(target, seconds) {
	pin(target, SERVER_CORE);
	const before = cpu(target.process.pid);
	const result = await load(target.url, target.headers, target.body, seconds);
	const used = cpu(target.process.pid) - before;
	pin(target, OTHER_CORES);
	const failed = result.non2xx + result.errors + result.timeouts;
	return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total, failed, cpuPerRequest: used / Math.max(1, result.requests.total) };
}

console.error(`warming up (${WARMUP} s each)…`);
for (const target of targets) await measure(target, WARMUP);
const rounds = new Map(targets.map((t) => [t.key, []]));
for (let round = 0; round < ROUNDS; round++) {
	const order = targets.map((_, i) => targets[(i + round) % targets.length]);
	for (const target of order) {
		const result = await measure(target, SECONDS);
		rounds.get(target.key).push(result);
		console.error(`round ${round + 1}/${ROUNDS} ${target.name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.cpuPerRequest.toFixed(0)} µs CPU/req${result.failed ? `, ${result.failed} FAILED` : ''}`);
	}
}
const stats = await (await fetch(`${upstreamOrigin}/stats`)).json();

const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const summary = new Map(
	targets.map((t) => {
		const runs = rounds.get(t.key);
		return [t.key, { name: t.name, ...Object.fromEntries(['rps', 'p50', 'p99', 'cpuPerRequest'].map((k) => [k, median(runs.map((r) => r[k]))])), failed: runs.reduce((n, r) => n + r.failed, 0) }];
	}),
);
const base = summary.get('express');
const floor = summary.get('floor');
const ratio = (value, of) => `${(value / of).toFixed(2)}×`;

console.log(`\nlp-ea signer benchmark: node ${process.version}, ${CORES} cores, ${PINNED ? `server pinned alone on core ${SERVER_CORE}` : 'not pinned (needs taskset and 2+ cores)'}, ${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS} s, medians; a 2-attribute body\n`);
console.log('| server | req/s | vs Express | vs floor | p50 ms | p99 ms | CPU µs/req | CPU vs Express | CPU vs floor |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const s of summary.values()) {
	console.log(`| ${s.name} | ${s.rps.toFixed(0)} | ${ratio(s.rps, base.rps)} | ${ratio(s.rps, floor.rps)} | ${s.p50} | ${s.p99} | ${s.cpuPerRequest.toFixed(0)} | ${ratio(s.cpuPerRequest, base.cpuPerRequest)} | ${ratio(s.cpuPerRequest, floor.cpuPerRequest)} |`);
}
console.log(`\nupstream: ${stats.requests} requests, ${stats.checked} signatures checked with oauth-sign, ${stats.bad} bad`);
const failed = [...summary.values()].filter((s) => s.failed > 0);
if (failed.length || stats.bad || !stats.checked) {
	console.error(`not comparable: ${failed.map((s) => `${s.name} had ${s.failed} failed requests`).join('; ') || 'bad or unchecked signatures'}`);
	process.exitCode = 1;
}
process.exit();
