/**
 * The baseline: the relay a competent developer would write in an afternoon from today's
 * tutorials. Express 5 with express.json(), oauth-1.0a with node:crypto's createHmac, the
 * global fetch. It validates the envelope's shape, serves one account, and never passes
 * LivePerson's body on. (No schema validation, origin check, rate limit or body deadline:
 * lp-ea does all of those in the figures it is compared with.)
 *
 *   LP_* settings as for lp-ea-signer; node bench/express-relay.mjs
 */
import { createHmac } from 'node:crypto';
import express from 'express';
import OAuth from 'oauth-1.0a';

const env = process.env;
const oauth = new OAuth({
	consumer: { key: env.LP_CONSUMER_KEY, secret: env.LP_CONSUMER_SECRET },
	signature_method: 'HMAC-SHA1',
	hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
});
const token = { key: env.LP_ACCESS_TOKEN, secret: env.LP_ACCESS_TOKEN_SECRET };
const ID = /^[A-Za-z0-9_.-]{1,128}$/;

const app = express();
app.use(express.json({ limit: '64kb', type: ['application/json', 'text/plain'] }));

app.post('/lp-ea/events', async (req, res) => {
	const { account, visitor, sid, attributes } = req.body ?? {};
	if (![visitor, sid].every((id) => typeof id === 'string' && ID.test(id)) || !Array.isArray(attributes) || attributes.length === 0) {
		return res.status(400).json({ error: { code: 'bad-request', message: 'invalid envelope' } });
	}
	if (account !== env.LP_ACCOUNT) return res.status(403).json({ error: { code: 'forbidden', message: 'account not served' } });
	const url = `${env.LP_DOMAIN}/api/account/${account}/monitoring/visitors/${visitor}/visits/current/events?v=1&sid=${sid}`;
	try {
		const upstream = await fetch(url, {
			method: 'POST',
			headers: {
				...oauth.toHeader(oauth.authorize({ url, method: 'POST' }, token)),
				'content-type': 'application/json',
				'x-http-method-override': 'PUT',
			},
			body: JSON.stringify(attributes),
			signal: AbortSignal.timeout(10_000),
		});
		await upstream.text();
		if (upstream.ok) return res.json({});
		res.status(502).json({ error: { code: 'bad-gateway', message: `LivePerson answered ${upstream.status}` } });
	} catch {
		res.status(502).json({ error: { code: 'bad-gateway', message: 'could not reach LivePerson' } });
	}
});

app.listen(Number(env.PORT), env.HOST ?? '127.0.0.1');
