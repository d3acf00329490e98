/**
 * Whether `a` and `b` are at most one slip apart: one letter wrong, one too many or too few,
 * or two neighbours swapped (`vaule`, `value`). What is left once their common start and end
 * are set aside tells: at most one letter on each side, or the same two letters swapped.
 */
export function oneSlipApart(a: string, b: string): boolean {
	let start = 0;
	while (start < a.length && a[start] === b[start]) start++;
	let endA = a.length;
	let endB = b.length;
	while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) endA--, endB--;
	const x = a.slice(start, endA);
	const y = b.slice(start, endB);
	return (x.length < 2 && y.length < 2) || (x.length === 2 && y === x[1]! + x[0]!);
}

/**
 * The first of `names` that `input` was probably meant to be: the same but for case, or one
 * slip off it (`'In-Progress'`, `'inprogress'`, `'vaule'`). Further off, a guess would
 * mislead more than help: none.
 */
export const closestName = (input: unknown, names: readonly string[]): string | undefined =>
	typeof input === 'string' ? names.find((name) => oneSlipApart(input.toLowerCase(), name.toLowerCase())) : undefined;
