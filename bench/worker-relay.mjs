/**
 * The Workers baseline: the relay a developer would write for Workers from today's
 * tutorials. oauth-1.0a builds the OAuth base string, Web Crypto signs it (the key imported
 * once per isolate), the global fetch posts it. It checks the envelope's shape and the
 * account, and never passes LivePerson's body on; no schema, origin check, rate limit,
 * de-duplication or log line. Run by bench/workerd.mjs in workerd, with oauth-1.0a as a
 * CommonJS module beside it.
 */
import OAuth from 'oauth-1.0a';

const ID = /^[A-Za-z0-9_.-]{1,128}$/;
let signing;

function signer(env) {
	const oauth = new OAuth({
		consumer: { key: env.LP_CONSUMER_KEY, secret: env.LP_CONSUMER_SECRET },
		signature_method: 'HMAC-SHA1',
		// Only its base string and key are used: Web Crypto is asynchronous, oauth-1.0a's hash is not.
		hash_function: () => '',
	});
	const key = crypto.subtle.importKey('raw', new TextEncoder().encode(oauth.getSigningKey(env.LP_ACCESS_TOKEN_SECRET)), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
	return async (url) => {
		const data = {
			oauth_consumer_key: env.LP_CONSUMER_KEY,
			oauth_nonce: oauth.getNonce(),
			oauth_signature_method: 'HMAC-SHA1',
			oauth_timestamp: oauth.getTimeStamp(),
			oauth_version: '1.0',
			oauth_token: env.LP_ACCESS_TOKEN,
		};
		const signature = await crypto.subtle.sign('HMAC', await key, new TextEncoder().encode(oauth.getBaseString({ url, method: 'POST' }, data)));
		data.oauth_signature = btoa(String.fromCharCode(...new Uint8Array(signature)));
		return oauth.toHeader(data).Authorization;
	};
}

const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export default {
	async fetch(request, env) {
		signing ??= signer(env);
		if (request.method !== 'POST') return json(405, { error: { code: 'bad-request' } });
		let envelope;
		try {
			envelope = await request.json();
		} catch {
			return json(400, { error: { code: 'bad-request', message: 'not JSON' } });
		}
		const { account, visitor, sid, attributes } = envelope ?? {};
		if (![visitor, sid].every((id) => typeof id === 'string' && ID.test(id)) || !Array.isArray(attributes) || attributes.length === 0) {
			return json(400, { error: { code: 'bad-request', message: 'invalid envelope' } });
		}
		if (account !== env.LP_ACCOUNT) return json(403, { error: { code: 'forbidden', message: 'account not served' } });
		const url = `${env.LP_DOMAIN}/api/account/${account}/monitoring/visitors/${visitor}/visits/current/events?v=1&sid=${sid}`;
		try {
			const upstream = await fetch(url, {
				method: 'POST',
				headers: { authorization: await signing(url), 'content-type': 'application/json', 'x-http-method-override': 'PUT' },
				body: JSON.stringify(attributes),
				signal: AbortSignal.timeout(10_000),
			});
			await upstream.arrayBuffer();
			return upstream.ok ? json(200, {}) : json(502, { error: { code: 'bad-gateway', message: `LivePerson answered ${upstream.status}` } });
		} catch {
			return json(502, { error: { code: 'bad-gateway', message: 'could not reach LivePerson' } });
		}
	},
};
