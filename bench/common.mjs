/** What every piece of the benchmark shares: the API key, the visit, the 2-attribute body. */
export const credentials = {
	consumerKey: 'bench-key',
	consumerSecret: 'bench-secret',
	token: 'bench-token',
	tokenSecret: 'bench-token-secret',
};
export const ACCOUNT = '1234';
export const visit = { account: ACCOUNT, visitor: 'A3MWU2ZTU2NmMwNzRiN2Vl', sid: 'AsfghSCZT6-Sno2AJw7ZAA' };
export const attributes = [
	{ type: 'lead', lead: { topic: 'upgrade', value: 200, currency: 'USD', leadId: 'xyz123' } },
	{ type: 'service', service: { topic: 'add user', status: 2, category: 'account', serviceId: 'service12' } },
];
export const envelope = JSON.stringify({ ...visit, attributes });

/** The signer's settings as the CLI reads them, against the bench upstream at `origin`. */
export const signerEnv = (origin, port) => ({
	LP_ACCOUNT: ACCOUNT,
	LP_CONSUMER_KEY: credentials.consumerKey,
	LP_CONSUMER_SECRET: credentials.consumerSecret,
	LP_ACCESS_TOKEN: credentials.token,
	LP_ACCESS_TOKEN_SECRET: credentials.tokenSecret,
	LP_DOMAIN: origin,
	// Every request comes from one address: a per-client limit would measure 429s. So does the
	// cap on bodies arriving from one address at once (16), which 50 connections pass in workerd.
	LP_RATE_LIMIT: 'off',
	LP_MAX_BODIES_PER_CLIENT: '1000',
	PORT: String(port),
	HOST: '127.0.0.1',
});
