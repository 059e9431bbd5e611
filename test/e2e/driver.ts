/**
 * A small driver for the editor UI over Playwright: code-server (the real VS Code workbench) in
 * headless Chromium, with the extension as it ships: the VSIX packaged by scripts/editor.mjs and
 * installed with `--install-extension` into an editor started with the demo's own settings and
 * environment (the same functions `npm run demo` uses).
 * Later issues add steps, not machinery: palette commands, quick picks, input boxes,
 * notifications, tree items, webview frames, screenshots.
 *
 * Every wait is on a condition (a locator state, a text) with a timeout; there are no sleeps.
 * Selectors: docs/TESTING.md.
 */
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { repoRoot } from '../integration/build.mjs';
import { packageVsix } from '../../scripts/editor.mjs';
import { CodeServerHost, waitFor, type HostOptions } from '../integration/codeServerHost';

export const screenshotDir = join(repoRoot, 'test-results', 'screenshots');
export const logDir = join(repoRoot, 'test-results', 'logs');

/** Default timeout of one UI step (a row appearing, a toast showing). */
const STEP_MS = 15_000;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function fileSafe(name: string): string {
  return name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'screenshot';
}

export type DriverOptions = HostOptions;

/** The VSIX under test: packaged once per process (`vsce package`, production build), then reused. */
let packaged: string | undefined;
export function shippedVsix(): string {
  packaged ??= packageVsix();
  return packaged;
}

export class Driver {
  private constructor(readonly host: CodeServerHost) {}

