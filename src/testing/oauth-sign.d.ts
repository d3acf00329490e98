// The two functions of oauth-sign the stand-in (and the tests) use as an OAuth 1.0 implementation
// independent of lp-ea's own signer.
declare module 'oauth-sign' {
	const oauth: {
		hmacsign(method: string, baseUri: string, params: Record<string, string | string[]>, consumerSecret: string, tokenSecret: string): string;
		rfc3986(value: string): string;
	};
	export default oauth;
}
