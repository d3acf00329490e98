import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { createSigner, ENV_NAMES, optionsFromEnv, type SignerHandler } from '../../src/signer/index.js';
import { SIGNER_PATHS } from '../helpers/paths.js';
import { LEAD, post, startStandIn, streamingPost, VISIT } from '../helpers/signer.js';

// Every refusal a setting could lift names that setting: the variable for a signer configured
// from the environment, the option for createSigner.
let lp: LivePersonStandIn;
beforeAll(async () => {
	lp = await startStandIn();
});
afterAll(() => lp.close());
beforeEach(() => {
	lp.clear();
	lp.setFault(undefined);
});

const valid = () => post({ ...VISIT, attributes: [LEAD] });
/** A body that starts and never ends. */
const endless = () => streamingPost(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{')) }));

async function refusal(response: Response) {
	const body = (await response.json()) as { error: { code: string; message: string } };
	return { status: response.status, ...body.error };
}

type Case = {
	name: string;
	env: Record<string, string>;
	/** Drives the signer into the refusal; resolves to the refused answer. */
	run: (signer: SignerHandler) => Promise<Response>;
	status: number;
	/** The message, given the setting's name. */
	message: (setting: string) => string;
	setting: keyof typeof ENV_NAMES;
};

const cases: Case[] = [
	{
		name: 'an account not served',
		env: {},
		run: (signer) => signer(post({ ...VISIT, account: '9999', attributes: [LEAD] })),
		status: 403,
		setting: 'accounts',
		message: (s) => `account 9999 is not served by this endpoint: add it to ${s}`,
	},
	{
		name: 'a body over the limit',
		env: { LP_MAX_BODY_BYTES: '64' },
		run: (signer) => signer(post({ ...VISIT, attributes: [LEAD, LEAD] })),
		status: 413,
		setting: 'maxBodyBytes',
		message: (s) => `the request body must be at most 64 bytes (${s})`,
	},
	{
		name: 'a client over its rate',
		env: { LP_RATE_LIMIT: '1/1' },
		run: async (signer) => {
			expect((await signer(valid())).status).toBe(200);
			return signer(valid());
		},
		status: 429,
		setting: 'rateLimit',
		message: (s) => `too many requests (${s}): try again in 60 s`,
	},
	{
		name: 'a request past the in-flight cap',
		env: { LP_MAX_IN_FLIGHT: '1' },
		run: async (signer) => {
			lp.setFault({ delayMs: 300 });
			const first = signer(valid());
			await new Promise((resolve) => setTimeout(resolve, 50));
			const second = await signer(valid());
			expect((await first).status).toBe(200);
			return second;
		},
		status: 503,
		setting: 'maxInFlight',
		message: (s) => `the signing endpoint is busy (${s}): try again in a second`,
	},
	{
		name: 'too many bodies arriving from one client',
		env: { LP_MAX_BODIES_PER_CLIENT: '1', LP_BODY_TIMEOUT_MS: '200' },
		run: async (signer) => {
			const first = signer(endless());
			const second = await signer(valid());
			expect((await first).status).toBe(408);
			return second;
		},
		status: 429,
		setting: 'maxBodiesPerClient',
		message: (s) => `too many requests from this address are still sending their bodies (${s}): try again in a second`,
	},
	{
		name: 'a body that does not arrive in time',
		env: { LP_BODY_TIMEOUT_MS: '100' },
		run: (signer) => signer(endless()),
		status: 408,
		setting: 'bodyTimeout',
		message: (s) => `the request body did not arrive within 100 ms (${s})`,
	},
	{
		name: 'LivePerson too slow',
		env: { LP_TIMEOUT_MS: '150' },
		run: (signer) => {
			lp.setFault({ hang: true });
			return signer(valid());
		},
		status: 504,
		setting: 'timeout',
		message: (s) => `LivePerson did not answer within 150 ms (${s})`,
	},
	{
		name: 'a domain lookup that fails',
		env: { LP_DOMAIN: '', LP_DOMAIN_API: 'http://127.0.0.1:9' },
		run: (signer) => signer(valid()),
		status: 502,
		setting: 'domain',
		message: (s) => `could not look up the LivePerson domain of account 1234: set ${s} to skip the lookup`,
	},
];

const env = (extra: Record<string, string>) => ({ ...lp.env, LP_ACCOUNT: '1234', LP_RATE_LIMIT: 'off', ...extra });

describe.each(cases)('$name', ({ env: extra, run, status, message, setting }) => {
	test(`names ${ENV_NAMES[setting]} when configured from the environment`, async () => {
		const signer = createSigner(optionsFromEnv(env(extra)), ENV_NAMES);
		expect(await refusal(await run(signer))).toMatchObject({ status, message: message(ENV_NAMES[setting]) });
	});

	test.each(SIGNER_PATHS)(`names the option on the $name path`, async ({ create }) => {
		const signer = create(optionsFromEnv(env(extra)));
		expect(await refusal(await run(signer))).toMatchObject({ status, message: message(setting) });
	});
});

test('an Origin no setting can admit (null) says so, rather than asking for it to be listed', async () => {
	for (const [signer, setting] of [
		[createSigner(optionsFromEnv(env({})), ENV_NAMES), 'LP_ALLOWED_ORIGINS'],
		[createSigner(optionsFromEnv(env({}))), 'allowedOrigins'],
	] as const) {
		const answer = await refusal(await signer(post({ ...VISIT, attributes: [LEAD] }, { headers: { origin: 'null' } })));
		expect(answer).toMatchObject({
			status: 403,
			message: `origin null may not call this endpoint: it is not an origin ${setting} can list (a sandboxed frame, a file: or data: page)`,
		});
	}
});
