import * as v from 'valibot';
import { cartAttribute } from './cart.js';
import { ctmrinfoAttribute } from './ctmrinfo.js';
import { errorAttribute } from './error.js';
import type { Fields } from './dropped.js';
import { FIELDS_KEY, oneOf, record } from './fields.js';
import { leadAttribute } from './lead.js';
import { MARKETING_CHANNEL, mrktInfoAttribute } from './mrkt-info.js';
import { personalAttribute } from './personal.js';
import { prodViewAttribute } from './prod-view.js';
import { purchaseAttribute } from './purchase.js';
import { searchInfoAttribute } from './search-info.js';
import { SERVICE_STATUS, serviceAttribute } from './service.js';

/** Every attribute type LivePerson knows, by its `type`. A new type is one schema module and one entry here. */
export const ATTRIBUTE_SCHEMAS = {
	lead: leadAttribute,
	service: serviceAttribute,
	cart: cartAttribute,
	purchase: purchaseAttribute,
	prodView: prodViewAttribute,
	ctmrinfo: ctmrinfoAttribute,
	mrktInfo: mrktInfoAttribute,
	personal: personalAttribute,
	error: errorAttribute,
	searchInfo: searchInfoAttribute,
};

type Schemas = typeof ATTRIBUTE_SCHEMAS;
export type AttributeType = keyof Schemas;
export const ATTRIBUTE_TYPES = Object.keys(ATTRIBUTE_SCHEMAS) as AttributeType[];

/** An attribute as callers may write it (service status and channel by name, for one). */
export type AttributeInput = { [T in AttributeType]: v.InferInput<Schemas[T]> }[AttributeType];
/** An attribute as it leaves validation; `withNumbers` makes it LivePerson's. */
export type Attribute = { [T in AttributeType]: v.InferOutput<Schemas[T]> }[AttributeType];

/** Picked only for a type that is none of the known ones, so its check fails and lists them. */
const unknownType = record({ type: oneOf(ATTRIBUTE_TYPES) });

/** The schema for an attribute, picked by its `type`; an unknown type gets one that lists the known ones. */
export function schemaFor(input: unknown): v.GenericSchema<unknown, Attribute> {
	const type = (input as { type?: unknown } | null)?.type as AttributeType;
	return (ATTRIBUTE_TYPES.includes(type) ? ATTRIBUTE_SCHEMAS[type] : unknownType) as v.GenericSchema<unknown, Attribute>;
}

/**
 * The object schema a helper's fields meet: the one they are wrapped in for `lead`, `service`,
 * … (`{ type: 'lead', lead: fields }`), the attribute's own for the flat types (`cart`, …).
 */
export function fieldsSchema(type: AttributeType): Fields {
	const schema = ATTRIBUTE_SCHEMAS[type] as unknown as { entries: Record<string, Fields> } & Fields;
	const key: string | undefined = FIELDS_KEY[type as keyof typeof FIELDS_KEY];
	return key ? schema.entries[key]! : schema;
}

/** The fields that take a name or a number, and where they are. */
const NAMED_FIELDS: Partial<Record<AttributeType, [key: string, field: string, names: Record<string, number>]>> = {
	service: ['service', 'status', SERVICE_STATUS],
	mrktInfo: ['info', 'channel', MARKETING_CHANNEL],
};

/** A parsed attribute with its names turned into LivePerson's numbers (`'approved'` → 2). */
export function withNumbers(attribute: Attribute): Attribute {
	const [key, field, names] = NAMED_FIELDS[attribute.type] ?? [];
	const fields = key && (attribute as unknown as Record<string, Record<string, unknown>>)[key];
	if (fields && typeof fields[field!] === 'string') fields[field!] = names![fields[field!] as string];
	return attribute;
}

/** One attribute of any type, names turned into numbers: the signer's view of an attribute. */
export const attributeSchema = v.pipe(v.lazy(schemaFor), v.transform(withNumbers));
