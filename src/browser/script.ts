/**
 * The `<script>` bundle: configures a client from the tag's data attributes, becomes
 * `window.lpEA`, and settles whatever the stub queued before it loaded.
 */
import { SERVICE_STATUS } from '../attributes/index.js';
import { createClient, type Client } from './client.js';
import { LpEAError } from './errors.js';
import { tell } from './logger.js';

type StubCall = [name: keyof Client, args: unknown[], resolve?: (v: unknown) => void, reject?: (e: unknown) => void];
type Global = { lpEA?: { q?: StubCall[]; LpEAError?: unknown } };

const w = window as unknown as Global;

if (!w.lpEA?.LpEAError) {
	// currentScript is set for async classic scripts too; the selector covers a copy loaded otherwise
	// (a tag without data-endpoint whose data-consent must not be missed).
	const tag = (document.currentScript ?? document.querySelector('script[data-endpoint],script[data-consent]')) as HTMLScriptElement | null;
	const data = tag?.dataset ?? {};
	const client: Client = createClient({
		endpoint: data.endpoint,
		debug: data.debug !== undefined,
		timeout: Number(data.timeout) || undefined,
		dedupeWindow: Number(data.dedupeWindow) || undefined,
		params: { account: data.paramAccount, visitor: data.paramVisitor, sid: data.paramSid },
		// Any data-consent holds the calls, not only "pending": a misspelt value must not send without consent.
		consent: data.consent === undefined ? undefined : 'pending',
		personalStorage: data.personalStorage as 'memory' | undefined,
	});
	const queued = w.lpEA?.q ?? [];
	w.lpEA = Object.assign(client, { LpEAError, SERVICE_STATUS });

	// Without data-debug lp-ea is silent, except that a failed call nobody handles is said once;
	// a call refused for want of consent is no failure: the visitor said no.
	window.addEventListener('unhandledrejection', (event) => {
		if (event.reason instanceof LpEAError) {
			event.preventDefault();
			if (event.reason.code !== 'no-consent') tell('error', event.reason);
		}
	});

	// In call order, consent() among them (it returns nothing, and has nothing to settle).
	for (const [name, args, resolve, reject] of queued) {
		(client[name] as (...a: unknown[]) => Promise<void> | undefined)(...args)?.then(resolve, reject);
	}
}
