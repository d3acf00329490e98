import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { Builder, By, Capabilities, type WebDriver } from 'selenium-webdriver';
import WebSocket from 'ws';
import type { ConsoleLine, Engine, Session, Tab } from './engine.js';
import { binary, until } from './index.js';

export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH || '/usr/bin/WebKitWebDriver';
export const WEBKIT_BROWSER_PATH = process.env.WEBKIT_BROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const XVFB_PATH = process.env.XVFB_PATH || '/usr/bin/Xvfb';
const INSTALL = 'apt-get install -y webkit2gtk-driver libwebkit2gtk-4.1-0 xvfb';
const TIMEOUT = 30_000;

/**
 * Debian's WebKitGTK: MiniBrowser under an Xvfb of our own (it has no headless mode), driven by
 * WebKitWebDriver through selenium-webdriver. A session is a MiniBrowser process of its own, with
 * a driver of its own (a driver holds one session); automation mode keeps its storage in memory,
 * so sessions share nothing. WebKitWebDriver has no BiDi and no log endpoint, and ephemeral pages
 * never print their console, so the console comes from WebKit's remote inspector, one socket a
 * tab, which evaluates too (see Inspector).
 */
export async function launch(): Promise<Engine> {
	const driverPath = binary('WEBKIT_DRIVER_PATH', WEBKIT_DRIVER_PATH, INSTALL);
	const browserPath = binary('WEBKIT_BROWSER_PATH', WEBKIT_BROWSER_PATH, INSTALL);
	// -displayfd: Xvfb finds a free display and writes its number once it takes clients. -noreset: else
	// it resets each time its last client (a session's browser) leaves, and refuses the next meanwhile.
	const args = ['-displayfd', '3', '-noreset', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'];
	const xvfb = start(binary('XVFB_PATH', XVFB_PATH, INSTALL), args, {}, ['ignore', 'ignore', 'pipe', 'pipe']);
	const display = `:${String((await Promise.race([once(xvfb.stdio[3]!, 'data'), failed(xvfb)]))[0]).trim()}`;
	const sessions = new Set<Session>();
	return {
		name: 'webkit',
		async session() {
			let made: Session | undefined;
			made = await session(driverPath, browserPath, display, () => made && sessions.delete(made));
			return sessions.add(made), made;
		},
		close: async () => void (await Promise.all([...sessions].map((s) => s.close())), await stop(xvfb)),
	};
}

async function session(driverPath: string, browserPath: string, display: string, closed: () => void): Promise<Session> {
	// MiniBrowser is started here, not by the driver: with WEBKIT_INSPECTOR_HTTP_SERVER (the console's
	// way in) its automation server takes a port of its own choosing, which the driver gets as --target.
	// No back-forward cache (Playwright's Chromium runs without one too): a script that WebDriver runs
	// in a page as it enters that cache never answers, not even with a timeout, and the session hangs.
	const http = await freePort();
	const browser = start(browserPath, ['--automation', '--enable-developer-extras=true', '--enable-page-cache=false'], {
		DISPLAY: display,
		WEBKIT_INSPECTOR_HTTP_SERVER: `127.0.0.1:${http}`,
	});
	let driverProcess: ChildProcess | undefined;
	let driver: WebDriver | undefined;
	const inspectors: Inspector[] = [];
	const close = async () => {
		closed();
		await driver?.quit().catch(() => {}); // gone already when its last tab was closed
		inspectors.forEach((inspector) => inspector.close());
		await Promise.all([driverProcess && stop(driverProcess), stop(browser)]);
	};
	try {
		const target = await Promise.race([until(() => listening(browser.pid!, http), 10_000), failed(browser)]);
		const port = await freePort();
		driverProcess = start(driverPath, [`--port=${port}`, `--target=127.0.0.1:${target}`]);
		await Promise.race([until(() => fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok, () => false), 10_000), failed(driverProcess)]);
		// 'none', and tabs wait themselves: under 'normal' or 'eager' WebKitWebDriver holds every command
		// until the page's load event, so nothing could run between DOMContentLoaded and load.
		const capabilities = new Capabilities({ browserName: 'MiniBrowser', pageLoadStrategy: 'none' });
		driver = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities(capabilities).build();
	} catch (error) {
		await close();
		throw error;
	}
	const webdriver = driver;
	// A WebDriver session has one current window: a tab's operation switches to its own first, and the
	// operations of all tabs run one after another, also when a test starts those of two tabs at once.
	let queue: Promise<unknown> = Promise.resolve();
	const serial = <T>(op: () => Promise<T>): Promise<T> => {
		const run = queue.then(op);
		queue = run.catch(() => {});
		return run;
	};
	let current = await webdriver.getWindowHandle();
	const on = (handle: string) => <T>(op: () => Promise<T>) =>
		serial(async () => (current !== handle && (await webdriver.switchTo().window((current = handle))), op()));
	let opened = 0;
	let lastDebuggable = 0;
	const tab = () =>
		serial(async () => {
			if (!current) await webdriver.switchTo().window((current = (await webdriver.getAllWindowHandles())[0]!));
			if (opened++) await webdriver.switchTo().newWindow('tab'); // the first tab is the window there already
			current = await webdriver.getWindowHandle();
			// Which inspector debuggable is this window? They are numbered in order (popups take numbers
			// too): ask the next few for a title set here. Number 2 is the automation session, which the
			// driver uses; another client there breaks it.
			const title = `lp-ea ${current}`;
			await webdriver.executeScript('document.title = arguments[0]', title);
			for (let id = lastDebuggable + 1; id <= lastDebuggable + 8; id++) {
				const inspector = id === 2 ? undefined : await Inspector.attach(`ws://127.0.0.1:${http}/socket/1/${id}/WebPage`);
				if (inspector && (await inspector.evaluate('document.title')) === title) {
					lastDebuggable = id;
					inspectors.push(inspector);
					return page(webdriver, on(current), inspector, () => (current = ''));
				}
				inspector?.close();
			}
			throw new Error('webkit: no inspector debuggable is the new tab');
		});
	const setOffline = async () => {
		throw new Error('webkit: setOffline is not available: WebKitWebDriver has no network emulation');
	};
	return { tab, setOffline, close };
}

