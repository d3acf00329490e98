/**
 * The floor: the least a relay can do and still be one. node:http, the body read into one
 * Buffer, `JSON.parse`, the ids checked by one regex, OAuth 1.0 HMAC-SHA1 with createHmac,
 * undici's `Pool.request` with keep-alive, and nothing else: no schema, no de-duplication, no
 * origin check, no rate limit, no body deadline, no log line. Not something to deploy; it
 * tells how much of lp-ea's cost is the job itself and how much is what lp-ea adds.
 *
 *   LP_* settings as for lp-ea-signer; node bench/floor-relay.mjs
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { Pool } from 'undici';

const env = process.env;
const ID = /^[A-Za-z0-9_.-]{1,128}$/;
const pool = new Pool(env.LP_DOMAIN, { connections: 128, pipelining: 1 });
const key = `${encode(env.LP_CONSUMER_SECRET)}&${encode(env.LP_ACCESS_TOKEN_SECRET)}`;

function encode(value) {
	return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** RFC 5849: the signature over the method, the base URI and the sorted parameters. */
function authorization(base, sid) {
	const fields = {
		oauth_consumer_key: env.LP_CONSUMER_KEY,
		oauth_nonce: randomBytes(16).toString('hex'),
		oauth_signature_method: 'HMAC-SHA1',
		oauth_timestamp: String(Math.floor(Date.now() / 1000)),
		oauth_token: env.LP_ACCESS_TOKEN,
		oauth_version: '1.0',
	};
	const params = Object.entries({ ...fields, sid, v: '1' })
		.map(([k, v]) => [encode(k), encode(v)])
		.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : 1))
		.map(([k, v]) => `${k}=${v}`)
		.join('&');
	const signature = createHmac('sha1', key).update(`POST&${encode(base)}&${encode(params)}`).digest('base64');
	return `OAuth ${Object.entries({ ...fields, oauth_signature: signature }).map(([k, v]) => `${k}="${encode(v)}"`).join(', ')}`;
}

function answer(res, status, body) {
	res.writeHead(status, { 'content-type': 'application/json' }).end(body);
}

createServer((req, res) => {
	if (req.method !== 'POST' || req.url !== '/lp-ea/events') return answer(res, 404, '{}');
	const chunks = [];
	req.on('data', (chunk) => chunks.push(chunk));
	req.on('end', async () => {
		let envelope;
		try {
			envelope = JSON.parse(Buffer.concat(chunks).toString('utf8'));
		} catch {
			return answer(res, 400, '{"error":{"code":"bad-request"}}');
		}
		const { account, visitor, sid, attributes } = envelope ?? {};
		if (account !== env.LP_ACCOUNT || ![visitor, sid].every((id) => typeof id === 'string' && ID.test(id)) || !Array.isArray(attributes)) {
			return answer(res, 400, '{"error":{"code":"bad-request"}}');
		}
		const path = `/api/account/${account}/monitoring/visitors/${visitor}/visits/current/events`;
		try {
			const upstream = await pool.request({
				method: 'POST',
				path: `${path}?v=1&sid=${encodeURIComponent(sid)}`,
				headers: {
					authorization: authorization(`${env.LP_DOMAIN}${path}`, sid),
					'content-type': 'application/json',
					'x-http-method-override': 'PUT',
				},
				body: JSON.stringify(attributes),
			});
			await upstream.body.dump();
			answer(res, upstream.statusCode === 200 ? 200 : 502, upstream.statusCode === 200 ? '{}' : '{"error":{"code":"bad-gateway"}}');
		} catch {
			answer(res, 502, '{"error":{"code":"bad-gateway"}}');
		}
	});
}).listen(Number(env.PORT), env.HOST ?? '127.0.0.1');

// So that `node --cpu-prof` writes its profile on Ctrl-C (bench/profile.mjs reads it).
process.on('SIGINT', () => process.exit());
