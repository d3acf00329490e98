/** SHA-256 of a text, as hex: what the log uses to follow a visitor without revealing the id. */
export type Sha256 = (text: string) => string | Promise<string>;

const encoder = new TextEncoder();

/** Web Crypto's SHA-256, the default. */
export const webSha256: Sha256 = async (text) => {
	const digest = await crypto.subtle.digest('SHA-256', encoder.encode(text));
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
};