function page(driver: WebDriver, on: <T>(op: () => Promise<T>) => Promise<T>, inspector: Inspector, closed: () => void): Tab {
	// Both send `fn` as source. `evaluate` goes through the inspector, so that the code can use eval
	// under a CSP (see Inspector), at some 40-90 ms a call; `script` through WebDriver, at some 3 ms,
	// for the polls of waitFor and what the layer itself reads. Both await a promise, and reject with
	// the page's message.
	const evaluate = (fn: Function, arg?: unknown) => inspector.evaluate(`(${fn})(${arg === undefined ? '' : JSON.stringify(arg)})`);
	const script = (fn: Function, arg?: unknown): Promise<any> =>
		on(() => driver.executeScript(`return (${fn})(...arguments)`, ...(arg === undefined ? [] : [arg])));
	async function waitFor(fn: Function, arg?: unknown, timeoutMs = 15_000) {
		const started = Date.now();
		while (!(await script(fn, arg).catch(() => false))) {
			if (Date.now() - started > timeoutMs) throw new Error(`webkit: not true within ${timeoutMs} ms: ${fn}`);
			await new Promise((r) => setTimeout(r, 50));
		}
	}
	// The document being left is marked (a Symbol.for key no page reads); the navigation is over once
	// the document is an unmarked one, as far as `wait` says.
	async function navigate(start: () => Promise<void>, wait: 'load' | 'dom' = 'load') {
		const left = String(Math.random());
		await script((left: string) => ((document as any)[Symbol.for('lp-ea.left')] = left), left).catch(() => {});
		await on(start);
		const arrived = ({ left, wait }: { left: string; wait: string }) =>
			(document as any)[Symbol.for('lp-ea.left')] !== left && (wait === 'dom' ? document.readyState !== 'loading' : document.readyState === 'complete');
		await waitFor(arrived, { left, wait }, TIMEOUT);
	}
	// Like Playwright's, these wait for the element first.
	const present = (selector: string) => waitFor((s: string) => document.querySelector(s), selector);
	const element = (selector: string) => present(selector).then(() => on(async () => driver.findElement(By.css(selector))));
	const window = () => driver.manage().window();
	return {
		goto: (url, { wait = 'load' } = {}) => navigate(() => driver.get(url), wait),
		reload: () => navigate(() => driver.navigate().refresh()),
		back: () => navigate(() => driver.navigate().back()),
		forward: () => navigate(() => driver.navigate().forward()),
		url: () => on(() => driver.getCurrentUrl()),
		evaluate,
		waitFor,
		click: (selector) => element(selector).then((e) => on(() => e.click())),
		fill: (selector, value) => element(selector).then((e) => on(async () => (await e.clear(), await e.sendKeys(value)))),
		text: (selector) => present(selector).then(() => script((s: string) => document.querySelector(s)!.textContent ?? '', selector)),
		console: async () => [...inspector.lines],
		// WebDriver shoots the viewport: for the whole page the window grows to the document for the
		// moment of the shot (the page sees two resizes); WebKit draws beyond the X screen.
		screenshot: (path) =>
			on(async () => {
				const { width, height } = await window().getRect();
				const script = 'const e = document.documentElement; return [e.scrollWidth - innerWidth, e.scrollHeight - innerHeight]';
				const [wider, taller] = ((await driver.executeScript(script)) as number[]).map((extra) => Math.max(0, extra));
				if (wider || taller) await window().setRect({ width: width + wider!, height: height + taller! });
				writeFileSync(path, await driver.takeScreenshot(), 'base64');
				if (wider || taller) await window().setRect({ width, height });
			}),
		// A window rect is the outer size: set it, see what the window's frame takes, then add that.
		setViewport: (width, height) =>
			on(async () => {
				await window().setRect({ width, height });
				const [inner, innerHeight] = (await driver.executeScript('return [innerWidth, innerHeight]')) as number[];
				if (inner !== width || innerHeight !== height) await window().setRect({ width: 2 * width - inner!, height: 2 * height - innerHeight! });
			}),
		close: async () => void (await on(() => driver.close()), closed(), inspector.close()),
	};
}

