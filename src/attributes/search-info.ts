import type * as v from 'valibot';
import { flat, list, text } from './fields.js';

export const searchInfoAttribute = flat('searchInfo', { keywords: list(text) });

export type SearchInfoFields = Omit<v.InferInput<typeof searchInfoAttribute>, 'type'>;
