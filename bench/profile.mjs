/**
 * A .cpuprofile (from `node --cpu-prof`) in a few lines: where the busy time went, by where
 * the code lives (lp-ea, undici, valibot, Node's internals, GC) and by function, self time.
 * Idle time (the event loop waiting) is left out of the shares.
 *
 *   node bench/profile.mjs prof/CPU.*.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

const [file, top = '15'] = process.argv.slice(2);
if (!file) {
	console.error('usage: node bench/profile.mjs FILE.cpuprofile [top]');
	process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
	const id = profile.samples[i];
	self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}

function area({ callFrame: { url, functionName } }) {
	if (functionName === '(idle)' || functionName === '(program)') return functionName;
	if (functionName === '(garbage collector)') return 'GC';
	if (/node_modules\/undici\//.test(url)) return 'undici (the package)';
	if (/node_modules\/valibot\//.test(url)) return 'valibot';
	if (/\/dist\//.test(url)) return 'lp-ea';
	if (url.startsWith('node:internal/deps/undici')) return "Node's fetch (bundled undici)";
	if (url.startsWith('node:')) return "Node's internals";
	if (url === '') return 'native';
	return url.replace(/^.*node_modules\//, '').split('/')[0];
}

const areas = new Map();
const functions = new Map();
let busy = 0;
for (const [id, us] of self) {
	const node = byId.get(id);
	const where = area(node);
	if (where === '(idle)') continue;
	busy += us;
	areas.set(where, (areas.get(where) ?? 0) + us);
	const { functionName, url, lineNumber } = node.callFrame;
	const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}`;
	functions.set(key, (functions.get(key) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
console.log(`busy ${(busy / 1000).toFixed(0)} ms of ${((profile.endTime - profile.startTime) / 1000).toFixed(0)} ms profiled\n\nby area (self time):`);
for (const [where, us] of [...areas].sort((a, b) => b[1] - a[1])) console.log(`  ${pct(us)}  ${where}`);
console.log(`\ntop ${top} functions (self time):`);
for (const [key, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) console.log(`  ${pct(us)}  ${key}`);
