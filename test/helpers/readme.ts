import { readFileSync } from 'node:fs';

export const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The code block that follows `<!-- snippet: name -->` in the README, unindented. */
export function snippet(name: string): string {
	const match = new RegExp(`<!-- snippet: ${name} -->\\s*\\n( *)\`\`\`\\w*\\n([\\s\\S]*?)\\n *\`\`\``).exec(README);
	if (!match) throw new Error(`README has no snippet "${name}"`);
	const indent = match[1]!.length;
	return match[2]!
		.split('\n')
		.map((line) => line.slice(indent))
		.join('\n');
}

/** The text between a generated block's markers (see scripts/readme-snippets.mjs). */
export function generated(name: string): string {
	const match = new RegExp(`<!-- begin generated: ${name} [^>]*-->\\n([\\s\\S]*?)<!-- end generated: ${name} -->`).exec(README);
	if (!match) throw new Error(`README has no generated block "${name}"`);
	return match[1]!;
}
