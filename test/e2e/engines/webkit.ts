import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { Builder, By, Capabilities, type WebDriver } from 'selenium-webdriver';
import WebSocket from 'ws';
import type { ConsoleLine, Engine, Session, Tab } from './engine.js';
import { binary, until } from './index.js';

export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH || '/usr/bin/WebKitWebDriver';
export const WEBKIT_BROWSER_PATH = process.env.WEBKIT_BROWSER_PATH || '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const XVFB_PATH = process.env.XVFB_PATH || '/usr/bin/Xvfb';
const INSTALL = 'apt-get install -y webkit2gtk-driver libwebkit2gtk-4.1-0 xvfb';
/** Debuggable 2 of every MiniBrowser is its automation session (1 is the first window): attaching to it breaks the driver. */
const AUTOMATION_TARGET = 2;
const PAGE_LOAD_TIMEOUT = 30_000;

/**
 * Debian's WebKitGTK: MiniBrowser under an Xvfb of our own (it has no headless mode), driven by
 * WebKitWebDriver through selenium-webdriver. A session is one MiniBrowser process (automation
 * mode makes its storage ephemeral, so sessions share nothing) with its own driver: a driver
 * holds one session only. The console comes from WebKit's remote inspector, because WebKitWebDriver
 * has neither BiDi nor a log endpoint, and ephemeral pages never write the console to stderr.
 */
export async function launch(): Promise<Engine> {
	const driverPath = binary('WEBKIT_DRIVER_PATH', WEBKIT_DRIVER_PATH, INSTALL);
	const browserPath = binary('WEBKIT_BROWSER_PATH', WEBKIT_BROWSER_PATH, INSTALL);
	// -displayfd: Xvfb picks a free display itself and writes its number once it accepts clients.
	const xvfb = start(binary('XVFB_PATH', XVFB_PATH, INSTALL), ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {}, ['ignore', 'ignore', 'pipe', 'pipe']);
	const display = `:${(await Promise.race([once(xvfb.stdio[3]!, 'data'), failed(xvfb)]))[0].toString().trim()}`;
	const sessions = new Set<Session>();
	return {
		name: 'webkit',
		async session() {
			const made = await session(driverPath, browserPath, display, () => sessions.delete(made));
			sessions.add(made);
			return made;
		},
		async close() {
			await Promise.all([...sessions].map((s) => s.close()));
			await stop(xvfb);
		},
	};
}

async function session(driverPath: string, browserPath: string, display: string, closed: () => void): Promise<Session> {
	const http = await freePort();
	// We start MiniBrowser, not the driver: with WEBKIT_INSPECTOR_HTTP_SERVER set, its inspector server
	// listens on a port of its own choosing, which the driver is then pointed at with --target.
	const browser = start(browserPath, ['--automation', '--enable-developer-extras=true'], { DISPLAY: display, WEBKIT_INSPECTOR_HTTP_SERVER: `127.0.0.1:${http}` });
	let driverProcess: ChildProcess | undefined;
	let driver: WebDriver | undefined;
	const inspectors: Inspector[] = [];
	const close = async () => {
		closed();
		await driver?.quit().catch(() => {}); // fails when the last tab closed the session already
		inspectors.forEach((i) => i.close());
		await Promise.all([driverProcess && stop(driverProcess), stop(browser)]);
	};
	try {
		const inspectorPort = await Promise.race([until(() => listening(browser.pid!, http), 10_000), failed(browser)]);
		const port = await freePort();
		driverProcess = start(driverPath, [`--port=${port}`, `--target=127.0.0.1:${inspectorPort}`]);
		await Promise.race([until(() => fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok, () => false), 10_000), failed(driverProcess)]);
		// 'none': with 'eager' or 'normal', WebKitWebDriver holds every command while a page loads, from
		// DOMContentLoaded to load as well, and one restored from the back-forward cache never ends 'eager'.
		driver = await new Builder()
			.usingServer(`http://127.0.0.1:${port}`)
			.withCapabilities(new Capabilities({ browserName: 'MiniBrowser', pageLoadStrategy: 'none' }))
			.build();
	} catch (error) {
		await close();
		throw error;
	}
	const webdriver = driver;
	// One current window per WebDriver session: every tab's operation switches to its window first,
	// one after another, even when a test runs those of two tabs at once.
	let queue: Promise<unknown> = Promise.resolve();
	const serial = <T>(op: () => Promise<T>): Promise<T> => {
		const run = queue.then(op);
		queue = run.catch(() => {});
		return run;
	};
	let current = await webdriver.getWindowHandle();
	const on = (handle: string) => <T>(op: () => Promise<T>) =>
		serial(async () => {
			if (current !== handle) await webdriver.switchTo().window((current = handle));
			return op();
		});
	let first = true;
	let lastTarget = 0;
	return {
		tab: () =>
			serial(async () => {
				// A new window needs a current one that is still open.
				if (!current) await webdriver.switchTo().window((current = (await webdriver.getAllWindowHandles())[0]!));
				if (!first) await webdriver.switchTo().newWindow('tab');
				first = false;
				current = await webdriver.getWindowHandle();
				// Which inspector debuggable is this window? Ids are handed out in order (page-opened popups
				// take some too), so try the next few and ask each for a title set here.
				const marker = `lp-ea ${current}`;
				await webdriver.executeScript('document.title = arguments[0]', marker);
				for (let id = lastTarget + 1; id <= lastTarget + 8; id++) {
					if (id === AUTOMATION_TARGET) continue;
					const inspector = await Inspector.attach(`ws://127.0.0.1:${http}/socket/1/${id}/WebPage`);
					if (inspector && (await inspector.evaluate('document.title')) === marker) {
						lastTarget = id;
						inspectors.push(inspector);
						return tab(webdriver, on(current), inspector, () => (current = ''));
					}
					inspector?.close();
				}
				throw new Error(`webkit: no inspector target answers for the new tab`);
			}),
		async setOffline() {
			throw new Error('webkit: setOffline is not available: WebKitWebDriver has no network emulation');
		},
		close,
	};
}

