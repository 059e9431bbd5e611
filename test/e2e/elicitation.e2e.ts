/**
 * A server's elicitation answered in the real workbench (code-server in headless Chromium): a tool
 * of a local SDK MCP server (test/fixtures/mcpServers.ts, tool `ask`) asks for four values during
 * tools/call; the extension shows which server asks what, the user clicks Respond and answers an
 * input box or quick pick per field (a bad number is refused by the box's validation), and the
 * answers reach the server — its result, in the tools panel, echoes them.
 */
import * as assert from 'node:assert/strict';
import type { FrameLocator } from 'playwright-core';
import { startMcpServer, type McpFixture } from '../fixtures/mcpServers';
import { useDriver } from './driver';

const STEP_MS = 15_000;

describe('elicitation in the editor (real workbench in Chromium, local SDK server)', function () {
  this.timeout(60_000);

  let fx: McpFixture | undefined;
  before(async () => {
    fx = await startMcpServer();
  });
  after(async () => {
    await fx?.close();
  });

  const driver = useDriver({ settings: { }, viewport: { width: 1280, height: 800 } });

  it('asks field by field after Respond, validates, and sends the answers to the server', async () => {
    const d = driver();
    const url = fx!.url.href;
    await d.connectToServer(url);
    await d.page.locator('.monaco-list-row[role="treeitem"]', { hasText: 'connected · anonymous' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await d.runCommand('MCP Inspector: Call Tool');
    await d.quickPick('ask');
    const frame: FrameLocator = d.page.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');
    await frame.locator('li[data-tool="ask"][aria-selected="true"]').waitFor({ state: 'visible', timeout: STEP_MS });
    await frame.getByRole('button', { name: 'Send' }).click();

    // the question names the server and says what it asks
    const text = await d.waitForNotification(/asks for 4 values/);
    assert.match(text, /asks for 4 values: Your details/);
    await d.screenshot('elicitation-question');
    await d.notification(/asks for 4 values/).locator('.monaco-button', { hasText: 'Respond' }).click();

    await d.inputBox('Grace'); // name (its default "Ada" was filled in; replaced)
    // count: an integer field refuses text, then takes a number
    await d.inputBox('seven', { submit: false });
    await d.quickInputMessage().filter({ hasText: 'Enter a number' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await d.inputBox('7');
    await d.quickPick('red'); // color (enum)
    await d.quickPick('No'); // subscribed (boolean)

    const result = frame.locator('article[data-testid="result"]').filter({ hasText: 'Grace' });
    await result.waitFor({ state: 'visible', timeout: STEP_MS });
    const shown = await result.innerText();
    assert.match(shown, /"action":\s*"accept"/);
    assert.match(shown, /"name":\s*"Grace"/);
    assert.match(shown, /"count":\s*7/);
    assert.match(shown, /"color":\s*"red"/);
    assert.match(shown, /"subscribed":\s*false/);
    await d.screenshot('elicitation-answered');
  });
});
