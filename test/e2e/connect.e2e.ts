/**
 * The connect flow the way a person does it, in the real workbench (code-server in headless
 * Chromium): open the MCP OAuth Inspector view (welcome view), "MCP Inspector: Connect to Server"
 * from the palette, the demo URL, "Automatic" registration, no extra scopes, confirm the modal
 * "Sign in at localhost:…?", sign in on the real oidc-provider page in the browser popup, and see
 * the server connected with its tools in the tree. Screenshots before and after go to
 * test-results/screenshots/ (and media/screenshots/, which the README shows, with
 * MCP_INSPECTOR_UPDATE_SCREENSHOTS=1).
 *
 * The demo runs in this process WITHOUT auto-approval: the login + consent page is real.
 *
 * The editor is the demo's: the VSIX installed, with the demo's settings and environment
 * (scripts/editor.mjs), nothing added here but the authorization mode under test.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../integration/build.mjs';
import { waitFor } from '../integration/codeServerHost';
import { useDemo } from './demo';
import { useDriver } from './driver';

/**
 * The README's pictures are replaced only on request (`MCP_INSPECTOR_UPDATE_SCREENSHOTS=1`), so a
 * test run does not dirty the clone; otherwise the same crops go next to the other screenshots.
 */
const README_SHOTS = process.env.MCP_INSPECTOR_UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'media', 'screenshots') : join(repoRoot, 'test-results', 'screenshots', 'readme');
const STEP_MS = 15_000;

const escapeRe = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const waitForCondition = (what: string, check: () => Promise<boolean>) =>
  waitFor(what, async () => ((await check()) ? true : undefined), { timeoutMs: STEP_MS });

