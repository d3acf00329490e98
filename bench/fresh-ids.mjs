/**
 * A load of requests that each carry a new `id`, for bench/memory.mjs (autocannon can put a
 * fresh UUID in the body but not keep Content-Length right). CONNECTIONS loops, each waiting
 * for its answer before the next, through one keep-alive undici pool, for SECONDS. Prints
 * `{ total, ok, failed }` as JSON when done. With `none` as the fourth argument, the requests
 * carry no id at all: the same load, with nothing for the store to remember.
 *
 *   node bench/fresh-ids.mjs URL CONNECTIONS SECONDS [none]
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'undici';
import { attributes, visit } from './common.mjs';

const [url, connections, seconds, ids = 'fresh'] = process.argv.slice(2);
const target = new URL(url);
const pool = new Pool(target.origin, { connections: Number(connections) });
const until = Date.now() + Number(seconds) * 1000;
const counts = { total: 0, ok: 0, failed: 0 };
const fixed = `"account":${JSON.stringify(visit.account)},"visitor":${JSON.stringify(visit.visitor)},"sid":${JSON.stringify(visit.sid)},"attributes":${JSON.stringify(attributes)}}`;

async function loop() {
	while (Date.now() < until) {
		counts.total += 1;
		try {
			const { statusCode, body } = await pool.request({
				method: 'POST',
				path: target.pathname,
				headers: { 'content-type': 'application/json' },
				body: ids === 'none' ? `{${fixed}` : `{"id":"${randomBytes(16).toString('base64url')}",${fixed}`,
			});
			await body.dump();
			counts[statusCode === 200 ? 'ok' : 'failed'] += 1;
		} catch {
			counts.failed += 1;
		}
	}
}

await Promise.all(Array.from({ length: Number(connections) }, loop));
await pool.close();
console.log(JSON.stringify(counts));
