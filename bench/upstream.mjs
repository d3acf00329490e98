/**
 * The benchmark's LivePerson: a minimal node:http server that answers every event POST 200
 * `{}`, so that its own cost does not cap the figures (the demo's stand-in checks every
 * signature and nonce, and would). It still checks that what arrives is signed correctly:
 * every 25th request's OAuth signature is verified with oauth-sign, and GET /stats tells how
 * many were checked and how many failed.
 *
 *   node bench/upstream.mjs PORT
 */
import { createServer } from 'node:http';
import oauth from 'oauth-sign';
import { credentials } from './common.mjs';

const stats = { requests: 0, checked: 0, bad: 0 };

function verify(req, origin) {
	const url = new URL(req.url, origin);
	const fields = Object.fromEntries(
		(req.headers.authorization ?? '')
			.replace(/^OAuth /, '')
			.split(/,\s*/)
			.map((field) => /^(\w+)="(.*)"$/.exec(field))
			.filter(Boolean)
			.map(([, name, value]) => [name, decodeURIComponent(value)]),
	);
	const { oauth_signature: signature, ...signed } = fields;
	const expected = oauth.hmacsign('POST', `${url.origin}${url.pathname}`, { ...signed, ...Object.fromEntries(url.searchParams) }, credentials.consumerSecret, credentials.tokenSecret);
	return signature === expected;
}

const server = createServer((req, res) => {
	if (req.method === 'GET' && req.url === '/stats') return res.end(JSON.stringify(stats));
	const chunks = [];
	req.on('data', (chunk) => chunks.push(chunk));
	req.on('end', () => {
		stats.requests += 1;
		if (stats.requests % 25 === 0) {
			stats.checked += 1;
			const attributes = JSON.parse(Buffer.concat(chunks).toString());
			if (!verify(req, `http://${req.headers.host}`) || !Array.isArray(attributes) || attributes.length !== 2) stats.bad += 1;
		}
		res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
		res.end('{}');
	});
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1');
