/**
 * LivePerson's documented examples of each engagement attribute type (the "Types of
 * Engagement Attributes" page), and the helper call that should build each of them.
 * One deviation, kept on purpose: the docs' mrktInfo example sends `channel` as the string
 * "1"; lp-ea's contract sends LivePerson's number.
 */
export const DOCUMENTED = {
	lead: { type: 'lead', lead: { topic: 'luxury car test drive 2015', value: 22.22, leadId: 'xyz123' } },
	service: { type: 'service', service: { topic: 'order checkbook', status: 0, category: 'finance', serviceId: 'service12' } },
	cart: {
		type: 'cart',
		total: 11.7,
		currency: 'USD',
		numItems: 6,
		products: [{ product: { name: 'prod1', category: 'category', sku: 'sku', price: 7.8 }, quantity: 1 }],
	},
	purchase: {
		type: 'purchase',
		total: 11.7,
		currency: 'USD',
		orderId: 'DRV1534XC',
		cart: {
			products: [{ product: { name: 'antivirus pro plan', category: 'software', sku: 'xyz001', price: 7.8 }, quantity: 3 }],
		},
	},
	prodView: {
		type: 'prodView',
		currency: 'USD',
		products: [
			{ product: { name: 'red high heel shoe', category: 'women shoes', sku: 'xyz567', price: 77.8, statusInStock: 'In Stock', quantityInStock: 12 } },
		],
	},
	ctmrinfo: {
		type: 'ctmrinfo',
		info: {
			cstatus: 'cancelled',
			ctype: 'vip',
			customerId: '138766AC',
			balance: -400.99,
			currency: 'USD',
			socialId: '11256324780',
			imei: '3543546543545688',
			userName: 'user000',
			companySize: 500,
			companyBranch: 'Marketing',
			accountName: 'bank corp',
			role: 'broker',
			lastPaymentDate: { day: 15, month: 10, year: 2014 },
			registrationDate: { day: 23, month: 5, year: 2013 },
			loginStatus: 0,
			storeNumber: '123865',
			storeZipCode: '20505',
		},
	},
	mrktInfo: { type: 'mrktInfo', info: { channel: 1, affiliate: 'Yahoo', campaignId: 'US coupon campaign' } },
	personal: {
		type: 'personal',
		personal: {
			firstname: 'John',
			lastname: 'Doe',
			age: { age: 34, year: 1980, month: 4, day: 15 },
			contacts: [{ email: 'myname@example.com', phone: '+1 212-788-8877', phoneType: 'MOBILE', address: { country: 'United States', region: 'NY' } }],
			gender: 'MALE',
			company: 'company',
			language: 'en-US',
		},
	},
	error: { type: 'error', error: { contextId: 'errorContextId', message: 'Expired Credit Card', code: 'er100004', level: 10, resolved: false } },
	searchInfo: { type: 'searchInfo', keywords: ['keyword1', 'keyword2'] },
} as const;

export type DocumentedType = keyof typeof DOCUMENTED;

/** The fields a helper takes for each documented example: the wrapped object, or the flat fields. */
export function helperFields(type: DocumentedType): Record<string, unknown> {
	const { type: _type, ...rest } = DOCUMENTED[type] as Record<string, unknown>;
	const wrapper = { lead: 'lead', service: 'service', ctmrinfo: 'info', mrktInfo: 'info', personal: 'personal', error: 'error' }[
		type as string
	];
	return wrapper ? (rest[wrapper] as Record<string, unknown>) : rest;
}

/**
 * Bad inputs, as ready-made attributes, each with the path the refusal must name. Both the
 * browser and the signer must refuse every one, and send or forward nothing.
 */
