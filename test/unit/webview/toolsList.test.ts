/**
 * The tools panel (webview-ui/tools/) in headless Chromium, without VS Code: the webview bundle
 * built from source, a stub acquireVsCodeApi, `state/tools` pushes by window.postMessage. What the
 * keyed re-render promises: a second push of the same state changes nothing in the DOM; a changed
 * coverage updates that one item (the same <li>); focus, aria-selected and the single tab stop
 * survive pushes; the filter keeps the items' nodes; what was typed in the form survives pushes, and
 * a changed schema rebuilds it; hostile tool names, titles and scopes stay text through updates.
 * (The real-host check is test/e2e/toolsPanel.e2e.ts.) Skipped without Chromium (CHROMIUM_PATH).
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { CallRecord, SecurityView, ToolsState, ToolView } from '../../../src/shared/protocol';
import { ERROR_TOOL, HOSTILE_TOOL, PAYLOADS, THROW_TOOL } from '../../fixtures/hostileServer';
import { buildPanelBundle, CHROMIUM, launchPanelBrowser } from './panelBrowser';


/** In the page before the bundle: the VS Code API stub and the test's probes (plain JS: no DOM types here). */
const IN_PAGE = `
window.__msgs = [];
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__msgs.push(JSON.parse(JSON.stringify(m))), getState: () => undefined, setState: () => {} });
window.__t = {
  rendered: () => window.__msgs.filter((m) => m.method === 'tools/rendered').length,
  async push(s) {
    const n = __t.rendered();
    window.postMessage({ type: 'notify', method: 'state/tools', params: s }, '*');
    while (__t.rendered() === n) await new Promise((r) => setTimeout(r, 1));
  },
  /** Numbers every element under #app: the same number later is the same node. */
  mark() { let i = 0; for (const el of document.querySelectorAll('#app *')) el.__n = ++i; },
  items() {
    return [...document.querySelectorAll('#tool-list > li')].map((li) => ({
      tool: li.dataset.tool, n: li.__n, selected: li.getAttribute('aria-selected'), tab: li.tabIndex, focused: li === document.activeElement,
      name: li.querySelector('.tool-item-name .mono')?.textContent, title: li.querySelector('.tool-item-title')?.textContent ?? null, text: li.textContent,
    }));
  },
  watch() {
    __t.records = [];
    __t.mo?.disconnect();
    __t.mo = new MutationObserver((rs) => __t.records.push(...rs));
    __t.mo.observe(document.getElementById('app'), { subtree: true, childList: true, attributes: true, characterData: true });
  },
  /** Where the DOM changed since watch(): "item <tool>" for a list item, else the changed element's (or its content's) class. */
  changes() {
    __t.records.push(...__t.mo.takeRecords());
    const where = new Set();
    for (const r of __t.records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const li = el.closest('#tool-list > li');
      where.add(li ? 'item ' + li.dataset.tool : el.className || el.firstElementChild?.className || el.tagName);
    }
    return [...where].sort();
  },
  sent: (method) => window.__msgs.filter((m) => m.method === method).map((m) => m.params),
};`;

function security(kind: SecurityView['kind'], over: Partial<SecurityView> = {}): SecurityView {
  const oauth = kind === 'oauth';
  return { kind, anonymous: !oauth, requiresAuth: oauth, scopesNeeded: oauth ? ['todos.read'] : [], scopesHeld: [], missing: oauth ? ['todos.read'] : [], covered: !oauth, source: kind === 'default' ? 'default' : '_meta.securitySchemes', ...over };
}

function tool(name: string, kind: SecurityView['kind'] = 'public', over: Partial<ToolView> = {}): ToolView {
  return { name, title: `Title of ${name}`, description: `Does ${name}.`, inputSchema: { type: 'object', properties: { query: { type: 'string', description: 'What to look for.' } } }, security: security(kind), ...over };
}

function state(tools: ToolView[], over: Partial<ToolsState> = {}): ToolsState {
  return { server: { id: 'srv', name: 'demo', url: 'http://127.0.0.1:1/mcp', state: 'connected', signedIn: false, scopes: [] }, tools, history: [], selected: tools[0]?.name, ...over };
}

