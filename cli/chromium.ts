// Headless Chromium as a renderer: loads one local HTML file, reports what the page logged and every
// request it made, and takes a PNG of one element. Spoken to over the DevTools protocol on a pipe
// (--remote-debugging-pipe: fd 3 in, fd 4 out, NUL-terminated JSON), so no port is opened and no
// WebSocket client is needed.
//
// The browser gets no network: every host name resolves to nothing and the proxy is a closed port,
// so a page that tried to load anything would show it as a failed request here, not fetch it.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { SentinelWatchError } from '../lambdas/core/errors';

export class ChromiumError extends SentinelWatchError {}

export interface RenderRequest {
  /** Absolute path of the HTML file. */
  readonly htmlFile: string;
  /** CSS selector of the element to capture. */
  readonly selector: string;
  /** Viewport width in CSS pixels. */
  readonly width: number;
  /** Chromium's executable (default `CHROMIUM` from the environment, else `chromium`). */
  readonly executable?: string;
  readonly timeoutMs?: number;
}

export interface RenderResult {
  readonly png: Buffer;
  /** Console messages, uncaught exceptions and browser log entries of level warning or error. */
  readonly problems: readonly string[];
  /** Every URL the page requested, the document itself included. */
  readonly requests: readonly string[];
  /** Requests Chromium refused to make, with its reason: `csp http://...`. */
  readonly blocked: readonly string[];
}

interface Message {
  readonly id?: number;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
  readonly error?: { message: string };
  readonly sessionId?: string;
}

const ARGS = [
  '--headless',
  '--remote-debugging-pipe',
  // Chromium's sandbox refuses to run as root (CI containers); the page is our own file, no script.
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-extensions',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--metrics-recording-only',
  '--mute-audio',
  '--hide-scrollbars',
  '--font-render-hinting=none',
  '--proxy-server=127.0.0.1:9',
  '--host-resolver-rules=MAP * ~NOTFOUND',
];

