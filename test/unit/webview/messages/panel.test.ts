/**
 * The Messages panel (webview-ui/messages) in headless Chromium, without VS Code: the webview bundle
 * built from source, a stub acquireVsCodeApi, `state/messages` and `messages/append` pushes. What a
 * person sees and does: rows with which token went out, filters, search, pause, clear and the
 * exports asking the host by name, Copy as curl asking for the message by seq; hostile text staying
 * text; and the time the panel reports for filtering 10,000 entries (printed; goal under 50 ms).
 * (The real-host check is test/e2e/messages.e2e.ts.) Skipped without Chromium (CHROMIUM_PATH).
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { MessageEntry, MessagesState } from '../../../../src/shared/messages';
import { hostileEntries, syntheticEntries } from '../../../fixtures/messageEntries';
import { buildPanelBundle, CHROMIUM, launchPanelBrowser } from '../panelBrowser';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

const IN_PAGE = `
window.__msgs = [];
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__msgs.push(JSON.parse(JSON.stringify(m))), getState: () => undefined, setState: () => {} });
window.__t = {
  notify(method, p) { window.postMessage({ type: 'notify', method, params: p }, '*'); return new Promise((r) => setTimeout(r, 30)); },
  reply(id, result) { window.postMessage({ type: 'reply', id, ok: true, result }, '*'); return new Promise((r) => setTimeout(r, 20)); },
  sent: (method) => window.__msgs.filter((m) => m.method === method),
};`;

function state(entries: MessageEntry[], over: Partial<MessagesState> = {}): MessagesState {
  return { server: { id: 'srv', name: 'Todo demo', url: 'http://127.0.0.1:5080/mcp', state: 'connected', signedIn: true, scopes: [] }, generation: 1, entries, dropped: 0, maxEntries: 20_000, ...over };
}

describe('webview/messages: the Messages panel (headless Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let bundle = '';
  let css = '';
  let page: Page;

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    ({ bundle, css } = await buildPanelBundle('main.ts'));
    browser = await launchPanelBrowser('messages-panel-');
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
    await page.setContent('<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"></head><body data-panel="messages"><main id="app"></main></body></html>');
    await page.addStyleTag({ content: ':root { --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-foreground: #ccc; --vscode-editor-background: #1f1f1f; } body { background: #1f1f1f; color: #ccc; }' });
    await page.addStyleTag({ content: css });
    await page.addScriptTag({ content: IN_PAGE });
    await page.addScriptTag({ content: bundle });
  });
  afterEach(async () => {
    await page?.close();
  });

  const notify = (method: string, p: unknown) => page.evaluate(([m, x]) => (globalThis as unknown as { __t: { notify(m: unknown, p: unknown): Promise<void> } }).__t.notify(m, x), [method, p] as const);
  const sent = (method: string) => page.evaluate((m) => (globalThis as unknown as { __t: { sent(m: string): Array<{ id?: number; params: Record<string, unknown> }> } }).__t.sent(m), method);
  const reply = (id: number, result: unknown) => page.evaluate(([i, r]) => (globalThis as unknown as { __t: { reply(i: unknown, r: unknown): Promise<void> } }).__t.reply(i, r), [id, result] as const);
  const probe = <T>(expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;
  const rowCount = () => probe<number>(`document.querySelectorAll('[data-testid="message-row"]').length`);

  it('shows the rows with the token label; filters by method, direction, level and text; copy asks the host by seq', async () => {
    await notify('state/messages', state(syntheticEntries(200)));
    assert.equal(await rowCount(), 200);
    assert.match(await page.innerText('[data-testid="messages-status"]'), /^200 messages · 0 dropped · filtered in [\d.]+ ms$/);
    assert.equal(await page.locator('[data-testid="message-token"]').first().innerText(), 'Bearer …(redacted, token #1)');
    await page.selectOption('[data-testid="messages-method"]', 'tools/call');
    const methods = await probe<string[]>(`[...document.querySelectorAll('.msg-method')].map((e) => e.textContent)`);
    assert.ok(methods.length > 0 && methods.every((m) => m === 'tools/call'));
    await page.selectOption('[data-testid="messages-direction"]', 'out');
    assert.deepEqual([...new Set(await probe<string[]>(`[...document.querySelectorAll('.msg-arrow')].map((e) => e.textContent)`))], ['→']);
    await page.selectOption('[data-testid="messages-method"]', '');
    await page.selectOption('[data-testid="messages-direction"]', 'all');
    await page.selectOption('[data-testid="messages-level"]', 'critical');
    const levels = await probe<string[]>(`[...document.querySelectorAll('.msg-level')].map((e) => e.textContent)`);
    assert.ok(levels.length > 0 && levels.every((l) => ['critical', 'alert', 'emergency'].includes(l)), levels.join());
    await page.selectOption('[data-testid="messages-level"]', '');
    await page.fill('[data-testid="messages-search"]', 'query number 12"');
    assert.equal(await rowCount(), 1);
    await page.click('[data-testid="message-row"] button');
    assert.match(await page.innerText('[data-testid="message-payload"]'), /"q": "query number 12"/);
    await page.click('[data-testid="message-copy-curl"]');
    const [copy] = await sent('messages/copy');
    assert.deepEqual(copy.params, { seq: 13, as: 'curl' });
    await reply(copy.id!, { copied: true });
    assert.match(await page.innerText('.msg-note'), /\$MCP_TOKEN/);
    const filtered = await sent('messages/filtered');
    assert.ok(filtered.length > 3, 'the panel reports each filter to the host');
  });

  it('pause holds appends until resume; follow; clear and the exports ask the host by name only', async () => {
    const all = syntheticEntries(60);
    await notify('state/messages', state(all.slice(0, 50)));
    await page.click('[data-testid="messages-pause"]');
    await notify('messages/append', { generation: 1, entries: all.slice(50), dropped: 0 });
    assert.equal(await rowCount(), 50);
    assert.match(await page.innerText('[data-testid="messages-status"]'), /10 new while paused/);
    await page.click('[data-testid="messages-pause"]');
    assert.equal(await rowCount(), 60);
    await page.click('[data-testid="messages-clear"]');
    assert.deepEqual((await sent('messages/clear')).map((m) => m.params), [{}]);
    await page.click('[data-testid="messages-export-jsonl"]');
    await page.click('[data-testid="messages-export-markdown"]');
    assert.deepEqual((await sent('messages/export')).map((m) => m.params), [{ format: 'jsonl' }, { format: 'markdown' }]);
    // an append of another generation (the log was replaced) asks for the state again
    await notify('messages/append', { generation: 2, entries: [], dropped: 0 });
    assert.equal((await sent('reload')).length, 1);
  });

  it('hostile methods, ids, levels and payloads render as text: no element, no script, capped', async () => {
    await notify('state/messages', state([...syntheticEntries(3), ...hostileEntries(4)]));
    assert.equal(await probe('window.__pwned'), undefined);
    assert.equal(await probe<number>(`document.querySelectorAll('#app img, #app script, #app b').length`), 0);
    const method = await probe<string>(`document.querySelectorAll('.msg-method')[3].textContent`);
    assert.ok(method.includes('<script>window.__pwned=2</script>'));
    assert.ok(!/[\u0000-\u001f]/.test(method));
    await page.locator('[data-testid="message-row"] button').nth(4).click();
    assert.ok((await page.innerText('[data-testid="message-payload"]')).includes('<img src=x'));
    assert.equal(await probe('window.__pwned'), undefined);
    await page.locator('[data-testid="message-row"] button').nth(5).click();
    assert.match(await page.innerText('[data-testid="message-detail"] h3:last-of-type'), /cut at 16384 of 2000000 characters/);
    assert.equal(await page.locator('[data-testid="message-copy-curl"]').count(), 0, 'nothing to copy for a message from the server');
  });

  it('10,000 entries: the panel filters them and reports the time it took (printed; goal under 50 ms)', async () => {
    const big = syntheticEntries(10_000);
    await notify('state/messages', state(big));
    assert.equal(await rowCount(), 500, 'the newest 500 drawn');
    const times: string[] = [];
    const reset = async () => {
      await page.selectOption('[data-testid="messages-method"]', '');
      await page.selectOption('[data-testid="messages-direction"]', 'all');
      await page.selectOption('[data-testid="messages-level"]', '');
      await page.fill('[data-testid="messages-search"]', '');
    };
    for (const [what, act] of [
      ['method', () => page.selectOption('[data-testid="messages-method"]', 'tools/call')],
      ['direction', () => page.selectOption('[data-testid="messages-direction"]', 'in')],
      ['level', () => page.selectOption('[data-testid="messages-level"]', 'warning')],
      ['text (first search)', () => page.fill('[data-testid="messages-search"]', 'result 4245 ')],
      ['text (again)', () => page.fill('[data-testid="messages-search"]', 'query number 9992"')],
    ] as const) {
      if (!what.startsWith('text (again)')) await reset();
      await act();
      const last = (await sent('messages/filtered')).at(-1)!.params as { entries: number; shown: number; ms: number };
      assert.equal(last.entries, 10_000);
      times.push(`${what}: ${last.ms.toFixed(2)} ms (${last.shown} shown)`);
    }
    assert.match(await page.innerText('[data-testid="messages-status"]'), /10000 messages · \d+ match · .*filtered in [\d.]+ ms/);
    console.log(`      the panel filtering 10,000 entries (Chromium): ${times.join('; ')}`);
    mkdirSync(join(root, 'test-results', 'screenshots'), { recursive: true });
    await page.fill('[data-testid="messages-search"]', '');
    await page.selectOption('[data-testid="messages-direction"]', 'all');
    await page.locator('[data-testid="message-row"] button').last().click();
    await page.screenshot({ path: join(root, 'test-results', 'screenshots', 'messages-panel-unit.png') });
  });
});
