import * as v from 'valibot';
import { amount, count, list, record, text } from './fields.js';

/** A product as cart, purchase and prodView describe it. */
export const productFields = {
	name: v.optional(text),
	category: v.optional(text),
	sku: v.optional(text),
	price: v.optional(amount),
};

/** The items of a cart (and of a purchase's cart): each needs its product. */
export const cartItems = list(record({ product: record(productFields), quantity: v.optional(count) }));
