/**
 * Signer throughput and added latency: autocannon against the Node signing endpoint in
 * front of the LivePerson stand-in, and, in the same run, against the stand-in directly with
 * one pre-signed request (the baseline). The difference is what lp-ea's signer adds:
 * reading, validating, signing and forwarding.
 *
 *   npm run bench            (BENCH_SECONDS, BENCH_CONNECTIONS to change the load)
 */
import autocannon from 'autocannon';
import oauth from 'oauth-sign';
import { startSignerServer } from '../dist/signer-node.mjs';
import { startLivePerson } from '../demo/liveperson-stand-in.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const credentials = { consumerKey: 'bench-key', consumerSecret: 'bench-secret', token: 'bench-token', tokenSecret: 'bench-token-secret' };
const visit = { account: '1234', visitor: 'A3MWU2ZTU2NmMwNzRiN2Vl', sid: 'AsfghSCZT6-Sno2AJw7ZAA' };
const attributes = [
	{ type: 'lead', lead: { topic: 'upgrade', value: 200, currency: 'USD', leadId: 'xyz123' } },
	{ type: 'service', service: { topic: 'add user', status: 2, category: 'account', serviceId: 'service12' } },
];

// The baseline replays one signed request, so the stand-in must not refuse a reused nonce.
const lp = await startLivePerson({ accounts: ['1234'], credentials, checkNonces: false });
const signer = await startSignerServer({
	signer: {
		accounts: '1234',
		consumerKey: credentials.consumerKey,
		consumerSecret: credentials.consumerSecret,
		accessToken: credentials.token,
		accessTokenSecret: credentials.tokenSecret,
		domain: lp.origin,
		rateLimit: false,
	},
	port: 0,
});

// Signed with oauth-sign, independently of the code under test.
const direct = new URL(`/api/account/${visit.account}/monitoring/visitors/${visit.visitor}/visits/current/events?v=1&sid=${visit.sid}`, lp.origin);
const fields = {
	oauth_consumer_key: credentials.consumerKey,
	oauth_nonce: 'benchmark-baseline',
	oauth_signature_method: 'HMAC-SHA1',
	oauth_timestamp: String(Math.floor(Date.now() / 1000)),
	oauth_token: credentials.token,
	oauth_version: '1.0',
};
fields.oauth_signature = oauth.hmacsign('POST', `${direct.origin}${direct.pathname}`, { ...fields, v: '1', sid: visit.sid }, credentials.consumerSecret, credentials.tokenSecret);
const authorization = `OAuth ${Object.entries(fields).map(([k, v]) => `${k}="${oauth.rfc3986(v)}"`).join(', ')}`;

function run(title, options) {
	return new Promise((resolve, reject) => {
		autocannon({ connections: CONNECTIONS, duration: SECONDS, method: 'POST', ...options }, (error, result) => {
			if (error) return reject(error);
			const non2xx = result.non2xx + result.errors + result.timeouts;
			resolve({ title, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, requests: result.requests.total, failed: non2xx });
		});
	});
}

// Warm both paths up (JIT, connection pools) before measuring.
const warm = { duration: 2 };
const directOptions = { url: direct.href, headers: { authorization, 'content-type': 'application/json', 'x-http-method-override': 'PUT' }, body: JSON.stringify(attributes) };
const signerOptions = { url: `${signer.url}/lp-ea/events`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...visit, attributes }) };
await run('warm-up', { ...directOptions, ...warm });
await run('warm-up', { ...signerOptions, ...warm });

const baseline = await run('stand-in directly (baseline)', directOptions);
const through = await run('through the lp-ea signer', signerOptions);

await signer.close();
await lp.close();

console.log(`\nlp-ea signer benchmark: ${CONNECTIONS} connections, ${SECONDS} s each, node ${process.version}\n`);
console.log('| path | req/s | p50 ms | p99 ms | requests | failed |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of [baseline, through]) {
	console.log(`| ${r.title} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.requests} | ${r.failed} |`);
}
console.log(`\nthroughput ratio (signer / baseline): ${(through.rps / baseline.rps).toFixed(2)}`);
console.log(`added latency: p50 +${(through.p50 - baseline.p50).toFixed(1)} ms, p99 +${(through.p99 - baseline.p99).toFixed(1)} ms`);
if (baseline.failed || through.failed) {
	console.error('some requests failed: the figures above are not comparable');
	process.exitCode = 1;
}
