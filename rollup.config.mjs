import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

// Measured in the bundle anatomy: the unsafe* rewrites and module mode save 72 B gzipped.
// Mangling `_`-prefixed properties shortens ky 1.7's private members (`_options`, `_retryCount`,
// …); no name of lp-ea's own starts with `_`, and the bundle is one closure, so nothing outside
// sees them. The same goes for the names below, each read and written only inside the bundle:
// none is a field LivePerson knows, a data-* attribute, a fetch or Request option, or a member of
// a platform object lp-ea reads (`location.origin`, `locks.request`, `dataset.timeout`, `json()`
// stay), and none is looked up by a string (ky merges its hooks by name, so those stay too).
// `builtins` lets terser shorten listed names it otherwise keeps for being DOM names (`kind`,
// `async`, `lang`, `item`, `check`, `path`, `default`): only the listed ones.
// test/browser/bundle.test.ts runs the built bundle, its retries included.
const MANGLED = {
	// valibot's bookkeeping on its schemas, datasets, issues and config (−29 B, then −91 B more with builtins).
	valibot: [
		'typed', 'expects', 'reference', 'async', 'kind', 'requirement', 'lang', 'abortEarly', 'abortPipeEarly',
		'default', 'fallback', 'expected', 'received', 'success', 'output', 'issues', 'path',
		'check', 'getter', 'wrapped', 'item', '~run', '~standard', 'vendor', 'version', 'validate',
	],
	// ky 1.7's options as lp-ea passes them and ky reads them, and its own public members (−105 B).
	ky: [
		'retry', 'limit', 'methods', 'statusCodes', 'afterStatusCodes', 'maxRetryAfter', 'backoffLimit', 'delay',
		'hooks', 'parseJson', 'stringifyJson', 'prefixUrl', 'throwHttpErrors', 'onDownloadProgress',
		'abortController', 'response', 'transferredBytes', 'totalBytes', 'percent',
	],
};
// lp-ea's own bookkeeping between its modules (−43 B): batch.ts's calls, items and requests,
// delivery's API to it and its exchanges' state, transport's options and outcomes, the visit
// lookup's answer, the Web Tag's waiters. None is stored (the outbox's entries are
// { id, t, b, e, o, u }), posted to another tab (a word of text), public, or a platform member.
// A new internal name that is one of these stays consistent; a public option never may be.
const OWN = ['requests', 'settle', 'items', 'last', 'sent', 'pushback', 'amend', 'kept', 'since', 'waiting', 'stopped', 'final', 'giveUp', 'problem', 'pageOrigin'];
const MANGLED_NAMES = new RegExp(`^(_.*|${[...MANGLED.valibot, ...MANGLED.ky, ...OWN].join('|')})$`);
const minify = () =>
	terser({
		ecma: 2020,
		module: true,
		compress: {
			passes: 3,
			pure_getters: true,
			keep_fargs: false,
			unsafe: true,
			unsafe_arrows: true,
			unsafe_comps: true,
			unsafe_math: true,
			unsafe_methods: true,
			unsafe_symbols: true,
		},
		mangle: { properties: { regex: MANGLED_NAMES, builtins: true } },
		format: { comments: false },
	});

// For a <script> tag: everything inside, nothing global but window.lpEA.
const iife = (input, file) => ({
	input,
	output: { file, format: 'iife', sourcemap: false },
	plugins: [
		nodeResolve({ browser: true }),
		typescript({ tsconfig: './tsconfig.json', declaration: false, outDir: 'dist', sourceMap: false }),
		minify(),
	],
});

