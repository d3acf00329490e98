// The demo pages' shared script: the visit line, and a live view of what the LivePerson
// stand-in received, newest first, each attribute in words (and its JSON a click away).
/**
 * Shows how an lp-ea call settled in the page's `<output data-result="name">`. For the pages'
 * own scripts, in their load and click handlers (this script runs last).
 */
window.showOutcome = (name, promise, waiting = 'sending…', delivered = 'Delivered: the signing endpoint answered 200.') => {
	const out = document.querySelector(`[data-result="${name}"]`);
	out.className = '';
	out.textContent = waiting;
	return promise.then(
		() => {
			out.className = 'ok';
			out.textContent = delivered;
		},
		(error) => {
			out.className = 'error';
			out.textContent = `${error.name} ${error.code} (status ${error.status}): ${error.message}`;
		},
	);
};

// Its names stay inside this function: a page's own script may use the same ones.
(() => {
	const visitLine = document.getElementById('visit');
	const showVisit = () => {
		const { visit } = window.lpEA;
		visitLine.textContent = visit
			? `visit: account ${visit.account} · visitor ${visit.visitor} · sid ${visit.sid}`
			: 'visit: unknown yet (open the URL npm start printed, or wait for lpTag)';
		return visit;
	};
	// The visit may come later, from LivePerson's Web Tag: the line follows lpEA.visit until it is known.
	addEventListener('load', () => {
		if (!showVisit()) {
			const timer = setInterval(() => showVisit() && clearInterval(timer), 250);
		}
	});

	const list = document.getElementById('received');
	const seen = new Set();

	const SERVICE_STATUS = ['complete', 'in progress', 'approved', 'cancelled', 'not approved', 'reviewed', 'missing details', 'closed', 'removed', 'assigned', 'waiting for customer response', 'waiting for response', 'pending', 'resolved'];
	const CHANNELS = ['direct', 'search', 'social', 'email', 'referral', 'paid search', 'display'];

	const money = (amount, currency) => (amount === undefined ? undefined : `${amount.toFixed(2)}${currency ? ` ${currency}` : ''}`);
	const date = (d) => d && `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
	const products = (items = [], currency) =>
		items
			.map(({ product = {}, quantity }) => {
				const stock = product.statusInStock ? `, ${product.statusInStock}${product.quantityInStock === undefined ? '' : ` (${product.quantityInStock})`}` : '';
				return `${product.name ?? product.sku ?? 'product'}${quantity ? ` × ${quantity}` : ''}${product.price === undefined ? '' : ` at ${money(product.price, currency)}`}${stock}`;
			})
			.join('; ');
	const named = (names, n) => (n === undefined ? undefined : `${names[n] ?? '?'} (${n})`);

	/** Each type as [title, [label, value] pairs]; empty values are left out. */
	const DESCRIBE = {
		lead: ({ lead: l }) => ['Lead', [['topic', l.topic], ['value', money(l.value, l.currency)], ['lead id', l.leadId]]],
		service: ({ service: s }) => ['Service', [['topic', s.topic], ['status', named(SERVICE_STATUS, s.status)], ['category', s.category], ['service id', s.serviceId]]],
		cart: (a) => ['Cart', [['items', a.numItems], ['total', money(a.total, a.currency)], ['products', products(a.products, a.currency)]]],
		purchase: (a) => ['Purchase', [['order', a.orderId], ['total', money(a.total, a.currency)], ['items', a.cart?.numItems], ['products', products(a.cart?.products, a.currency)]]],
		prodView: (a) => ['Product view', [['products', products(a.products, a.currency)]]],
		ctmrinfo: ({ info: i }) => ['Customer', [['user', i.userName], ['status', i.cstatus], ['type', i.ctype], ['balance', money(i.balance, i.currency)], ['customer id', i.customerId], ['company', i.accountName], ['registered', date(i.registrationDate)], ['last payment', date(i.lastPaymentDate)]]],
		mrktInfo: ({ info: i }) => ['Marketing source', [['channel', named(CHANNELS, i.channel)], ['affiliate', i.affiliate], ['campaign', i.campaignId]]],
		personal: ({ personal: p }) => ['Personal', [['name', [p.firstname, p.lastname].filter(Boolean).join(' ')], ['gender', p.gender], ['age', p.age?.age], ['contacts', p.contacts?.map((c) => [c.email, c.phone && `${c.phone}${c.phoneType ? ` (${c.phoneType.toLowerCase()})` : ''}`, c.address?.country].filter(Boolean).join(', ')).join('; ')], ['company', p.company], ['language', p.language]]],
		error: ({ error: e }) => ['Error', [['context', e.contextId], ['code', e.code], ['message', e.message], ['level', e.level], ['resolved', e.resolved === undefined ? undefined : e.resolved ? 'yes' : 'no']]],
		searchInfo: (a) => ['Search', [['keywords', a.keywords.map((k) => `“${k}”`).join(' ')]]],
	};

	function describe(attribute) {
		const li = document.createElement('li');
		li.className = `attribute ${attribute.type}`;
		const [title, pairs] = DESCRIBE[attribute.type]?.(attribute) ?? [attribute.type, []];
		const heading = document.createElement('strong');
		heading.textContent = title;
		li.append(heading);
		const fields = document.createElement('span');
		fields.className = 'fields';
		for (const [label, value] of pairs) {
			if (value === undefined || value === '' || value === null) continue;
			const field = document.createElement('span');
			field.innerHTML = '<em></em> <span></span>';
			field.querySelector('em').textContent = label;
			field.querySelector('span').textContent = String(value);
			fields.append(field);
		}
		li.append(fields);
		const raw = document.createElement('details');
		raw.innerHTML = '<summary>JSON</summary><code></code>';
		raw.querySelector('code').textContent = JSON.stringify(attribute);
		li.append(raw);
		return li;
	}

	function render(record) {
		const key = `${record.at}|${record.visitor}|${JSON.stringify(record.attributes)}|${record.status}`;
		if (seen.has(key)) return;
		seen.add(key);
		list.querySelector('.empty')?.remove();
		const item = document.createElement('li');
		// A request can pass the signature check and still be refused (an unknown account: 422).
		const accepted = record.status === 200;
		item.className = accepted ? 'verified' : 'refused';
		const time = new Date(record.at).toLocaleTimeString();
		const badge = accepted ? '✓ signature verified' : `✗ ${record.verified ? 'signature verified, but ' : ''}${record.reason}`;
		item.innerHTML = `<div class="meta"><span class="badge"></span><span class="status"></span><time></time></div>
			<div class="ids"></div><ul class="attributes"></ul>`;
		item.querySelector('.badge').textContent = badge;
		item.querySelector('.status').textContent = `HTTP ${record.status}`;
		item.querySelector('time').textContent = time;
		item.querySelector('.ids').textContent = `account ${record.account} · visitor ${record.visitor} · sid ${record.sid} · v=${record.v}`;
		for (const attribute of record.attributes ?? []) item.querySelector('.attributes').append(describe(attribute));
		list.prepend(item);
	}

	fetch('/demo/received')
		.then((response) => response.json())
		.then((records) => records.forEach(render));
	new EventSource('/demo/stream').addEventListener('request', (event) => render(JSON.parse(event.data)));
})();
