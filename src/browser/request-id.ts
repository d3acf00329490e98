/**
 * A request's id: 128 random bits as base64url (22 characters), made once and kept by
 * every retry and replay, so that the signing endpoint can tell a repeat from a new request.
 */
export function requestId(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	return btoa(String.fromCharCode(...bytes))
		.replace(/\+/g, '-')
		.replace(/\//g, '_')
		.replace(/=+$/, '');
}
