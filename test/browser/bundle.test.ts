// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HttpResponse } from 'msw';
import { afterEach, describe, expect, test } from 'vitest';
import { settle, useSigningEndpoint, VISIT, VISIT_QUERY, visitPage, REQUEST_ID } from '../helpers/page.js';

// The built files, as a page gets them (npm test builds first).
// (Paths from the repository root: happy-dom's URL cannot make file paths.)
const STUB = readFileSync(resolve('dist/lp-ea.stub.min.js'), 'utf8');
const BUNDLE = readFileSync(resolve('dist/lp-ea.min.js'), 'utf8');

type LpEA = {
	consent(granted: boolean): unknown;
	lead(fields?: object): Promise<void>;
	service(fields?: object): Promise<void>;
	send(...attributes: object[]): Promise<void>;
	visit: unknown;
	q?: unknown[];
	LpEAError?: new (...args: never[]) => Error;
	SERVICE_STATUS?: Record<string, number>;
};
const page = window as unknown as { lpEA?: LpEA };
const run = (source: string) => window.eval(source);

const endpoint = useSigningEndpoint();

function scriptTag(attributes: Record<string, string>) {
	const tag = document.createElement('script');
	for (const [name, value] of Object.entries(attributes)) tag.setAttribute(name, value);
	document.head.append(tag);
}

afterEach(() => {
	delete page.lpEA;
	document.head.innerHTML = '';
});

test('the stub queues calls as promises; the bundle sends them in one request and settles them', async () => {
	visitPage(`/landing?${VISIT_QUERY}`);
	run(STUB);
	const early = page.lpEA!.lead({ topic: 'before load', value: 10 });
	const second = page.lpEA!.service({ status: 'in-progress' });
	expect(early).toBeInstanceOf(Promise);
	expect(page.lpEA!.q).toHaveLength(2);
	await settle();
	expect(endpoint.sent).toHaveLength(0);

	scriptTag({ 'data-endpoint': '/lp-ea/events' });
	run(BUNDLE);
	await expect(early).resolves.toBeUndefined();
	await expect(second).resolves.toBeUndefined();
	expect(endpoint.sent).toHaveLength(1);
	expect(endpoint.sent[0]?.body).toEqual({
		id: REQUEST_ID,
		...VISIT,
		attributes: [
			{ type: 'lead', lead: { topic: 'before load', value: 10 } },
			{ type: 'service', service: { status: 1 } },
		],
	});
});

test('a queued call that fails validation rejects once the bundle loads', async () => {
	visitPage(`/landing?${VISIT_QUERY}`);
	run(STUB);
	const bad = page.lpEA!.service({ status: 'approve' });
	run(BUNDLE);
	await expect(bad).rejects.toMatchObject({ name: 'LpEAError', code: 'invalid' });
});

test('the bundle defines lpEA with visit, LpEAError and SERVICE_STATUS, and honours data-endpoint', async () => {
	visitPage(`/landing?${VISIT_QUERY}`);
	scriptTag({ 'data-endpoint': '/custom/endpoint' });
	run(BUNDLE);
	expect(page.lpEA!.visit).toEqual(VISIT);
	expect(page.lpEA!.SERVICE_STATUS!.resolved).toBe(13);
	await page.lpEA!.lead({ topic: 'x' });
	expect(endpoint.sent[0]?.url).toBe('http://localhost:3000/custom/endpoint');
	const error = await page.lpEA!.lead({ value: Number.NaN }).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(page.lpEA!.LpEAError!);
});

test('without data-endpoint the default /lp-ea/events is used', async () => {
	visitPage(`/landing?${VISIT_QUERY}`);
	run(BUNDLE);
	await page.lpEA!.lead();
	expect(endpoint.sent[0]?.url).toBe('http://localhost:3000/lp-ea/events');
});

