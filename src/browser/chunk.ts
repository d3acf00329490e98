/**
 * Cuts a list into runs, in order, each run's total size within `maxBytes` (counting one
 * separator byte between items) and its length within `maxCount`. Every item must fit on
 * its own; the caller refuses larger ones first.
 */
export function chunk<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes: number, maxCount: number): T[][] {
	const runs: T[][] = [];
	let run: T[] = [];
	let bytes = 0;
	for (const item of items) {
		const size = sizeOf(item);
		if (run.length > 0 && (bytes + 1 + size > maxBytes || run.length === maxCount)) {
			runs.push(run);
			run = [];
		}
		bytes = run.length > 0 ? bytes + 1 + size : size;
		run.push(item);
	}
	if (run.length > 0) runs.push(run);
	return runs;
}
