/**
 * Addresses and host names: which are loopback, and how a client address becomes a
 * rate-limit key.
 */

const LOOPBACK_NAME = /^(localhost|[a-z0-9-]+\.localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** A host name (as in `URL.hostname`) or socket address that can only mean this machine. */
export function isLoopback(hostname: string): boolean {
	return LOOPBACK_NAME.test(hostname) || /^::ffff:127(\.\d{1,3}){3}$/i.test(hostname);
}

/** `::ffff:1.2.3.4` as `1.2.3.4`; anything else as given. */
function unmapIPv4(address: string): string {
	const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i.exec(address);
	return mapped ? mapped[1]! : address;
}

/** The eight groups of an IPv6 address, or undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
	const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
	if (!bare.includes(':') || !/^[0-9a-f:.]+$/i.test(bare)) return undefined;
	const halves = bare.split('::');
	if (halves.length > 2) return undefined;
	const parse = (part: string) => (part === '' ? [] : part.split(':'));
	const [head, tail = []] = halves.map(parse) as [string[], string[]?];
	const missing = 8 - head.length - tail.length;
	if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
	const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
	const numbers = groups.map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : Number.NaN));
	return numbers.every((n) => !Number.isNaN(n)) ? numbers : undefined;
}

/**
 * The rate-limit key for a client address. An IPv4 client is one address, however the socket
 * spells it; an IPv6 client is its /64, since one host is handed a whole /64 and could
 * otherwise take a fresh bucket per request. Unknown clients share one bucket, never none.
 */
export function rateLimitKey(address: string | undefined): string {
	if (!address) return 'unknown';
	const ipv4 = unmapIPv4(address.trim());
	const groups = ipv6Groups(ipv4);
	if (!groups) return ipv4.toLowerCase();
	return `${groups
		.slice(0, 4)
		.map((g) => g.toString(16))
		.join(':')}::/64`;
}