test('data-param-* renames the URL parameters; data-debug logs, a dropped field too', async () => {
	visitPage('/landing?a=1234&v=vis&s=sess');
	scriptTag({ 'data-endpoint': '/lp-ea/events', 'data-param-account': 'a', 'data-param-visitor': 'v', 'data-param-sid': 's', 'data-debug': '' });
	const lines: string[] = [];
	const original = console.log;
	console.log = (first: unknown) => lines.push(String(first));
	try {
		run(BUNDLE);
	} finally {
		console.log = original;
	}
	expect(page.lpEA!.visit).toEqual({ account: '1234', visitor: 'vis', sid: 'sess' });
	expect(lines.some((line) => line.startsWith('[lp-ea] visit'))).toBe(true);
	console.log = (first: unknown) => lines.push(String(first));
	try {
		await page.lpEA!.lead({ vaule: 200 });
	} finally {
		console.log = original;
	}
	expect(lines).toContain('[lp-ea] lead() dropped "vaule"; did you mean "value"?');
});

test('loading the bundle twice keeps the first client', () => {
	visitPage(`/landing?${VISIT_QUERY}`);
	run(BUNDLE);
	const first = page.lpEA;
	run(BUNDLE);
	expect(page.lpEA).toBe(first);
});

// The bundle is minified with terser's unsafe rewrites. These run the built file to show it
// still does the whole job.
test('the minified bundle still sends all ten types, names mapped', async () => {
	visitPage(`/landing?${VISIT_QUERY}`);
	run(BUNDLE);
	const lpEA = page.lpEA as unknown as Record<string, (fields: object) => Promise<void>>;
	await Promise.all([
		lpEA.lead!({ topic: 't' }),
		lpEA.service!({ status: 'resolved' }),
		lpEA.cart!({ total: 1.5, numItems: 1, products: [{ product: { sku: 's', price: 1.5 }, quantity: 1 }] }),
		lpEA.purchase!({ orderId: 'o', cart: { products: [{ product: { sku: 's' } }] } }),
		lpEA.prodView!({ products: [{ product: { sku: 's', quantityInStock: 2 } }] }),
		lpEA.ctmrinfo!({ balance: -1, registrationDate: { day: 1, month: 2, year: 2020 } }),
		lpEA.mrktInfo!({ channel: 'paid-search' }),
		lpEA.personal!({ gender: 'FEMALE', contacts: [{ phoneType: 'WORK' }] }),
		lpEA.error!({ code: 'E1', resolved: true }),
		lpEA.searchInfo!({ keywords: ['k'] }),
	]);
	expect(endpoint.sent).toHaveLength(1);
	expect(endpoint.sent[0]?.body.attributes).toEqual([
		{ type: 'lead', lead: { topic: 't' } },
		{ type: 'service', service: { status: 13 } },
		{ type: 'cart', total: 1.5, numItems: 1, products: [{ product: { sku: 's', price: 1.5 }, quantity: 1 }] },
		{ type: 'purchase', orderId: 'o', cart: { products: [{ product: { sku: 's' } }] } },
		{ type: 'prodView', products: [{ product: { sku: 's', quantityInStock: 2 } }] },
		{ type: 'ctmrinfo', info: { balance: -1, registrationDate: { day: 1, month: 2, year: 2020 } } },
		{ type: 'mrktInfo', info: { channel: 5 } },
		{ type: 'personal', personal: { gender: 'FEMALE', contacts: [{ phoneType: 'WORK' }] } },
		{ type: 'error', error: { code: 'E1', resolved: true } },
		{ type: 'searchInfo', keywords: ['k'] },
	]);
	const refused = await lpEA.cart!({ total: 1, numItems: 1, products: [{ product: { price: -1 } }] }).catch((e: Error) => e.message);
	expect(refused).toMatch(/^products\[0\]\.product\.price: must be a finite number, not negative \(got -1\)/);
	const meant = await lpEA.service!({ status: 'In-Progress' }).catch((e: Error) => e.message);
	expect(meant).toMatch(/^service\.status: .*; did you mean "in-progress"\? \(got "In-Progress"\); nothing was sent$/);
});

