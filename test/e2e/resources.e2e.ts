/**
 * Resources and prompts in the installed extension (code-server in headless Chromium) against the
 * demo's per-tool endpoint `/mcp-mixed` (auto-approving sign-in, headless authorization in the
 * extension): the tree's Resources group opens the public `todo://about` (markdown, read anonymously);
 * the per-user `todo://me/todos` is refused without a token and "Sign in and read" signs in; a
 * subscription hears the update when a tool call (another client of the same user) adds a todo; the
 * template `todo://todos/{id}` is filled from the server's completion and read; the prompt
 * `summarize_todos` gets its argument from completion and shows its messages by role. Screenshots in
 * test-results/screenshots/resources-*.png.
 */
import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { createConnection, type Connection } from '../../src/core/connection';
import { MemorySecretStore } from '../../src/core/memorySecretStore';
import { useDemo } from './demo';
import { useDriver, type Driver } from './driver';

const STEP_MS = 20_000;
const serverName = (url: string) => `${new URL(url).host}${new URL(url).pathname}`;
const activeWebview = (d: Driver): FrameLocator => d.page.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');

describe('resources and prompts (real workbench in Chromium): read, sign in, subscribe, template, prompt', function () {
  this.timeout(90_000);
  const demo = useDemo({ autoApprove: true });
  const driver = useDriver({ settings: { 'mcpOAuthInspector.authorizationMode': 'headless' }, viewport: { width: 1280, height: 860 } });
  let other: Connection | undefined;
  after(async () => {
    await other?.close();
  });

  let frame: FrameLocator;
  const text = () => frame.locator('[data-testid="resource-text"]').first();

  it('opens the public resource from the tree: markdown, read without signing in', async () => {
    const d = driver();
    await d.connectToServer(demo().mixedUrl);
    await d.page.locator('.monaco-list-row[role="treeitem"]', { hasText: 'connected · anonymous' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    for (const g of ['Resources', 'Resource Templates', 'Prompts']) await d.treeItem(g).waitFor({ state: 'visible', timeout: STEP_MS });
    await d.treeItem('Resources').click();
    await d.treeItem('todo://about').click();
    frame = activeWebview(d);
    await text().filter({ hasText: '# Todo MCP demo' }).waitFor({ state: 'visible', timeout: STEP_MS });
    assert.equal(await frame.locator('[data-testid="mime"]').first().innerText(), 'text/markdown');
    assert.equal(await text().getAttribute('data-kind'), 'markdown');
    assert.match(await frame.locator('.server-state').innerText(), /anonymous/);
  });

  it('the protected resource: refused without a token, "Sign in and read" signs in and shows the user’s todos', async () => {
    await frame.locator('[data-testid="res-resource"]', { hasText: 'todo://me/todos' }).click();
    const refused = frame.locator('[data-testid="read-error"]');
    await refused.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await refused.innerText(), /Sign-in needed[\s\S]*authorization_required/);
    await refused.getByRole('button', { name: 'Sign in and read' }).click();
    await text().filter({ hasText: '"user": "demo"' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await frame.locator('.server-state', { hasText: 'signed in' }).waitFor({ state: 'visible', timeout: STEP_MS });
  });

  it('subscribes, and sees the update when a tool call adds a todo', async () => {
    const d = driver();
    await frame.locator('[data-testid="subscribe"]').click();
    await frame.locator('[data-testid="subscribed"]').waitFor({ state: 'visible', timeout: STEP_MS });
    // another client of the same user (the demo auto-approves as "demo") calls add_todo
    other = createConnection({ serverUrl: demo().mixedUrl, secrets: new MemorySecretStore(), headless: true, client: { policy: 'dcr' } });
    await other.session.connect();
    const r = await other.session.callTool('add_todo', { title: 'Seen through the subscription' });
    assert.ok(!r.isError);
    await frame.locator('[data-testid="updated"]').waitFor({ state: 'visible', timeout: STEP_MS });
    await text().filter({ hasText: 'Seen through the subscription' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await d.page.mouse.move(5, 850);
    await d.screenshot('resources-subscribed');
  });

  it('the template: the id comes from the server’s completion, the filled URI is read', async () => {
    const d = driver();
    await d.treeItem('Resource Templates').click();
    await d.treeItem('todo://todos/{id}').click();
    await frame.locator('[data-testid="expanded-uri"]').waitFor({ state: 'visible', timeout: STEP_MS });
    await frame.getByRole('textbox', { name: 'id', exact: true }).focus();
    const suggestion = frame.locator('[data-testid="suggestion"]').first();
    await suggestion.waitFor({ state: 'visible', timeout: STEP_MS });
    await suggestion.click();
    assert.match(await frame.locator('[data-testid="expanded-uri"]').innerText(), /^todo:\/\/todos\/\d+$/);
    await frame.locator('[data-testid="read"]').click();
    await text().filter({ hasText: 'Seen through the subscription' }).waitFor({ state: 'visible', timeout: STEP_MS });
  });

  it('the prompt: its argument from completion, Get, the messages by role and content type', async () => {
    const d = driver();
    await d.treeItem(/^Prompts/).click();
    await d.treeItem('summarize_todos').click();
    const p = await d.panel(`Prompts — ${serverName(demo().mixedUrl)}`).catch(() => activeWebview(d));
    const style = p.getByRole('textbox', { name: 'style', exact: true });
    await style.waitFor({ state: 'visible', timeout: STEP_MS });
    await style.fill('b');
    await p.locator('[data-testid="suggestion"]', { hasText: 'brief' }).click();
    assert.equal(await style.inputValue(), 'brief');
    await p.locator('[data-testid="get-prompt"]').click();
    const messages = p.locator('[data-testid="prompt-message"]');
    await p.locator('[data-testid="prompt-messages"]').waitFor({ state: 'visible', timeout: STEP_MS });
    assert.equal(await messages.count(), 2);
    assert.match(await messages.nth(0).innerText(), /user · text[\s\S]*Summarize my todos \(brief\)\. Open: 1, done: 0\./);
    assert.match(await messages.nth(1).innerText(), /user · resource-text[\s\S]*todo:\/\/me\/todos/);
    await d.page.mouse.move(5, 850);
    await d.screenshot('resources-prompt');
  });
});
