/**
 * The README's consent wiring, run as written against stand-ins of OneTrust, Cookiebot, the
 * Google tag's dataLayer and a page's own banner: what each tells `lpEA.consent`, and when.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, test } from 'vitest';
import { snippet } from './helpers/readme.js';

/** A page for a snippet: `window` is the context itself, with an lpEA that records each answer. */
function page(globals: Record<string, unknown> = {}) {
	const answers: unknown[] = [];
	const events = new EventTarget();
	const context: Record<string, unknown> = {
		lpEA: { consent: (granted: unknown) => void answers.push(granted) },
		addEventListener: events.addEventListener.bind(events),
		...globals,
	};
	context.window = context;
	return {
		answers,
		context,
		run: (name: string) => runInNewContext(snippet(name), context),
		fire: (type: string) => events.dispatchEvent(new Event(type)),
	};
}

describe('OneTrust', () => {
	test('no answer while the banner is open; then the Performance group decides, and each change is told', () => {
		let answered = false;
		const p = page({ OneTrust: { IsAlertBoxClosed: () => answered }, OnetrustActiveGroups: ',C0001,' });
		p.run('consent-onetrust');
		const wrapper = p.context.OptanonWrapper as () => void;
		wrapper(); // OneTrust loaded, the banner is open
		expect(p.answers).toEqual([]);
		answered = true;
		p.context.OnetrustActiveGroups = ',C0001,C0002,';
		wrapper();
		p.context.OnetrustActiveGroups = ',C0001,C0003,';
		wrapper();
		expect(p.answers).toEqual([true, false]);
	});
});

describe('Cookiebot', () => {
	test('accept with statistics consents, accept without it and decline do not', () => {
		const cookiebot = { consent: { statistics: true } };
		const p = page({ Cookiebot: cookiebot });
		p.run('consent-cookiebot');
		p.fire('CookiebotOnAccept');
		cookiebot.consent.statistics = false;
		p.fire('CookiebotOnAccept');
		p.fire('CookiebotOnDecline');
		expect(p.answers).toEqual([true, false, false]);
	});
});

describe('Google Consent Mode', () => {
	// gtag's own snippet: it pushes its arguments object.
	const gtag = (context: Record<string, unknown>, ...args: unknown[]) =>
		runInNewContext('(function () { dataLayer.push(arguments); }).apply(null, args)', Object.assign(context, { args }));

	test('a default is no answer; updates are merged, and consent needs both purposes granted', () => {
		const p = page();
		p.context.dataLayer = [];
		gtag(p.context, 'consent', 'default', { analytics_storage: 'denied', ad_user_data: 'denied' });
		p.run('consent-google');
		expect(p.answers).toEqual([]);
		gtag(p.context, 'consent', 'update', { analytics_storage: 'granted' });
		gtag(p.context, 'consent', 'update', { ad_user_data: 'granted' });
		gtag(p.context, 'event', 'page_view');
		gtag(p.context, 'consent', 'update', { ad_user_data: 'denied' });
		expect(p.answers).toEqual([false, true, false]);
		expect((p.context.dataLayer as unknown[]).length).toBe(5); // every push still reaches the dataLayer
	});

	test('an update pushed before the snippet ran (a stored answer) is heard too; no dataLayer yet is fine', () => {
		const early = page();
		early.context.dataLayer = [];
		gtag(early.context, 'consent', 'update', { analytics_storage: 'granted', ad_user_data: 'granted' });
		early.run('consent-google');
		expect(early.answers).toEqual([true]);
		const bare = page();
		bare.run('consent-google');
		gtag(bare.context, 'consent', 'update', { analytics_storage: 'granted', ad_user_data: 'granted' });
		expect(bare.answers).toEqual([true]);
	});
});

describe('a banner of your own', () => {
	test('the saved answer on load, then each click, saved for the next page', () => {
		const saved = new Map<string, string>();
		const buttons = new Map<string, () => void>();
		const globals = () => ({
			localStorage: { getItem: (key: string) => saved.get(key) ?? null, setItem: (key: string, value: string) => void saved.set(key, value) },
			document: { getElementById: (id: string) => ({ addEventListener: (_: string, listener: () => void) => buttons.set(id, listener) }) },
		});
		const first = page(globals());
		first.run('consent-callback');
		expect(first.answers).toEqual([]); // no answer yet: lp-ea keeps holding
		buttons.get('decline')!();
		buttons.get('accept')!();
		expect(first.answers).toEqual([false, true]);
		const next = page(globals());
		next.run('consent-callback');
		expect(next.answers).toEqual([true]);
	});
});
