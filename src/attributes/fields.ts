import * as v from 'valibot';

/** LivePerson documents values of "unlimited length (up to 50K chars)". */
export const MAX_TEXT_LENGTH = 50_000;

export const text = v.pipe(
	v.string(),
	v.maxLength(MAX_TEXT_LENGTH, (issue) => `must be at most ${MAX_TEXT_LENGTH} characters (got ${issue.received})`),
);

/** A finite amount. NaN and Infinity would serialise as null and reach LivePerson as nonsense. */
export const amount = v.pipe(
	v.number('must be a number'),
	v.finite('must be a finite number'),
	v.minValue(0, 'must not be negative'),
);

export const currency = v.pipe(
	v.string(),
	v.regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code such as "USD"'),
);

/**
 * An attribute whose fields live in an object of their own, as LivePerson shapes most types:
 * `{ type: 'lead', lead: {…} }`, `{ type: 'ctmrinfo', info: {…} }`.
 */
export function wrapped<const Type extends string, const Key extends string, const Fields extends v.ObjectEntries>(
	type: Type,
	key: Key,
	fields: Fields,
) {
	return v.object({ type: v.literal(type), [key]: v.object(fields) } as {
		type: v.LiteralSchema<Type, undefined>;
	} & { [K in Key]: v.ObjectSchema<Fields, undefined> });
}
