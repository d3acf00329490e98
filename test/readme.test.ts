import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, describe, expect, test } from 'vitest';
import { codeForStatus, ERROR_STATUS, type ErrorCode } from '../src/shared/error-codes.js';
import { generated, README } from './helpers/readme.js';

// What brands paste from the README must be what the build made. When these fail after a
// change to the browser code: run `npm run readme:snippets` and commit the README.
const FIX = 'README is stale: run `npm run readme:snippets`';
const STUB = readFileSync('dist/lp-ea.stub.min.js', 'utf8').trimEnd();
const BUNDLE = readFileSync('dist/lp-ea.min.js');
const hash = (algorithm: string, content: string | Buffer) => `${algorithm}-${createHash(algorithm).update(content).digest('base64')}`;

test('the stub to paste is the built stub, byte for byte', () => {
	const pasted = /<script>([\s\S]*?)<\/script>/.exec(generated('paste'))?.[1];
	expect(pasted, FIX).toBe(STUB);
	expect(generated('paste'), FIX).toContain('<script async src="/lp-ea.min.js" data-endpoint="/lp-ea/events"></script>');
});

test("the CSP hash is the SHA-256 of the stub as pasted", () => {
	const pasted = /<script>([\s\S]*?)<\/script>/.exec(generated('paste'))![1]!;
	const policy = /Content-Security-Policy: (.*)/.exec(generated('csp'))?.[1];
	expect(policy, FIX).toBe(`script-src 'self' '${hash('sha256', pasted)}'; connect-src 'self'`);
});

test("the SRI hash is the SHA-384 of the built bundle", () => {
	const integrity = /integrity="([^"]+)"/.exec(generated('sri'))?.[1];
	expect(integrity, FIX).toBe(hash('sha384', BUNDLE));
	const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
	expect(generated('sri'), FIX).toContain(`/lp-ea/${version}/lp-ea.min.js`);
});

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'lp-ea-readme-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('one command regenerates a stale README, and --check says which command that is', async () => {
	const stale = join(dir, 'README.md');
	writeFileSync(stale, README.replace(STUB, 'window.lpEA={};').replace(/sha384-[A-Za-z0-9+/=]+/, 'sha384-old'));
	const failed = await run(process.execPath, ['scripts/readme-snippets.mjs', '--check', stale]).catch((error: { code: number; stderr: string }) => error);
	expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('run `npm run readme:snippets`') });
	expect(readFileSync(stale, 'utf8')).not.toBe(README); // --check changes nothing

	await run(process.execPath, ['scripts/readme-snippets.mjs', stale]);
	expect(readFileSync(stale, 'utf8')).toBe(README);
	await expect(run(process.execPath, ['scripts/readme-snippets.mjs', '--check', stale])).resolves.toBeDefined();
});

describe('Troubleshooting', () => {
	const section = README.slice(README.indexOf('## Troubleshooting'), README.indexOf('\n## ', README.indexOf('## Troubleshooting') + 5));
	/** The first column of each row that starts with an error code: [code, the messages it quotes]. */
	const rows = section
		.split('\n')
		.filter((line) => /^\| `[a-z-]+` /.test(line))
		.map((line) => {
			const said = line.split(' | ')[0]!.split('console:')[0]!; // what the browser says is not ours to quote
			const spans = [...said.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
			return [spans[0]!, spans.slice(1).filter((span) => span.includes(' '))] as const;
		});
	// Every string the code can say, as a pattern: a template's ${…} matches anything.
	const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const patterns: RegExp[] = [];
	for (const file of readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
		const visit = (node: ts.Node): void => {
			let parts: string[] | undefined;
			if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) parts = [node.text];
			if (ts.isTemplateExpression(node)) parts = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)];
			// Too little literal text to say anything (`${path}: ${message}`): it would match every quote.
			if (parts && parts.join('').length >= 12) patterns.push(new RegExp(`^${parts.map(escape).join('.+')}$`));
			ts.forEachChild(node, visit);
		};
		visit(ts.createSourceFile(file, readFileSync(join('src', file), 'utf8'), ts.ScriptTarget.Latest));
	}
	/** The client adds `; nothing was sent` to what it did not send; a schema message follows the field's path. */
	const says = (quote: string) =>
		[quote, quote.replace(/; nothing was sent$/, ''), quote.replace(/^[\w.[\]]+: /, '')].some((text) => patterns.some((p) => p.test(text)));

	test('has a row for every error code a page can see', () => {
		const visible = (Object.entries(ERROR_STATUS) as Array<[ErrorCode, number]>)
			.filter(([code, status]) => status === 0 || codeForStatus(status) === code)
			.map(([code]) => code);
		expect(visible).toContain('network');
		expect(visible).not.toContain('method-not-allowed'); // a page sees a 405 as bad-request
		expect(new Set(rows.map(([code]) => code))).toEqual(new Set(visible));
	});

	test('quotes only messages the code says (after a field path, a message may stand alone)', () => {
		const quoted = rows.flatMap(([, messages]) => messages);
		expect(quoted.length).toBeGreaterThan(20);
		const unknown = quoted.filter((quote) => !says(quote));
		expect(unknown, 'a Troubleshooting row quotes a message the code no longer says: update the row').toEqual([]);
	});
});
