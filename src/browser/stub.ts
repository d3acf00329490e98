/**
 * The pre-load stub, inlined in the page: every helper of `lpEA` exists at once and queues
 * its call (with the promise's settle functions) in `lpEA.q`; the bundle drains it. The
 * methods look `q.push` up on each call, so that once the bundle has taken `push` over, a
 * reference to this object or its methods taken early still reaches the real client.
 */
type Queued = [name: string, args: unknown[], resolve: (value: unknown) => void, reject: (reason: unknown) => void];

((w: { lpEA?: unknown }) => {
	if (w.lpEA) return;
	const q: Queued[] = [];
	const lpEA: Record<string, unknown> = { q, visit: null };
	for (const name of 'lead service cart purchase prodView ctmrinfo mrktInfo personal error searchInfo send'.split(' ')) {
		lpEA[name] = (...args: unknown[]) => new Promise((resolve, reject) => q.push([name, args, resolve, reject]));
	}
	w.lpEA = lpEA;
})(window as never);
