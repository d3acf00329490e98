/// <reference types="node" />
/**
 * `lp-ea-signer`: the signing endpoint as a Node server, configured from the environment.
 * One JSON line per request on stdout; configuration errors on stderr, every one at once,
 * naming the variables and never printing a value.
 */
import { readFileSync } from 'node:fs';
import { decimal, ENV_NAMES, optionsFromEnv } from '../env.js';
import { ConfigProblems, DEFAULT_DEDUPE_WINDOW_MS, MAX_TIMER_MS, SignerConfigError, wholeNumber, type SignerOptions } from '../settings.js';
import { signerMetrics } from './metrics.js';
import { startSignerServer } from './server.js';

const USAGE = `Usage: lp-ea-signer [--help | --version]

Serves the lp-ea signing endpoint: POST /lp-ea/events (OPTIONS for CORS preflight), and
GET /healthz and /livez (200 while it runs), /readyz (503 while Redis cannot be used).
Configured from the environment:

  LP_ACCOUNT                 required: the account id(s) served, comma-separated
  LP_CONSUMER_KEY, LP_CONSUMER_SECRET, LP_ACCESS_TOKEN, LP_ACCESS_TOKEN_SECRET
                             required: the LivePerson API key
  LP_DOMAIN                  the LivePerson host; unset: looked up per account
  LP_API_VERSION             the API's v parameter (default 1)
  LP_ALLOWED_ORIGINS         origins allowed to call cross-origin, comma-separated
  LP_TRUST_PROXY             1 behind your own reverse proxy: client address, scheme and host
                             from X-Forwarded-For, -Proto and -Host
  LP_RATE_LIMIT              BURST/PER_MINUTE per client (default 30/120), or off
  LP_TIMEOUT_MS              wait for LivePerson and the domain lookup (default 10000)
  LP_BODY_TIMEOUT_MS         wait for a client's body (default 10000)
  LP_HEADERS_TIMEOUT_MS      wait for a client's headers (default 10000)
  LP_MAX_IN_FLIGHT           requests handled at once, bodies arrived, then 503 (default 512)
  LP_MAX_BODIES_PER_CLIENT   requests per client address whose bodies are still arriving,
                             then 429 (default 16)
  LP_MAX_BODY_BYTES          largest body (default 65536)
  LP_DEDUPE_WINDOW_MS        how long a request id is remembered (default 3600000, one hour)
  LP_REDIS_URL               a Redis 7+ server shared by several instances for de-duplication;
                             unset: each instance remembers in bounded memory. Unreachable at
                             start: starts not ready and retries; a refused password: exits
  PORT, HOST                 where to listen (default 8787 on 127.0.0.1)
  LP_METRICS_PORT            serve Prometheus metrics at GET /metrics on this port of its own,
                             never on PORT; unset: no metrics served
  LP_METRICS_HOST            where the metrics port listens (default 127.0.0.1); another host
                             is said at start: keep that port off the public network
`;

function version(): string {
	const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
	return pkg.version;
}

type ServerSettings = {
	port: number;
	host: string;
	headersTimeout: number;
	metricsPort?: number;
	metricsHost: string;
	signer: SignerOptions;
};

const HOST_NAME = /^[a-z0-9.:_-]+$/i;

/** Every setting, the server's and the signer's, checked together so that all problems show at once. */
function settingsFromEnv(env: NodeJS.ProcessEnv): ServerSettings {
	const problems = new ConfigProblems();
	const port = problems.check(() => wholeNumber(decimal(env, 'PORT'), 8787, 'PORT', 65_535, 0), 0);
	const headersTimeout = problems.check(
		() => wholeNumber(decimal(env, 'LP_HEADERS_TIMEOUT_MS'), 10_000, 'LP_HEADERS_TIMEOUT_MS', MAX_TIMER_MS),
		0,
	);
	const host = env.HOST || '127.0.0.1';
	if (!HOST_NAME.test(host)) problems.list.push({ setting: 'HOST', problem: 'must be a host name or an IP address' });
	const { metricsPort: portName, metricsHost: hostName } = ENV_NAMES;
	const metricsPort = problems.check(() => wholeNumber(decimal(env, portName), -1, portName, 65_535, 0), 0);
	const metricsHost = env[hostName] || '127.0.0.1';
	if (!HOST_NAME.test(metricsHost)) problems.list.push({ setting: hostName, problem: 'must be a host name or an IP address' });
	// A host with no port serves nothing: said rather than ignored, as the operator meant something.
	if (env[hostName] && metricsPort < 0) problems.list.push({ setting: hostName, problem: `needs ${portName}: metrics are served only on a port of their own` });
	const signer = problems.check(() => optionsFromEnv(env), undefined);
	problems.throwIfAny();
	return { port, host, headersTimeout, ...(metricsPort >= 0 ? { metricsPort } : {}), metricsHost, signer: signer! };
}

function fail(lines: string[]): never {
	for (const line of lines) console.error(`lp-ea-signer: ${line}`);
	process.exit(1);
}

async function main(args: string[]) {
	if (args.includes('--help') || args.includes('-h')) return void process.stdout.write(USAGE);
	if (args.includes('--version') || args.includes('-v')) return void console.log(version());
	if (args.length > 0) fail([`unknown argument (see lp-ea-signer --help)`]);

	let settings: ServerSettings;
	try {
		settings = settingsFromEnv(process.env);
	} catch (error) {
		if (error instanceof SignerConfigError) fail(error.problems.map((p) => `${p.setting} ${p.problem}`));
		throw error;
	}
	let server;
	try {
		server = await startSignerServer({
			// Its log: startSignerServer's default, one JSON line per request on stdout. Its own
			// process: Node's process metrics beside the signer's.
			signer: { ...settings.signer, metrics: signerMetrics({ processMetrics: true }) },
			names: ENV_NAMES,
			port: settings.port,
			host: settings.host,
			headersTimeout: settings.headersTimeout,
			metricsPort: settings.metricsPort,
			metricsHost: settings.metricsHost,
		});
	} catch (error) {
		// Redis refusing LP_REDIS_URL's credentials: a setting to fix, named like the others.
		if (error instanceof SignerConfigError) fail(error.problems.map((p) => `${p.setting} ${p.problem}`));
		// Node's listen error names the address and port at fault: the public one or the metrics one.
		const at = error as NodeJS.ErrnoException & { address?: string; port?: number };
		fail([`could not listen on ${at.address ?? settings.host}:${at.port ?? settings.port} (${at.code ?? 'error'})`]);
	}
	if (server.metricsUrl) console.log(`lp-ea-signer metrics at ${server.metricsUrl} (${ENV_NAMES.metricsPort})`);
	// The window, said at start: instances that share a store must share it (README, "The window").
	const window = settings.signer.dedupeWindow ?? DEFAULT_DEDUPE_WINDOW_MS;
	const where = settings.signer.redisUrl ? 'in Redis (LP_REDIS_URL)' : "in this process's memory";
	console.log(`lp-ea-signer listening on ${server.url}/lp-ea/events with a de-duplication window of ${window} ms (LP_DEDUPE_WINDOW_MS), ids ${where}`);

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`lp-ea-signer: ${signal}, finishing requests in flight`);
		// Requests in flight get a bounded grace period, then the process goes regardless.
		setTimeout(() => process.exit(0), 10_000).unref();
		server.close().then(() => process.exit(0));
	};
	process.on('SIGTERM', () => stop('SIGTERM'));
	process.on('SIGINT', () => stop('SIGINT'));
}

main(process.argv.slice(2));
