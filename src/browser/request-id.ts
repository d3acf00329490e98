/**
 * A request's id: 144 random bits as base64url (24 characters; 18 bytes need no padding),
 * made once and kept by every retry and replay, so that the signing endpoint can tell a
 * repeat from a new request.
 */
export const requestId = (): string =>
	btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18))))
		.replace(/\+/g, '-')
		.replace(/\//g, '_');
