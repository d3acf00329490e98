// The page's outbox, as lp-ea keeps it in localStorage (one `lp-ea:out:<id>` key per request),
// with the demo's switches: make "LivePerson" fail, take the signing endpoint offline. Watch a
// lead wait, retry and arrive once.
// Its own scope: the pages' other scripts are classic scripts too, sharing the global one.
(() => {
	const panel = document.createElement('section');
	panel.className = 'card outbox';
	panel.innerHTML = `<h2>This page's outbox <span class="hint">(localStorage, all tabs of this site)</span></h2>
		<div class="switches">
			<label><input type="checkbox" name="livepersonFailShare"> "LivePerson" fails half of all requests</label>
			<label><input type="checkbox" name="signerOffline"> the signing endpoint is offline</label>
			<span class="injected"></span>
		</div>
		<ol class="outbox-list"></ol>`;
	document.querySelector('main').append(panel);

	const switches = panel.querySelector('.switches');
	const show = (state) => {
		switches.querySelector('[name=livepersonFailShare]').checked = state.livepersonFailShare > 0;
		switches.querySelector('[name=signerOffline]').checked = state.signerOffline;
		switches.querySelector('.injected').textContent = `failures injected so far: ${state.injected}`;
	};
	const post = (change) =>
		fetch('/demo/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(change) })
			.then((response) => response.json())
			.then(show);
	switches.addEventListener('change', (event) => {
		const { name, checked } = event.target;
		post({ [name]: name === 'signerOffline' ? checked : checked ? 0.5 : 0 });
	});
	fetch('/demo/faults').then((response) => response.json()).then(show);
	setInterval(() => fetch('/demo/faults').then((response) => response.json()).then(show), 3_000);

	const list = panel.querySelector('.outbox-list');
	function render() {
		const items = Object.keys(localStorage)
			.filter((key) => key.startsWith('lp-ea:out:'))
			.map((key) => {
				try {
					return { id: key.slice(10), ...JSON.parse(localStorage.getItem(key)) };
				} catch {
					return undefined;
				}
			})
			.filter(Boolean)
			.sort((a, b) => a.t - b.t);
		list.replaceChildren(
			...items.map((item) => {
				const li = document.createElement('li');
				const body = JSON.parse(item.b);
				const age = Math.round((Date.now() - item.t) / 1000);
				const held = item.u > Date.now() ? `held by a page for ${Math.round((item.u - Date.now()) / 1000)} s` : 'free for any page';
				li.textContent = `${item.id} · ${age} s old · ${held} · ${body.attributes.map((a) => a.type).join(', ')}`;
				return li;
			}),
		);
		if (items.length === 0) list.innerHTML = '<li class="empty">Empty: everything was delivered.</li>';
	}
	render();
	setInterval(render, 500);
	addEventListener('storage', render);
})();
