// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, test, vi, type MockInstance } from 'vitest';
import { createClient, LpEAError, type Client } from '../../src/browser/index.js';
import { settle, useSigningEndpoint, VISIT_QUERY, visitPage } from '../helpers/page.js';

// Names are exact, as LivePerson's are: a near miss is refused, and told the name it missed.
// A misspelt field is dropped like any unknown one, and debug output says so.
const endpoint = useSigningEndpoint();

const client = (options = {}): Client => {
	visitPage(`/landing?${VISIT_QUERY}`);
	return createClient(options);
};

async function message(call: Promise<void>): Promise<string> {
	const error = await call.then(
		() => expect.fail('expected the call to reject'),
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(LpEAError);
	expect(error).toMatchObject({ code: 'invalid', status: 0 });
	return (error as LpEAError).message;
}

describe('invalid names say which name was meant', () => {
	test.each([
		['a status in another case', { status: 'In-Progress' }, 'in-progress'],
		['a status without its dash', { status: 'inprogress' }, 'in-progress'],
		['a status one letter short', { status: 'approve' }, 'approved'],
		['a status spelt the American way', { status: 'canceled' }, 'cancelled'],
	])('service(): %s', async (_name, fields, meant) => {
		expect(await message(client().service(fields as never))).toBe(
			`service.status: must be an integer from 0 to 13 or a name such as "in-progress"; did you mean "${meant}"? (got "${(fields as { status: string }).status}"); nothing was sent`,
		);
		await settle();
		expect(endpoint.sent).toHaveLength(0);
	});

	test('mrktInfo(): a channel in another case', async () => {
		expect(await message(client().mrktInfo({ channel: 'Paid-Search' as never }))).toBe(
			'info.channel: must be an integer from 0 to 6 or a name such as "search"; did you mean "paid-search"? (got "Paid-Search"); nothing was sent',
		);
	});

	test('personal(): a gender and a phone type in lower case', async () => {
		expect(await message(client().personal({ gender: 'male' as never }))).toBe(
			'personal.gender: must be one of "MALE", "FEMALE", "OTHER"; did you mean "MALE"? (got "male"); nothing was sent',
		);
		expect(await message(client().personal({ contacts: [{ phoneType: 'mobile' as never }] }))).toMatch(
			/^personal\.contacts\[0\]\.phoneType: must be one of "HOME", .*; did you mean "MOBILE"\? \(got "mobile"\)/,
		);
	});

	test('send(): a type in another case', async () => {
		expect(await message(client().send({ type: 'Lead', lead: {} } as never))).toMatch(
			/^attributes\[0\]\.type: must be one of "lead", .*"searchInfo"; did you mean "lead"\? \(got "Lead"\); nothing was sent$/,
		);
	});

	test.each([
		['a name far from any', 'done'],
		['a number out of range', 14],
		['a number as a string', '2'],
		['a name with more', 'in progress now'],
		['a 50,000-character string', 'x'.repeat(50_000)],
		['no string at all', { name: 'resolved' }],
	])('no guess for %s', async (_name, status) => {
		const said = await message(client().service({ status } as never));
		expect(said).toMatch(/^service\.status: must be an integer from 0 to 13 or a name such as "in-progress" \(got /);
		expect(said).not.toContain('did you mean');
		expect(said.length).toBeLessThan(300);
	});

	test('the exact names pass, and nothing else does: names are not matched by case', async () => {
		await client().service({ status: 'in-progress' });
		expect(endpoint.sent[0]?.body.attributes).toEqual([{ type: 'service', service: { status: 1 } }]);
		await message(client().service({ status: 'IN-PROGRESS' as never }));
		await message(client().personal({ gender: 'Female' as never }));
	});
});

describe('debug output names every field a helper dropped', () => {
	let log: MockInstance<typeof console.log>;
	beforeEach(() => {
		log = vi.spyOn(console, 'log').mockImplementation(() => {});
	});
	afterEach(() => log.mockRestore());
	const dropped = () => log.mock.calls.map(([line]) => String(line)).filter((line) => line.includes(' dropped '));

	test('with the name it was probably meant to be; the rest is sent', async () => {
		await client({ debug: true }).lead({ vaule: 200, topic: 'upgrade' } as never);
		expect(dropped()).toEqual(['[lp-ea] lead() dropped "vaule"; did you mean "value"?']);
		expect(endpoint.sent[0]?.body.attributes).toEqual([{ type: 'lead', lead: { topic: 'upgrade' } }]);
	});

	test('each one, on wrapped and flat types, with no guess where none is close', async () => {
		const c = client({ debug: true });
		await c.mrktInfo({ chanel: 'email', campaign: 'c' } as never);
		const refused = await c.cart({ totl: 1, numItems: 1, coupon: 'X' } as never).catch((e: Error) => e.message);
		expect(dropped()).toEqual([
			'[lp-ea] mrktInfo() dropped "chanel"; did you mean "channel"?',
			'[lp-ea] mrktInfo() dropped "campaign"',
			'[lp-ea] cart() dropped "totl"; did you mean "total"?',
			'[lp-ea] cart() dropped "coupon"',
		]);
		expect(refused).toBe('total: is required; nothing was sent');
	});

	test('names an object has of its own, such as "constructor" and "__proto__", are fields like any', async () => {
		await client({ debug: true }).error(JSON.parse('{"constructor": 1, "__proto__": 2, "code": "E1"}'));
		expect(dropped()).toEqual(['[lp-ea] error() dropped "constructor"', '[lp-ea] error() dropped "__proto__"']);
		expect(endpoint.sent[0]?.body.attributes).toEqual([{ type: 'error', error: { code: 'E1' } }]);
	});

	test('fields that are no object drop nothing, and a call with only known fields says nothing of it', async () => {
		const c = client({ debug: true });
		await Promise.allSettled([c.lead(null as never), c.lead('upgrade' as never), c.lead(), c.lead({ value: 1 })]);
		expect(dropped()).toEqual([]);
	});

	test('without debug, nothing is said', async () => {
		await client().lead({ vaule: 200 } as never);
		expect(log).not.toHaveBeenCalled();
		expect(endpoint.sent[0]?.body.attributes).toEqual([{ type: 'lead', lead: {} }]);
	});
});
