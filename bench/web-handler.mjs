/**
 * lp-ea's Web-standard handler (`lp-ea/signer`, no injections: fetch and Web Crypto) on
 * node:http, through the plain bridge any Web handler needs on Node: the request as a Web
 * Request with a streamed body, the Response written back. What a brand gets from the Web
 * handler on a runtime without an adapter of lp-ea's own.
 *
 *   LP_* settings as for lp-ea-signer; node bench/web-handler.mjs
 */
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { createSigner, ENV_NAMES, optionsFromEnv } from '../dist/signer.mjs';

const handle = createSigner(optionsFromEnv(process.env), ENV_NAMES);

function toRequest(req) {
	const headers = new Headers();
	for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
	const body = req.method === 'GET' || req.method === 'HEAD' ? null : Readable.toWeb(req);
	return new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body, duplex: 'half' });
}

createServer(async (req, res) => {
	try {
		const response = await handle(toRequest(req), { clientAddress: req.socket.remoteAddress, localAddress: req.socket.localAddress });
		const body = Buffer.from(await response.arrayBuffer());
		res.writeHead(response.status, Object.fromEntries(response.headers));
		res.end(body);
	} catch {
		res.writeHead(500).end();
	}
}).listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
