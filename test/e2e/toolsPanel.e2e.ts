/**
 * The tools panel in the real workbench (code-server in headless Chromium), one workbench for the
 * block:
 *
 * - against the demo's per-tool endpoint `/mcp-mixed` (auto-approving sign-in, headless
 *   authorization in the extension): the public tool search_docs called anonymously through the
 *   form; list_todos refused without a token → the panel offers "Sign in and call" (todos.read) →
 *   signed in → result; add_todo through the form (title field) → step up to todos.write → result;
 *   a screenshot of the window (test-results/screenshots/tools-panel.png, and
 *   media/screenshots/tools-panel.png for the README with MCP_INSPECTOR_UPDATE_SCREENSHOTS=1);
 * - against a hostile local MCP server (test/fixtures/hostileServer.ts): its tool list, forms,
 *   results, tool errors and JSON-RPC errors render as text — no payload ran (no global, no title
 *   change, no message to the extension), no <script> but ours, no on* attribute, no <a> that is
 *   not https, no image but the valid PNG data: URI.
 */
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { startDemo, type DemoHandle } from '../../demo/index';
import { startHostileServer, DEEP_TOOL, ERROR_TOOL, HOSTILE_TOOL, THROW_TOOL, type HostileServer } from '../fixtures/hostileServer';
import { repoRoot } from '../integration/build.mjs';
import { useDriver, type Driver } from './driver';

const STEP_MS = 15_000;

/** What a webview page holds that could run or load something (evaluated in the panel's frame). */
const DOM_PROBE = `(() => {
  const all = [...document.querySelectorAll('*')];
  return {
    pwned: window.__pwned,
    title: document.title,
    scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src') || 'inline: ' + s.textContent.trim().slice(0, 5000)),
    onAttrs: all.flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => el.tagName + ' ' + a.name)),
    foreign: all.filter((el) => ['SVG', 'IFRAME', 'OBJECT', 'EMBED', 'FORM', 'BASE', 'META', 'LINK', 'STYLE', 'FRAME'].includes(el.tagName.toUpperCase()) && !el.closest('head')).map((el) => el.tagName),
    hrefs: [...document.querySelectorAll('[href]')].filter((el) => !el.closest('head')).map((el) => el.getAttribute('href')),
    imgs: [...document.querySelectorAll('img')].map((i) => (i.getAttribute('src') || '').slice(0, 30)),
    srcs: [...document.querySelectorAll('[src]')].filter((el) => el.tagName !== 'SCRIPT' && el.tagName !== 'IMG').map((el) => el.tagName),
  };
})()`;

/**
 * Keyed re-renders (webview-ui/tools.ts): KEEP_MARK tags every tool item and its descendants;
 * KEPT says, per item, whether it is still the same node and whether its content is too.
 */
const KEEP_MARK = `(() => { for (const li of document.querySelectorAll('#tool-list > li')) { li.__kept = li.dataset.tool; li.__kids = [...li.querySelectorAll('*')]; } })()`;
const KEPT = `(() => [...document.querySelectorAll('#tool-list > li')].map((li) => ({
  tool: li.dataset.tool,
  sameNode: li.__kept === li.dataset.tool,
  sameContent: !!li.__kids && li.__kids.length === li.querySelectorAll('*').length && [...li.querySelectorAll('*')].every((k, i) => k === li.__kids[i]),
  nameAsText: li.querySelector('.tool-item-name .mono')?.textContent === li.dataset.tool,
})))()`;
type Kept = Array<{ tool: string; sameNode: boolean; sameContent: boolean; nameAsText: boolean }>;

const serverName = (url: string) => `${new URL(url).host}${new URL(url).pathname}`;

/**
 * The visible webview's content frame. (The workbench's webview iframes carry no title, so
 * `driver.webview({ title })` cannot tell panels apart; the visible one is the active panel.)
 */
const activeWebview = (d: Driver): FrameLocator => d.page.frameLocator('iframe.webview.ready:visible').frameLocator('#active-frame');

