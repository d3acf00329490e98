/**
 * The pre-load stub, inlined in the page: every helper of `lpEA` exists at once and queues
 * its call (with the promise's settle functions) in `lpEA.q`, and so does `consent()`; the
 * bundle drains it in order. Once the bundle has replaced `window.lpEA`, the stub's methods and
 * `visit` pass through to it, so that a reference to this object or its methods taken early
 * keeps working.
 */
type Queued = [name: string, args: unknown[], resolve?: (value: unknown) => void, reject?: (reason: unknown) => void];
type Methods = Record<string, (...args: unknown[]) => unknown>;

((w: { lpEA?: Methods & { visit: unknown } }) => {
	if (w.lpEA) return;
	const q: Queued[] = [];
	const stub = {
		q,
		get visit() {
			return stub === w.lpEA ? null : w.lpEA!.visit;
		},
	} as unknown as Methods & { visit: unknown };
	for (const name of 'lead service cart purchase prodView ctmrinfo mrktInfo personal error searchInfo send'.split(' ')) {
		stub[name] = (...args) =>
			stub === w.lpEA ? new Promise((resolve, reject) => q.push([name, args, resolve, reject])) : w.lpEA![name]!(...args);
	}
	// Returns nothing, as the bundle's does: queued among the calls, in order, with nothing to settle.
	stub.consent = (...args) => void (stub === w.lpEA ? q.push(['consent', args]) : w.lpEA!.consent!(...args));
	w.lpEA = stub;
})(window as never);
