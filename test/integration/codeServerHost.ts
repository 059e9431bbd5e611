/**
 * code-server as the real VS Code host, driven by headless Chromium through playwright-core.
 * Shared by the in-host runner (runCodeServer.ts) and the e2e driver (test/e2e/driver.ts).
 * Recipe and facts: docs/TESTING.md (the real VS Code host).
 *
 * Everything it starts it stops: code-server runs detached in its own process group and is killed
 * as a group (also from a process 'exit' hook, and on SIGINT/SIGTERM); Chromium is closed through
 * Playwright, which also kills it if this process dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { format } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { codeServerArgs, editorEnv, editorSettings, ensureCodeServer, installVsix, writeUserSettings } from '../../scripts/editor.mjs';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--disable-crash-reporter',
];

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `check` until it returns a value (not undefined), `abort` returns a reason, or the deadline passes. A condition wait, not a sleep. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs, intervalMs = 100, abort }: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const aborted = abort?.();
    if (aborted) throw new Error(`${what}: ${aborted}`);
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Formats console arguments like Node would. Lines forwarded from the extension host come as
 * ['%c INFO', 'color: #33f', <the original format>, ...args]: strip the level styling, then format the rest.
 */
export function formatConsoleArgs(vals: unknown[]): string {
  let prefix = '';
  if (typeof vals[0] === 'string' && /^%c\s*\S+\s*$/.test(vals[0]) && typeof vals[1] === 'string') {
    prefix = `${vals[0].replace('%c', '').trim()} `;
    vals = vals.slice(2);
  }
  return (prefix + format(...vals)).trimEnd();
}

export interface HostOptions {
  /** Folder opened in the workbench (default: a temporary folder named `workspace`, removed on stop). */
  folder?: string;
  /** Files to create in the opened folder before start, by relative path. */
  workspaceFiles?: Record<string, string>;
  /** Loads the extension from this folder as a development extension (default: the clone). */
  extensionDevelopmentPath?: string;
  /** A bundled mocha entry (`run()`), as VS Code's `extensionTestsPath`. */
  extensionTestsPath?: string;
  /**
   * Extra environment for code-server and so for the extension host, on top of the demo editor's
   * own (scripts/editor.mjs editorEnv). Only for what a test is about, never for what the product needs.
   */
  env?: Record<string, string>;
  /** User settings written before start, on top of the demo editor's own (scripts/editor.mjs editorSettings). */
  settings?: Record<string, unknown>;
  /** A VSIX to install into the editor before it starts, with `--install-extension`, as the demo does. */
  vsix?: string;
  /** The code-server version (default: scripts/editor.mjs CODE_SERVER_DEFAULT, the oldest VS Code the manifest accepts). */
  codeServerVersion?: string;
  viewport?: { width: number; height: number };
  /** Keep the temporary user-data/extensions dirs after stop (also env MCP_INSPECTOR_KEEP_TMP=1). */
  keepTmp?: boolean;
}

/**
 * Process-level safety net: every code-server process group (and its temporary dirs) is registered
 * here the moment it is spawned, and killed synchronously if this process exits or is interrupted
 * before stop() ran. Chromium has the same net inside Playwright (its own 'exit' hook).
 */
const liveHosts = new Map<number, () => void>();
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
function cleanupAllSync(): void {
  for (const cleanup of liveHosts.values()) cleanup();
  liveHosts.clear();
}
function onSignal(sig: NodeJS.Signals): void {
  cleanupAllSync();
  process.exit(SIGNAL_EXIT[sig] ?? 1); // 'exit' hooks run: Playwright kills Chromium
}
function track(pid: number, cleanup: () => void): void {
  if (liveHosts.size === 0) {
    process.on('exit', cleanupAllSync);
    for (const sig of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) process.on(sig, onSignal);
  }
  liveHosts.set(pid, cleanup);
}
function untrack(pid: number): void {
  if (!liveHosts.delete(pid) || liveHosts.size > 0) return;
  process.removeListener('exit', cleanupAllSync);
  for (const sig of Object.keys(SIGNAL_EXIT) as NodeJS.Signals[]) process.removeListener(sig, onSignal);
}
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is empty */
  }
}

/** Extension-host and page console lines seen so far, with a type prefix. */
export type ConsoleLog = string[];

export class CodeServerHost {
  readonly consoleLines: ConsoleLog = [];
  /** Set once the workbench calls window.codeAutomationExit(code) (after an extensionTests run). */
  automationExitCode: number | undefined;
  private stopped = false;

