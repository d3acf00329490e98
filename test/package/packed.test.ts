import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generated, snippet } from '../helpers/readme.js';

// What a brand gets: `npm pack` into a temporary project, with the package's dependencies (and
// a brand's own tools: @types/react, @types/node) linked from this repository's node_modules,
// so that nothing is downloaded. Everything here runs against that copy, not against src/.
const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '../..');
const PROJECT = mkdtempSync(join(tmpdir(), 'lp-ea-brand-'));
const INSTALLED = join(PROJECT, 'node_modules/lp-ea');
let packed: { files: Array<{ path: string }> };
let manifest: {
	dependencies: Record<string, string>;
	exports: Record<string, string | Record<string, string>>;
	bin: Record<string, string>;
	types: string;
	typesVersions: Record<string, Record<string, string[]>>;
};

function link(name: string) {
	const target = join(PROJECT, 'node_modules', name);
	mkdirSync(dirname(target), { recursive: true });
	symlinkSync(join(REPO, 'node_modules', name), target, 'dir');
}

function write(path: string, content: string) {
	mkdirSync(dirname(join(PROJECT, path)), { recursive: true });
	writeFileSync(join(PROJECT, path), content);
}

beforeAll(async () => {
	// npm test has just built dist/; --ignore-scripts skips prepack's second build.
	const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', PROJECT], { cwd: REPO });
	[packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as [{ files: Array<{ path: string }>; filename: string }];
	mkdirSync(INSTALLED, { recursive: true });
	await run('tar', ['-xzf', join(PROJECT, (packed as unknown as { filename: string }).filename), '-C', INSTALLED, '--strip-components=1']);
	manifest = JSON.parse(readFileSync(join(INSTALLED, 'package.json'), 'utf8'));
	for (const name of [...Object.keys(manifest.dependencies), '@types/react', '@types/node']) link(name);
	write('package.json', JSON.stringify({ name: 'brand-site', private: true, type: 'module' }));
}, 60_000);
afterAll(() => rmSync(PROJECT, { recursive: true, force: true }));

describe('npm pack', () => {
	test('ships the build, README, LICENSE and CHANGELOG, and nothing of the sources, tests or demo', () => {
		const paths = packed.files.map((file) => file.path);
		for (const needed of ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json', 'dist/lp-ea.min.js', 'dist/lp-ea.stub.min.js', 'dist/global.d.ts', 'dist/testing.mjs', 'dist/testing.d.ts', 'dist/signer-cli.mjs']) {
			expect(paths).toContain(needed);
		}
		const stray = paths.filter((path) => !/^(dist\/|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/.test(path));
		expect(stray).toEqual([]);
		expect(paths.filter((path) => /(^|\/)(test|tests|demo|bench|src)\/|\.test\.|vitest|tsconfig/.test(path))).toEqual([]);
	});

	test('every file package.json points at is in the package', () => {
		const paths = new Set(packed.files.map((file) => file.path));
		const targets = [
			manifest.types,
			...Object.values(manifest.bin),
			...Object.values(manifest.typesVersions['*'] ?? {}).flat(),
			...Object.values(manifest.exports).flatMap((target) => (typeof target === 'string' ? [target] : Object.values(target))),
		].map((target) => target.replace(/^\.\//, ''));
		expect(targets.length).toBeGreaterThan(10);
		expect(targets.filter((target) => !paths.has(target))).toEqual([]);
	});

	test('the lp-ea-signer bin runs from the package: without settings it names the missing one', async () => {
		const child = spawn(process.execPath, [join(INSTALLED, manifest.bin['lp-ea-signer']!)], { env: { PATH: process.env.PATH }, cwd: PROJECT });
		let stderr = '';
		child.stderr.on('data', (chunk) => (stderr += chunk));
		const [code] = await once(child, 'exit');
		expect(code).toBe(1);
		expect(stderr).toContain('LP_ACCOUNT');
		expect(readFileSync(join(INSTALLED, manifest.bin['lp-ea-signer']!), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
	});

	test("the README's CSP hash command prints the hash the README shows", async () => {
		const { stdout } = await run('sh', ['-c', snippet('csp-hash-command')], { cwd: PROJECT });
		expect(generated('csp')).toContain(stdout.trim());
		expect(stdout.trim()).toMatch(/^'sha256-[A-Za-z0-9+/]+=*'$/);
	});
});

/** Type-checks files of the brand project; answers the diagnostics as `file(line): TSnnnn message`. */
function typecheck(files: Record<string, string>, options: ts.CompilerOptions): string[] {
	for (const [path, content] of Object.entries(files)) write(path, content);
	const compilerOptions = { strict: true, noEmit: true, skipLibCheck: true, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], types: [], ...options };
	// As if tsc ran in the brand's project: `types` entries resolve from there.
	const host = ts.createCompilerHost(compilerOptions);
	host.getCurrentDirectory = () => PROJECT;
	const program = ts.createProgram(Object.keys(files).map((path) => join(PROJECT, path)), compilerOptions, host);
	return ts.getPreEmitDiagnostics(program).map((d) => {
		const where = d.file ? `${d.file.fileName.slice(PROJECT.length + 1)}(${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1})` : '';
		return `${where}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
	});
}

// Every entry point, used with its real types; each @ts-expect-error fails the compile if the
// types it guards came out as `any` (an unused directive is an error).
const CONSUMER = `/// <reference types="lp-ea/global" />
import { createClient, lead, LpEAError, SERVICE_STATUS, type Client } from 'lp-ea';
import { createSigner, type SignerOptions } from 'lp-ea/signer';
import { createSignerMiddleware, startSignerServer } from 'lp-ea/signer/node';
import worker, { durableObjectStore, LpEaDedupe } from 'lp-ea/signer/worker';
import { startLivePerson, type Received } from 'lp-ea/testing';
import { createReporter, LpEAError as ServerError, type Reporter } from 'lp-ea/server';

const client: Client = createClient({ endpoint: 'https://signer.example.com/lp-ea/events' });
const sent: Promise<void> = lead({ topic: 'upgrade', value: 200, currency: 'USD' });
const approved: 2 = SERVICE_STATUS.approved;
const fromTag: Promise<void> = window.lpEA.service({ status: 'approved' });
const same: Client = lpEA;
const errorClass: typeof LpEAError = lpEA.LpEAError;
const options: SignerOptions = { accounts: '1', consumerKey: 'k', consumerSecret: 's', accessToken: 't', accessTokenSecret: 'u' };
const handle: (request: Request) => Promise<Response> = createSigner(options);
const server: Promise<{ url: string; close(): Promise<void> }> = startSignerServer({ signer: options, port: 0 });
const verified = (record: Received): boolean => record.verified;
const middleware: (req: never, res: never, next: (error?: unknown) => void) => void = createSignerMiddleware(options);
const onWorkers: Promise<Response> | Response = worker.fetch(new Request('https://signer.example.com/lp-ea/events'), { LP_ACCOUNT: '1' });
const objectClaim: (key: string, ttl: number) => Promise<string | null> = LpEaDedupe.prototype.claim;
const objectStore: SignerOptions['dedupeStore'] = durableObjectStore({ idFromName: (name: string) => name, get: () => new LpEaDedupe({} as never, {}) });
const lp = startLivePerson({ accounts: ['1'], credentials: { consumerKey: 'k', consumerSecret: 's', token: 't', tokenSecret: 'u' } });
const reporter: Reporter = createReporter({ ...options, accounts: undefined, timeout: 5_000 });
const reported: Promise<void> = reporter.service({ account: '1', visitor: 'v', sid: 's' }, { status: 'resolved' }, { idempotencyKey: 'ticket-1234-resolved' });
const listed: Promise<void> = reporter.send({ account: '1', visitor: 'v', sid: 's' }, [{ type: 'lead', lead: {} }], { idempotencyKey: 'ticket-1234-lead-01' });
const oneClass: typeof LpEAError = ServerError;
// @ts-expect-error the visit comes first
void reporter.service({ status: 'resolved' });
// @ts-expect-error not a status name
void reporter.service({ account: '1', visitor: 'v', sid: 's' }, { status: 'finished' });
// @ts-expect-error the API key is required
void createReporter({ accounts: '1' });
// @ts-expect-error not a lead field
void lead({ vaule: 200 });
// @ts-expect-error a number field
void client.lead({ value: '200' });
// @ts-expect-error not a status name
void lpEA.service({ status: 'finished' });
// @ts-expect-error the stand-in needs credentials
void startLivePerson({ accounts: ['1'] });
// @ts-expect-error a ttl is a number of ms
void LpEaDedupe.prototype.claim('key', '5000');
export { sent, approved, fromTag, same, errorClass, handle, server, verified, middleware, onWorkers, objectClaim, objectStore, lp, reported, listed, oneClass };
`;

describe('TypeScript against the packed package', () => {
	test.each([
		['node10', { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 }],
		['node16', { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }],
		['bundler', { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }],
	])('lp-ea, lp-ea/signer, lp-ea/signer/node, lp-ea/server, lp-ea/testing and lp-ea/global resolve and type-check under %s', (name, options) => {
		expect(typecheck({ [`src/${name}.ts`]: CONSUMER }, options)).toEqual([]);
	}, 30_000);

	test('lp-ea/global types window.lpEA: a wrong field or call fails to compile, and without it lpEA is unknown', () => {
		const bundler = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler };
		const page = `window.lpEA.lead({ vlaue: 200 });\nlpEA.service({ status: 'finished' });\nlpEA.purchase2({});\nexport {};\n`;
		const expected = (file: string) => [
			expect.stringMatching(new RegExp(`^src/${file}\\(2\\): TS(2353|2561) .*'vlaue' does not exist in type`)),
			expect.stringMatching(new RegExp(`^src/${file}\\(3\\): TS2322 Type '"finished"' is not assignable`)),
			expect.stringMatching(new RegExp(`^src/${file}\\(4\\): TS(2339|2551) Property 'purchase2' does not exist`)),
		];
		// With the reference directive, as the README shows it…
		const referenced = typecheck({ 'src/page.ts': `/// <reference types="lp-ea/global" />\n${page}` }, bundler);
		expect(referenced).toEqual(expected('page.ts'));
		// …and with tsconfig's "types" instead (line numbers kept by a blank first line).
		expect(typecheck({ 'src/listed.ts': `\n${page}` }, { ...bundler, types: ['lp-ea/global'] })).toEqual(expected('listed.ts'));
		const without = typecheck({ 'src/bare.ts': `window.lpEA.lead({});\nexport {};\n` }, bundler);
		expect(without).toEqual([expect.stringMatching(/TS2339 Property 'lpEA' does not exist on type 'Window & typeof globalThis'/)]);
	}, 30_000);

	test("the README's lp-ea/global snippet type-checks", () => {
		const options = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler };
		expect(typecheck({ 'src/global-snippet.ts': `${snippet('global')}\nexport {};\n` }, options)).toEqual([]);
	}, 30_000);

	test('"types": ["node", "lp-ea/global"] keeps @types/node; ["lp-ea/global"] alone drops it, as the README says', () => {
		const bundler = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler };
		const source = `void lpEA.lead({ topic: process.env.TOPIC });\nexport {};\n`;
		expect(typecheck({ 'src/both.ts': source }, { ...bundler, types: ['node', 'lp-ea/global'] })).toEqual([]);
		expect(typecheck({ 'src/alone.ts': source }, { ...bundler, types: ['lp-ea/global'] })).toEqual([
			expect.stringMatching(/^src\/alone\.ts\(1\): TS(2580|2591) Cannot find name 'process'/),
		]);
	}, 30_000);

	test("the README's 'use client' snippet compiles with the reference first, and not with the directive first", () => {
		const options = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, jsx: ts.JsxEmit.ReactJSX, types: ['react'] };
		const source = snippet('global-use-client');
		const [reference, directive] = source.split('\n');
		expect([reference, directive]).toEqual(['/// <reference types="lp-ea/global" />', "'use client';"]);
		expect(typecheck({ 'src/UpgradeButton.tsx': source }, options)).toEqual([]);
		const swapped = [directive, reference, ...source.split('\n').slice(2)].join('\n');
		expect(typecheck({ 'src/Swapped.tsx': swapped }, options)).toEqual([expect.stringMatching(/^src\/Swapped\.tsx\(5\): TS2304 Cannot find name 'lpEA'/)]);
	}, 30_000);

	test("the README's React snippet (a form's onSubmit calling lead()) compiles with @types/react", () => {
		const options = { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, jsx: ts.JsxEmit.ReactJSX };
		const source = snippet('react');
		expect(source).toMatch(/onSubmit=\{onSubmit\}/);
		expect(typecheck({ 'src/UpgradeForm.tsx': source }, options)).toEqual([]);
		// The same snippet with a misspelt field is refused: the check is real.
		const wrong = typecheck({ 'src/Wrong.tsx': source.replace('currency:', 'curency:') }, options);
		expect(wrong).toEqual([expect.stringMatching(/TS2561|TS2353/)]);
	}, 30_000);
});

describe('JSDoc, as editors show it on hover', () => {

	test('every public function, class and method of lp-ea, lp-ea/signer, lp-ea/signer/node, lp-ea/server and lp-ea/testing is documented', () => {
		const entries = ['lp-ea', 'lp-ea/signer', 'lp-ea/signer/node', 'lp-ea/server', 'lp-ea/testing'];
		write('src/hover.ts', `${entries.map((entry, i) => `import * as e${i} from '${entry}';`).join('\n')}\nexport { ${entries.map((_, i) => `e${i}`).join(', ')} };\n`);
		const options = { strict: true, noEmit: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, types: [] };
		const program = ts.createProgram([join(PROJECT, 'src/hover.ts')], options);
		const checker = program.getTypeChecker();
		const file = program.getSourceFile(join(PROJECT, 'src/hover.ts'))!;
		const resolve = (symbol: ts.Symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
		const callable = (symbol: ts.Symbol) =>
			symbol.flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.Method) ||
			checker.getTypeOfSymbolAtLocation(symbol, file).getCallSignatures().length > 0;
		const seen: string[] = [];
		const undocumented: string[] = [];
		const check = (name: string, symbol: ts.Symbol) => {
			if (!callable(symbol)) return;
			seen.push(name);
			if (ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim() === '') undocumented.push(name);
		};
		file.statements.filter(ts.isImportDeclaration).forEach((statement, i) => {
			const module = checker.getSymbolAtLocation(statement.moduleSpecifier)!;
			for (const exported of checker.getExportsOfModule(module)) {
				const symbol = resolve(exported);
				check(`${entries[i]}.${exported.name}`, symbol);
				// The methods of the objects the entry points hand out: Client, Reporter, LivePersonStandIn.
				if (symbol.flags & ts.SymbolFlags.TypeAlias && ['Client', 'Reporter', 'LivePersonStandIn'].includes(exported.name)) {
					for (const member of checker.getDeclaredTypeOfSymbol(symbol).getProperties()) check(`${exported.name}.${member.name}`, member);
				}
			}
		});
		expect(seen).toEqual(expect.arrayContaining(['lp-ea.lead', 'lp-ea.createClient', 'lp-ea/signer.createSigner', 'lp-ea/signer/node.startSignerServer', 'lp-ea/server.createReporter', 'lp-ea/testing.startLivePerson', 'Client.lead', 'Reporter.service', 'Reporter.close', 'LivePersonStandIn.setFault']));
		expect(undocumented).toEqual([]);
	}, 30_000);
});

describe('bundlers', () => {
	test("the README's plain ESM snippet builds in a Vite app, with lp-ea and its dependencies bundled", async () => {
		write('index.html', '<!doctype html><form id="upgrade" action="/thanks"><input name="ticket"></form><script type="module" src="/src/main.js"></script>');
		write('src/main.js', snippet('vite'));
		const out = join(PROJECT, 'out');
		await build({ root: PROJECT, configFile: false, logLevel: 'silent', build: { outDir: out, emptyOutDir: true } });
		const html = readFileSync(join(out, 'index.html'), 'utf8');
		const script = /src="\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
		expect(script).toBeDefined();
		const code = readFileSync(join(out, script!), 'utf8');
		expect(code).toContain('/lp-ea/events'); // the client's default endpoint
		expect(code).toContain('https://signer.example.com/lp-ea/events');
		expect(code).toContain('LpEAError');
		expect(code).not.toMatch(/from\s*["'](ky|valibot|lp-ea)["']/); // nothing left for the browser to resolve
	}, 60_000);
});

describe('the Node injection points from the package', () => {
	test("the README's snippet signs and forwards a request the stand-in verifies", async () => {
		const [imports, code] = snippet('node-injections').split(/\n\n/);
		write(
			'node-injections.mjs',
			`${imports}
import { startLivePerson } from 'lp-ea/testing';
const lp = await startLivePerson({ accounts: ['1234'], credentials: { consumerKey: 'k', consumerSecret: 's', token: 't', tokenSecret: 'u' } });
const options = { ...lp.signerOptions, rateLimit: false };
${code}
const response = await fast(new Request('https://shop.example/lp-ea/events', {
	method: 'POST',
	headers: { 'content-type': 'application/json' },
	body: JSON.stringify({ account: '1234', visitor: 'v1234567', sid: 's1', attributes: [{ type: 'lead', lead: { topic: 't' } }] }),
}));
console.log(response.status, JSON.stringify(lp.received.map((r) => r.verified)));
await lp.close();
`,
		);
		const { stdout } = await run(process.execPath, ['node-injections.mjs'], { cwd: PROJECT });
		expect(stdout.trim()).toBe('200 [true]');
	}, 30_000);
});

describe('lp-ea/server from the package', () => {
	test('reports to the stand-in, signed, and rejects with the one LpEAError class that lp-ea exports too', async () => {
		write(
			'server.mjs',
			`import { LpEAError } from 'lp-ea';
import { createReporter, LpEAError as ServerError } from 'lp-ea/server';
import { startLivePerson } from 'lp-ea/testing';
const lp = await startLivePerson({ accounts: ['1234'], credentials: { consumerKey: 'k', consumerSecret: 's', token: 't', tokenSecret: 'u' } });
const reporter = createReporter(lp.signerOptions);
const visit = { account: '1234', visitor: 'v1234567', sid: 's1' };
await reporter.service(visit, { status: 'resolved', serviceId: 'T-1' });
const refused = await reporter.lead(visit, { value: 'x' }).catch((error) => error);
console.log(JSON.stringify(lp.received.map((r) => [r.verified, r.attributes])), refused instanceof LpEAError, ServerError === LpEAError, refused.code);
await reporter.close();
await lp.close();
`,
		);
		const { stdout } = await run(process.execPath, ['server.mjs'], { cwd: PROJECT });
		expect(stdout.trim()).toBe('[[true,[{"type":"service","service":{"status":13,"serviceId":"T-1"}}]]] true true invalid');
	}, 30_000);
});

describe('lp-ea/testing from the package', () => {
	test("the README's integration-test snippet runs as written", async () => {
		write('integration.test.mjs', snippet('testing'));
		const { stdout, stderr } = await run(process.execPath, ['integration.test.mjs'], { cwd: PROJECT });
		expect(stderr).toBe('');
		expect(stdout).toBe('');
	}, 30_000);

	test("the README's lp-ea-stand-in command runs from the package's bin and prints what the README shows", async () => {
		// What npm install does for a bin: a link in node_modules/.bin, executable.
		const bin = join(PROJECT, 'node_modules/.bin/lp-ea-stand-in');
		mkdirSync(dirname(bin), { recursive: true });
		rmSync(bin, { force: true });
		symlinkSync(join('..', 'lp-ea', manifest.bin['lp-ea-stand-in']!), bin);
		chmodSync(bin, 0o755);
		// As printed, but on a free port (a flag would win over the variable; the README has none).
		const child = spawn('sh', ['-c', snippet('stand-in-cli')], { cwd: PROJECT, env: { PATH: process.env.PATH, LP_STAND_IN_PORT: '0' } });
		let out = '';
		child.stdout.on('data', (chunk) => (out += chunk));
		try {
			const deadline = Date.now() + 20_000;
			while (!out.includes('Requests, as they come:\n') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
			const port = /127\.0\.0\.1:(\d+)/.exec(out)?.[1];
			expect(port).toBeDefined();
			expect(out.replaceAll(`127.0.0.1:${port}`, '127.0.0.1:8788')).toBe(`${snippet('stand-in-cli-output')}\n`);
		} finally {
			child.kill('SIGTERM');
			if (child.exitCode === null) await once(child, 'exit');
		}
	}, 30_000);
});
