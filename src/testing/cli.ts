/// <reference types="node" />
/**
 * `lp-ea-stand-in`: the local LivePerson of `lp-ea/testing` as a command, for trying a site and
 * its signing endpoint by hand. Prints the `LP_*` block for lp-ea-signer, then a line per
 * request: delivered, or why it was refused.
 */
import { readFileSync } from 'node:fs';
import { SignerConfigError } from '../signer/settings.js';
import { CliUsageError, commandLine, SETTINGS, standInSettings, type StandInCliSettings } from './cli-settings.js';
import { startLivePerson, type LivePersonStandIn, type Received } from './liveperson-stand-in.js';
import { describeRecord } from './seen.js';
import { exportLines } from './shell.js';

const COMMAND = 'lp-ea-stand-in';

const column = (left: string, right: string) => `  ${left.padEnd(34)}${right}`;

const USAGE = `Usage: ${COMMAND} [options]

A local LivePerson for trying your site and its signing endpoint by hand: it checks each
request's OAuth 1.0 signature like the real API, prints the settings to give lp-ea-signer,
then one line per request it receives. Ctrl-C stops it. Needs Node 20.19 or later.

Options (each also read from the variable named; a flag wins):
${column(`${SETTINGS.account.flag} <ids>`, `the account id(s) it knows, comma-separated; any other is answered`)}
${column('', `422 (${SETTINGS.account.env}; default ${SETTINGS.account.fallback})`)}
${column(`${SETTINGS.consumerKey.flag} <key>`, `the API key it accepts (${SETTINGS.consumerKey.env}; default ${SETTINGS.consumerKey.fallback})`)}
${column(`${SETTINGS.consumerSecret.flag} <secret>`, `(${SETTINGS.consumerSecret.env}; default ${SETTINGS.consumerSecret.fallback})`)}
${column(`${SETTINGS.accessToken.flag} <token>`, `(${SETTINGS.accessToken.env}; default ${SETTINGS.accessToken.fallback})`)}
${column(`${SETTINGS.accessTokenSecret.flag} <secret>`, `(${SETTINGS.accessTokenSecret.env}; default ${SETTINGS.accessTokenSecret.fallback})`)}
${column(`${SETTINGS.port.flag} <port>`, `where to listen; 0 for any free port (${SETTINGS.port.env}; default ${SETTINGS.port.fallback})`)}
${column(`${SETTINGS.host.flag} <address>`, `a loopback address (${SETTINGS.host.env}; default ${SETTINGS.host.fallback})`)}
${column('-h, --help', 'this text')}
${column('-v, --version', "lp-ea's version")}

Use test credentials, not your LivePerson API key: they are printed for lp-ea-signer. The
variables are not lp-ea-signer's LP_* names, so a key set for it is never read here.
`;

function fail(lines: string[]): never {
	for (const line of lines) console.error(`${COMMAND}: ${line}`);
	process.exit(1);
}

// Read next to the built file (dist/ → the package's package.json): not a shared module, whose
// chunk in dist/chunks/ would resolve the path from there.
const version = () => (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function banner(lp: LivePersonStandIn, settings: StandInCliSettings): string {
	return [
		`${COMMAND}: a local LivePerson on ${lp.origin}, account${settings.accounts.length > 1 ? 's' : ''} ${settings.accounts.join(', ')}`,
		'',
		'Settings for lp-ea-signer (paste them into the shell that runs it):',
		'',
		...exportLines(lp.env),
		'',
		'Requests, as they come:',
		'',
	].join('\n');
}

async function main(args: string[]) {
	let settings: StandInCliSettings;
	try {
		const flags = commandLine(args);
		// Before the settings are checked: help must come even when a variable is wrong.
		if (flags.help) return void process.stdout.write(USAGE);
		if (flags.version) return void console.log(version());
		settings = standInSettings(flags, process.env);
	} catch (error) {
		if (error instanceof CliUsageError) fail([`${error.message} (see ${COMMAND} --help)`]);
		if (error instanceof SignerConfigError) fail(error.problems.map((p) => `${p.setting} ${p.problem}`));
		throw error;
	}

	let lp: LivePersonStandIn;
	try {
		lp = await startLivePerson({ accounts: settings.accounts, credentials: settings.credentials, port: settings.port, host: settings.host });
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code ?? 'error';
		fail([`could not listen on ${settings.host}:${settings.port} (${code})${code === 'EADDRINUSE' ? `; ${SETTINGS.port.flag} 0 picks a free port` : ''}`]);
	}
	process.stdout.write(banner(lp, settings));
	lp.events.on('request', (record: Received) => console.log(`${record.at} ${describeRecord(record)}`));

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		console.log(`${COMMAND}: ${signal}, stopping`);
		lp.close().then(() => process.exit(0));
	};
	process.on('SIGTERM', () => stop('SIGTERM'));
	process.on('SIGINT', () => stop('SIGINT'));
}

main(process.argv.slice(2));