const clone = <T>(v: T): T => structuredClone(v);

interface ItemProbe {
  tool: string;
  n?: number;
  selected: string;
  tab: number;
  focused: boolean;
  name?: string;
  title: string | null;
  text: string;
}

describe('webview/tools: the tool list re-renders by key (headless Chromium)', function () {
  this.timeout(20_000);
  let browser: Browser | undefined;
  let bundle = '';
  let css = '';
  let page: Page;

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    ({ bundle, css } = await buildPanelBundle('main.ts'));
    browser = await launchPanelBrowser('tools-list-');
  });
  after(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    page = await browser!.newPage({ viewport: { width: 1000, height: 700 } });
    await page.setContent('<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"></head><body data-panel="tools"><main id="app"></main></body></html>');
    await page.addStyleTag({ content: css });
    await page.addScriptTag({ content: IN_PAGE });
    await page.addScriptTag({ content: bundle });
  });
  afterEach(async () => {
    await page?.close();
  });

  const push = (s: ToolsState) => page.evaluate((p) => (globalThis as unknown as { __t: { push(s: unknown): Promise<void> } }).__t.push(p), s);
  const probe = <T>(expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;
  const items = () => probe<ItemProbe[]>('__t.items()');
  const mark = () => probe<void>('__t.mark()');
  const watch = () => probe<void>('__t.watch()');
  const changes = () => probe<string[]>('__t.changes()');

  const TOOLS = () => [tool('alpha_search'), tool('beta_list', 'oauth'), tool('gamma_get', 'oauth'), tool('delta_default', 'default'), tool('epsilon_both', 'both', { security: security('both', { scopesNeeded: ['todos.read'] }) })];

  it('a second push of the same state changes nothing: every node stays, no mutation at all', async () => {
    const s = state(TOOLS());
    await push(s);
    const first = await items();
    assert.deepEqual(first.map((i) => i.tool), ['alpha_search', 'beta_list', 'gamma_get', 'delta_default', 'epsilon_both']);
    await mark();
    await watch();
    await push(clone(s));
    assert.deepEqual(await changes(), [], 'nothing in the panel changed');
    const again = await items();
    assert.ok(again.every((i) => typeof i.n === 'number'), 'the same <li> nodes');
    assert.deepEqual(again.map(({ n: _n, ...rest }) => rest), first.map(({ n: _n, ...rest }) => rest));
  });

  it('a changed coverage updates only that item, in place; a sign-in updates the bar, the header and the items it changes', async () => {
    const s = state(TOOLS());
    await push(s);
    await mark();
    const before = await items();
    await watch();
    const covered = clone(s);
    Object.assign(covered.tools[2].security, { covered: true, missing: [], scopesHeld: ['todos.read'] });
    await push(covered);
    assert.deepEqual(await changes(), ['item gamma_get']);
    const after = await items();
    assert.deepEqual(after.map((i) => i.n), before.map((i) => i.n), 'the same nodes, gamma_get included');
    assert.match(after[2].text, /covered/);
    assert.doesNotMatch(before[2].text, /covered/);

    // a sign-in: the token now covers beta_list and gamma_get; public and default items stay as they were
    await watch();
    const signedIn = clone(covered);
    signedIn.server = { ...signedIn.server, signedIn: true, scopes: ['todos.read'] };
    for (const t of signedIn.tools) if (t.security.kind === 'oauth' || t.security.kind === 'both') Object.assign(t.security, { covered: true, missing: [], scopesHeld: ['todos.read'] });
    await push(signedIn);
    const where = await changes();
    assert.ok(where.includes('item beta_list') && where.includes('item epsilon_both'), where.join(', '));
    for (const unchanged of ['item alpha_search', 'item delta_default', 'item gamma_get']) assert.ok(!where.includes(unchanged), `${unchanged} changed: ${where.join(', ')}`);
    assert.ok(where.includes('server-bar'), `the bar: ${where.join(', ')}`);
    assert.ok(where.includes('tool-header'), `the token line: ${where.join(', ')}`);
    assert.deepEqual((await items()).map((i) => i.n), before.map((i) => i.n));
  });

  it('keeps the keyboard focus, aria-selected and the single tab stop across pushes; arrows move them', async () => {
    const s = state(TOOLS());
    await push(s);
    await page.locator('#tool-list > li').nth(1).click();
    let now = await items();
    assert.deepEqual(now.map((i) => [i.selected, i.tab, i.focused]), [['false', -1, false], ['true', 0, true], ['false', -1, false], ['false', -1, false], ['false', -1, false]]);
    assert.deepEqual(await probe('__t.sent("tools/select")'), [{ tool: 'beta_list' }]);
    await mark();
    // the focused tool's own coverage changes, and the host echoes the selection
    const next = clone(s);
    next.selected = 'beta_list';
    Object.assign(next.tools[1].security, { covered: true, missing: [] });
    await push(next);
    await push(clone(next));
    now = await items();
    assert.equal(now[1].focused, true, 'the focus stayed on beta_list');
    assert.equal(typeof now[1].n, 'number', 'on the same node');
    assert.deepEqual(now.map((i) => [i.selected, i.tab]), [['false', -1], ['true', 0], ['false', -1], ['false', -1], ['false', -1]]);
    await page.keyboard.press('ArrowDown');
    now = await items();
    assert.deepEqual(now.map((i) => [i.selected, i.tab, i.focused]), [['false', -1, false], ['false', -1, false], ['true', 0, true], ['false', -1, false], ['false', -1, false]]);
    assert.ok(now.every((i) => typeof i.n === 'number'), 'selection moved without rebuilding the items');
    await page.keyboard.press('End');
    assert.equal((await items())[4].focused, true);
    await page.keyboard.press('Home');
    assert.equal((await items())[0].focused, true);
  });

  it('the filter hides and brings back the same item nodes, in order', async () => {
    const s = state(TOOLS());
    await push(s);
    await mark();
    const all = await items();
    const filter = page.getByLabel('Filter tools');
    await filter.fill('get');
    assert.deepEqual((await items()).map((i) => i.tool), ['gamma_get']);
    assert.equal(await page.locator('.tool-count').innerText(), '1 of 5 tools');
    await filter.fill('TITLE OF B'); // titles count, case-insensitively
    assert.deepEqual((await items()).map((i) => i.tool), ['beta_list']);
    await push(clone(s)); // a push while filtered keeps the filter
    assert.deepEqual((await items()).map((i) => i.tool), ['beta_list']);
    await filter.fill('');
    const back = await items();
    assert.deepEqual(back.map((i) => [i.tool, i.n]), all.map((i) => [i.tool, i.n]));
    assert.equal(await page.locator('.tool-count').innerText(), '5 tools');
    // ArrowDown from the filter selects the first match
    await filter.fill('delta');
    await filter.press('ArrowDown');
    const only = await items();
    assert.deepEqual(only.map((i) => [i.tool, i.selected, i.focused]), [['delta_default', 'true', true]]);
  });

  it('follows the server: removed tools go, new ones come in order, kept ones keep their nodes; duplicate names each get an item', async () => {
    const s = state(TOOLS());
    await push(s);
    await mark();
    const before = new Map((await items()).map((i) => [i.tool, i.n]));
    const next = clone(s);
    next.tools = [tool('zeta_new'), next.tools[0], next.tools[3], next.tools[1], tool('beta_list', 'public', { title: 'A second beta_list' })];
    await push(next);
    const now = await items();
    assert.deepEqual(now.map((i) => i.tool), ['zeta_new', 'alpha_search', 'delta_default', 'beta_list', 'beta_list']);
    assert.equal(now[0].n, undefined, 'a new node for the new tool');
    assert.equal(now[1].n, before.get('alpha_search'));
    assert.equal(now[2].n, before.get('delta_default'));
    assert.equal(now[3].n, before.get('beta_list'));
    assert.equal(now[4].title, 'A second beta_list');
    assert.equal(now.filter((i) => i.tab === 0).length, 1, 'one tab stop');
  });

  it('what was typed survives pushes; a changed schema of the selected tool rebuilds the form; the buttons call the tool as it is now', async () => {
    const s = state(TOOLS());
    await push(s);
    const input = page.locator('.tool-form input').first();
    await input.fill('typed by the user');
    await mark();
    const covered = clone(s);
    Object.assign(covered.tools[2].security, { covered: true, missing: [] });
    await push(covered);
    await push(clone(covered));
    assert.equal(await input.inputValue(), 'typed by the user');
    const firstInputMark = () => probe<string>(`typeof document.querySelector('.tool-form input').__n`);
    assert.equal(await firstInputMark(), 'number', 'the same input element');
    assert.equal(await page.locator('.tool-form input').count(), 1);

    // the selected tool's schema changes: the form is rebuilt from it
    const changed = clone(covered);
    changed.tools[0].inputSchema = { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer', minimum: 1 } } };
    await push(changed);
    assert.equal(await page.locator('.tool-form input').count(), 2, 'the new field is there');
    assert.equal(await firstInputMark(), 'undefined', 'a new form');

    // the selected tool now needs a sign-in: the actions follow, and call it with signIn
    const gated = clone(changed);
    gated.tools[0].security = security('oauth');
    await push(gated);
    await page.getByRole('button', { name: 'Sign in and call' }).click();
    const calls = await probe<Array<{ type: string; method: string; params: { tool: string; signIn: boolean } }>>('window.__msgs.filter((m) => m.method === "tools/call")');
    assert.deepEqual(calls.map((c) => [c.params.tool, c.params.signIn]), [['alpha_search', true]]);
  });

  it('Enter on a tool focuses the field that needs input: the first required empty one, else the first field, else Send (a tool without arguments)', async () => {
    const s = state([
      tool('needs_input', 'public', { inputSchema: { type: 'object', properties: { note: { type: 'string' }, title: { type: 'string', default: 'kept' }, count: { type: 'integer' } }, required: ['title', 'count'] } }),
      tool('all_optional', 'public', { inputSchema: { type: 'object', properties: { q: { type: 'string' }, n: { type: 'integer' } } } }),
      tool('no_args', 'public', { inputSchema: { type: 'object' } }),
      tool('no_args_empty', 'oauth', { inputSchema: { type: 'object', properties: {} } }),
    ]);
    await push(s);
    const focused = () =>
      probe<{ label: string; button: string }>(`(() => {
        const el = document.activeElement;
        return { label: (el.id && document.querySelector('label[for="' + el.id + '"]')?.textContent) || '', button: el.tagName === 'BUTTON' ? el.textContent.trim() : '' };
      })()`);
    const enterOn = async (i: number) => {
      await page.locator('#tool-list > li').nth(i).click();
      await page.keyboard.press('Enter');
    };
    await enterOn(0);
    assert.deepEqual(await focused(), { label: 'count *', button: '' }, 'the first required field left empty (title has a default)');
    await page.keyboard.type('3');
    await enterOn(1);
    assert.deepEqual(await focused(), { label: 'q', button: '' }, 'nothing required: the first field');
    await enterOn(0);
    assert.deepEqual(await focused(), { label: 'note', button: '' }, 'every required field filled: the first field');
    await enterOn(2);
    assert.deepEqual(await focused(), { label: '', button: 'Send' }, 'no arguments: Send');
    const form = await page.locator('.tool-form').innerText();
    assert.match(form, /This tool takes no arguments/);
    assert.doesNotMatch(form, /cannot show this schema/);
    await enterOn(3);
    assert.deepEqual(await focused(), { label: '', button: 'Sign in and call' }, 'no arguments, sign-in needed: the call button');
    assert.deepEqual(await probe('__t.sent("tools/call")'), [], 'Enter on the list only moves the focus');
  });

  it('a sign-in whose browser never comes back does not lock the panel: Copy sign-in link, Open again and Cancel, asking the host (never naming a URL)', async () => {
    const s = state([tool('list_todos', 'oauth'), tool('public_echo')]);
    await push(s);
    const requests = (method: string) => probe<Array<{ id: number; params: unknown }>>(`window.__msgs.filter((m) => m.type === 'request' && m.method === ${JSON.stringify(method)})`);
    const reply = (id: number, result: unknown) => page.evaluate(`window.postMessage(${JSON.stringify({ type: 'reply', id, ok: true, result })}, '*')`);
    const noteSays = (re: RegExp) => page.waitForFunction(`${re}.test(document.querySelector('.sign-in-note')?.textContent ?? '')`);
    const waitNotice = page.getByRole('group', { name: 'Sign-in waiting for the browser' });
    assert.equal(await waitNotice.count(), 0, 'no notice before a sign-in');

    await page.getByRole('button', { name: 'Sign in and call' }).click();
    assert.match(await page.locator('.call-status').innerText(), /Signing in and calling list_todos/);
    assert.equal(await page.getByRole('button', { name: 'Sign in and call' }).isDisabled(), true, 'the call buttons wait');
    // before the browser is sent: Cancel already lives in the panel; nothing to copy yet
    assert.equal(await waitNotice.getByRole('button', { name: 'Cancel' }).count(), 1);
    assert.equal(await waitNotice.getByRole('button', { name: 'Copy sign-in link' }).count(), 0);

    // the host reports the sign-in waiting at the authorization server's host
    const waiting = clone(s);
    waiting.signIn = { host: 'auth.example:8443' };
    await push(waiting);
    assert.match(await waitNotice.innerText(), /Sign in at auth\.example:8443 in your browser/);
    for (const name of ['Copy sign-in link', 'Open again', 'Cancel']) assert.equal(await waitNotice.getByRole('button', { name }).isEnabled(), true, name);

    await waitNotice.getByRole('button', { name: 'Copy sign-in link' }).click();
    const [copy] = await requests('auth/copyLink');
    assert.deepEqual(copy.params, {}, 'the webview asks; the host copies the URL it keeps');
    await reply(copy.id, { copied: true });
    await noteSays(/Copied/);

    await waitNotice.getByRole('button', { name: 'Open again' }).click();
    const [again] = await requests('auth/openAgain');
    assert.deepEqual(again.params, {}, 'no URL from the webview');
    await reply(again.id, { opened: true });
    await noteSays(/Opened again/);

    await waitNotice.getByRole('button', { name: 'Cancel' }).click();
    const [cancel] = await requests('auth/cancel');
    assert.deepEqual(cancel.params, {});
    await reply(cancel.id, { cancelled: true });
    // the host's wait ends: the call comes back as cancelled, the sign-in is no longer waiting
    const [call] = await requests('tools/call');
    const record: CallRecord = { id: 7, tool: 'list_todos', at: Date.now(), durationMs: 0, signInMs: 4200, args: {}, authenticated: false, ok: false, error: { code: 'authorization_cancelled', message: 'sign-in was cancelled', step: 'authorization callback' }, rpc: { request: null, response: null } };
    await reply(call.id, record);
    const after = clone(s);
    after.history = [record];
    await push(after);
    await page.waitForFunction(`!document.querySelector('.sign-in-wait')?.childElementCount`);
    assert.equal(await page.getByRole('button', { name: 'Sign in and call' }).isEnabled(), true, 'the panel is usable again');
    assert.doesNotMatch(await page.locator('.call-status').innerText(), /Signing in and calling/);
  });

  it('a call that signed in first shows its own time and the sign-in apart, in the result and the history', async () => {
    const rec = (id: number, durationMs: number, signInMs?: number) => ({ id, tool: 'list_todos', at: Date.now(), durationMs, signInMs, args: {}, authenticated: true, ok: true, content: [{ type: 'text', text: 'ok' }], rpc: { request: null, response: null } });
    await push(state([tool('list_todos')], { history: [rec(2, 20, 10_727), rec(1, 35)] }));
    assert.match(await page.locator('.result-head').innerText(), /· 20 ms \(\+ sign-in 10\.7 s\) ·/);
    const lines = await page.locator('.history-item').allInnerTexts();
    assert.match(lines[0], /20 ms \(\+ sign-in 10\.7 s\)/);
    assert.doesNotMatch(lines[0], /10727|10747/);
    assert.match(lines[1], /35 ms/);
    assert.doesNotMatch(lines[1], /sign-in/);
  });

  it('a tool declared public that the server refused without a token shows both, in the list and the header, and offers the sign-in', async () => {
    const message = 'declared public (noauth), but the server answered 401 to a call without a token';
    const flagged = state([tool('public_info', 'public', { security: security('public', { mismatch: { declared: 'public (noauth)', status: 401, message } }) }), tool('echo')]);
    await push(flagged);
    const item = (await items())[0];
    assert.match(item.text, /public/, 'the declaration is still shown');
    assert.match(item.text, /refused without a token \(401\)/);
    assert.equal(await page.locator('#tool-list > li').nth(0).locator('.sec-mismatch').getAttribute('title'), message);
    assert.doesNotMatch((await items())[1].text, /refused/);
    const note = page.getByTestId('security-mismatch');
    assert.match(await note.innerText(), new RegExp(message.replace(/[()]/g, '\\$&')));
    assert.equal(await page.getByRole('button', { name: 'Sign in and call' }).count(), 1, 'the call needs a token after all');
    // the server answers without a token again: the warning goes, Send is back
    await push(state([tool('public_info'), tool('echo')]));
    assert.equal(await note.count(), 0);
    assert.doesNotMatch((await items())[0].text, /refused/);
    assert.equal(await page.getByRole('button', { name: 'Send' }).count(), 1);
  });

  it('the argument editor and the history: Form and JSON carry what was typed, JSON the form would drop stays JSON; a history entry selects its tool and shows its record, fetched when it came as a summary; "Use these arguments" puts them back', async () => {
    const requests = (method: string) => probe<Array<{ id: number; params: Record<string, unknown> }>>(`window.__msgs.filter((m) => m.type === 'request' && m.method === ${JSON.stringify(method)})`);
    const reply = (id: number, result: unknown) => page.evaluate(`window.postMessage(${JSON.stringify({ type: 'reply', id, ok: true, result })}, '*')`);
    const rec = (id: number, name: string, text: string, over: Partial<CallRecord> = {}): CallRecord => ({ id, tool: name, at: Date.now(), durationMs: 12, args: { query: 'redacted' }, authenticated: false, ok: true, content: [{ type: 'text', text }], rpc: { request: null, response: null }, ...over });
    const s = state([tool('alpha_search'), tool('beta_list')]);
    await push(s);
    const input = page.locator('.tool-form input').first();
    const editor = page.locator('textarea.json-editor');
    await input.fill('pkce');
    await page.getByRole('button', { name: 'JSON' }).click();
    assert.deepEqual(JSON.parse(await editor.inputValue()), { query: 'pkce' });
    await editor.fill('{"query":"x","extra":1}');
    await page.getByRole('button', { name: 'Form' }).click();
    assert.equal(await editor.count(), 1, 'a key the form has no field for: still JSON');
    assert.equal(await page.getByRole('button', { name: 'JSON' }).getAttribute('aria-pressed'), 'true');
    // the refusal is said, next to the editor, which keeps what was typed
    const note = page.locator('.tool-form .field-msg');
    assert.ok(await note.isVisible(), 'the note is shown');
    assert.match(await note.innerText(), /no field for "extra"/);
    assert.equal(await editor.getAttribute('aria-invalid'), 'true');
    assert.equal(await editor.inputValue(), '{"query":"x","extra":1}');
    await editor.fill('{"query": ');
    await page.getByRole('button', { name: 'Form' }).click();
    assert.match(await note.innerText(), /^Not valid JSON: .*Fix it to go back to the form\.$/);
    await editor.fill('[1]');
    await page.getByRole('button', { name: 'Form' }).click();
    assert.ok(await note.isVisible());
    assert.doesNotMatch(await note.innerText(), /Not valid JSON/, 'the note says the new reason');
    await editor.fill('{"query":"back"}');
    await page.getByRole('button', { name: 'Form' }).click();
    assert.equal(await input.inputValue(), 'back');

    await page.getByRole('button', { name: 'Send' }).click();
    const [call] = await requests('tools/call');
    assert.deepEqual(call.params, { tool: 'alpha_search', args: { query: 'back' }, signIn: false });
    await reply(call.id, rec(1, 'alpha_search', 'found 3'));
    await page.waitForFunction(`document.querySelector('.result')?.textContent.includes('found 3')`);
    assert.match(await page.locator('.call-status').innerText(), /alpha_search: ok/);

    const withHistory = clone(s);
    withHistory.history = [rec(2, 'beta_list', '', { partial: true, content: undefined }), rec(1, 'alpha_search', 'found 3')];
    await push(withHistory);
    const entries = page.locator('.history-item');
    assert.equal(await entries.count(), 2);
    assert.deepEqual(await entries.evaluateAll((els) => els.map((e) => [e.getAttribute('aria-current'), e.tabIndex])), [[null, -1], ['true', 0]], 'the record shown is current and the tab stop');

    await entries.nth(0).click();
    assert.equal(await page.locator('li[data-tool="beta_list"]').getAttribute('aria-selected'), 'true');
    assert.deepEqual(await probe('__t.sent("tools/select")'), [{ tool: 'beta_list' }]);
    assert.equal(await page.locator('.result').innerText(), 'Loading the result…');
    const [fetch] = await requests('tools/record');
    assert.deepEqual(fetch.params, { id: 2 });
    await reply(fetch.id, rec(2, 'beta_list', 'listed 5'));
    await page.waitForFunction(`document.querySelector('.result')?.textContent.includes('listed 5')`);
    assert.deepEqual(await entries.evaluateAll((els) => els.map((e) => e.getAttribute('aria-current'))), ['true', null]);

    await entries.nth(1).click();
    assert.equal(await page.locator('li[data-tool="alpha_search"]').getAttribute('aria-selected'), 'true');
    await input.fill('something else');
    await page.getByRole('button', { name: 'Use these arguments' }).click();
    assert.equal(await page.locator('.tool-form input').first().inputValue(), 'back', 'the arguments as sent (the host keeps them redacted)');
  });

  it('hostile tool names, titles and scopes render as text, first and after updates; selecting one sends its exact name', async () => {
    const hostile = [
      tool(HOSTILE_TOOL, 'oauth', { title: PAYLOADS.script, security: security('oauth', { scopesNeeded: [PAYLOADS.img], missing: [PAYLOADS.img] }) }),
      tool(ERROR_TOOL, 'both', { title: PAYLOADS.svg, security: security('both', { scopesNeeded: [PAYLOADS.link] }) }),
      tool(THROW_TOOL, 'default', { title: PAYLOADS.iframe }),
    ];
    const s = state(hostile);
    const check = async () => {
      const now = await items();
      assert.deepEqual(now.map((i) => i.tool), [HOSTILE_TOOL, ERROR_TOOL, THROW_TOOL], 'data-tool holds the exact names');
      assert.deepEqual(now.map((i) => i.name), [HOSTILE_TOOL, ERROR_TOOL, THROW_TOOL], 'the names are text');
      assert.deepEqual(now.map((i) => i.title), [PAYLOADS.script, PAYLOADS.svg, PAYLOADS.iframe].map((t) => (t.length > 120 ? `${t.slice(0, 120)}…` : t)));
      const dom = await probe<{ pwned: unknown; title: string; elements: string[]; onAttrs: string[] }>(`(() => ({
        pwned: window.__pwned,
        title: document.title,
        elements: [...document.querySelectorAll('#app img, #app script, #app svg, #app iframe, #app a, #app b')].map((e) => e.tagName),
        onAttrs: [...document.querySelectorAll('#app *')].flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => el.tagName + ' ' + a.name)),
      }))()`);
      assert.deepEqual(dom, { pwned: undefined, title: '', elements: [], onAttrs: [] });
    };
    await push(s);
    await check();
    assert.match((await items())[0].text, /missing <img src=x onerror=/);
    const signedIn = clone(s);
    signedIn.server = { ...signedIn.server, signedIn: true, scopes: [PAYLOADS.img] };
    Object.assign(signedIn.tools[0].security, { covered: true, missing: [] });
    Object.assign(signedIn.tools[1].security, { covered: true, missing: [] });
    await push(signedIn);
    await check();
    await push(clone(signedIn));
    await check();
    await page.locator('#tool-list > li').nth(2).locator('.badge').first().click();
    assert.deepEqual(await probe('__t.sent("tools/select")'), [{ tool: THROW_TOOL }]);
    assert.equal(await page.locator('.tool-title span.mono').innerText(), THROW_TOOL);
    await check();
  });
});
