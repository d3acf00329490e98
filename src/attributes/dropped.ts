import { didYouMean } from './closest-name.js';

/** What is read of a valibot object schema here: its entries, the names it knows. */
export type Fields = { entries: Record<string, unknown> };

/**
 * The names among `input`'s fields that `schema` does not know, and so drops, each with the
 * known name it was probably meant to be: `"vaule"; did you mean "value"?`. The known names
 * are the schema's own entries, so they are the ones validation keeps. Input that is not an
 * object has no fields to drop (validation says what is wrong with it).
 */
export function droppedFields(schema: Fields, input: unknown): string[] {
	const names = Object.keys(schema.entries);
	return input && typeof input === 'object'
		? Object.keys(input)
				.filter((key) => !names.includes(key))
				.map((key) => `"${key}"${didYouMean(key, names)}`)
		: [];
}
