/**
 * The pre-load stub, inlined in the page: `lpEA.lead/service/send` exist at once and queue
 * their calls (with the promises' settle functions) in `lpEA.q`; the bundle drains it.
 */
type Queued = [name: string, args: unknown[], resolve: (value: unknown) => void, reject: (reason: unknown) => void];

((w: { lpEA?: unknown }) => {
	if (w.lpEA) return;
	const q: Queued[] = [];
	const queue =
		(name: string) =>
		(...args: unknown[]) =>
			new Promise((resolve, reject) => q.push([name, args, resolve, reject]));
	w.lpEA = { q, visit: null, lead: queue('lead'), service: queue('service'), send: queue('send') };
})(window as never);
