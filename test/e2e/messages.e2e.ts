/**
 * The MCP Messages panel in the installed VSIX (code-server in headless Chromium): connect to the
 * demo's per-tool server (/mcp-mixed, auto-approving sign-in, headless authorization), call
 * list_todos (signing in first), open "Show Messages" and see the tools/call request going out with
 * "token #1" and its result coming back; filter by method; Copy as curl puts a command on the
 * clipboard that reads the token from $MCP_TOKEN and holds no token; the OAuth flow panel's Copy as
 * curl does the same for a traced exchange. A screenshot of the panel is
 * left in test-results/screenshots/messages-panel.png.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { waitFor } from '../integration/codeServerHost';
import { useDemo } from './demo';
import { useDriver } from './driver';
import { assertStyled } from './styled';

const STEP_MS = 20_000;
const serverName = (url: string) => `${new URL(url).host}${new URL(url).pathname}`;

describe('MCP Messages panel (installed VSIX in Chromium): the message log, filters and Copy as curl', function () {
  this.timeout(120_000);
  const demo = useDemo({ autoApprove: true });
  const driver = useDriver({ settings: { 'mcpOAuthInspector.authorizationMode': 'headless' }, viewport: { width: 1400, height: 900 } });
  let panel: FrameLocator;

  it('connects, calls list_todos with a sign-in, and Show Messages lists the tools/call request with token #1 (the demo’s DPoP-bound token) and its result', async () => {
    const d = driver();
    await d.connectToServer(demo().mixedUrl);
    await d.page.locator('.monaco-list-row[role="treeitem"]', { hasText: 'connected · anonymous' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await d.runCommand('MCP Inspector: Call Tool');
    await d.quickPick('list_todos');
    const tools = await d.panel(`Tools — ${serverName(demo().mixedUrl)}`);
    await tools.locator('li[data-tool="list_todos"][aria-selected="true"]').waitFor({ state: 'visible', timeout: STEP_MS });
    await tools.getByRole('button', { name: 'Sign in and call' }).first().click();
    await tools.locator('article[data-testid="result"]', { hasText: '"todos"' }).waitFor({ state: 'visible', timeout: STEP_MS });

    await d.runCommand('MCP Inspector: Show Messages');
    await d.pickIfAsked(serverName(demo().mixedUrl));
    panel = await d.panel(`MCP messages — ${serverName(demo().mixedUrl)}`);
    await panel.locator('.msg-body').first().waitFor({ state: 'visible', timeout: STEP_MS });
    await assertStyled(panel, 'Messages panel', { '.msg-body': { display: 'grid' }, '.msg-list': { 'list-style-type': 'none' } });
    const call = panel.locator('[data-testid="message-row"][data-kind="request"]', { hasText: 'tools/call' }).last();
    await call.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await call.innerText(), /→\s*request\s*tools\/call[\s\S]*HTTP 200[\s\S]*(Bearer|DPoP) …\(redacted, token #1\)/);
    const result = panel.locator('[data-testid="message-row"][data-kind="result"]', { hasText: 'tools/call' }).last();
    assert.match(await result.innerText(), /←\s*result\s*tools\/call[\s\S]*\d+ ms/);
    // the connect's own messages are there too (the demo speaks 2026-07-28: server/discover)
    await panel.locator('[data-testid="message-row"]', { hasText: 'server/discover' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
  });

  it('filters by method: only tools/call rows remain, and the status says how long filtering took', async () => {
    await panel.locator('[data-testid="messages-method"]').selectOption('tools/call');
    const methods = await panel.locator('.msg-method').allInnerTexts();
    assert.ok(methods.length >= 2, methods.join());
    assert.deepEqual([...new Set(methods)], ['tools/call']);
    assert.match(await panel.locator('[data-testid="messages-status"]').innerText(), /\d+ messages · \d+ match · \d+ dropped · filtered in [\d.]+ ms/);
  });

  it('Copy as curl: the clipboard has the request with $MCP_TOKEN and no token', async () => {
    const d = driver();
    await d.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await panel.locator('[data-testid="message-row"][data-kind="request"]', { hasText: 'tools/call' }).last().locator('button').click();
    assert.match(await panel.locator('[data-testid="message-payload"]').innerText(), /"name": "list_todos"/);
    await panel.locator('[data-testid="message-copy-curl"]').click();
    await panel.locator('.msg-note', { hasText: 'Copied the request as a curl command' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await d.screenshot('messages-panel');
    const text = (await d.page.evaluate('navigator.clipboard.readText()')) as string;
    assert.match(text, /^curl -sS -N -X POST '.*\/mcp-mixed'/m);
    // the demo binds its tokens to a key (DPoP): the proof is per request, so it is a variable too
    assert.match(text, /-H "Authorization: (Bearer|DPoP) \$MCP_TOKEN"/);
    assert.match(text, /-H "DPoP: \$MCP_DPOP_PROOF"/);
    assert.match(text, /-H 'mcp-protocol-version: 2026-07-28'/);
    assert.match(text, /--data-raw '\{.*"method":"tools\/call".*"name":"list_todos".*\}'$/m);
    assert.doesNotMatch(text, /eyJ[\w-]{10,}\.[\w-]{10,}/, 'no JWT');
    assert.doesNotMatch(text, /redacted, token/, 'the label is not sent as a token');
    assert.doesNotMatch(d.extensionLog(), /eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/, 'no JWT in the log');
  });

  it('Export JSON Lines saves the log where the save dialog says: one entry per line, the token as its label only', async () => {
    const d = driver();
    await panel.locator('[data-testid="messages-export-jsonl"]').click();
    // code-server's save dialog is the quick input, its box prefilled with the proposed path
    await d.quickInput.waitFor({ state: 'visible', timeout: STEP_MS });
    const path = await waitFor(
      'the save dialog to propose the file name',
      async () => {
        const v = await d.quickInput.inputValue().catch(() => '');
        return /\/mcp-messages-[\w.-]+\.jsonl$/.test(v) ? v : undefined;
      },
      { timeoutMs: STEP_MS },
    );
    await d.quickInput.press('Enter');
    await panel.locator('.msg-note', { hasText: 'Saved the messages as JSON Lines in mcp-messages-' }).waitFor({ state: 'visible', timeout: STEP_MS });
    const file = join(d.host.folder, path.split('/').pop()!);
    await waitFor('the exported file', () => (existsSync(file) ? true : undefined), { timeoutMs: STEP_MS });
    const text = readFileSync(file, 'utf8');
    const entries = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { direction: string; kind: string; method?: string; http?: { requestHeaders: Record<string, string> } });
    const call = entries.find((e) => e.direction === 'out' && e.kind === 'request' && e.method === 'tools/call');
    assert.match(call?.http?.requestHeaders.authorization ?? '', /^(Bearer|DPoP) …\(redacted, token #1\)$/);
    assert.doesNotMatch(text, /eyJ[\w-]{10,}\.[\w-]{10,}/, 'no token in the export');
  });

  it('the OAuth flow panel copies an exchange the same way: Copy as curl on the tools/call POST', async () => {
    const d = driver();
    await d.runCommand('MCP Inspector: Show OAuth Flow');
    await d.pickIfAsked(serverName(demo().mixedUrl));
    const flow = await d.panel(`OAuth flow — ${serverName(demo().mixedUrl)}`);
    const step = flow.locator('li.tf-step[data-step="MCP tools/call list_todos"]').last();
    await step.waitFor({ state: 'visible', timeout: STEP_MS });
    await step.locator('summary').first().click();
    await step.locator('[data-testid="flow-exchange"] summary').last().click();
    await step.locator('[data-testid="flow-copy-curl"]').last().click();
    await flow.locator('p[role="status"]', { hasText: 'Copied the request as a curl command' }).waitFor({ state: 'visible', timeout: STEP_MS });
    const text = (await d.page.evaluate('navigator.clipboard.readText()')) as string;
    assert.match(text, /-H "Authorization: (Bearer|DPoP) \$MCP_TOKEN"/);
    assert.match(text, /-H 'mcp-name: list_todos'/);
    assert.match(text, /"name":"list_todos"/);
    assert.doesNotMatch(text, /eyJ[\w-]{10,}\.[\w-]{10,}/, 'no JWT');
  });
});
