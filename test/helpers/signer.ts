import { startLivePerson } from '../../demo/liveperson-stand-in.mjs';

export const CREDENTIALS = {
	consumerKey: 'demo-consumer-key',
	consumerSecret: 'Sup3r-Secret-Consumer!',
	token: 'demo-access-token',
	tokenSecret: 'Sup3r-Secret-Token!',
};

/** Signer options for the stand-in, with the contract's option names. */
export const signerOptions = (domain: string) => ({
	accounts: '1234,5678',
	consumerKey: CREDENTIALS.consumerKey,
	consumerSecret: CREDENTIALS.consumerSecret,
	accessToken: CREDENTIALS.token,
	accessTokenSecret: CREDENTIALS.tokenSecret,
	domain,
});

export const startStandIn = () => startLivePerson({ accounts: ['1234', '5678'], credentials: CREDENTIALS });

export const VISIT = { account: '1234', visitor: 'A3MWU2ZTU2NmMwNzRiN2Vl', sid: 'AsfghSCZT6-Sno2AJw7ZAA' };

export const LEAD = { type: 'lead', lead: { topic: 'upgrade', value: 200, leadId: 'xyz123' } };

export function post(body: unknown, init: { headers?: Record<string, string>; url?: string; method?: string } = {}) {
	return new Request(init.url ?? 'https://brand.example/lp-ea/events', {
		method: init.method ?? 'POST',
		headers: { 'content-type': 'application/json', ...init.headers },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
}

/** A POST whose body is a stream, arriving as the stream yields it. */
export function streamingPost(body: ReadableStream<Uint8Array>) {
	return new Request('https://brand.example/lp-ea/events', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body,
		duplex: 'half',
	} as RequestInit);
}
