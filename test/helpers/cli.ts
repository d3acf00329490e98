import { spawn } from 'node:child_process';
import { once } from 'node:events';

const CLI = new URL('../../dist/signer-cli.mjs', import.meta.url).pathname;

/**
 * Runs `lp-ea-signer` with exactly `env` (plus PATH and PORT 0), and `nodeArgs` before it;
 * resolves with the URL it listens on, once it says so.
 */
export async function startCli(env: Record<string, string>, nodeArgs: string[] = []) {
	const child = spawn(process.execPath, [...nodeArgs, CLI], { env: { PATH: process.env.PATH, PORT: '0', ...env } });
	const stop = async () => {
		if (child.exitCode === null) {
			child.kill('SIGTERM');
			await once(child, 'exit');
		}
	};
	let out = '';
	child.stdout.on('data', (chunk) => (out += chunk));
	const deadline = Date.now() + 10_000;
	while (!/listening on (\S+)/.test(out)) {
		if (Date.now() > deadline || child.exitCode !== null) {
			await stop();
			throw new Error(`lp-ea-signer did not start: ${out}`);
		}
		await new Promise((r) => setTimeout(r, 50));
	}
	return { url: /listening on (\S+)/.exec(out)![1]!, stop, output: () => out };
}
