/** Prometheus text exposition, parsed: each sample by its name and labels. */
export type Sample = { name: string; labels: Record<string, string>; value: number };

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Sample[] {
	const samples: Sample[] = [];
	for (const line of text.split('\n')) {
		if (line === '' || line.startsWith('#')) continue;
		const match = SAMPLE.exec(line);
		if (!match) throw new Error(`not a sample line: ${line}`);
		const labels: Record<string, string> = {};
		for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) labels[name!] = JSON.parse(`"${value}"`);
		samples.push({ name: match[1]!, labels, value: Number(match[3]) });
	}
	return samples;
}

/** The value of the sample with exactly these labels (undefined when there is none). */
export function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
	const wanted = Object.entries(labels);
	return samples.find(
		(s) => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v),
	)?.value;
}

/** `name`'s samples as { labelValue: value } for its one label. */
export function byLabel(samples: Sample[], name: string, label: string): Record<string, number> {
	return Object.fromEntries(samples.filter((s) => s.name === name).map((s) => [s.labels[label], s.value]));
}

/** Non-zero entries only: what happened, not the values set up at 0. */
export const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));

export async function scrape(url: string): Promise<Sample[]> {
	const response = await fetch(url);
	if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
	return parseExposition(await response.text());
}
