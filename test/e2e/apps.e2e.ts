/**
 * MCP Apps in the real workbench (code-server in headless Chromium), against the demo's per-tool
 * endpoint `/mcp-mixed` (auto-approving sign-in, headless authorization in the extension):
 * list_todos is called from the tools panel with a todos.read sign-in, "Open view" opens the App view
 * panel beside it, the demo's view (the official app SDK, in a scripts-only sandboxed frame) shows
 * the signed-in user's todos, and its add goes through the panel's step-up offer (todos.write) on
 * the same connection; the panel lists the view's calls with the token they carried; the view follows
 * the editor's Light Modern and Dark Modern themes (the README's media/screenshots/app-view-{light,dark}.png
 * with MCP_INSPECTOR_UPDATE_SCREENSHOTS=1), and the Messages panel marks the view's calls "from view",
 * not the tools panel's. Against a
 * hostile view (test/fixtures/hostileAppServer.ts): it reaches neither the panel, nor top navigation,
 * nor another origin; its calls to an unlisted tool and to a model-only tool, its javascript: link and
 * its file: read get errors and never reach the server, and the panel lists each refusal, with the
 * CSP sources and the permission its resource declared.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { startDemo, type DemoHandle } from '../../demo/index';
import { repoRoot } from '../integration/build.mjs';
import { startHostileAppServer, type HostileAppServer } from '../fixtures/hostileAppServer';
import { useDriver } from './driver';

const STEP_MS = 20_000;
/** The README's pictures (light and dark App view) are replaced only with MCP_INSPECTOR_UPDATE_SCREENSHOTS=1. */
const README_SHOTS = process.env.MCP_INSPECTOR_UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'media', 'screenshots') : join(repoRoot, 'test-results', 'screenshots', 'readme');
const serverName = (url: string) => `${new URL(url).host}${new URL(url).pathname}`;
const activeWebview = (d: ReturnType<ReturnType<typeof useDriver>>): FrameLocator => d.page.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');