  /** Packages the VSIX, starts code-server with it installed + Chromium, and opens the workbench. */
  static async start(opts: DriverOptions = {}): Promise<Driver> {
    const vsix = opts.vsix ?? (opts.extensionDevelopmentPath ? undefined : shippedVsix());
    const host = await CodeServerHost.start({ ...opts, vsix });
    const d = new Driver(host);
    try {
      await host.openWorkbench(opts.extensionDevelopmentPath ? { extensionDevelopmentPath: opts.extensionDevelopmentPath } : {});
      // the workbench is interactive once the activity bar and an editor area are laid out
      await host.page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: 60_000 });
      await host.page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible', timeout: 60_000 });
    } catch (err) {
      await d.reportFailure('driver-start').catch(() => undefined);
      await host.stop();
      throw err;
    }
    return d;
  }

  get page(): Page {
    return this.host.page;
  }

  /** The quick input's text box (palette, quick pick, input box all share it). */
  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget input.input').first();
  }

  /** Opens the command palette: F1 until the quick input shows (one press sometimes lands before the keybinding service is ready). */
  async openPalette(): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 10; attempt++) {
      await this.page.keyboard.press('F1');
      try {
        await this.quickInput.waitFor({ state: 'visible', timeout: 1_500 });
        return;
      } catch (err) {
        lastError = err;
        if (this.host.failure()) break;
      }
    }
    throw new Error(`the command palette did not open (${this.host.failure() ?? (lastError as Error)?.message})`);
  }

  /** A row of the open quick input whose label is exactly `label` (or matches a RegExp). */
  quickInputRow(label: string | RegExp): Locator {
    const re = typeof label === 'string' ? new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) : label;
    return this.page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ has: this.page.locator('.label-name', { hasText: re }) })
      .first();
  }

  /** Accepts a row: arrow keys until it is the focused row, then Enter. */
  private async acceptRow(row: Locator): Promise<void> {
    await row.waitFor({ state: 'visible', timeout: STEP_MS });
    // Keyboard only, as a person at the palette would: a mouse click accepts on mousedown, and when
    // the next step's input opens at once, the rest of the click can land on the editor below,
    // which takes focus and closes that input (seen on a loaded machine).
    const isFocused = () => row.evaluate((el) => el.classList.contains('focused'));
    for (let i = 0; !(await isFocused()); i++) {
      if (i > 200) throw new Error('the quick pick row could not be focused with the arrow keys');
      await this.quickInput.press('ArrowDown');
    }
    await this.quickInput.press('Enter');
  }

  /**
   * Runs a command by its palette title, e.g. "MCP Inspector: About" (category: title), the way a
   * person does: F1, type, wait for the row, Enter.
   */
  async runCommand(title: string): Promise<void> {
    await this.openPalette();
    const row = this.quickInputRow(title);
    // Right after the workbench loads, the extension host may still be registering the development
    // extension's contributions: the palette computes its rows on every change of the input, so
    // re-type until the row shows (a condition wait with a deadline, not a sleep).
    const deadline = Date.now() + 30_000;
    for (;;) {
      await this.quickInput.fill(`>${title}`);
      try {
        await row.waitFor({ state: 'visible', timeout: 1_000 });
        break;
      } catch (err) {
        if (Date.now() > deadline || this.host.failure()) {
          throw new Error(`no command titled "${title}" in the palette (${this.host.failure() ?? (err as Error).message})`);
        }
        await this.quickInput.fill('>');
      }
    }
    await this.acceptRow(row);
    // the palette hides when the command starts (a command may open its own quick input right away)
    await row.waitFor({ state: 'hidden', timeout: STEP_MS });
  }

  /** Picks an item in an open quick pick by its label (optionally typing a filter first). */
  async quickPick(label: string | RegExp, opts: { filter?: string } = {}): Promise<void> {
    await this.quickInput.waitFor({ state: 'visible', timeout: STEP_MS });
    if (opts.filter !== undefined) await this.quickInput.fill(opts.filter);
    const row = this.quickInputRow(label);
    await this.acceptRow(row);
    await row.waitFor({ state: 'hidden', timeout: STEP_MS });
  }

  /**
   * Fills an open input box (showInputBox) and submits it with Enter unless `submit: false`.
   * `prompt` waits first for the box you mean: it matches the box's `prompt` (the line under the
   * input) or its `placeHolder`.
   */
  async inputBox(value: string, opts: { submit?: boolean; prompt?: string | RegExp } = {}): Promise<void> {
    await this.quickInput.waitFor({ state: 'visible', timeout: STEP_MS });
    if (opts.prompt !== undefined) {
      const want = opts.prompt;
      const matches = (s: string | null | undefined) => !!s && (typeof want === 'string' ? s.includes(want) : want.test(s));
      await waitFor(
        `an input box with prompt ${String(want)}`,
        async () => {
          const placeholder = await this.quickInput.getAttribute('placeholder').catch(() => null);
          const message = await this.quickInputMessage().first().innerText({ timeout: 500 }).catch(() => null);
          return matches(placeholder) || matches(message) ? true : undefined;
        },
        { timeoutMs: STEP_MS, abort: () => this.host.failure() },
      );
    }
    await this.quickInput.fill(value);
    if (opts.submit !== false) {
      const widget = this.page.locator('.quick-input-widget');
      const title = widget.locator('.quick-input-title');
      const before = await title.innerText({ timeout: 500 }).catch(() => '');
      await this.quickInput.press('Enter');
      // Accepted when the box closes, or when a multi-step command replaces it with its next step
      // (the widget stays open with another title): the one element is reused by both.
      await waitFor(
        'the input box to be accepted',
        async () => {
          if (!(await widget.isVisible())) return true;
          const now = await title.innerText({ timeout: 500 }).catch(() => '');
          return now !== before ? true : undefined;
        },
        { timeoutMs: STEP_MS, abort: () => this.host.failure() },
      );
    }
  }

  /**
   * "MCP Inspector: Connect to Server" from the palette: the URL, the registration pick (default
   * Automatic), the scopes box (empty: what the server asks for). Returns once the last box is
   * accepted; what the connection does next (a sign-in dialog, a browser) is the caller's to follow.
   */
  async connectToServer(url: string, opts: { registration?: string; scopes?: string } = {}): Promise<void> {
    await this.runCommand('MCP Inspector: Connect to Server');
    await this.inputBox(url, { prompt: 'The MCP server URL' });
    await this.quickPick(opts.registration ?? 'Automatic');
    await this.inputBox(opts.scopes ?? '', { prompt: 'Space-separated scopes' });
  }

  /** The validation message under an open input box (e.g. after typing an invalid URL). */
  quickInputMessage(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-message');
  }

  /**
   * Waits for a notification toast whose message matches and whose slide-in has finished (VS Code
   * marks it `notification-fade-in-done`, so a screenshot right after shows it fully), and returns
   * the toast's message text.
   */
  async waitForNotification(text: RegExp | string, opts: { timeoutMs?: number } = {}): Promise<string> {
    const toast = this.page.locator('.notifications-toasts .notification-toast.notification-fade-in-done', { hasText: text }).first();
    await toast.waitFor({ state: 'visible', timeout: opts.timeoutMs ?? STEP_MS });
    return (await toast.locator('.notification-list-item-message').first().innerText()).trim();
  }

  /** A notification toast locator (for clicking its buttons: `.locator('.monaco-button', { hasText })`). */
  notification(text: RegExp | string): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  }

  /** Clears all notifications (command "Notifications: Clear All Notifications"). */
  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
    await this.page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'hidden', timeout: STEP_MS });
  }

  /** A view pane in the side bar/panel by its header title (case-insensitive), e.g. "MCP Servers". */
  view(title: string): Locator {
    return this.page
      .locator('.pane')
      .filter({ has: this.page.locator('.pane-header', { hasText: new RegExp(escapeRegExp(title), 'i') }) })
      .first();
  }

  /** A tree item by its label, optionally inside a view pane with that title. */
  treeItem(label: string | RegExp, opts: { view?: string } = {}): Locator {
    const scope = opts.view ? this.view(opts.view) : this.page.locator('.monaco-workbench');
    return scope.locator('.monaco-list-row[role="treeitem"]', { hasText: label }).first();
  }

  /**
   * The content frame of the active webview (a nested iframe pair). Pass the panel's title to pick
   * among several webviews (matches the outer iframe's `title`).
   */
  webview(opts: { title?: string } = {}): FrameLocator {
    const outer = opts.title ? `iframe.webview.ready[title="${opts.title.replace(/"/g, '\\"')}"]` : 'iframe.webview.ready';
    return this.page.frameLocator(outer).frameLocator('#active-frame');
  }

  /**
   * The content frame of the webview panel whose page title is `title`. (In code-server 4.100 the
   * outer `iframe.webview` has no title attribute, so webview({ title }) cannot tell panels apart;
   * the inner document's <title> is the panel title, html.ts sets it.)
   */
  async panel(title: string, timeoutMs = STEP_MS): Promise<FrameLocator> {
    const index = await waitFor(
      `a webview panel titled "${title}"`,
      async () => {
        try {
          const outers = await this.page.locator('iframe.webview.ready').elementHandles();
          for (let i = 0; i < outers.length; i++) {
            const inner = await (await (await outers[i].contentFrame())?.$('#active-frame'))?.contentFrame();
            if (inner && (await inner.title().catch(() => '')) === title) return i;
          }
        } catch {
          /* frames come and go while the workbench lays out or reloads: look again */
        }
        return undefined;
      },
      { timeoutMs, abort: () => this.host.failure() },
    );
    return this.page.frameLocator('iframe.webview.ready').nth(index).frameLocator('#active-frame');
  }

  /** When a command asks "Which server?" (a quick pick opens within a moment), picks `label`. */
  async pickIfAsked(label: string | RegExp, withinMs = 3_000): Promise<void> {
    const asked = await this.quickInput.waitFor({ state: 'visible', timeout: withinMs }).then(
      () => true,
      () => false,
    );
    if (asked) await this.quickPick(label);
  }

  /** Saves a screenshot as test-results/screenshots/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(screenshotDir, { recursive: true });
    return this.host.screenshot(join(screenshotDir, `${fileSafe(name)}.png`));
  }

  /** The extension's own log channel text ('MCP OAuth Inspector'), as written to disk by the host. */
  extensionLog(): string {
    return this.host.extensionLog();
  }

  /** On a failed step: screenshot + console + logs, with their paths printed. Returns the screenshot path. */
  async reportFailure(name: string): Promise<string | undefined> {
    let shot: string | undefined;
    try {
      shot = await this.screenshot(`FAILED-${name}`);
      console.error(`    screenshot: ${relative(process.cwd(), shot)}`);
    } catch (err) {
      console.error(`    (no screenshot: ${(err as Error).message})`);
    }
    const logs = this.host.saveLogs(logDir, fileSafe(name));
    console.error(`    workbench/extension-host console: ${relative(process.cwd(), logs.console)}`);
    if (logs.server) console.error(`    code-server log: ${relative(process.cwd(), logs.server)}`);
    console.error(this.host.consoleLines.slice(-30).map((l) => `      ${l}`).join('\n'));
    const ext = this.extensionLog();
    if (ext) console.error(`    the extension's log:\n${ext.replace(/^/gm, '      ')}`);
    return shot;
  }

  async stop(): Promise<void> {
    await this.host.stop();
  }
}

/**
 * Mocha wiring for a describe block: one workbench for the block, a screenshot + logs for every
 * failed test, and an unconditional stop. Returns a getter for the driver.
 */
export function useDriver(opts: DriverOptions = {}): () => Driver {
  let driver: Driver | undefined;
  before(async function () {
    this.timeout(180_000);
    driver = await Driver.start(opts);
  });
  afterEach(async function () {
    const t = this.currentTest;
    if (driver && t && t.state === 'failed') await driver.reportFailure(t.fullTitle());
  });
  after(async function () {
    this.timeout(30_000);
    await driver?.stop();
    driver = undefined;
  });
  return () => {
    if (!driver) throw new Error('the driver did not start (see the before-all hook error)');
    return driver;
  };
}
