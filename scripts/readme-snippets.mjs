/**
 * `npm run readme:snippets`: rewrites the README's generated blocks (the stub to paste, its
 * CSP hash, the bundle's SRI hash) from dist/, so that what brands copy is what the build
 * made. `--check` changes nothing and exits 1 when a block is stale (the tests run it).
 *
 *     node scripts/readme-snippets.mjs [--check] [path/to/README.md]
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const COMMAND = 'npm run readme:snippets';

const digest = (algorithm, content) => `${algorithm}-${createHash(algorithm).update(content).digest('base64')}`;

function read(path) {
	try {
		return readFileSync(new URL(path, root), 'utf8');
	} catch {
		throw new Error(`${path} is missing: run \`${COMMAND}\` (it builds first)`);
	}
}

/** Each generated block's content, from the build. */
export function blocks() {
	// The inline script must be byte for byte what the hash is of: no trailing newline.
	const stub = read('dist/lp-ea.stub.min.js').trimEnd();
	const bundle = read('dist/lp-ea.min.js');
	const { version } = JSON.parse(read('package.json'));
	const tag = (attributes) => `<script async ${attributes} data-endpoint="/lp-ea/events"></script>`;
	return {
		paste: ['```html', `<script>${stub}</script>`, tag('src="/lp-ea.min.js"'), '```'],
		csp: ['```http', `Content-Security-Policy: script-src 'self' '${digest('sha256', stub)}'; connect-src 'self'`, '```'],
		sri: [
			'```html',
			tag(`src="https://cdn.example.com/lp-ea/${version}/lp-ea.min.js"\n  integrity="${digest('sha384', bundle)}" crossorigin="anonymous"\n `),
			'```',
		],
	};
}

const begin = (name) => `<!-- begin generated: ${name} (${COMMAND}) -->`;
const end = (name) => `<!-- end generated: ${name} -->`;

/** The README with every generated block replaced; throws if a block's markers are missing. */
export function render(readme, content = blocks()) {
	let out = readme;
	for (const [name, lines] of Object.entries(content)) {
		const start = out.indexOf(begin(name));
		const stop = out.indexOf(end(name), start);
		if (start < 0 || stop < 0) throw new Error(`README has no generated block "${name}": add the lines\n${begin(name)}\n${end(name)}`);
		out = `${out.slice(0, start)}${begin(name)}\n${lines.join('\n')}\n${out.slice(stop)}`;
	}
	return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
	const args = process.argv.slice(2);
	const check = args.includes('--check');
	const path = args.find((a) => a !== '--check') ?? fileURLToPath(new URL('README.md', root));
	try {
		const readme = readFileSync(path, 'utf8');
		const fresh = render(readme);
		if (fresh === readme) {
			console.log(`${path}: generated blocks are up to date`);
		} else if (check) {
			console.error(`${path}: the stub, CSP or SRI block is stale: run \`${COMMAND}\``);
			process.exitCode = 1;
		} else {
			writeFileSync(path, fresh);
			console.log(`${path}: generated blocks rewritten from dist/`);
		}
	} catch (error) {
		console.error(error.message);
		process.exitCode = 1;
	}
}