describe('MCP Apps view (real workbench in Chromium): the demo view, its calls through the signed-in session, step-up', function () {
  this.timeout(90_000);

  let demo: DemoHandle | undefined;
  before(async () => {
    demo = await startDemo({ port: 0, asPort: 0, autoApprove: true });
  });
  after(async () => {
    await demo?.close();
  });

  const driver = useDriver({ settings: { 'mcpOAuthInspector.authorizationMode': 'headless' }, viewport: { width: 1400, height: 900 } });

  it('opens the view of list_todos, shows the user’s todos, adds one through step-up on the same connection', async () => {
    const d = driver();
    await d.connectToServer(demo!.mixedUrl);
    await d.page.locator('.monaco-list-row[role="treeitem"]', { hasText: 'connected · anonymous' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    // a todo of the demo user, added on the server side, so the view has something to show
    await d.runCommand('MCP Inspector: Call Tool');
    await d.quickPick('list_todos');
    const tools = activeWebview(d);
    await tools.locator('li[data-tool="list_todos"][aria-selected="true"]').waitFor({ state: 'visible', timeout: STEP_MS });
    await tools.getByRole('button', { name: 'Sign in and call' }).first().click();
    const result = tools.locator('article[data-testid="result"]');
    await result.filter({ hasText: '"todos"' }).waitFor({ state: 'visible', timeout: STEP_MS });
    // Open view: the App view panel beside the tools panel
    await tools.locator('[data-testid="open-view"]').click();
    const panel = await d.panel(`App view — ${serverName(demo!.mixedUrl)}`, STEP_MS);
    const view = panel.frameLocator('iframe[data-testid="app-frame"]');
    await panel.locator('iframe[data-testid="app-frame"]').waitFor({ state: 'attached', timeout: STEP_MS });
    assert.equal(await panel.locator('iframe[data-testid="app-frame"]').getAttribute('sandbox'), 'allow-scripts');
    await view.locator('body[data-connected="true"]').waitFor({ state: 'attached', timeout: STEP_MS });
    await view.locator('#status', { hasText: 'No todos yet' }).waitFor({ state: 'visible', timeout: STEP_MS });
    // the view's own list_todos went through the panel's connection, with the token
    await panel.locator('[data-testid="app-calls"] li', { hasText: 'tools/call list_todos' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await panel.locator('[data-testid="app-calls"]').innerText(), /tools\/call list_todos — ok · with the token/);

    // add: the token has todos.read only → the panel offers the step-up, the view waits
    await view.locator('#title').fill('Review the MCP App');
    await view.locator('#add button').click();
    const offer = panel.locator('[data-testid="app-sign-in-offer"]');
    await offer.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await offer.innerText(), /add_todo[\s\S]*todos\.write/);
    await panel.locator('[data-testid="app-sign-in-and-call"]').click();
    await view.locator('li', { hasText: 'Review the MCP App' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await panel.locator('[data-testid="app-calls"] li', { hasText: 'tools/call add_todo — ok' }).waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await panel.locator('[data-testid="app-calls"]').innerText(), /tools\/call add_todo — ok · with the token/);
    assert.match(await panel.locator('.app-header').innerText(), /todos\.write/);
    await d.screenshot('app-view');

    // The view follows the editor's theme (SEP-1865 host context `theme`, sent again on a change):
    // switch the workbench to Light Modern, then Dark Modern, and picture each for the README.
    await d.clearNotifications();
    for (const [theme, kind] of [['Light Modern', 'light'], ['Dark Modern', 'dark']] as const) {
      await d.runCommand('Preferences: Color Theme');
      await d.quickPick(theme, { filter: theme });
      await d.page.locator(`.monaco-workbench.vs${kind === 'dark' ? '-dark' : ''}`).waitFor({ state: 'attached', timeout: STEP_MS });
      // the demo view applies the host's theme to its root (the app SDK's applyDocumentTheme)
      await view.locator(`html[data-theme="${kind}"]`).waitFor({ state: 'attached', timeout: STEP_MS });
      await view.locator('li', { hasText: 'Review the MCP App' }).waitFor({ state: 'visible', timeout: STEP_MS });
      await d.page.mouse.move(5, 890);
      await d.screenshot(`app-view-${kind}`);
      // the README's picture: the App view's editor group only (its tab, header, the view, its calls)
      const group = d.page.locator('.editor-group-container', { has: d.page.locator('.tab', { hasText: 'App view —' }) }).first();
      const clip = await group.boundingBox();
      assert.ok(clip, 'the App view editor group is laid out');
      mkdirSync(README_SHOTS, { recursive: true });
      await d.page.screenshot({ path: join(README_SHOTS, `app-view-${kind}.png`), clip });
    }

    // The Messages panel marks the view's calls "from view" (the message log's origin), not the tools panel's
    await d.runCommand('MCP Inspector: Show Messages');
    await d.pickIfAsked(serverName(demo!.mixedUrl));
    const messages = await d.panel(`MCP messages — ${serverName(demo!.mixedUrl)}`, STEP_MS);
    const fromView = messages.locator('[data-testid="message-row"]', { has: messages.locator('[data-testid="message-origin"]') });
    await fromView.filter({ hasText: 'tools/call' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    const calls = messages.locator('[data-testid="message-row"]', { hasText: 'tools/call' });
    // the tools panel's list_todos (request and result) and the view's calls: both kinds are there, only the view's marked
    assert.ok((await calls.count()) > (await fromView.filter({ hasText: 'tools/call' }).count()), 'the tools panel’s own call is not marked');
    assert.match(await fromView.first().innerText(), /from view/);
  });
});

describe('MCP Apps hostile view (real workbench in Chromium): everything it tries is refused and listed', function () {
  this.timeout(90_000);

  let fx: HostileAppServer | undefined;
  before(async () => {
    fx = await startHostileAppServer();
  });
  after(async () => {
    await fx?.close();
  });

  const driver = useDriver({ viewport: { width: 1400, height: 900 } });

  it('no panel, no top navigation, no other origin; unlisted and model-only tools, javascript: links and file: reads refused and listed', async () => {
    const d = driver();
    await d.connectToServer(fx!.url.href);
    await d.page.locator('.monaco-list-row[role="treeitem"]', { hasText: serverName(fx!.url.href) }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await d.runCommand('MCP Inspector: Call Tool');
    await d.quickPick('show_board');
    const tools = activeWebview(d);
    await tools.locator('li[data-tool="show_board"][aria-selected="true"]').waitFor({ state: 'visible', timeout: STEP_MS });
    await tools.getByRole('button', { name: 'Send' }).click();
    await tools.locator('article[data-testid="result"]', { hasText: 'the board' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await tools.locator('[data-testid="open-view"]').click();
    const panel = await d.panel(`App view — ${serverName(fx!.url.href)}`, STEP_MS);
    const view = panel.frameLocator('iframe[data-testid="app-frame"]');
    await view.locator('#report[data-done="true"]').waitFor({ state: 'attached', timeout: STEP_MS });
    const r = JSON.parse(await view.locator('#report').innerText()) as Record<string, { error?: string; result?: unknown } | string>;
    assert.equal(r.parentDocument, 'blocked');
    assert.equal(r.topNav, 'blocked');
    assert.equal(r.fetch, 'blocked');
    assert.match(String((r.unlisted as { error?: string }).error), /does not list a tool named "not_listed"/);
    assert.match(String((r.modelOnly as { error?: string }).error), /visible only to the model/);
    assert.deepEqual((r.jsLink as { result?: unknown }).result, { isError: true });
    assert.match(String((r.fileRead as { error?: string }).error), /only ui:\/\/ resources/);
    assert.deepEqual(fx!.called, ['show_board'], 'the server was asked for nothing the view tried');
    const refused = await panel.locator('[data-testid="app-refused"]').innerText();
    for (const what of ['not_listed', 'secret_admin', 'javascript:alert', 'file:///etc/passwd', "'unsafe-eval'", 'https://*', 'http://evil.example', 'permissions.usb']) assert.ok(refused.includes(what), `${what} is listed as refused:\n${refused}`);
  });
});
