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
import oauth from 'oauth-sign';
import { attributes, credentials, envelope, signerEnv, visit } from './common.mjs';
import { freePort, here, OTHER_CORES, ready, rounds, runNode as run, SERVER_CORE, report } from './harness.mjs';

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
const summary = await rounds(targets);
await report('lp-ea signer benchmark', summary, { Express: 'express', floor: 'floor' }, upstreamOrigin);
