import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const WORKERD: string = createRequire(import.meta.url)('workerd').default;
const BUNDLE = new URL('../../dist/signer-worker.mjs', import.meta.url).pathname;

/** No newer than the workerd binary in package.json (1.20261023.1). */
const COMPATIBILITY_DATE = '2026-10-23';

export type Workers = { urls: Record<string, string>; logs: () => string; close(): Promise<void> };

const text = (value: string) => JSON.stringify(value);

/** A binding as wrangler makes a [vars] entry: text for a string, JSON for anything else (an array, say). */
const binding = ([key, value]: [string, unknown]) =>
	typeof value === 'string' ? `(name = ${text(key)}, text = ${text(value)})` : `(name = ${text(key)}, json = ${text(JSON.stringify(value))})`;

/** A Durable Object namespace: the class `className` that worker `host` exports, bound as `binding` in each of `boundIn`. */
export type DurableObjectNamespace = { className: string; host: string; binding: string; boundIn: string[] };

export type WorkersOptions = {
	/**
	 * Namespaces SQLite-backed (`storage.sql`) as `new_sqlite_classes` are, kept in the temporary
	 * directory for the process's lifetime: workerd's in-memory storage has no SQL.
	 */
	durableObjects?: DurableObjectNamespace[];
	/** Workers that run this module instead of the bundle; it may import the bundle as "./worker.mjs". */
	sources?: Record<string, string>;
};

/** A worker's modules: the bundle, or its own source first (the main module) with the bundle beside it. */
const modulesOf = (name: string, { sources = {} }: WorkersOptions) =>
	[
		...(sources[name] === undefined ? [] : [`(name = "main.mjs", esModule = embed ${text(`${name}.mjs`)})`]),
		'(name = "worker.mjs", esModule = embed "signer-worker.mjs")',
	].join(', ');

/** A worker's Durable Object bindings, as `durableObjectNamespace` designators naming the host service. */
const objectBindings = (name: string, { durableObjects = [] }: WorkersOptions) =>
	durableObjects
		.filter((ns) => ns.boundIn.includes(name))
		.map((ns) => `(name = ${text(ns.binding)}, durableObjectNamespace = (className = ${text(ns.className)}, serviceName = ${text(ns.host)}))`);

/** The namespaces a worker hosts, and their storage. */
const hosted = (name: string, { durableObjects = [] }: WorkersOptions) => {
	const own = durableObjects.filter((ns) => ns.host === name);
	if (own.length === 0) return '';
	const namespaces = own.map((ns) => `(className = ${text(ns.className)}, uniqueKey = ${text(`lp-ea-test-${ns.host}-${ns.className}`)}, enableSql = true)`);
	return `\n  durableObjectNamespaces = [${namespaces.join(', ')}],\n  durableObjectStorage = (localDisk = ${text(OBJECTS)}),`;
};

/** The disk service the namespaces are stored in. */
const OBJECTS = 'durable-objects';
const objectStorage = (dir: string, { durableObjects = [] }: WorkersOptions) =>
	durableObjects.length === 0 ? '' : `\n    (name = ${text(OBJECTS)}, disk = (path = ${text(join(dir, OBJECTS))}, writable = true)),`;

/**
 * dist/signer-worker.mjs in Cloudflare's own runtime: one workerd process, one socket per
 * named worker, each with its own `env` (and its own isolate). Outbound fetch may reach
 * loopback only (the stand-in). `options` adds Durable Object namespaces and workers of other
 * sources.
 */
export async function startWorkers(workers: Record<string, Record<string, unknown>>, options: WorkersOptions = {}): Promise<Workers> {
	const dir = mkdtempSync(join(tmpdir(), 'lp-ea-workerd-'));
	copyFileSync(BUNDLE, join(dir, 'signer-worker.mjs'));
	for (const [name, source] of Object.entries(options.sources ?? {})) writeFileSync(join(dir, `${name}.mjs`), source);
	mkdirSync(join(dir, OBJECTS));
	const names = Object.keys(workers);
	const config = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
${names.map((name) => `    (name = ${text(name)}, worker = .${name}),`).join('\n')}
    (name = "loopback", network = (allow = ["local"])),${objectStorage(dir, options)}
  ],
  sockets = [
${names.map((name) => `    (name = ${text(name)}, address = "127.0.0.1:0", http = (), service = ${text(name)}),`).join('\n')}
  ],
);
${names
	.map(
		(name) => `
const ${name} :Workerd.Worker = (
  modules = [${modulesOf(name, options)}],
  compatibilityDate = ${text(COMPATIBILITY_DATE)},
  bindings = [${[...Object.entries(workers[name]!).map(binding), ...objectBindings(name, options)].join(', ')}],${hosted(name, options)}
  globalOutbound = "loopback",
);`,
	)
	.join('\n')}
`;
	writeFileSync(join(dir, 'config.capnp'), config);
	const child: ChildProcess = spawn(WORKERD, ['serve', join(dir, 'config.capnp'), '--control-fd', '3'], {
		stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
	});
	let logs = '';
	child.stdout!.on('data', (d) => (logs += d));
	child.stderr!.on('data', (d) => (logs += d));
	const urls: Record<string, string> = {};
	const control = child.stdio[3] as Readable;
	let pending = '';
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`workerd did not listen: ${logs}`)), 20_000);
		child.once('exit', (code) => reject(new Error(`workerd exited ${code}: ${logs}`)));
		control.on('data', (chunk) => {
			pending += chunk;
			for (const line of pending.split('\n').slice(0, -1)) {
				const event = JSON.parse(line) as { event: string; socket: string; port: number };
				if (event.event === 'listen') urls[event.socket] = `http://127.0.0.1:${event.port}`;
			}
			pending = pending.slice(pending.lastIndexOf('\n') + 1);
			if (names.every((name) => urls[name])) {
				clearTimeout(timer);
				resolve();
			}
		});
	});
	return {
		urls,
		logs: () => logs,
		close: async () => {
			if (child.exitCode === null) {
				child.kill('SIGTERM');
				await new Promise((done) => child.once('exit', done));
			}
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
