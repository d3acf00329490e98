/**
 * The `<script>` bundle: configures a client from the tag's data attributes, becomes
 * `window.lpEA`, and settles whatever the stub queued before it loaded.
 */
import { SERVICE_STATUS } from '../attributes/index.js';
import { createClient, type Client } from './client.js';
import { LpEAError } from './errors.js';

type StubCall = [name: string, args: unknown[], resolve: (v: unknown) => void, reject: (e: unknown) => void];
type Stub = { q?: StubCall[]; LpEAError?: unknown };
type Global = { lpEA?: Stub };

const w = window as unknown as Global;

if (!w.lpEA?.LpEAError) {
	// currentScript is set for async classic scripts too; the selector covers a copy loaded otherwise.
	const tag = (document.currentScript ?? document.querySelector('script[data-endpoint]')) as HTMLScriptElement | null;
	const data = tag?.dataset ?? {};
	const client: Client = createClient({
		endpoint: data.endpoint,
		debug: data.debug !== undefined,
		timeout: Number(data.timeout) || undefined,
		dedupeWindow: Number(data.dedupeWindow) || undefined,
		params: { account: data.paramAccount, visitor: data.paramVisitor, sid: data.paramSid },
	});
	const stub = w.lpEA ?? {};
	const queued = stub.q ?? [];
	// The stub object itself becomes the client, so that a reference to it taken early works on.
	w.lpEA = Object.defineProperties(stub, {
		...Object.getOwnPropertyDescriptors(client),
		LpEAError: { value: LpEAError },
		SERVICE_STATUS: { value: SERVICE_STATUS },
	});

	// Without data-debug lp-ea is silent, except that a failed call nobody handles is said once.
	window.addEventListener('unhandledrejection', (event) => {
		if (event.reason instanceof LpEAError) {
			event.preventDefault();
			console.error(`[lp-ea] ${event.reason.code}: ${event.reason.message}`);
		}
	});

	const run = ([name, args, resolve, reject]: StubCall) =>
		Promise.resolve()
			.then(() => (client as unknown as Record<string, (...a: unknown[]) => Promise<void>>)[name]!(...args))
			.then(resolve, reject);
	queued.forEach(run);
	// A stub method kept from before the load still pushes here: from now on that sends at once.
	queued.push = (...calls) => (calls.forEach(run), queued.length);
}