/** Renders `htmlFile` in headless Chromium and captures `selector` as a PNG. */
export async function renderInChromium(request: RenderRequest): Promise<RenderResult> {
  const executable = request.executable ?? process.env.CHROMIUM ?? 'chromium';
  const profile = mkdtempSync(join(tmpdir(), 'sentinel-watch-chromium-'));
  const child = spawn(executable, [...ARGS, `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const timeoutMs = request.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const session = new CdpPipe(child);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ChromiumError(`Chromium did not render ${request.htmlFile} within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return await Promise.race([timeout, drive(session, request)]);
  } catch (error) {
    if (error instanceof ChromiumError) throw error;
    const hint =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? ' (install it: apt-get install chromium)' : '';
    throw new ChromiumError(
      `Chromium (${executable}) failed: ${(error as Error).message}${hint}${stderr ? `\n${lastLines(stderr)}` : ''}`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
    // Browser.close (sent when done) lets Chromium end its helper processes; kill it if it lingers.
    const exited = new Promise((resolve) =>
      child.exitCode === null && child.signalCode === null ? child.once('exit', resolve) : resolve(null),
    );
    const grace = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(grace);
    // Its helpers may still be closing files in the profile for a moment.
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch {
      // A leftover temporary profile is not worth failing a rendering that succeeded.
    }
  }
}

const lastLines = (text: string): string =>
  text
    .split('\n')
    .filter((l) => !/dbus|Fontconfig/i.test(l))
    .slice(-5)
    .join('\n');

async function drive(cdp: CdpPipe, request: RenderRequest): Promise<RenderResult> {
  const problems: string[] = [];
  const requests: string[] = [];
  const blocked: string[] = [];
  const urls = new Map<string, string>();
  const { targetId } = (await cdp.send('Target.createTarget', { url: 'about:blank' })) as {
    targetId: string;
  };
  const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId, flatten: true })) as {
    sessionId: string;
  };
  cdp.onEvent = (m) => {
    if (m.sessionId !== sessionId) return;
    const p = m.params ?? {};
    if (m.method === 'Runtime.consoleAPICalled' && ['error', 'warning', 'assert'].includes(String(p.type))) {
      problems.push(`console.${p.type}: ${JSON.stringify(p.args)}`);
    } else if (m.method === 'Runtime.exceptionThrown') {
      problems.push(`exception: ${JSON.stringify(p.exceptionDetails)}`);
    } else if (m.method === 'Log.entryAdded') {
      const entry = p.entry as { level: string; text: string; url?: string };
      if (entry.level === 'error' || entry.level === 'warning') {
        problems.push(`${entry.level}: ${entry.text}${entry.url ? ` (${entry.url})` : ''}`);
      }
    } else if (m.method === 'Network.requestWillBeSent') {
      const url = String((p.request as { url: string }).url);
      urls.set(String(p.requestId), url);
      requests.push(url);
    } else if (m.method === 'Network.loadingFailed' && p.blockedReason) {
      blocked.push(`${p.blockedReason} ${urls.get(String(p.requestId)) ?? '?'}`);
    }
  };
  for (const domain of ['Runtime', 'Log', 'Network', 'Page'])
    await cdp.send(`${domain}.enable`, {}, sessionId);
  await cdp.send(
    'Emulation.setDeviceMetricsOverride',
    { width: request.width, height: 800, deviceScaleFactor: 1, mobile: false },
    sessionId,
  );
  const loaded = cdp.waitFor('Page.loadEventFired', sessionId);
  const nav = (await cdp.send('Page.navigate', { url: pathToFileURL(request.htmlFile).href }, sessionId)) as {
    errorText?: string;
  };
  if (nav.errorText) throw new ChromiumError(`Chromium could not open ${request.htmlFile}: ${nav.errorText}`);
  await loaded;
  const box = (await cdp.send(
    'Runtime.evaluate',
    {
      expression: `(() => { const e = document.querySelector(${JSON.stringify(request.selector)}); if (!e) return null; const r = e.getBoundingClientRect(); return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }; })()`,
      returnByValue: true,
    },
    sessionId,
  )) as { result: { value: { x: number; y: number; width: number; height: number } | null } };
  const clip = box.result.value;
  if (!clip || clip.width < 1 || clip.height < 1) {
    throw new ChromiumError(`${request.htmlFile} has no visible element ${request.selector}`);
  }
  const shot = (await cdp.send(
    'Page.captureScreenshot',
    { format: 'png', clip: { ...clip, scale: 1 }, captureBeyondViewport: true },
    sessionId,
  )) as { data: string };
  await cdp.send('Browser.close').catch(() => undefined);
  return { png: Buffer.from(shot.data, 'base64'), problems, requests, blocked };
}

/** The DevTools protocol over Chromium's pipe: requests by id, events to `onEvent` and waiters. */
class CdpPipe {
  onEvent: (m: Message) => void = () => undefined;
  readonly #in: Writable;
  #nextId = 1;
  #buffer = '';
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #waiters: { method: string; sessionId: string; resolve: () => void }[] = [];
  #closed: Error | null = null;

  constructor(child: ChildProcess) {
    this.#in = child.stdio[3] as Writable;
    const out = child.stdio[4] as Readable;
    this.#in.on('error', () => undefined);
    out.on('data', (d: Buffer) => this.#receive(d.toString('utf8')));
    child.once('error', (e) => this.#close(e));
    child.once('exit', (code, signal) => this.#close(new Error(`Chromium exited (${signal ?? code})`)));
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    const message = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#in.write(`${message}\0`);
    });
  }

  waitFor(method: string, sessionId: string): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ method, sessionId, resolve }));
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    for (let end = this.#buffer.indexOf('\0'); end >= 0; end = this.#buffer.indexOf('\0')) {
      const text = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      const m = JSON.parse(text) as Message;
      if (m.id !== undefined) {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error) p?.reject(new Error(m.error.message));
        else p?.resolve(m.result ?? {});
        continue;
      }
      this.onEvent(m);
      for (const w of this.#waiters.filter((w) => w.method === m.method && w.sessionId === m.sessionId)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  #close(error: Error): void {
    this.#closed ??= error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }
}
