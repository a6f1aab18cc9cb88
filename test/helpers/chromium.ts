import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";

/** What a page did when Debian's headless Chromium opened it. */
export interface PageVisit {
  /** Console errors, uncaught exceptions and error log entries. */
  readonly errors: string[];
  /** URLs the page asked for, other than itself and data: URLs (fonts inlined as data are not network). */
  readonly requests: string[];
  /** The value of `evaluate` run in the loaded page. */
  readonly value: unknown;
  /** PNG screenshot of the whole page. */
  readonly screenshot: Buffer;
}

/** Path of Debian's chromium, or undefined when it is not installed. */
export function chromiumPath(): string | undefined {
  return ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
}

/**
 * Open `url` in headless Chromium driven over the DevTools protocol on a
 * pipe (`--remote-debugging-pipe`, no puppeteer, no downloaded browser) at
 * laptop size; collect console errors and requests, run `evaluate` in the
 * loaded page, take a full-page screenshot, close the browser.
 *
 * @example const visit = await visitPage("file:///tmp/report.html", "document.title");
 */
export async function visitPage(url: string, evaluate: string, width = 1366, height = 900): Promise<PageVisit> {
  const profile = mkdtempSync(join(tmpdir(), "blkrx-chromium-"));
  const browser = spawn(
    chromiumPath() ?? "chromium",
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--remote-debugging-pipe",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    // Its own process group, so the helper processes it starts (renderer, network, storage) can be stopped with it.
    { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"], detached: true },
  );
  const cdp = new Cdp(browser);
  try {
    const { targetId } = (await cdp.send("Target.createTarget", { url: "about:blank" })) as { targetId: string };
    const { sessionId } = (await cdp.send("Target.attachToTarget", { targetId, flatten: true })) as {
      sessionId: string;
    };
    const errors: string[] = [];
    const requests: string[] = [];
    cdp.on(sessionId, (method, params) => {
      const p = params as EventParams;
      if (method === "Runtime.consoleAPICalled" && p.type === "error")
        errors.push(`console.error: ${JSON.stringify(p.args?.map((a) => a.value))}`);
      if (method === "Runtime.exceptionThrown") errors.push(`exception: ${p.exceptionDetails?.text}`);
      if (method === "Log.entryAdded" && p.entry?.level === "error")
        errors.push(`log: ${p.entry.text} ${p.entry.url ?? ""}`);
      if (method === "Network.requestWillBeSent") {
        const u = String(p.request?.url);
        if (u !== url && !u.startsWith("data:")) requests.push(u);
      }
    });
    for (const m of ["Runtime.enable", "Log.enable", "Network.enable", "Page.enable"]) await cdp.send(m, {}, sessionId);
    await cdp.send(
      "Emulation.setDeviceMetricsOverride",
      { width, height, deviceScaleFactor: 1, mobile: false },
      sessionId,
    );
    const loaded = cdp.waitFor(sessionId, "Page.loadEventFired");
    await cdp.send("Page.navigate", { url }, sessionId);
    await loaded;
    await new Promise((r) => setTimeout(r, 300)); // late console messages and font loads
    const result = (await cdp.send("Runtime.evaluate", { expression: evaluate, returnByValue: true }, sessionId)) as {
      result: { value: unknown };
    };
    const shot = (await cdp.send(
      "Page.captureScreenshot",
      { format: "png", captureBeyondViewport: true },
      sessionId,
    )) as {
      data: string;
    };
    await cdp.send("Browser.close", {}).catch(() => undefined);
    return { errors, requests, value: result.result.value, screenshot: Buffer.from(shot.data, "base64") };
  } finally {
    await stopProcessGroup(browser);
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
  }
}

/**
 * Stop the browser and every process of its group, and wait until the group is empty: Chromium's helper
 * processes outlive the browser for a moment and keep writing the profile (rmSync then failed with ENOTEMPTY).
 */
async function stopProcessGroup(browser: ChildProcess): Promise<void> {
  const pid = browser.pid;
  if (pid === undefined) return;
  if (browser.exitCode === null && browser.signalCode === null) {
    const exited = new Promise((r) => browser.once("exit", r));
    browser.kill();
    await exited;
  }
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(-pid, i === 0 ? "SIGKILL" : 0);
    } catch {
      return; // ESRCH: no process of the group is left
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Listener = (method: string, params: unknown) => void;

/** The fields of the few DevTools events the visit reads. */
interface EventParams {
  type?: string;
  args?: { value?: unknown }[];
  exceptionDetails?: { text?: string };
  entry?: { level?: string; text?: string; url?: string };
  request?: { url?: string };
}

/** A DevTools-protocol message: a reply (id) or an event (method). */
interface CdpMessage {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { message: string };
  sessionId?: string;
}

/** A minimal DevTools-protocol client over Chromium's pipe: NUL-separated JSON messages on fds 3 (in) and 4 (out). */
class Cdp {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<string, Listener[]>();
  private readonly input: Writable;
  private buffer = "";
  private stderr = "";

  constructor(browser: ChildProcess) {
    this.input = browser.stdio[3] as Writable;
    const output = browser.stdio[4] as Readable;
    (browser.stdio[2] as Readable).on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    output.on("data", (chunk: Buffer) => {
      this.buffer += chunk.toString("utf8");
      for (let end = this.buffer.indexOf("\0"); end >= 0; end = this.buffer.indexOf("\0")) {
        const message = JSON.parse(this.buffer.slice(0, end)) as CdpMessage;
        this.buffer = this.buffer.slice(end + 1);
        this.dispatch(message);
      }
    });
    browser.on("exit", (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited (${code}): ${this.stderr}`));
      this.pending.clear();
    });
  }

  send(method: string, params: object = {}, sessionId?: string): Promise<unknown> {
    const id = this.nextId++;
    this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  on(sessionId: string, listener: Listener): void {
    this.listeners.set(sessionId, [...(this.listeners.get(sessionId) ?? []), listener]);
  }

  waitFor(sessionId: string, event: string): Promise<unknown> {
    return new Promise((resolve) => this.on(sessionId, (method, params) => method === event && resolve(params)));
  }

  private dispatch(message: CdpMessage): void {
    if (typeof message.id === "number") {
      const p = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) p?.reject(new Error(`${message.error.message}`));
      else p?.resolve(message.result);
      return;
    }
    for (const l of this.listeners.get(String(message.sessionId)) ?? []) l(String(message.method), message.params);
  }
}