/**
 * One tab through WebKit's remote inspector, in its Target domain (a page can change processes):
 * its console, and evaluation, which unlike WebDriver's lets the code evaluated use eval and
 * new Function under a CSP that forbids them to the page (as Chromium's DevTools protocol does).
 */
class Inspector {
	readonly lines: ConsoleLine[] = [];
	private target = '';
	private calls = 0;
	private readonly answers = new Map<number, { resolve: (result: any) => void; reject: (error: Error) => void }>();
	/** Rejects when the document there now is left. */
	private left!: Promise<never>;
	private leave!: (error: Error) => void;
	private constructor(private readonly socket: WebSocket) {
		this.arrive();
	}

	/** The page that is debuggable `url`, or undefined: one that is not there never says a word. */
	static attach(url: string): Promise<Inspector | undefined> {
		const inspector = new Inspector(new WebSocket(url));
		return new Promise((resolve) => {
			const timer = setTimeout(() => resolve(inspector.close()), 1_000);
			inspector.socket.on('error', () => resolve(inspector.close()));
			inspector.socket.on('message', (data) => {
				const { id, method, params, error } = JSON.parse(String(data));
				if (method === 'Target.targetCreated') {
					void inspector.call('Console.enable', {}, 1_000, params.targetInfo.targetId).catch(() => {}); // replays what was logged so far
					if (!params.targetInfo.isProvisional) (clearTimeout(timer), (inspector.target = params.targetInfo.targetId), resolve(inspector));
				} else if (method === 'Target.didCommitProvisionalTarget') inspector.target = params.newTargetId;
				else if (method === 'Target.dispatchMessageFromTarget') inspector.receive(JSON.parse(params.message));
				else if (error) inspector.settle(id, { error }); // the message did not reach the page (an empty result: it did)
			});
		});
	}

	/**
	 * `expression`'s value, awaited; a throw or rejection becomes an Error with the page's message.
	 * Every call costs some 45 ms (a delayed ACK inside WebKit's inspector server), so a value that is
	 * there at once comes back in one, as JSON text, and only a promise takes a second, awaitPromise.
	 */
	async evaluate(expression: string, timeoutMs = TIMEOUT): Promise<any> {
		const source = `((settled, failed) => {
			try {
				const v = (${expression});
				return typeof v?.then === 'function' ? Promise.resolve(v).then(settled, failed).then(JSON.stringify) : JSON.stringify(settled(v));
			} catch (e) { return JSON.stringify(failed(e)); }
		})((value) => ({ value }), (error) => ({ error: String(error) }))`;
		let { result, wasThrown } = (await this.call('Runtime.evaluate', { expression: source, emulateUserGesture: true }, timeoutMs)).result;
		// The answer comes in order with the page's events, so `left` is for the document that answered:
		// a promise of its is never settled once it is gone.
		const left = this.left;
		if (result.type === 'object' && !wasThrown) {
			const settled = this.call('Runtime.awaitPromise', { promiseObjectId: result.objectId, returnByValue: true }, timeoutMs);
			({ result, wasThrown } = (await Promise.race([settled, left])).result);
		}
		if (wasThrown) throw new Error(result.description); // a syntax error, or a value JSON cannot hold
		const { value, error } = JSON.parse(result.value);
		if (error !== undefined) throw new Error(error);
		return value;
	}

	close(): undefined {
		this.socket.terminate();
		this.answers.forEach(({ reject }) => reject(new Error('webkit: the tab is closed')));
	}

