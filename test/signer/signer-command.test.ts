import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startLivePerson, type LivePersonStandIn } from '../../demo/liveperson-stand-in.mjs';
import { snippet } from '../helpers/readme.js';
import { CREDENTIALS, LEAD } from '../helpers/signer.js';

// "Put it on your site", step 1, as printed, in a project with lp-ea installed: the API key's
// four `…` filled in (from the stand-in), LP_DOMAIN pointing at the stand-in, PORT 0.
const COMMAND = snippet('signer-command');
const ACCOUNT = /^LP_ACCOUNT=(\S+)/m.exec(COMMAND)![1]!;
const VISIT = { account: ACCOUNT, visitor: 'v-1', sid: 's-1' };

let lp: LivePersonStandIn;
let dir: string;
beforeAll(async () => {
	lp = await startLivePerson({ accounts: [ACCOUNT], credentials: CREDENTIALS });
	dir = mkdtempSync(join(tmpdir(), 'lp-ea-signer-command-'));
	mkdirSync(join(dir, 'node_modules', '.bin'), { recursive: true });
	symlinkSync(process.cwd(), join(dir, 'node_modules', 'lp-ea'));
	// What npm install puts in .bin for the package's bin (a shim here: dist/ is not made executable by the build).
	const bin = join(dir, 'node_modules', '.bin', 'lp-ea-signer');
	writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${join(dir, 'node_modules', 'lp-ea', 'dist', 'signer-cli.mjs')}" "$@"\n`);
	chmodSync(bin, 0o755);
});
afterAll(async () => {
	await lp?.close();
	if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the step 1 command starts the signer, says where it listens as the README shows, and signs a lead', async () => {
	const filled = COMMAND.replace(/(LP_[A-Z_]+)=…/g, (_all, name: string) => `${name}=${(lp.env as Record<string, string>)[name]}`);
	expect(filled).not.toContain('…');
	const child = spawn('sh', ['-c', filled], { cwd: dir, env: { PATH: process.env.PATH, LP_DOMAIN: lp.origin, PORT: '0' }, detached: true });
	try {
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (out += d));
		const deadline = Date.now() + 15_000;
		while (!/listening on (http:\/\/\S+\/lp-ea\/events)/.test(out)) {
			if (Date.now() > deadline || child.exitCode !== null) throw new Error(`it did not start: ${out}`);
			await new Promise((r) => setTimeout(r, 50));
		}
		// The README's comment line is what it prints, but for the port.
		const said = /^# (.*)$/m.exec(COMMAND)![1]!.replace(':8787/', ':\\d+/').replace(/[./]/g, '\\$&');
		expect(out).toMatch(new RegExp(said));
		const url = /listening on (http:\/\/\S+\/lp-ea\/events)/.exec(out)![1]!;
		const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...VISIT, attributes: [LEAD] }) });
		expect(response.status).toBe(200);
		expect(lp.received).toMatchObject([{ verified: true, account: ACCOUNT, attributes: [LEAD] }]);
	} finally {
		process.kill(-child.pid!, 'SIGTERM'); // sh and the signer under it
	}
}, 30_000);
