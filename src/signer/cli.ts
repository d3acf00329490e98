/// <reference types="node" />
/**
 * `lp-ea-signer`: the signing endpoint as a Node server, configured from the environment.
 * One JSON line per request on stdout; configuration errors on stderr, naming the variable.
 */
import { ENV_NAMES, optionsFromEnv } from './env.js';
import { startSignerServer } from './node-server.js';
import { SignerConfigError } from './settings.js';

function fail(message: string): never {
	console.error(`lp-ea-signer: ${message}`);
	process.exit(1);
}

function port(value: string | undefined): number {
	if (value === undefined || value === '') return 8787;
	const port = Number(value);
	if (!Number.isInteger(port) || port < 0 || port > 65535) fail('PORT must be a port number from 0 to 65535');
	return port;
}

async function main() {
	let server;
	try {
		server = await startSignerServer({
			signer: {
				...optionsFromEnv(process.env),
				log: (entry) => console.log(JSON.stringify({ time: new Date().toISOString(), ...entry })),
			},
			names: ENV_NAMES,
			port: port(process.env.PORT),
			host: process.env.HOST || '127.0.0.1',
		});
	} catch (error) {
		if (error instanceof SignerConfigError) fail(error.message);
		fail(`could not start: ${(error as Error).message}`);
	}
	console.log(`lp-ea-signer listening on ${server.url}/lp-ea/events`);

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

main();
