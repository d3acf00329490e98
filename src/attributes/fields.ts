import * as v from 'valibot';
import { didYouMean } from './closest-name.js';

/**
 * The kinds of field LivePerson's attribute types are made of, and the two shapes of a type
 * (fields flat on the attribute, or wrapped in an object of their own). Each kind of field is
 * one check with one message (a `v.custom`), which reads like the type it describes and keeps
 * the page's bundle small; the path of the field is added where the issue is described.
 */

/** LivePerson documents values of "unlimited length (up to 50K chars)". */
export const MAX_TEXT_LENGTH = 50_000;
/** LivePerson documents no limit for lists; this one keeps a mistake (a loop gone wrong) out. */
export const MAX_LIST_LENGTH = 100;
/** LivePerson's counts and levels are Java ints. */
const MAX_INT = 2_147_483_647;

const isInteger = (input: unknown, min: number, max: number) =>
	Number.isInteger(input) && (input as number) >= min && (input as number) <= max;

export const text = v.custom<string>(
	(input) => typeof input === 'string' && input.length <= MAX_TEXT_LENGTH,
	`must be a string of at most ${MAX_TEXT_LENGTH} characters`,
);

/** A price or a total. NaN and Infinity would serialise as null and reach LivePerson as nonsense. */
export const amount = v.custom<number>(
	(input) => Number.isFinite(input) && (input as number) >= 0,
	'must be a finite number, not negative',
);

/** A customer's balance, which may be owed: LivePerson's own example is -400.99. */
export const balance = v.custom<number>(Number.isFinite, 'must be a finite number');

export const integer = (min: number, max: number) =>
	v.custom<number>((input) => isInteger(input, min, max), `must be an integer from ${min} to ${max}`);

export const count = integer(0, MAX_INT);

export const currency = v.custom<string>(
	(input) => typeof input === 'string' && /^[A-Z]{3}$/.test(input),
	'must be a three-letter ISO 4217 code such as "USD"',
);

export const flag = v.custom<boolean>((input) => typeof input === 'boolean', 'must be true or false');

export const quoted = (names: readonly string[]) => names.map((name) => `"${name}"`).join(', ');

/**
 * A message for a field that takes names, with the one a refused input was probably meant to
 * be. Names are exact, as LivePerson's are (the signer shares these schemas): `'In-Progress'`
 * is refused, and told which name it is.
 */
const hinted = (message: string, names: readonly string[]) => (issue: v.CustomIssue) => message + didYouMean(issue.input, names);

/** One of LivePerson's names, sent as it is (`gender: 'MALE'`). */
export const oneOf = <const Names extends readonly string[]>(names: Names) =>
	v.custom<Names[number]>((input) => names.includes(input as string), hinted(`must be one of ${quoted(names)}`, names));

/** `'a b c'` as `['a', 'b', 'c']`, for the type of a list written as one string. */
type Words<S extends string> = S extends `${infer Word} ${infer Rest}` ? [Word, ...Words<Rest>] : [S];

/** Each name of the list with its place in it, as a number: `{ a: 0, b: 1, c: 2 }`. */
type Places<Names extends readonly string[]> = {
	readonly [I in keyof Names & `${number}` as Names[I]]: I extends `${infer N extends number}` ? N : never;
};

/**
 * LivePerson's numbers for a field's names, which it numbers in the order it lists them:
 * written as one space-separated string in that order, since the page's bundle carries the
 * names (17 B gzip fewer than the tables written out); the type has every name and its number.
 */
export const numbering = <const Names extends string>(names: Names) =>
	Object.fromEntries(names.split(' ').map((name, place) => [name, place])) as Places<Words<Names>>;

/**
 * A LivePerson number or its name (`status: 'approved'` for 2). The schema accepts both;
 * `withNumbers` (attribute.ts) turns names into numbers after parsing, in the page and in the
 * signer alike.
 */
export const numbered = <const Names extends Record<string, number>>(names: Names) => {
	const keys = Object.keys(names);
	return v.custom<keyof Names | Names[keyof Names]>(
		(input) => (typeof input === 'string' ? keys.includes(input) : isInteger(input, 0, keys.length - 1)),
		hinted(`must be an integer from 0 to ${keys.length - 1} or a name such as "${keys[1]}"`, keys),
	);
};

/** What an object says when it is not one, or when one of its mandatory fields is missing. */
const objectMessage = (issue: v.ObjectIssue) => (issue.expected === 'Object' ? 'must be an object' : 'is required');

/** Fields in an object; unknown ones are dropped, missing mandatory ones named. */
export const record = <const Fields extends v.ObjectEntries>(fields: Fields) => v.object(fields, objectMessage);

const tooLong = v.custom<never>(() => false, `must hold at most ${MAX_LIST_LENGTH} items`);

/** A list of items; a list that is too long is refused before its items are read. */
export const list = <const Item extends v.GenericSchema>(item: Item) => {
	const array = v.array(item, 'must be a list');
	return v.lazy((input) => (Array.isArray(input) && input.length > MAX_LIST_LENGTH ? tooLong : array));
};

/** `{ day, month, year }`, as LivePerson's customer dates are. */
export const date = record({ day: integer(1, 31), month: integer(1, 12), year: integer(1000, 9999) });

/**
 * Where each type keeps its fields. LivePerson wraps most in an object of their own
 * (`{ type: 'lead', lead: {…} }`, `{ type: 'ctmrinfo', info: {…} }`); the types not listed
 * carry them on the attribute itself (`{ type: 'cart', total, … }`).
 */
export const FIELDS_KEY = {
	lead: 'lead',
	service: 'service',
	ctmrinfo: 'info',
	mrktInfo: 'info',
	personal: 'personal',
	error: 'error',
} as const;

type WrappedType = keyof typeof FIELDS_KEY;

/**
 * The `type` field. Its schema is picked by `type` (attribute.ts), so this only keeps it in the
 * output; a check of its own (`v.literal`) could never fail, and would cost the page bytes.
 */
const typeOf = <const Type extends string>(type: Type) => v.custom<Type>(() => true);

/** A type whose fields lie on the attribute itself. */
export const flat = <const Type extends string, const Fields extends v.ObjectEntries>(type: Type, fields: Fields) =>
	record({ type: typeOf(type), ...fields });

/** A type whose fields live in the object `FIELDS_KEY` names. */
export function wrapped<const Type extends WrappedType, const Fields extends v.ObjectEntries>(type: Type, fields: Fields) {
	return record({ type: typeOf(type), [FIELDS_KEY[type]]: record(fields) } as {
		type: v.CustomSchema<Type, undefined>;
	} & { [K in (typeof FIELDS_KEY)[Type]]: v.ObjectSchema<Fields, typeof objectMessage> });
}

/** An attribute of `type` from a helper's fields, shaped as LivePerson documents it. */
export function shape(type: string, fields: unknown): unknown {
	const key = FIELDS_KEY[type as WrappedType];
	return key ? { type, [key]: fields } : { ...(fields as object), type };
}
