import * as v from 'valibot';
import { count, currency, flat, list, record, text } from './fields.js';
import { productFields } from './product.js';

/** The products a visitor looks at; LivePerson's example adds their stock to each. */
export const prodViewAttribute = flat('prodView', {
	currency: v.optional(currency),
	products: v.optional(
		list(record({ product: record({ ...productFields, statusInStock: v.optional(text), quantityInStock: v.optional(count) }) })),
	),
});

export type ProdViewFields = Omit<v.InferInput<typeof prodViewAttribute>, 'type'>;
