import { rateLimitKey } from './address.js';
import type { Incoming } from './exchange.js';

/** What the platform knows of the connection; adapters fill it in. */
export type ConnectionInfo = {
	/** The client's address: the socket's peer, or the platform's word for it (`CF-Connecting-IP`). */
	clientAddress?: string;
	/** The address the connection arrived at; a loopback one makes the endpoint guard against DNS rebinding. */
	localAddress?: string;
	/** The platform vouches for `clientAddress` (Workers' CF-Connecting-IP): its own X-Forwarded-For is no sign of an untrusted proxy. */
	addressFromPlatform?: boolean;
};

/** The last entry of a header a proxy may have appended to: the one the brand's own proxy wrote. */
export function lastEntry(request: Incoming, name: string): string | undefined {
	return request.header(name)?.split(',').pop()?.trim() || undefined;
}

/**
 * The rate-limit key for a request: behind a trusted proxy the last X-Forwarded-For entry
 * (earlier ones are the caller's word), otherwise the connection's peer. Never nothing: a
 * client whose address is unknown shares the "unknown" bucket rather than skipping the limit.
 */
export function clientKey(request: Incoming, connection: ConnectionInfo | undefined, trustProxy: boolean): string {
	const forwarded = trustProxy ? lastEntry(request, 'x-forwarded-for') : undefined;
	return rateLimitKey(forwarded ?? connection?.clientAddress);
}