test('the minified bundle takes the visit from a late lpTag, and its errors keep their codes and statuses', async () => {
	visitPage('/no/visit/here');
	scriptTag({ 'data-endpoint': '/lp-ea/events', 'data-timeout': '5000' });
	run(BUNDLE);
	expect(page.lpEA!.visit).toBeNull();
	const call = page.lpEA!.send({ type: 'searchInfo', keywords: ['late'] });
	await settle();
	(window as unknown as { lpTag: object }).lpTag = {
		site: VISIT.account,
		taglets: { lp_monitoringSDK: { getVid: () => VISIT.visitor, getSid: () => VISIT.sid } },
	};
	try {
		await call;
		expect(page.lpEA!.visit).toEqual(VISIT);
		expect(endpoint.sent[0]?.body).toEqual({ id: REQUEST_ID, ...VISIT, attributes: [{ type: 'searchInfo', keywords: ['late'] }] });
		// A refusal for good (a 4xx but 408 and 429) settles at once, with its code, status and message.
		endpoint.answer(() => HttpResponse.json({ error: { code: 'bad-request', message: 'not this' } }, { status: 400 }));
		const error = await page.lpEA!.lead().catch((e: unknown) => e);
		expect(error).toMatchObject({ name: 'LpEAError', code: 'bad-request', status: 400, message: 'not this', queued: false });
	} finally {
		delete (window as unknown as { lpTag?: object }).lpTag;
	}
});

test('a reference to the stub or its methods taken before the bundle loaded keeps working after', async () => {
	visitPage(`/landing?${VISIT_QUERY}`);
	run(STUB);
	const early = page.lpEA!;
	const lead = early.lead;
	scriptTag({ 'data-endpoint': '/lp-ea/events' });
	run(BUNDLE);
	await expect(early.lead({ topic: 'through the old object' })).resolves.toBeUndefined();
	await expect(lead({ topic: 'through the old method' })).resolves.toBeUndefined();
	expect(endpoint.sent.flatMap((request) => request.body.attributes)).toEqual([
		{ type: 'lead', lead: { topic: 'through the old object' } },
		{ type: 'lead', lead: { topic: 'through the old method' } },
	]);
	expect(early.visit).toEqual(VISIT);
	expect(page.lpEA).not.toBe(early); // replaced, and still the stub passes through to it
});

test('the stub has every helper of the bundle, and visit', () => {
	run(STUB);
	const names = ['lead', 'service', 'cart', 'purchase', 'prodView', 'ctmrinfo', 'mrktInfo', 'personal', 'error', 'searchInfo', 'send', 'consent'];
	for (const name of names) expect(typeof (page.lpEA as unknown as Record<string, unknown>)[name], name).toBe('function');
	expect(page.lpEA!.visit).toBeNull();
});

// ky's options and members are mangled in the bundle like valibot's (rollup.config.mjs). A name
// shortened on one side only would leave ky on its defaults, which retry no POST: delivery.ts
// would still try again after its own backoff (250 ms here), but without waiting out Retry-After.
test('the minified bundle retries as configured: a 429 after its Retry-After, with the same id; a 400 never', async () => {
	visitPage(`/landing?${VISIT_QUERY}`);
	run(BUNDLE);
	const random = Math.random;
	Math.random = () => 0; // the shortest backoff and spread (half a second)
	try {
		const at: number[] = [];
		const answers = [
			() => HttpResponse.json({ error: { code: 'rate-limited', message: 'slow down' } }, { status: 429, headers: { 'Retry-After': '1' } }),
			() => HttpResponse.json({}),
		];
		endpoint.answer(() => (at.push(Date.now()), answers.shift()!()));
		await expect(page.lpEA!.lead({ topic: 'retried' })).resolves.toBeUndefined();
		expect(endpoint.sent).toHaveLength(2);
		expect(endpoint.sent[1]!.body.id).toBe(endpoint.sent[0]!.body.id);
		expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(1_000);

		endpoint.answer(() => HttpResponse.json({ error: { code: 'bad-request', message: 'no' } }, { status: 400 }));
		await expect(page.lpEA!.lead({ topic: 'refused' })).rejects.toMatchObject({ code: 'bad-request', status: 400 });
		expect(endpoint.sent).toHaveLength(3);
	} finally {
		Math.random = random;
	}
});

