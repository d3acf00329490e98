// The two functions of oauth-sign the tests use as an independent OAuth 1.0 implementation.
declare module 'oauth-sign' {
	const oauth: {
		hmacsign(method: string, baseUri: string, params: Record<string, string | string[]>, consumerSecret: string, tokenSecret: string): string;
		rfc3986(value: string): string;
	};
	export default oauth;
}
