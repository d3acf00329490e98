// The demo pages' shared script: the visit line, and a live view of what the LivePerson
// stand-in received, newest first.
addEventListener('load', () => {
	const { visit } = window.lpEA;
	document.getElementById('visit').textContent = visit
		? `visit: account ${visit.account} · visitor ${visit.visitor} · sid ${visit.sid}`
		: 'visit: unknown (open the URL npm start printed)';
});

const list = document.getElementById('received');
const seen = new Set();

function describe(attribute) {
	const fields = attribute[attribute.type] ?? attribute;
	return `${attribute.type} ${JSON.stringify(fields)}`;
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
	for (const attribute of record.attributes ?? []) {
		const li = document.createElement('li');
		li.textContent = describe(attribute);
		item.querySelector('.attributes').append(li);
	}
	list.prepend(item);
}

fetch('/demo/received')
	.then((response) => response.json())
	.then((records) => records.forEach(render));
new EventSource('/demo/stream').addEventListener('request', (event) => render(JSON.parse(event.data)));