describe('consent through the stub and the tag', () => {
	const outboxKeys = () => Object.keys(localStorage).filter((key) => key.startsWith('lp-ea:out:'));

	test('data-consent="pending": calls and consent(true) made before the bundle loaded are replayed in order, in one request', async () => {
		visitPage(`/landing?${VISIT_QUERY}`);
		run(STUB);
		const before = page.lpEA!.lead({ topic: 'before consent' });
		const granted = page.lpEA!.consent(true);
		const after = page.lpEA!.lead({ topic: 'after consent' });
		expect(granted).toBeUndefined(); // as the bundle's: nothing to settle
		scriptTag({ 'data-consent': 'pending' });
		run(BUNDLE);
		await expect(Promise.all([before, after])).resolves.toEqual([undefined, undefined]);
		expect(endpoint.sent).toHaveLength(1);
		expect(endpoint.sent[0]!.body.attributes).toEqual([
			{ type: 'lead', lead: { topic: 'before consent' } },
			{ type: 'lead', lead: { topic: 'after consent' } },
		]);
	});

	test('data-consent="pending": consent(false) before load refuses the calls queued before it, and they stay unsent and unstored', async () => {
		visitPage(`/landing?${VISIT_QUERY}`);
		run(STUB);
		const call = page.lpEA!.lead({ topic: 'declined' });
		page.lpEA!.consent(false);
		scriptTag({ 'data-consent': 'pending' });
		run(BUNDLE);
		await expect(call).rejects.toMatchObject({ name: 'LpEAError', code: 'no-consent', status: 0, queued: false });
		await settle();
		expect(endpoint.sent).toHaveLength(0);
		expect(outboxKeys()).toEqual([]);
		expect(Object.keys(sessionStorage)).toEqual([]);
	});

	test('data-consent="pending" holds calls made after load until consent(true), through a reference to the stub taken early', async () => {
		visitPage(`/landing?${VISIT_QUERY}`);
		run(STUB);
		const early = page.lpEA!;
		scriptTag({ 'data-consent': 'pending' });
		run(BUNDLE);
		const call = early.lead({ topic: 'held' });
		await settle();
		expect(endpoint.sent).toHaveLength(0);
		expect(outboxKeys()).toEqual([]);
		expect(sessionStorage.length).toBe(0);
		early.consent(true);
		await expect(call).resolves.toBeUndefined();
		expect(endpoint.sent).toHaveLength(1);
	});

	test('any data-consent value holds the calls, a misspelt "Pending" or an empty attribute too', async () => {
		for (const value of ['Pending', '']) {
			visitPage(`/landing?${VISIT_QUERY}`);
			scriptTag({ 'data-consent': value });
			delete (page as { lpEA?: unknown }).lpEA;
			run(BUNDLE);
			const call = page.lpEA!.lead({ topic: `held with data-consent="${value}"` });
			await settle();
			expect(endpoint.sent, value).toHaveLength(0);
			expect(outboxKeys(), value).toEqual([]);
			page.lpEA!.consent(false);
			await expect(call).rejects.toMatchObject({ code: 'no-consent' });
		}
	});

	test('data-personal-storage="memory": a personal request waiting for a retry is not in localStorage; a lead is', async () => {
		endpoint.answer(() => HttpResponse.json({ error: { code: 'server-error', message: 'down' } }, { status: 500 }));
		visitPage(`/landing?${VISIT_QUERY}`);
		scriptTag({ 'data-endpoint': '/lp-ea/events', 'data-personal-storage': 'memory', 'data-timeout': '300' });
		run(BUNDLE);
		const personal = page.lpEA!.send({ type: 'personal', personal: { contacts: [{ email: 'visitor@example.com' }] } });
		await expect(personal).rejects.toMatchObject({ queued: true }); // kept, in this page's memory
		expect(JSON.stringify({ ...localStorage })).not.toContain('visitor@example.com');
		const lead = page.lpEA!.lead({ topic: 'not personal' });
		await expect(lead).rejects.toMatchObject({ queued: true });
		expect(outboxKeys()).toHaveLength(1);
		expect(localStorage.getItem(outboxKeys()[0]!)).toContain('not personal');
	});
});
