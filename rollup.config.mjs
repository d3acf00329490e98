import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const minify = () =>
	terser({ ecma: 2020, compress: { passes: 3, pure_getters: true }, format: { comments: false } });

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
			this.emitFile({ type: 'asset', fileName: `${name}.d.ts`, source: `export * from '${target}';\n` });
		}
	},
});

const modules = {
	'lp-ea': 'src/browser/index.ts',
	signer: 'src/signer/index.ts',
	'signer-node': 'src/signer/node-server.ts',
};

export default [
	iife('src/browser/script.ts', 'dist/lp-ea.min.js'),
	iife('src/browser/stub.ts', 'dist/lp-ea.stub.min.js'),
	{
		input: { ...modules, 'signer-cli': 'src/signer/cli.ts' },
		output: {
			dir: 'dist',
			format: 'es',
			entryFileNames: '[name].mjs',
			chunkFileNames: 'chunks/[name]-[hash].mjs',
		},
		// Dependencies stay imports: a brand's bundler or node_modules provides them once.
		external: (id) => /^(ky|valibot|hono|@hono\/node-server|redis)(\/|$)/.test(id) || id.startsWith('node:'),
		plugins: [
			typescript({ tsconfig: './tsconfig.json', declaration: true, declarationDir: 'dist/types', outDir: 'dist' }),
			typesFor(modules),
			{
				name: 'cli-shebang',
				renderChunk: (code, chunk) => (chunk.name === 'signer-cli' ? `#!/usr/bin/env node\n${code}` : null),
			},
		],
	},
];