export const INVALID: Array<[name: string, attribute: unknown, path: string]> = [
	// Mandatory fields.
	['cart without total', { type: 'cart', numItems: 1 }, 'total'],
	['cart without numItems', { type: 'cart', total: 1 }, 'numItems'],
	['a cart item without product', { type: 'cart', total: 1, numItems: 1, products: [{ quantity: 1 }] }, 'products[0].product'],
	['a purchase cart without products', { type: 'purchase', cart: { numItems: 2 } }, 'cart.products'],
	['a prodView item without product', { type: 'prodView', products: [{}] }, 'products[0].product'],
	['searchInfo without keywords', { type: 'searchInfo' }, 'keywords'],
	['a date without its year', { type: 'ctmrinfo', info: { lastPaymentDate: { day: 1, month: 2 } } }, 'info.lastPaymentDate.year'],
	// Wrong types.
	['a price as a string', { type: 'cart', total: 1, numItems: 1, products: [{ product: { price: '7.8' } }] }, 'products[0].product.price'],
	['a total as a string', { type: 'purchase', total: '11.7' }, 'total'],
	['numItems as a fraction', { type: 'cart', total: 1, numItems: 1.5 }, 'numItems'],
	['a quantity as a string', { type: 'cart', total: 1, numItems: 1, products: [{ product: {}, quantity: '3' }] }, 'products[0].quantity'],
	['a sku as a number', { type: 'prodView', products: [{ product: { sku: 567 } }] }, 'products[0].product.sku'],
	['quantityInStock negative', { type: 'prodView', products: [{ product: { quantityInStock: -1 } }] }, 'products[0].product.quantityInStock'],
	['keywords as a string', { type: 'searchInfo', keywords: 'shoes' }, 'keywords'],
	['a keyword as a number', { type: 'searchInfo', keywords: ['ok', 7] }, 'keywords[1]'],
	['balance as a string', { type: 'ctmrinfo', info: { balance: '-400.99' } }, 'info.balance'],
	['companySize as a string', { type: 'ctmrinfo', info: { companySize: '500' } }, 'info.companySize'],
	['customerId as a number', { type: 'ctmrinfo', info: { customerId: 138766 } }, 'info.customerId'],
	['info as a string', { type: 'ctmrinfo', info: 'vip' }, 'info'],
	['resolved as a string', { type: 'error', error: { resolved: 'false' } }, 'error.resolved'],
	['level as a string', { type: 'error', error: { level: '10' } }, 'error.level'],
	['contacts as an object', { type: 'personal', personal: { contacts: { email: 'a@b.c' } } }, 'personal.contacts'],
	['an address as a string', { type: 'personal', personal: { contacts: [{ address: 'NY' }] } }, 'personal.contacts[0].address'],
	['affiliate as a number', { type: 'mrktInfo', info: { affiliate: 1 } }, 'info.affiliate'],
	['a cart as a string', { type: 'purchase', cart: 'all' }, 'cart'],
	// Enums and ranges.
	['channel 7', { type: 'mrktInfo', info: { channel: 7 } }, 'info.channel'],
	['channel -1', { type: 'mrktInfo', info: { channel: -1 } }, 'info.channel'],
	["channel '1' (a string)", { type: 'mrktInfo', info: { channel: '1' } }, 'info.channel'],
	["channel 'paid search'", { type: 'mrktInfo', info: { channel: 'paid search' } }, 'info.channel'],
	["gender 'male'", { type: 'personal', personal: { gender: 'male' } }, 'personal.gender'],
	["phoneType 'CELL'", { type: 'personal', personal: { contacts: [{ phoneType: 'CELL' }] } }, 'personal.contacts[0].phoneType'],
	['age 200', { type: 'personal', personal: { age: { age: 200 } } }, 'personal.age.age'],
	['month 13', { type: 'ctmrinfo', info: { registrationDate: { day: 1, month: 13, year: 2013 } } }, 'info.registrationDate.month'],
	['day 0', { type: 'ctmrinfo', info: { registrationDate: { day: 0, month: 1, year: 2013 } } }, 'info.registrationDate.day'],
	['status 14', { type: 'service', service: { status: 14 } }, 'service.status'],
	['a currency in lower case', { type: 'cart', total: 1, numItems: 1, currency: 'usd' }, 'currency'],
	// Not finite, or negative where it cannot be.
	['a NaN total', { type: 'cart', total: Number.NaN, numItems: 1 }, 'total'],
	['an Infinity price', { type: 'prodView', products: [{ product: { price: Number.POSITIVE_INFINITY } }] }, 'products[0].product.price'],
	['an Infinity balance', { type: 'ctmrinfo', info: { balance: Number.NEGATIVE_INFINITY } }, 'info.balance'],
	['a negative total', { type: 'purchase', total: -1 }, 'total'],
	['a negative price', { type: 'cart', total: 1, numItems: 1, products: [{ product: { price: -0.01 } }] }, 'products[0].product.price'],
	// Too large.
	['a 50,001-character keyword', { type: 'searchInfo', keywords: ['x'.repeat(50_001)] }, 'keywords[0]'],
	['a 50,001-character message', { type: 'error', error: { message: 'x'.repeat(50_001) } }, 'error.message'],
	['101 keywords', { type: 'searchInfo', keywords: Array.from({ length: 101 }, (_, i) => `k${i}`) }, 'keywords'],
	['101 products', { type: 'prodView', products: Array.from({ length: 101 }, () => ({ product: {} })) }, 'products'],
	// Not an attribute at all.
	['an unknown type', { type: 'wishlist', items: [] }, 'type'],
	['no type', { keywords: ['a'] }, 'type'],
];