describe('tools panel (real workbench in Chromium): demo calls, sign-in offers, step-up, hostile content', function () {
  this.timeout(60_000);

  let demo: DemoHandle | undefined;
  let hostile: HostileServer | undefined;
  before(async () => {
    demo = await startDemo({ port: 0, asPort: 0, autoApprove: true });
    hostile = await startHostileServer();
  });
  after(async () => {
    await demo?.close();
    await hostile?.close();
  });

  const driver = useDriver({
    settings: { 'mcpOAuthInspector.authorizationMode': 'headless', },
    viewport: { width: 1280, height: 800 },
  });

  let frame: FrameLocator;
  const result = () => frame.locator('article[data-testid="result"]');

  it('calls the public tool search_docs anonymously through the form', async () => {
    const d = driver();
    await d.connectToServer(demo!.mixedUrl);
    await d.page.locator('.monaco-list-row[role="treeitem"]', { hasText: 'connected · anonymous' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await d.runCommand('MCP Inspector: Call Tool');
    await d.quickPick('search_docs');
    frame = activeWebview(d);
    await frame.locator('li[data-tool="search_docs"][aria-selected="true"]').waitFor({ state: 'visible', timeout: STEP_MS });
    // the list shows every tool with its security
    for (const t of ['search_docs', 'whoami', 'list_todos', 'add_todo', 'complete_todo', 'get_secret_note']) await frame.locator(`li[data-tool="${t}"]`).waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await frame.locator('li[data-tool="search_docs"]').innerText(), /public/);
    assert.match(await frame.locator('li[data-tool="add_todo"]').innerText(), /OAuth · todos\.write[\s\S]*sign-in needed|OAuth · todos\.write[\s\S]*missing todos\.write/);
    const query = frame.getByLabel('query');
    await query.fill('pkce');
    await query.press('Enter');
    await result().filter({ hasText: 'PKCE (RFC 7636)' }).waitFor({ state: 'visible', timeout: STEP_MS });
    const text = await result().innerText();
    assert.match(text, /ok/);
    assert.match(text, /anonymous/);
    // the raw JSON-RPC request is there behind a disclosure
    await frame.locator('details.rpc summary', { hasText: 'JSON-RPC request' }).click();
    assert.match(await frame.locator('details.rpc[open] pre').first().innerText(), /"name": "search_docs"[\s\S]*"query": "pkce"/);
  });

  it('list_todos without a token: the server refuses, the panel offers "Sign in and call" (todos.read), then shows the result', async () => {
    // by keyboard: filter, arrow into the list, Enter moves on to the actions
    const filter = frame.getByLabel('Filter tools');
    await filter.fill('list');
    await frame.locator('.tool-count', { hasText: '1 of 6 tools' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await filter.press('ArrowDown');
    await frame.locator('li[data-tool="list_todos"][aria-selected="true"]:focus').waitFor({ state: 'visible', timeout: STEP_MS });
    await frame.locator('li[data-tool="list_todos"]').press('Enter');
    await frame.locator('.tool-actions button:focus', { hasText: 'Sign in and call' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await filter.fill('');
    const notice = frame.locator('.notice', { hasText: 'needs' });
    await notice.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await notice.innerText(), /list_todos needs todos\.read\. You are not signed in\./);
    // calling anyway reaches the server's 401: reported with the scopes, no browser opened
    await frame.getByRole('button', { name: 'Call without signing in' }).click();
    const offer = frame.locator('.call-error.auth');
    await offer.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await offer.innerText(), /Sign-in needed[\s\S]*authorization_required[\s\S]*todos\.read/);
    await frame.locator('body').evaluate(KEEP_MARK);
    await offer.getByRole('button', { name: 'Sign in and call' }).click();
    await result().filter({ hasText: '"todos": []' }).waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await result().innerText(), /sent with the token/);
    await frame.locator('li[data-tool="list_todos"]', { hasText: 'covered' }).waitFor({ state: 'visible', timeout: STEP_MS });
    // the sign-in's pushes updated the items in place: list_todos' coverage changed, public search_docs not at all
    const kept = new Map(((await frame.locator('body').evaluate(KEPT)) as Kept).map((k) => [k.tool, k]));
    assert.equal(kept.size, 6);
    assert.ok([...kept.values()].every((k) => k.sameNode), `every item kept its node: ${JSON.stringify([...kept.values()])}`);
    assert.equal(kept.get('search_docs')?.sameContent, true, 'search_docs was left alone');
    assert.equal(kept.get('list_todos')?.sameContent, false, 'list_todos was updated');
    assert.match(await frame.locator('.server-state').innerText(), /signed in/);
  });

  it('add_todo through the form steps up from todos.read to todos.write', async () => {
    const d = driver();
    await frame.locator('li[data-tool="add_todo"]').click();
    const notice = frame.locator('.notice', { hasText: 'needs' });
    await notice.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await notice.innerText(), /add_todo needs todos\.write\. Your token has todos\.read/);
    const title = frame.getByLabel('title');
    // an empty required field is flagged, not sent
    await frame.getByRole('button', { name: 'Sign in and call' }).click();
    await frame.locator('.field-msg', { hasText: 'Required' }).waitFor({ state: 'visible', timeout: STEP_MS });
    assert.equal(await title.getAttribute('aria-invalid'), 'true');
    await title.fill('Write the OAuth report');
    await title.press('Enter'); // Enter = the primary action, here "Sign in and call"
    await result().filter({ hasText: '"added"' }).waitFor({ state: 'visible', timeout: STEP_MS });
    const text = await result().innerText();
    assert.match(text, /"title": "Write the OAuth report"/);
    assert.match(text, /sent with the token/);
    await frame.locator('li[data-tool="add_todo"]', { hasText: 'covered' }).waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await frame.locator('.token-line').innerText(), /Your token: todos\.read todos\.write/);
    // the history lists the calls, newest first
    const history = frame.locator('.history-list li');
    assert.ok((await history.count()) >= 4, `history: ${await history.count()}`);
    // the sign-in and call progress notifications close once the call is done (none over the picture)
    await d.page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'hidden', timeout: STEP_MS });
    // the picture: the whole window, pointer off the panel
    await d.page.mouse.move(5, 790);
    const shot = await d.screenshot('tools-panel');
    if (process.env.MCP_INSPECTOR_UPDATE_SCREENSHOTS === '1') {
      mkdirSync(join(repoRoot, 'media', 'screenshots'), { recursive: true });
      copyFileSync(shot, join(repoRoot, 'media', 'screenshots', 'tools-panel.png'));
    }
    // the oldest call comes as a summary in the state; clicking it fetches the full record
    await history.last().getByRole('button').click();
    await result().filter({ hasText: 'PKCE (RFC 7636)' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await frame.locator('li[data-tool="search_docs"][aria-selected="true"]').waitFor({ state: 'visible', timeout: STEP_MS });
  });

  it('hostile tool names, descriptions, schemas, results and errors render as text; nothing runs, nothing is linked', async () => {
    const d = driver();
    await d.connectToServer(hostile!.url);
    await d.page.locator('.monaco-list-row[role="treeitem"]', { hasText: serverName(hostile!.url) }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await d.runCommand('MCP Inspector: Call Tool');
    await d.quickPick(serverName(hostile!.url));
    await d.quickPick(HOSTILE_TOOL);
    const f = activeWebview(d);
    const body = f.locator('body');
    const titleBefore = await body.evaluate((b) => b.ownerDocument.title);
    const item = (name: string) => f.locator('li.tool-item').filter({ has: f.locator('.tool-item-name span.mono', { hasText: name }) });
    await item(HOSTILE_TOOL).first().waitFor({ state: 'visible', timeout: STEP_MS });

    // the list, the header and the form show the markup as text
    assert.equal(await f.locator('.tool-title').first().locator('span.mono').innerText(), HOSTILE_TOOL);
    assert.match(await f.locator('.tool-description').innerText(), /<script>window\.__pwned=1/);
    assert.ok((await f.locator('.form-root .field, .form-root fieldset').count()) >= 7, 'the form has its fields');
    assert.match(await f.locator('.form-root').innerText(), /<svg onload=/);
    // send with the defaults (javascript: URLs and markup as plain values)
    await body.evaluate(KEEP_MARK);
    await f.getByRole('button', { name: 'Send' }).click();
    const res = f.locator('article[data-testid="result"]');
    await res.filter({ hasText: 'resource link' }).waitFor({ state: 'visible', timeout: STEP_MS });
    // the push after the call (its history entry) left the same tools' items as they were, names as text
    await f.locator('.history-list li').first().waitFor({ state: 'visible', timeout: STEP_MS });
    const kept = (await body.evaluate(KEPT)) as Kept;
    assert.deepEqual(kept.map((k) => k.tool), [HOSTILE_TOOL, ERROR_TOOL, THROW_TOOL, DEEP_TOOL]);
    assert.ok(kept.every((k) => k.sameNode && k.sameContent && k.nameAsText), JSON.stringify(kept));
    assert.match(await res.innerText(), /<script>window\.__pwned=1/);
    await res.locator('.part-link').last().scrollIntoViewIfNeeded();
    await d.screenshot('tools-panel-hostile-result');
    assert.equal(hostile!.calls.length, 1);
    const sent = hostile!.calls[0].args as Record<string, unknown>;
    assert.match(String(sent['<img src=x onerror="window.__pwned=1;document.title=\'pwned\';try{acquireVsCodeApi().postMessage({type:\'request\',id:9,method:\'tools/call\',params:{tool:\'x\',args:{}}})}catch(e){parent.postMessage(\'pwned\',\'*\')}">'] ?? ''), /^javascript:/, 'defaults are sent as values');

    // a tool error (isError) and a JSON-RPC error: text, standing out
    await item(ERROR_TOOL).first().click();
    await f.getByRole('button', { name: 'Send' }).click();
    await f.locator('.is-error').waitFor({ state: 'visible', timeout: STEP_MS });
    await item(THROW_TOOL).first().click();
    await f.getByRole('button', { name: 'Send' }).click();
    await f.locator('.call-error', { hasText: 'Bad arguments' }).waitFor({ state: 'visible', timeout: STEP_MS });
    // the deep and huge schema: capped, edited as JSON, the panel still answers
    await item(DEEP_TOOL).first().click();
    await f.locator('textarea.json-editor').waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await f.locator('.tool-form').innerText(), /more than 200 fields/);
    // back to the hostile tool: its JSON view too
    await item(HOSTILE_TOOL).first().click();
    await f.getByRole('button', { name: 'JSON' }).click();
    await f.locator('textarea.json-editor').waitFor({ state: 'visible', timeout: STEP_MS });
    await d.screenshot('tools-panel-hostile');

    // nothing ran, nothing is linked
    // (a string: this runs in the webview's frame, and the test's tsconfig has no DOM types)
    const dom = (await body.evaluate(DOM_PROBE)) as { pwned: unknown; title: string; scripts: string[]; onAttrs: string[]; foreign: string[]; hrefs: string[]; imgs: string[]; srcs: string[] };
    assert.equal(dom.pwned, undefined, 'no payload set the global');
    assert.equal(dom.title, titleBefore, 'no payload changed the title');
    assert.notEqual(await d.page.title(), 'pwned');
    // ours, and the workbench's own inline script that defines acquireVsCodeApi (the webview host injects it)
    assert.equal(dom.scripts.length, 2, `scripts: ${dom.scripts.join(', ')}`);
    assert.match(dom.scripts[0], /^inline: .*acquireVsCodeApi/s);
    assert.match(dom.scripts[1], /^https:\/\/[^/]+\.vscode-cdn\.net\/.*\/dist\/webview\.js$/);
    assert.deepEqual(dom.onAttrs, [], 'no event-handler attributes');
    assert.deepEqual(dom.foreign, [], 'no svg, iframe, object, form … elements');
    assert.deepEqual(dom.hrefs, ['https://example.com/ok'], 'the one https resource link is the only link');
    assert.deepEqual(dom.imgs, ['data:image/png;base64,iVBORw0K'], 'only the PNG is shown as an image');
    assert.deepEqual(dom.srcs, [], 'no other element loads anything');
    // no payload reached the extension as a message (it would be logged as dropped)
    assert.doesNotMatch(d.extensionLog(), /dropped a message/);
  });

  // A window reload takes ~15 s in code-server: opt in with MCP_INSPECTOR_E2E_RELOAD=1.
  (process.env.MCP_INSPECTOR_E2E_RELOAD === '1' ? it : it.skip)('restores the panel and its selected tool after a window reload', async function () {
    this.timeout(90_000);
    const d = driver();
    const f = activeWebview(d);
    await f.locator('li.tool-item', { hasText: DEEP_TOOL }).click();
    await f.locator('li.tool-item[aria-selected="true"]', { hasText: DEEP_TOOL }).waitFor({ state: 'visible', timeout: STEP_MS });
    await d.runCommand('Developer: Reload Window');
    await d.page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible', timeout: 60_000 });
    const g = activeWebview(d);
    // the extension host starts with no connection: the panel says so and offers to connect
    await g.getByRole('button', { name: 'Connect' }).waitFor({ state: 'visible', timeout: 30_000 });
    await g.getByRole('button', { name: 'Connect' }).click();
    await g.locator('li.tool-item[aria-selected="true"]', { hasText: DEEP_TOOL }).waitFor({ state: 'visible', timeout: STEP_MS });
  });
});