// Declarations land in dist/types; each entry gets a one-line dist/<name>.d.ts pointing there.
const typesFor = (entries) => ({
	name: 'entry-declarations',
	generateBundle() {
		for (const [name, source] of Object.entries(entries)) {
			const target = source.replace(/^src\//, './types/').replace(/\.ts$/, '.js');
			// `export *` passes on everything but a default export (the Worker's module object).
			const reexport = `export * from '${target}';\n${name === 'signer-worker' ? `export { default } from '${target}';\n` : ''}`;
			this.emitFile({ type: 'asset', fileName: `${name}.d.ts`, source: reexport });
		}
	},
});

// Types only (package export lp-ea/global): written by hand, in terms of dist/lp-ea.d.ts.
const globalTypes = (file) => ({
	name: 'global-declarations',
	buildStart() {
		this.addWatchFile(file);
	},
	generateBundle() {
		this.emitFile({ type: 'asset', fileName: 'global.d.ts', source: readFileSync(file, 'utf8') });
	},
});

const modules = {
	'lp-ea': 'src/browser/index.ts',
	signer: 'src/signer/index.ts',
	'signer-node': 'src/signer/node/index.ts',
	testing: 'src/testing/index.ts',
	server: 'src/server/index.ts',
};
const WORKER = 'src/signer/worker/index.ts';
// The package's bins: each gets a shebang.
const CLIS = ['signer-cli', 'stand-in-cli'];

// For Workers: one file with its dependencies inside, deployable as is (wrangler, workerd).
// `cloudflare:workers` (the Durable Object base class) is the runtime's own: it stays an import.
const worker = {
	input: WORKER,
	output: { file: 'dist/signer-worker.mjs', format: 'es', sourcemap: false },
	external: ['cloudflare:workers'],
	plugins: [
		nodeResolve({ browser: true }),
		typescript({ tsconfig: './tsconfig.json', declaration: false, outDir: 'dist', sourceMap: false }),
	],
};

// The same module for Node (package export condition `node`): Node has no `cloudflare:workers`,
// so the Durable Object base is a plain class there, and require("lp-ea/signer/worker") still
// loads (a brand's unit tests of its Worker). Wrangler resolves `workerd` first and gets the real one.
const RUNTIME = '\0cloudflare-workers-on-node';
const workerOnNode = {
	...worker,
	output: { ...worker.output, file: 'dist/signer-worker.node.mjs' },
	external: [],
	plugins: [
		{
			name: 'durable-object-base-on-node',
			resolveId: (id) => (id === 'cloudflare:workers' ? RUNTIME : null),
			load: (id) =>
				id === RUNTIME
					? 'export class DurableObject {\n\tconstructor(ctx, env) {\n\t\tthis.ctx = ctx;\n\t\tthis.env = env;\n\t}\n}\n'
					: null,
		},
		...worker.plugins,
	],
};

// lp-ea/stub: the built stub's text and its CSP hash as strings, for pages rendered on a
// server (a Next.js layout, an Express template) that inline it, often with a nonce. Made
// from dist/lp-ea.stub.min.js once the stub's own build (above it in the list) has written it.
const STUB = '\0lp-ea-stub';
const stubModule = {
	input: STUB,
	output: { file: 'dist/stub.mjs', format: 'es' },
	plugins: [
		{
			name: 'stub-source',
			resolveId: (id) => (id === STUB ? id : null),
			load(id) {
				if (id !== STUB) return null;
				const source = readFileSync('dist/lp-ea.stub.min.js', 'utf8').trimEnd();
				const hash = `'sha256-${createHash('sha256').update(source).digest('base64')}'`;
				return [
					'/** The stub\'s source, to inline in a `<script>` element before the bundle\'s tag: byte for byte what `stubHash` is of. */',
					`export const stub = ${JSON.stringify(source)};`,
					'/** The CSP source that allows the inline stub, quotes included: `script-src \'self\' ${stubHash}`. */',
					`export const stubHash = ${JSON.stringify(hash)};`,
					'',
				].join('\n');
			},
			generateBundle() {
				this.emitFile({
					type: 'asset',
					fileName: 'stub.d.ts',
					source: [
						'/** The stub\'s source, to inline in a `<script>` element before the bundle\'s tag: byte for byte what `stubHash` is of. */',
						'export declare const stub: string;',
						'/** The CSP source that allows the inline stub, quotes included, e.g. `\'sha256-…\'`. */',
						'export declare const stubHash: string;',
						'',
					].join('\n'),
				});
			},
		},
	],
};

export default [
	iife('src/browser/script.ts', 'dist/lp-ea.min.js'),
	iife('src/browser/stub.ts', 'dist/lp-ea.stub.min.js'),
	{
		input: { ...modules, 'signer-cli': 'src/signer/node/cli.ts', 'stand-in-cli': 'src/testing/cli.ts' },
		output: {
			dir: 'dist',
			format: 'es',
			entryFileNames: '[name].mjs',
			chunkFileNames: 'chunks/[name]-[hash].mjs',
		},
		// Dependencies stay imports: a brand's bundler or node_modules provides them once.
		external: (id) => /^(ky|valibot|hono|@hono\/node-server|oauth-sign|prom-client|redis|undici)(\/|$)/.test(id) || id.startsWith('node:'),
		plugins: [
			typescript({ tsconfig: './tsconfig.json', declaration: true, declarationDir: 'dist/types', outDir: 'dist' }),
			typesFor({ ...modules, 'signer-worker': WORKER }),
			globalTypes('types/global.d.ts'),
			{
				name: 'cli-shebang',
				renderChunk: (code, chunk) => (CLIS.includes(chunk.name) ? `#!/usr/bin/env node\n${code}` : null),
			},
		],
	},
	worker,
	workerOnNode,
	stubModule,
];
