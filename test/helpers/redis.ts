import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';

export const REDIS_SERVER = process.env.REDIS_SERVER || '/usr/bin/redis-server';
export const HAS_REDIS = existsSync(REDIS_SERVER);
export const NO_REDIS_LINE = `redis-server not found at ${REDIS_SERVER}: the Redis tests are skipped (apt-get install redis-server)`;

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
		server.once('error', reject);
	});
}

function answers(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = connect(port, '127.0.0.1');
		socket.once('data', (data) => {
			socket.destroy();
			// A server that wants a password answers PING with -NOAUTH: up all the same.
			resolve(/^(\+PONG|-NOAUTH)/.test(data.toString()));
		});
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.once('error', () => resolve(false));
	});
}

export type RedisServer = { url: string; port: number; stop(): Promise<void>; start(): Promise<void> };

/**
 * A throwaway redis-server on a free loopback port (or `port`), nothing saved to disk, with
 * `args` such as `['--requirepass', 'secret']`; stop() and start() again on the same port.
 */
export async function startRedis(args: string[] = [], at?: number): Promise<RedisServer> {
	const port = at ?? (await freePort());
	let child: ChildProcess | undefined;
	async function start() {
		child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], { stdio: 'ignore' });
		for (let tries = 0; !(await answers(port)); tries++) {
			if (tries > 200) throw new Error('redis-server did not start');
			await new Promise((r) => setTimeout(r, 25));
		}
	}
	await start();
	return {
		url: `redis://127.0.0.1:${port}`,
		port,
		start,
		stop: () =>
			new Promise<void>((resolve) => {
				if (!child || child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			}),
	};
}
