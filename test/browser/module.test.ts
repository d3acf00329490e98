// @vitest-environment happy-dom
import { expect, test } from 'vitest';
import { useSigningEndpoint, VISIT, VISIT_QUERY, visitPage, REQUEST_ID } from '../helpers/page.js';

const endpoint = useSigningEndpoint();

test('importing the module does nothing; lead/service/send use a default client made on first call', async () => {
	visitPage('/no-visit-yet');
	const lpEA = await import('../../src/browser/index.js');
	visitPage(`/landing?${VISIT_QUERY}`);
	await Promise.all([lpEA.lead({ topic: 'esm' }), lpEA.service({ status: 'closed' }), lpEA.send({ type: 'lead', lead: {} })]);
	expect(endpoint.sent).toHaveLength(1);
	expect(endpoint.sent[0]?.body).toEqual({
		id: REQUEST_ID,
		...VISIT,
		attributes: [
			{ type: 'lead', lead: { topic: 'esm' } },
			{ type: 'service', service: { status: 7 } },
			{ type: 'lead', lead: {} },
		],
	});
});