function tab(driver: WebDriver, on: <T>(op: () => Promise<T>) => Promise<T>, inspector: Inspector, closed: () => void): Tab {
	const evaluate = (fn: Function, arg?: unknown): Promise<any> =>
		// Sent as source; WebDriver awaits a returned promise and rejects with the page's message.
		on(() => driver.executeScript(`return (${fn})(...arguments)`, ...(arg === undefined ? [] : [arg])));
	const self: Tab = {
		goto: (url, { wait = 'load' } = {}) => navigate(() => driver.get(url), wait),
		reload: () => navigate(() => driver.navigate().refresh()),
		back: () => navigate(() => driver.navigate().back()),
		forward: () => navigate(() => driver.navigate().forward()),
		url: () => on(() => driver.getCurrentUrl()),
		evaluate,
		async waitFor(fn, arg, timeoutMs = 15_000) {
			const started = Date.now();
			for (;;) {
				// Each poll takes its turn in the session's queue; the waiting in between does not.
				if (await evaluate(fn, arg).catch((e) => (console.log('DBG poll error', String(e).slice(0, 200)), false))) return;
				if (Date.now() - started > timeoutMs) throw new Error(`webkit: not true within ${timeoutMs} ms: ${fn}`);
				await new Promise((r) => setTimeout(r, 50));
			}
		},
		// Like Playwright, these first wait for the element to be there.
		click: (selector) => present(selector).then(() => on(async () => (await driver.findElement(By.css(selector))).click())),
		fill: (selector, value) =>
			present(selector).then(() =>
				on(async () => {
					const input = await driver.findElement(By.css(selector));
					await input.clear();
					await input.sendKeys(value);
				}),
			),
		text: (selector) => present(selector).then(() => evaluate((s: string) => document.querySelector(s)!.textContent ?? '', selector)),
		console: async () => [...inspector.lines],
		// WebDriver shoots the viewport only: for the whole page the window grows to the document for a
		// moment (the page sees a resize), as far as WebKit draws beyond the X screen, which it does.
		screenshot: (path) =>
			on(async () => {
				const window = driver.manage().window();
				const { width, height } = await window.getRect();
				const [extraWidth, extraHeight] = (await driver.executeScript(
					'const e = document.documentElement; return [e.scrollWidth - innerWidth, e.scrollHeight - innerHeight]',
				)) as number[];
				const grow = extraWidth! > 0 || extraHeight! > 0;
				if (grow) await window.setRect({ width: width + Math.max(0, extraWidth!), height: height + Math.max(0, extraHeight!) });
				writeFileSync(path, await driver.takeScreenshot(), 'base64');
				if (grow) await window.setRect({ width, height });
			}),
		setViewport: (width, height) =>
			on(async () => {
				// A window rect is the outer size: measure what the window adds around the viewport, then correct.
				await driver.manage().window().setRect({ width, height });
				const [innerWidth, innerHeight] = (await driver.executeScript('return [innerWidth, innerHeight]')) as number[];
				if (innerWidth !== width || innerHeight !== height)
					await driver.manage().window().setRect({ width: 2 * width - innerWidth!, height: 2 * height - innerHeight! });
			}),
		async close() {
			await on(() => driver.close());
			closed();
			inspector.close();
		},
	};
	// WebDriver does not wait here ('none'), so this does: the document that was left carries a token
	// (a Symbol.for key no page reads), and the navigation is over once a document without it is far enough.
	const navigate = async (start: () => Promise<void>, wait: 'load' | 'dom' = 'load') => {
		const left = String(Math.random());
		await on(async () => {
			console.log('DBG mark'); await driver.executeScript(`document[Symbol.for('lp-ea.left')] = arguments[0]`, left).catch(() => {});
			console.log('DBG start'); await start(); console.log('DBG started');
		});
		const arrived = ({ left, wait }: { left: string; wait: string }) =>
			(document as any)[Symbol.for('lp-ea.left')] !== left && (wait === 'dom' ? document.readyState !== 'loading' : document.readyState === 'complete');
		await self.waitFor(arrived, { left, wait }, PAGE_LOAD_TIMEOUT);
	};
	const present = (selector: string) => self.waitFor((s: string) => document.querySelector(s), selector);
	return self;
}

