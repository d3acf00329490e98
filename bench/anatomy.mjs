/**
 * Where the browser bundle's bytes go: `node bench/anatomy.mjs` rebuilds dist/lp-ea.min.js with
 * a source map (in memory) and prints, per source module, its minified bytes and
 * how much smaller `gzip -9` makes the bundle when that module's bytes are left out (its share
 * of the compressed stream; shares overlap a little, since modules compress against each other).
 */
import { execFileSync } from 'node:child_process';
import { TraceMap, eachMapping } from '@jridgewell/trace-mapping';
import { rollup } from 'rollup';
import config from '../rollup.config.mjs';

const gzip = (text) => execFileSync('gzip', ['-9c'], { input: text, maxBuffer: 1 << 24 }).length;

const options = config[0];
const bundle = await rollup({ ...options, onwarn: () => {} });
const { output } = await bundle.generate({ ...options.output, sourcemap: true });
{
	const code = output[0].code.split('\n')[0];
	const map = new TraceMap(output[0].map);

	// Each output character belongs to the source of the mapping segment it lies in.
	const owner = new Array(code.length).fill('(wrapper)');
	const segments = [];
	eachMapping(map, (m) => m.generatedLine === 1 && segments.push([m.generatedColumn, m.source ?? '(wrapper)']));
	segments.sort((a, b) => a[0] - b[0]);
	segments.forEach(([column, source], i) => {
		const end = segments[i + 1]?.[0] ?? code.length;
		for (let c = column; c < end; c++) owner[c] = source;
	});

	const name = (source) =>
		source.includes('node_modules/ky/') ? 'ky' : source.includes('node_modules/valibot/') ? 'valibot' : source.replace(/^.*?src\//, '');
	const modules = new Map();
	owner.forEach((source, i) => {
		const key = name(source);
		if (!modules.has(key)) modules.set(key, []);
		modules.get(key).push(i);
	});
	const total = gzip(code);
	const rows = [...modules].map(([module, indices]) => {
		const mine = new Set(indices);
		const rest = [...code].filter((_, i) => !mine.has(i)).join('');
		return { module, minified: indices.length, gzip: total - gzip(rest) };
	});
	rows.sort((a, b) => b.gzip - a.gzip);
	console.log(`dist/lp-ea.min.js: ${code.length} B minified, ${total} B gzip -9\n`);
	console.log('| module | minified | gzip -9 share |\n|---|---:|---:|');
	for (const row of rows) console.log(`| ${row.module} | ${row.minified.toLocaleString('en')} | ${row.gzip.toLocaleString('en')} |`);
}
