import * as v from 'valibot';
import { attributeSchema, describeIssues, type Attribute } from '../attributes/index.js';
import { LpEAError } from '../browser/errors.js';
import { MAX_ATTRIBUTES_PER_REQUEST } from '../shared/limits.js';

/**
 * Each input parsed by the schema the signing endpoint forwards with (the page's, names turned
 * into LivePerson's numbers); the first that fails is named as the page names it
 * (`lead.value: …`, `attributes[1].lead.value: …` for `send`). One call is one request to
 * LivePerson, held to the signing endpoint's count.
 */
export function checkAttributes(inputs: readonly unknown[], inList: boolean): Attribute[] {
	if (inputs.length === 0) throw new LpEAError('invalid', 0, 'send() needs at least one attribute; nothing was sent');
	if (inputs.length > MAX_ATTRIBUTES_PER_REQUEST) {
		throw new LpEAError('invalid', 0, `send() takes at most ${MAX_ATTRIBUTES_PER_REQUEST} attributes in one call, not ${inputs.length}; nothing was sent`);
	}
	return inputs.map((input, index) => {
		const parsed = v.safeParse(attributeSchema, input);
		if (parsed.success) return parsed.output;
		throw new LpEAError('invalid', 0, `${describeIssues(parsed.issues, inList ? `attributes[${index}]` : '')}; nothing was sent`);
	});
}
