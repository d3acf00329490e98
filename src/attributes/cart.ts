import * as v from 'valibot';
import { amount, count, currency, flat } from './fields.js';
import { cartItems } from './product.js';

/** What is in the cart now; LivePerson replaces the previous cart with it. */
export const cartAttribute = flat('cart', {
	total: amount,
	currency: v.optional(currency),
	numItems: count,
	products: v.optional(cartItems),
});

export type CartFields = Omit<v.InferInput<typeof cartAttribute>, 'type'>;
