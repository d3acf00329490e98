import ky from 'ky';
import { Refusal } from './refusal.js';
import { parseLivePersonOrigin, type Settings } from './settings.js';

export type DomainResolver = (account: string) => Promise<string>;

type Cached = { origin: string; expires: number };

async function lookup({ domainApi, timeout, fetch }: Settings, account: string): Promise<string> {
	const url = `${domainApi}/api/account/${encodeURIComponent(account)}/service/smt/baseURI.json?version=1.0`;
	let body: unknown;
	try {
		const response = await ky.get(url, {
			timeout,
			retry: 0,
			throwHttpErrors: false,
			redirect: 'manual',
			...(fetch ? { fetch } : {}),
		});
		if (response.status !== 200) {
			response.body?.cancel().catch(() => {});
			throw new Error(`answered ${response.status}`);
		}
		body = await response.json();
	} catch (error) {
		throw new Refusal('bad-gateway', `could not look up the LivePerson domain of account ${account} (${(error as Error).message})`);
	}
	const baseURI = (body as { baseURI?: unknown } | null)?.baseURI;
	try {
		// The answer becomes the upstream host, so it is held to the same rule as LP_DOMAIN.
		return parseLivePersonOrigin(typeof baseURI === 'string' ? baseURI : '', 'baseURI');
	} catch {
		throw new Refusal('bad-gateway', `the LivePerson domain lookup for account ${account} gave no usable host`);
	}
}

/**
 * The LivePerson origin for an account: the configured domain, or the domain API's answer,
 * kept for `domainTtl`. Concurrent look-ups for one account share one request; a failed one
 * is not kept, so the next request tries again.
 */
export function createDomainResolver(settings: Settings, now: () => number = Date.now): DomainResolver {
	const { domain } = settings;
	if (domain) return async () => domain;
	const cache = new Map<string, Cached>();
	const pending = new Map<string, Promise<string>>();
	return (account) => {
		const hit = cache.get(account);
		if (hit && hit.expires > now()) return Promise.resolve(hit.origin);
		let lookingUp = pending.get(account);
		if (!lookingUp) {
			lookingUp = lookup(settings, account)
				.then((origin) => {
					cache.set(account, { origin, expires: now() + settings.domainTtl });
					return origin;
				})
				.finally(() => pending.delete(account));
			pending.set(account, lookingUp);
		}
		return lookingUp;
	};
}
