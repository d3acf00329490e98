import * as v from 'valibot';
import { amount, count, currency, flat, record, text } from './fields.js';
import { cartItems } from './product.js';

export const purchaseAttribute = flat('purchase', {
	total: v.optional(amount),
	currency: v.optional(currency),
	orderId: v.optional(text),
	cart: v.optional(record({ products: cartItems, numItems: v.optional(count) })),
});

export type PurchaseFields = Omit<v.InferInput<typeof purchaseAttribute>, 'type'>;
