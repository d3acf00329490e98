import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import type { LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { snippet } from '../helpers/readme.js';
import { freePort } from '../helpers/redis.js';
import { startStandIn, VISIT } from '../helpers/signer.js';

// The README's webhook, run as printed in a process of its own (lp-ea/server resolves to this
// package's dist/), configured from the environment the signing endpoint reads, pointed at the
// LivePerson stand-in.
let lp: LivePersonStandIn;
let child: ChildProcess;
let base: string;
let stderr = '';

beforeAll(async () => {
	lp = await startStandIn();
	const port = await freePort();
	child = spawn(process.execPath, ['--input-type=module', '-e', snippet('server-webhook')], {
		env: { PATH: process.env.PATH, ...lp.env, LP_ACCOUNT: '1234', PORT: String(port) },
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	child.stderr!.on('data', (chunk) => (stderr += chunk));
	base = `http://127.0.0.1:${port}`;
	for (let tries = 0; !(await fetch(base).then(() => true, () => false)); tries++) {
		if (child.exitCode !== null || tries > 400) throw new Error(`the webhook did not listen: ${stderr}`);
		await new Promise((r) => setTimeout(r, 25));
	}
});
afterAll(async () => {
	if (child.exitCode === null) child.kill('SIGKILL');
	await lp.close();
});
beforeEach(() => lp.clear());

const ticket = (status: string, visit: unknown = VISIT) => ({ id: 'T-1234', status, visit });
const hook = (body: unknown) =>
	fetch(`${base}/webhooks/ticket-status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test("a ticket resolved: 204, and LivePerson has the service status, signed; the help desk's retry of the event is not sent again", async () => {
	const event = { eventId: 'evt-0001-T-1234-resolved', ticket: ticket('resolved') };
	expect((await hook(event)).status).toBe(204);
	expect((await hook(event)).status).toBe(204);
	await lp.expectRequests(1, { visit: VISIT, attributes: [{ type: 'service', service: { status: 13, serviceId: 'T-1234' } }] });
	expect(lp.received.length + lp.faulted).toBe(1);
});

test('refused for good, 422 and nothing sent: a status that is none, a ticket without its visit, an event id reused for another status', async () => {
	const unknown = await hook({ eventId: 'evt-0002-T-1234-unknown', ticket: ticket('finished') });
	expect([unknown.status, (await unknown.json()).error]).toEqual([422, 'invalid']);
	const noVisit = await hook({ eventId: 'evt-0003-T-1234-no-visit', ticket: { id: 'T-1234', status: 'closed' } });
	expect([noVisit.status, (await noVisit.json()).error]).toEqual([422, 'no-visit']);
	const other = await hook({ eventId: 'evt-0001-T-1234-resolved', ticket: ticket('closed') });
	expect([other.status, (await other.json()).error]).toEqual([422, 'bad-request']);
	expect((await hook({})).status).toBe(422);
	expect(lp.received.length + lp.faulted).toBe(0);
});

test('LivePerson refusing the key: 503 so that the help desk retries, and its retry is delivered', async () => {
	lp.setFault({ status: 401 });
	const event = { eventId: 'evt-0004-T-1234-approved', ticket: ticket('approved') };
	const refused = await hook(event);
	expect([refused.status, (await refused.json()).error]).toEqual([503, 'unauthorized']);
	expect((await hook(event)).status).toBe(204);
	expect([lp.faulted, lp.received.length]).toEqual([1, 1]);
});

test('SIGTERM: the server and the reporter close, and the process exits on its own', async () => {
	const sent = Date.now();
	child.kill('SIGTERM');
	const [code, signal] = await once(child, 'exit');
	expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
	expect(Date.now() - sent).toBeLessThan(3_000);
});