  private constructor(
    readonly port: number,
    readonly tmp: string,
    readonly folder: string,
    readonly serverLog: string,
    private readonly proc: ChildProcess,
    private serverExit: { code: number | null; signal: NodeJS.Signals | null } | undefined,
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly keepTmp: boolean,
    /** Where `opts.vsix` was installed (the unpacked VSIX in the extensions folder), if one was. */
    readonly installedExtension: string | undefined,
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The workbench URL, with the `payload` that makes it load a development extension and/or run tests. */
  workbenchUrl(opts: { extensionDevelopmentPath?: string; extensionTestsPath?: string } = {}): string {
    const remote = (p: string) => `vscode-remote://127.0.0.1:${this.port}${p}`;
    const payload: [string, string][] = [];
    if (opts.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(opts.extensionDevelopmentPath)]);
    if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remote(opts.extensionTestsPath)]);
    const q = new URLSearchParams({ folder: this.folder });
    let url = `${this.origin}/?${q}`;
    if (payload.length) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return url;
  }

  /** Starts code-server (fresh user-data/extensions dirs) and Chromium; does not open the workbench yet. */
  static async start(opts: HostOptions = {}): Promise<CodeServerHost> {
    const launcher = ensureCodeServer(opts.codeServerVersion);
    const tmp = mkdtempSync(join(tmpdir(), 'mcp-inspector-host-'));
    const userDataDir = join(tmp, 'user-data');
    const extensionsDir = join(tmp, 'extensions');
    const folder = opts.folder ?? join(tmp, 'workspace');
    for (const d of [userDataDir, extensionsDir, folder, join(tmp, 'xdg-config'), join(tmp, 'xdg-data')]) mkdirSync(d, { recursive: true });
    for (const [rel, text] of Object.entries(opts.workspaceFiles ?? {})) {
      const file = join(folder, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    // The demo editor's settings and environment (the same function `npm run demo` uses), then the test's.
    writeUserSettings(userDataDir, { ...editorSettings(), ...opts.settings });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...editorEnv({ xdgConfigHome: join(tmp, 'xdg-config'), xdgDataHome: join(tmp, 'xdg-data') }),
      ...opts.env,
    };
    const installedExtension = opts.vsix ? installVsix({ launcher, userDataDir, extensionsDir, vsix: opts.vsix, env: env as Record<string, string> }) : undefined;
    const serverLog = join(tmp, 'code-server.log');

    let lastError = '';
    for (let attempt = 1; attempt <= 3; attempt++) {
      const port = await freePort();
      const logStream = createWriteStream(serverLog, { flags: 'a' });
      const proc = spawn(launcher, codeServerArgs({ port, userDataDir, extensionsDir, folder }), {
        cwd: tmp,
        detached: true, // its own process group: stop() kills the group (server + extension hosts + pty hosts)
        stdio: ['ignore', 'pipe', 'pipe'],
        env,
      });
      proc.stdout?.pipe(logStream);
      proc.stderr?.pipe(logStream);
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let output = '';
      proc.stdout?.on('data', (b: Buffer) => (output += b.toString()));
      proc.stderr?.on('data', (b: Buffer) => (output += b.toString()));
      proc.on('exit', (code, signal) => (exit = { code, signal }));
      const keepTmp = !!(opts.keepTmp || process.env.MCP_INSPECTOR_KEEP_TMP);
      const pid = proc.pid;
      if (!pid) throw new Error(`could not spawn code-server (${launcher})`);
      const killNow = () => {
        killGroup(pid, 'SIGKILL');
        if (!keepTmp) rmSync(tmp, { recursive: true, force: true });
      };
      track(pid, killNow);
      const fail = (err: unknown): never => {
        untrack(pid);
        killNow();
        throw err;
      };
      try {
        await waitFor(
          'code-server /healthz',
          async () => {
            try {
              const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
              return r.status === 200 ? true : undefined;
            } catch {
              return undefined;
            }
          },
          { timeoutMs: 30_000, abort: () => (exit ? `code-server exited (${exit.code ?? exit.signal}):\n${output.slice(-2000)}` : undefined) },
        );
      } catch (err) {
        lastError = (err as Error).message;
        if (/EADDRINUSE/.test(output) && attempt < 3) {
          // lost the free-port race: try another port
          untrack(pid);
          killGroup(pid, 'SIGKILL');
          continue;
        }
        fail(err);
      }

      let browser: Browser | undefined;
      let context: BrowserContext;
      let page: Page;
      try {
        browser = await chromium.launch({
          executablePath: CHROMIUM_PATH,
          headless: true,
          args: CHROMIUM_ARGS,
          // hermetic: Chromium's crashpad database would otherwise land in ~/.config/chromium
          env: { ...process.env, XDG_CONFIG_HOME: join(tmp, 'xdg-config'), XDG_CACHE_HOME: join(tmp, 'xdg-cache') },
        });
        context = await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
        page = await context.newPage();
      } catch (err) {
        await browser?.close().catch(() => undefined);
        return fail(err);
      }
      const host = new CodeServerHost(port, tmp, folder, serverLog, proc, exit, browser, context, page, keepTmp, installedExtension);
      proc.on('exit', (code, signal) => (host.serverExit = { code, signal }));
      page.on('console', (m) => {
        // The extension host forwards console calls with printf-style formats ('%c INFO', '%s'):
        // store the raw text at once (order), then replace it with the formatted arguments.
        const i = host.consoleLines.push(`[${m.type()}] ${m.text()}`) - 1;
        void Promise.all(m.args().map((a) => a.jsonValue().catch(() => '[unserializable]'))).then(
          (vals: unknown[]) => {
            if (vals.length) host.consoleLines[i] = `[${m.type()}] ${formatConsoleArgs(vals)}`;
          },
          () => undefined,
        );
      });
      page.on('pageerror', (e) => host.consoleLines.push(`[pageerror] ${e.message}`));
      await page.exposeFunction('codeAutomationExit', (code: number) => {
        host.automationExitCode = code;
      });
      return host;
    }
    throw new Error(`could not start code-server: ${lastError}`);
  }

  /** Why the host can no longer make progress (server died, page crashed), or undefined. */
  failure(): string | undefined {
    if (this.serverExit) return `code-server exited (${this.serverExit.code ?? this.serverExit.signal}); log: ${this.serverLog}`;
    if (this.page.isClosed()) return 'the browser page closed';
    return undefined;
  }

  /** Opens the workbench and waits until it is laid out. */
  async openWorkbench(opts: { extensionDevelopmentPath?: string; extensionTestsPath?: string } = {}): Promise<void> {
    await this.page.goto(this.workbenchUrl(opts), { waitUntil: 'domcontentloaded' });
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  }

  async screenshot(file: string): Promise<string> {
    mkdirSync(join(file, '..'), { recursive: true });
    await this.page.screenshot({ path: file, timeout: 10_000 });
    return file;
  }

  /** Saves the console lines (extension host + workbench) and the server log under `dir/<name>.*`; returns the paths. */
  saveLogs(dir: string, name: string): { console: string; server?: string; extensionLogs: string[] } {
    mkdirSync(dir, { recursive: true });
    const consoleFile = join(dir, `${name}.console.log`);
    writeFileSync(consoleFile, this.consoleLines.join('\n') + '\n');
    let server: string | undefined;
    if (existsSync(this.serverLog)) {
      server = join(dir, `${name}.code-server.log`);
      copyFileSync(this.serverLog, server);
    }
    const extensionLogs = this.extensionLogFiles().map((f) => {
      const to = join(dir, `${name}.${basename(f)}`);
      copyFileSync(f, to);
      return to;
    });
    return { console: consoleFile, server, extensionLogs };
  }

  /**
   * The LogOutputChannel files of extensions under test (user-data/logs/<session>/exthost<N>/<extension id>/*.log),
   * i.e. what the extension wrote to its 'MCP OAuth Inspector' output channel. Built-in extensions (vscode.*) are skipped.
   */
  extensionLogFiles(): string[] {
    const out: string[] = [];
    const walk = (d: string, depth: number) => {
      if (depth > 4 || !existsSync(d)) return;
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p, depth + 1);
        else if (e.name.endsWith('.log') && /[\\/]exthost\d+[\\/](?!vscode\.)[^\\/]+\.[^\\/]+[\\/]/.test(p)) out.push(p);
      }
    };
    walk(join(this.tmp, 'user-data', 'logs'), 0);
    return out;
  }

  /** The text of the extension's own log channel(s), for failure reports. */
  extensionLog(): string {
    return this.extensionLogFiles()
      .map((f) => `--- ${basename(f)}\n${readFileSync(f, 'utf8')}`)
      .join('\n');
  }

  /** Closes Chromium and kills code-server's process group. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.race([this.browser.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
    const pid = this.proc.pid;
    if (pid && !this.serverExit) {
      const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      const t = setTimeout(() => killGroup(pid, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    }
    // children of the group that outlive the leader (extension host, pty host) get the same end
    killGroup(pid, 'SIGKILL');
    if (pid) untrack(pid);
    if (!this.keepTmp) rmSync(this.tmp, { recursive: true, force: true });
  }
}