/** One page's console, from the remote inspector (Target domain, as WebKit's process swaps need). */
class Inspector {
	readonly lines: ConsoleLine[] = [];
	private target = '';
	private calls = 0;
	private readonly answers = new Map<number, (message: any) => void>();
	private constructor(private readonly socket: WebSocket) {}

	/** The page behind debuggable `url`, or undefined: a debuggable that is not there never says anything. */
	static attach(url: string): Promise<Inspector | undefined> {
		const inspector = new Inspector(new WebSocket(url));
		return new Promise((resolve) => {
			const timer = setTimeout(() => resolve(inspector.close()), 1_000);
			inspector.socket.on('error', () => resolve(inspector.close()));
			inspector.socket.on('message', (data) => {
				const event = JSON.parse(String(data));
				if (event.method === 'Target.targetCreated') {
					const { targetId, isProvisional } = event.params.targetInfo;
					void inspector.call('Console.enable', {}, targetId); // which first replays what the page logged so far
					if (!isProvisional) (clearTimeout(timer), (inspector.target = targetId), resolve(inspector));
				} else if (event.method === 'Target.didCommitProvisionalTarget') inspector.target = event.params.newTargetId;
				else if (event.method === 'Target.dispatchMessageFromTarget') inspector.receive(JSON.parse(event.params.message));
			});
		});
	}

	async evaluate(expression: string): Promise<unknown> {
		return (await this.call('Runtime.evaluate', { expression, returnByValue: true })).result?.result?.value;
	}

	close(): undefined {
		this.socket.terminate();
	}

	private call(method: string, params: object, targetId = this.target): Promise<any> {
		const id = ++this.calls;
		const message = JSON.stringify({ id, method, params });
		this.socket.send(JSON.stringify({ id, method: 'Target.sendMessageToTarget', params: { targetId, message } }));
		return new Promise((resolve) => this.answers.set(id, resolve));
	}

	private receive(message: any) {
		if (message.id) this.answers.get(message.id)?.(message);
		else if (message.method === 'Console.messageAdded') this.lines.push(consoleLine(message.params.message));
		else if (message.method === 'Console.messageRepeatCountUpdated' && this.lines.length) this.lines.push({ ...this.lines.at(-1)! });
	}
}

/** An uncaught error or rejection is a 'javascript' error; a console call's text is its arguments, joined as Chromium does. */
function consoleLine(message: { source: string; level: string; text: string; parameters?: any[] }): ConsoleLine {
	if (message.source === 'javascript' && message.level === 'error') return { type: 'pageerror', text: message.text };
	const text = message.parameters
		? message.parameters.map((p) => (p.type === 'string' ? p.value : 'value' in p ? String(p.value) : (p.description ?? p.type))).join(' ')
		: message.text;
	return { type: (message.level === 'warning' ? 'warn' : message.level) as ConsoleLine['type'], text };
}

/** Every process started here, killed even when the test process exits without closing the engine. */
const started = new Set<ChildProcess>();
const stderr = new WeakMap<ChildProcess, string>();
const killAll = () => started.forEach((child) => kill(child, 'SIGKILL'));
process.once('exit', killAll);
// Vitest ends its workers with SIGTERM, which skips 'exit': kill ours, then let the signal do what it would have.
process.once('SIGTERM', () => (killAll(), process.kill(process.pid, 'SIGTERM')));

function start(path: string, args: string[], env: Record<string, string> = {}, stdio: StdioOptions = ['ignore', 'ignore', 'pipe']): ChildProcess {
	// MiniBrowser's web and network processes end with it, on their own.
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
	const exited = once(child, 'exit');
	kill(child, 'SIGTERM');
	const timer = setTimeout(() => kill(child, 'SIGKILL'), 3_000);
	await exited;
	clearTimeout(timer);
}

/** Rejects when `child` exits (before what is raced with it), with the end of its stderr. */
async function failed(child: ChildProcess): Promise<never> {
	const [code, signal] = await once(child, 'exit');
	throw new Error(`webkit: ${child.spawnfile} exited (${code ?? signal}): ${stderr.get(child)}`);
}

async function freePort(): Promise<number> {
	const server = createServer().listen(0, '127.0.0.1');
	await once(server, 'listening');
	const { port } = server.address() as AddressInfo;
	await new Promise((r) => server.close(r));
	return port;
}

/** Once `pid` listens on `http`: its other listening TCP port, the inspector server's (from /proc, as `ss -lntp` would). */
function listening(pid: number, http: number): number | undefined {
	const sockets = new Set(readdirSync(`/proc/${pid}/fd`).map((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return ''; } }));
	const ports = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).map((row) => row.trim().split(/\s+/))
		.filter((c) => c[3] === '0A' && sockets.has(`socket:[${c[9]}]`)).map((c) => parseInt(c[1]!.split(':')[1]!, 16));
	return ports.includes(http) ? ports.find((port) => port !== http) : undefined;
}
