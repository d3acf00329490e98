/**
 * The thin layer that lets a browser test be written once and run in Chromium, Firefox and
 * WebKit. Each engine's file (chromium.ts, firefox.ts, webkit.ts) implements these three
 * interfaces with the tool that drives that engine here: playwright-core, puppeteer-core over
 * WebDriver BiDi, and selenium-webdriver over WebKitWebDriver. What the layer leaves out
 * (request interception, network events) the tests observe at their own servers instead,
 * which is also the only view that all three engines share.
 */

export type EngineName = 'chromium' | 'firefox' | 'webkit';
export const ENGINE_NAMES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

/** A console line or an uncaught error, as the page produced it. */
export type ConsoleLine = { type: 'log' | 'info' | 'warn' | 'error' | 'debug' | 'pageerror'; text: string };

export interface Engine {
	readonly name: EngineName;
	/** A fresh profile: storage, cookies and cache of its own. The tabs of one session share them. */
	session(): Promise<Session>;
	close(): Promise<void>;
}

/** What an engine can do here (index.ts says which has what, and why not). */
export type Capabilities = {
	/** Take the whole browser off the network and back (`setOffline`). */
	offline: boolean;
	/** More than one tab in one session, at the same time. */
	tabs: boolean;
	/** Read the console, errors included. */
	console: boolean;
};

export interface Session {
	/** A new tab (window) of this session. */
	tab(): Promise<Tab>;
	setOffline(offline: boolean): Promise<void>;
	close(): Promise<void>;
}

export interface Tab {
	/** Navigates and waits for `load` (or only for the DOM with `{ wait: 'dom' }`). */
	goto(url: string, options?: { wait?: 'load' | 'dom' }): Promise<void>;
	reload(): Promise<void>;
	back(): Promise<void>;
	forward(): Promise<void>;
	/** The document's URL now. */
	url(): Promise<string>;
	/**
	 * Runs `fn(arg)` in the page and returns its (awaited, JSON-serialisable) result. `fn` is
	 * sent as source text: it sees the page's globals only, never the test's closure.
	 */
	evaluate<R, A = undefined>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<Awaited<R>>;
	/** Polls `fn(arg)` in the page until it returns something truthy; errors (a page navigating) count as not yet. */
	waitFor<A = undefined>(fn: (arg: A) => unknown, arg?: A, timeoutMs?: number): Promise<void>;
	/** A real click, as a person's (events, default actions, form submission). */
	click(selector: string): Promise<void>;
	/** Replaces an input's value by typing. */
	fill(selector: string, value: string): Promise<void>;
	/** The element's `textContent`. */
	text(selector: string): Promise<string>;
	/** Every console line and uncaught error of this tab so far, across its navigations. */
	console(): Promise<ConsoleLine[]>;
	screenshot(path: string): Promise<void>;
	setViewport(width: number, height: number): Promise<void>;
	close(): Promise<void>;
}

/** How a missing engine binary is reported: the variable that names it and the line that installs it. */
export class EngineMissing extends Error {
	override readonly name = 'EngineMissing';
}