describe('connect from the palette with a real sign-in page (real workbench in Chromium)', function () {
  this.timeout(90_000);

  // the demo WITHOUT auto-approval: the login + consent page is real
  const demo = useDemo({ autoApprove: false });

  const driver = useDriver({
    settings: { 'mcpOAuthInspector.authorizationMode': 'browser' },
    viewport: { width: 1200, height: 620 },
  });

  /** Drags the side bar's edge so the tree's descriptions are not cut off in the pictures. */
  async function widenSideBar(page: Page, by: number): Promise<void> {
    const box = await page.locator('.part.sidebar').boundingBox();
    assert.ok(box, 'the side bar is visible');
    const x = box.x + box.width - 1;
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + by / 2, y, { steps: 4 });
    await page.mouse.move(x + by, y, { steps: 4 });
    await page.mouse.up();
    await page.mouse.move(x + by + 300, y); // off the sash: no hover highlight in the picture
  }

  /**
   * Screenshots of the product: the whole window in test-results/screenshots/<name>.png, and the
   * activity bar + side bar (what this extension adds) in media/screenshots/<name>.png for the README.
   * Focus goes to the editor area first, so no focus outline is drawn around the side bar.
   */
  async function shoot(d: ReturnType<typeof driver>, name: string): Promise<void> {
    const { page } = d;
    await page.locator('.part.editor').click({ position: { x: 200, y: 200 } });
    await page.mouse.move(900, 500);
    await d.screenshot(name);
    const title = (await page.locator('.part.titlebar').boundingBox())!;
    const side = (await page.locator('.part.sidebar').boundingBox())!;
    const vp = page.viewportSize()!;
    mkdirSync(README_SHOTS, { recursive: true });
    const y = title.y + title.height;
    await page.screenshot({ path: join(README_SHOTS, `${name}.png`), clip: { x: 0, y, width: side.x + side.width, height: vp.height - y } });
  }

  it('shows the welcome view, connects, signs in in the browser popup and lists the tools', async () => {
    const d = driver();
    const { page } = d;
    const mcpUrl = demo().mcpUrl;
    const asHost = new URL(demo().issuer).host;

    // 1. The view, empty: the welcome content with its Connect button.
    await page.locator('.activitybar .action-item a[aria-label^="MCP OAuth Inspector"]').click();
    // our view's pane, exactly (the Extensions view has an "MCP Servers" pane of its own)
    const view = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header[aria-label="Servers Section"]') });
    const row = (label: string | RegExp) => view.locator('.monaco-list-row[role="treeitem"]', { hasText: label }).first();
    const welcome = view.locator('.welcome-view-content');
    await welcome.getByText('No MCP servers yet.').waitFor({ state: 'visible', timeout: STEP_MS });
    await welcome.locator('.monaco-button', { hasText: 'Connect to Server' }).waitFor({ state: 'visible', timeout: STEP_MS });
    const sideBarWidth = (await page.locator('.part.sidebar').boundingBox())!.width;
    await widenSideBar(page, 180);
    await waitForCondition('the wider side bar', async () => ((await page.locator('.part.sidebar').boundingBox())?.width ?? 0) > sideBarWidth + 100);
    await view.locator('.monaco-progress-container.active').waitFor({ state: 'hidden', timeout: STEP_MS });
    // the extension is active (the view activated it) and nothing is loading any more
    await page.locator('.part.statusbar', { hasText: 'Activating Extensions' }).waitFor({ state: 'hidden', timeout: STEP_MS });
    await shoot(d, 'tree-before');

    // 2. Connect from the palette: URL, registration policy, scopes.
    await d.connectToServer(mcpUrl);

    // 3. The modal names the authorization server's real host before any browser opens.
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await dialog.innerText(), new RegExp(`Sign in at ${escapeRe(asHost)}\\?`));
    const popupOpened = page.context().waitForEvent('page', { timeout: STEP_MS });
    await dialog.locator('.monaco-button', { hasText: 'Open Browser' }).click();

    // 4. The popup is the authorization server's own page, with the full authorization request.
    const popup: Page = await popupOpened;
    await popup.waitForLoadState('domcontentloaded');
    const first = new URL(popup.url());
    assert.equal(first.host, asHost, `the popup opened ${popup.url()}`);
    await popup.locator('h1', { hasText: 'Sign in and allow access' }).waitFor({ state: 'visible', timeout: STEP_MS });
    // the progress notification tells where to sign in
    await d.waitForNotification(new RegExp(`sign in at ${escapeRe(asHost)} in your browser`));
    await popup.locator('#username').fill('demo');
    await popup.locator('#password').fill('demo');
    await popup.locator('button.ok', { hasText: 'Sign in and allow' }).click();

    // 5. The redirect reaches the extension's loopback receiver.
    await popup.locator('h1', { hasText: 'Signed in' }).waitFor({ state: 'visible', timeout: STEP_MS });
    const callback = new URL(popup.url());
    assert.equal(callback.hostname, '127.0.0.1', `the callback went to ${callback.origin}`);
    await popup.close();

    // 6. The tree: the server connected and signed in, its tools listed.
    await page.bringToFront();
    const server = row(new RegExp(`${escapeRe(new URL(mcpUrl).host)}/mcp(?!-)`));
    await server.locator('.label-description', { hasText: 'connected · signed in' }).waitFor({ state: 'visible', timeout: STEP_MS });
    // The extension reveals and expands the server once it is connected (a click here could race
    // that expansion and collapse the row again).
    await waitForCondition('the server row expanded', async () => (await server.getAttribute('aria-expanded')) === 'true');
    const auth = row('Authorization');
    await auth.waitFor({ state: 'visible', timeout: STEP_MS });
    await auth.locator('.label-description', { hasText: `signed in · ${asHost}` }).waitFor({ state: 'visible', timeout: STEP_MS });
    await auth.click();
    await row('Granted scopes').waitFor({ state: 'visible', timeout: STEP_MS });
    const tools = ['search_docs', 'whoami', 'list_todos', 'add_todo', 'complete_todo', 'get_secret_note'];
    for (const tool of tools) await row(tool).waitFor({ state: 'visible', timeout: STEP_MS });
    // no toast over the tree in the picture
    await page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'hidden', timeout: STEP_MS });
    await shoot(d, 'tree-after');
  });
});
