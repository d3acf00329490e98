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

const PLAIN_IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * An address without the port some proxies append to X-Forwarded-For (Azure App Service,
 * IIS ARR): `198.51.100.8:52311` and `[2001:db8::9]:52311`. A bare IPv6 address is all
 * colons and is left as it is; without this, each new port would be a new client.
 */
function withoutPort(address: string): string {
	const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(address);
	if (v4) return v4[1]!;
	const bracketed = /^\[([^\]]+)\]:\d{1,5}$/.exec(address);
	return bracketed ? bracketed[1]! : address;
}

/**
 * The rate-limit key for a client address. An IPv4 client is one address, however the socket
 * or a proxy spells it; an IPv6 client is its /64, since one host is handed a whole /64 and
 * could otherwise take a fresh bucket per request (see widerKey for the /48 it is in).
 * Unknown clients share one bucket, never none.
 */
export function rateLimitKey(address: string | undefined): string {
	if (!address) return 'unknown';
	// What a socket gives for an IPv4 client: already its key (every request takes this path).
	if (PLAIN_IPV4.test(address)) return address;
	const ipv4 = unmapIPv4(withoutPort(address.trim()));
	const groups = ipv6Groups(ipv4);
	if (!groups) return ipv4.toLowerCase();
	return `${groups
		.slice(0, 4)
		.map((g) => g.toString(16))
		.join(':')}::/64`;
}

/**
 * The /48 an IPv6 client's /64 key is in, or undefined for any other key. A site is often
 * handed a whole /48: 65,536 /64s, each a bucket of its own, so the /48 is limited as well.
 */
export function widerKey(key: string): string | undefined {
	if (!key.endsWith('::/64')) return undefined;
	return `${key.slice(0, key.lastIndexOf(':', key.length - 6))}::/48`;
}
