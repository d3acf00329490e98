import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { createSigner, optionsFromEnv, SignerConfigError, type SignerOptions } from '../../src/signer/index.js';
import { LEAD, post, signerOptions, startStandIn, VISIT } from '../helpers/signer.js';

// LP_ALLOWED_ORIGINS / allowedOrigins: normalised at start, subdomain wildcards, refusals by name.
let lp: LivePersonStandIn;
beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(() => lp.close());

const signerFor = (allowedOrigins: SignerOptions['allowedOrigins']) =>
	createSigner({ ...signerOptions(lp.origin), allowedOrigins, rateLimit: false });

/** The status and CORS header a page on `origin` gets from the signer at https://signer.brand.example. */
async function from(signer: ReturnType<typeof createSigner>, origin: string) {
	const response = await signer(post({ ...VISIT, attributes: [LEAD] }, { url: 'https://signer.brand.example/lp-ea/events', headers: { origin } }));
	const body = (await response.json()) as { error?: { message: string } };
	return { status: response.status, cors: response.headers.get('access-control-allow-origin'), message: body.error?.message };
}

describe('listed origins are normalised at start', () => {
	test.each([
		['HTTPS://Shop.Example.com:443', 'https://shop.example.com'],
		['https://shop.example.com/', 'https://shop.example.com'],
		['http://shop.example.com:80', 'http://shop.example.com'],
		['https://shop.example.com:8443', 'https://shop.example.com:8443'],
		['https://bücher.example', 'https://xn--bcher-kva.example'],
		['https://[2001:DB8::1]:443', 'https://[2001:db8::1]'],
	])('%s admits a page on %s, and the answer echoes its Origin', async (listed, page) => {
		expect(await from(signerFor(listed), page)).toMatchObject({ status: 200, cors: page });
	});

	test('the default port is dropped either side, but another port is another origin', async () => {
		const signer = signerFor('https://shop.example.com');
		expect((await from(signer, 'https://shop.example.com:443')).status).toBe(200);
		expect((await from(signer, 'https://shop.example.com:8443')).status).toBe(403);
		expect((await from(signer, 'http://shop.example.com')).status).toBe(403);
	});

	test('a request Origin is compared normalised, exactly: case, but never a path, credentials or a trailing dot', async () => {
		const signer = signerFor('https://shop.example.com');
		expect((await from(signer, 'HTTPS://SHOP.example.COM')).status).toBe(200);
		for (const origin of ['https://shop.example.com/', 'https://shop.example.com/x', 'https://user@shop.example.com', 'https://shop.example.com.', 'https://shop.example.com?', 'null', 'shop.example.com']) {
			expect((await from(signer, origin)).status, origin).toBe(403);
		}
	});

	test('a listed trailing-dot origin is its own origin, as browsers keep it', async () => {
		const signer = signerFor('https://shop.example.com.');
		expect((await from(signer, 'https://shop.example.com.')).status).toBe(200);
		expect((await from(signer, 'https://shop.example.com')).status).toBe(403);
	});
});

describe('subdomain wildcards', () => {
	const signer = () => signerFor('https://*.example.com');

	test('admit one label or more under the domain, on its scheme and port', async () => {
		for (const origin of ['https://shop.example.com', 'https://eu.shop.example.com', 'https://a-b.c.d.example.com', 'https://xn--bcher-kva.example.com']) {
			expect(await from(signer(), origin), origin).toMatchObject({ status: 200, cors: origin });
		}
	});

	test('refuse the apex, look-alikes, another scheme or port, and hosts with empty labels', async () => {
		const hostile = [
			'https://example.com',
			'https://evil-example.com',
			'https://example.com.evil.com',
			'https://shop.example.com.evil.com',
			'https://shopexample.com',
			'https://shop.example.com.',
			'https://shop.example.co',
			'http://shop.example.com',
			'https://shop.example.com:8443',
			'https://.example.com',
			'https://a..example.com',
			'https://shop.example.com@evil.com',
			'null',
		];
		for (const origin of hostile) expect((await from(signer(), origin)).status, origin).toBe(403);
	});

	test('the apex is admitted when it is listed too, and a port or IDN in the wildcard is kept', async () => {
		const both = signerFor(['https://example.com', 'https://*.example.com:8443', 'https://*.bücher.example']);
		expect((await from(both, 'https://example.com')).status).toBe(200);
		expect((await from(both, 'https://shop.example.com:8443')).status).toBe(200);
		expect((await from(both, 'https://shop.example.com')).status).toBe(403);
		expect((await from(both, 'https://shop.xn--bcher-kva.example')).status).toBe(200);
	});
});

describe('anything that is not an origin stops the start, naming the setting and the entry', () => {
	const bad: Array<[string, string]> = [
		['https://shop.example.com/lp-ea', 'it has a path'],
		['https://shop.example.com?x=1', 'it has a query or fragment'],
		['https://shop.example.com#top', 'it has a query or fragment'],
		['https://user:hunter2@shop.example.com', 'it has a user or password'],
		['ftp://shop.example.com', 'its scheme must be http or https'],
		['chrome-extension://abcdef', 'its scheme must be http or https'],
		['*', 'a wildcard must be a whole first label'],
		['https://*', 'a wildcard must be a whole first label'],
		['https://*.com', 'a wildcard must stand before a domain of two labels or more'],
		['https://*.com.', 'a wildcard must stand before a domain of two labels or more'],
		['https://*.*.example.com', 'a wildcard must stand before a domain of two labels or more'],
		['https://shop.*.example.com', 'a wildcard must be a whole first label'],
		['https://*shop.example.com', 'a wildcard must be a whole first label'],
		['https://*.example.com/x', 'it has a path'],
		['null', 'it is not a URL'],
		['shop.example.com', 'it is not a URL'],
	];

	test.each(bad)('%s: %s', (entry, why) => {
		for (const [names, setting] of [[undefined, 'allowedOrigins'], ['env', 'LP_ALLOWED_ORIGINS']] as const) {
			let error: unknown;
			try {
				if (names) optionsFromEnv({ ...lp.env, LP_ACCOUNT: '1234', LP_ALLOWED_ORIGINS: `https://ok.example.com, ${entry}` });
				else signerFor(['https://ok.example.com', entry]);
			} catch (caught) {
				error = caught;
			}
			expect(error).toBeInstanceOf(SignerConfigError);
			const message = (error as SignerConfigError).message;
			expect(message).toContain(`${setting} entry 2 is not an origin: ${why}`);
			expect(message).not.toContain('hunter2');
		}
	});
});