	private call(method: string, params: object, timeoutMs: number, targetId = this.target): Promise<any> {
		const id = ++this.calls;
		this.socket.send(JSON.stringify({ id, method: 'Target.sendMessageToTarget', params: { targetId, message: JSON.stringify({ id, method, params }) } }));
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => this.settle(id, { error: { message: `webkit: no answer to ${method} in ${timeoutMs} ms` } }), timeoutMs);
			this.answers.set(id, { resolve: (r) => (clearTimeout(timer), resolve(r)), reject: (e) => (clearTimeout(timer), reject(e)) });
		});
	}

	private settle(id: number, message: { error?: { message: string }; result?: unknown }) {
		const answer = this.answers.get(id);
		this.answers.delete(id);
		if (message.error) answer?.reject(new Error(message.error.message));
		else answer?.resolve(message);
	}

	private receive(message: any) {
		if (message.id) this.settle(message.id, message);
		else if (message.method === 'Console.messageAdded') this.lines.push(consoleLine(message.params.message));
		else if (message.method === 'Console.messageRepeatCountUpdated' && this.lines.length) this.lines.push({ ...this.lines.at(-1)! });
		else if (message.method === 'Console.messagesCleared' && message.params.reason === 'main-frame-navigation')
			this.leave(new Error('webkit: the page navigated away')), this.arrive();
	}

	private arrive() {
		this.left = new Promise<never>((_, reject) => (this.leave = reject));
		this.left.catch(() => {}); // nobody may be waiting
	}
}

/** Uncaught errors and rejections are 'javascript' errors; a console call's text is its arguments, joined by spaces. */
function consoleLine(message: { source: string; level: string; text: string; parameters?: any[] }): ConsoleLine {
	if (message.source === 'javascript' && message.level === 'error') return { type: 'pageerror', text: message.text };
	const text = message.parameters?.map((p) => (p.type === 'string' ? p.value : 'value' in p ? String(p.value) : (p.description ?? p.type))).join(' ');
	return { type: (message.level === 'warning' ? 'warn' : message.level) as ConsoleLine['type'], text: text ?? message.text };
}

/** The processes started here: killed also when the test process ends without closing the engine. */
const started = new Set<ChildProcess>();
const stderr = new WeakMap<ChildProcess, string>();
const killAll = () => started.forEach((child) => kill(child, 'SIGKILL'));
process.once('exit', killAll);
// Vitest ends its workers with SIGTERM (SIGKILL 500 ms later), which skips 'exit': kill ours, see them
// gone (or they linger as zombies for a while), then let the signal go on.
process.once('SIGTERM', async () => {
	const gone = Promise.all([...started].map((child) => once(child, 'exit')));
	killAll();
	await Promise.race([gone, new Promise((r) => setTimeout(r, 300))]);
	process.kill(process.pid, 'SIGTERM');
});

/** MiniBrowser's web and network processes end with it by themselves. */
function start(path: string, args: string[], env: Record<string, string> = {}, stdio: StdioOptions = ['ignore', 'ignore', 'pipe']) {
	const child = spawn(path, args, { env: { ...process.env, ...env }, stdio });
	stderr.set(child, '');
	child.stderr?.on('data', (data) => stderr.set(child, (stderr.get(child) + data).slice(-2_000)));
	started.add(child);
	child.once('exit', () => started.delete(child));
	return child;
}

function kill(child: ChildProcess, signal: NodeJS.Signals) {
	try {
		process.kill(child.pid!, signal);
	} catch {} // gone already
}

async function stop(child: ChildProcess) {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const timer = setTimeout(() => kill(child, 'SIGKILL'), 3_000);
	await Promise.all([once(child, 'exit'), kill(child, 'SIGTERM')]);
	clearTimeout(timer);
}

/** Rejects once `child` exits, with the end of its stderr: raced with waiting for it to be ready. */
async function failed(child: ChildProcess): Promise<never> {
	const [code, signal] = await once(child, 'exit');
	throw new Error(`webkit: ${child.spawnfile} exited (${code ?? signal}): ${stderr.get(child)}`);
}

async function freePort(): Promise<number> {
	const server = createServer().listen(0, '127.0.0.1');
	await once(server, 'listening');
	const { port } = server.address() as AddressInfo;
	return new Promise((resolve) => server.close(() => resolve(port)));
}

/** Once process `pid` listens on `http`, the other TCP port it listens on (what `ss -ltnp` would say). */
function listening(pid: number, http: number): number | undefined {
	const link = (fd: string) => {
		try {
			return readlinkSync(`/proc/${pid}/fd/${fd}`);
		} catch {
			return '';
		}
	};
	const links = existsSync(`/proc/${pid}`) ? readdirSync(`/proc/${pid}/fd`).map(link) : []; // when gone, failed() says why
	const ports = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).map((row) => row.trim().split(/\s+/))
		.filter((c) => c[3] === '0A' && links.includes(`socket:[${c[9]}]`)).map((c) => parseInt(c[1]!.split(':')[1]!, 16));
	return ports.includes(http) ? ports.find((port) => port !== http) : undefined;
}
