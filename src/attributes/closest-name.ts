/** `text` without its letter at `i` (all of it where it has none there). */
const without = (text: string, i: number) => text.slice(0, i) + text.slice(i + 1);

/**
 * Whether `a` and `b` are at most one slip apart: one letter wrong, one too many or too few,
 * or two neighbours swapped (`vaule`, `value`). Each place of `b` is tried: the two are the
 * same without their letter there, or one is the other without it, or `a`'s letter there is
 * `b`'s next (a swap). `b` is a known name and so short, which keeps a long `a` (a
 * 50,000-character value) cheap to compare.
 */
export function oneSlipApart(a: string, b: string): boolean {
	for (let i = 0; i <= b.length; i++) {
		const rest = without(a, i);
		if (rest === b || a === without(b, i) || rest === without(b, i) || (rest === without(b, i + 1) && a[i] === b[i + 1])) return true;
	}
	return false;
}

/**
 * The first of `names` that `input` was probably meant to be: the same but for case, or one
 * slip off it (`'In-Progress'`, `'inprogress'`, `'vaule'`). Further off, a guess would
 * mislead more than help: none.
 */
export const closestName = (input: unknown, names: readonly string[]): string | undefined =>
	typeof input === 'string' ? names.find((name) => oneSlipApart(input.toLowerCase(), name.toLowerCase())) : undefined;

/**
 * The end of a message that points at the name `input` was probably meant to be
 * (`; did you mean "in-progress"?`), or nothing where none is close: one phrasing for the
 * refused names of `invalid` and for the fields debug output says were dropped.
 */
export const didYouMean = (input: unknown, names: readonly string[]): string => {
	const name = closestName(input, names);
	return name ? `; did you mean "${name}"?` : '';
};
