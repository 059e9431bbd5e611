/**
 * The Audit panel (webview-ui/audit.ts) in headless Chromium, without VS Code: the webview bundle
 * built from source, a stub acquireVsCodeApi, `state/audit` pushes by window.postMessage with a
 * report like the demo's misconfigured path (test/fixtures/auditReport.ts). What a person reads
 * and does: the counts, the categories with failures first, a failure open with its fix and spec
 * links (https only), the count tiles as filters, "show exchange", Re-run and the exports asking
 * the host (never naming a path or a URL), and hostile text in a finding staying text.
 * (The real-host check is test/e2e/audit.e2e.ts.) Skipped without Chromium (CHROMIUM_PATH).
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { auditReportView } from '../../../src/present/auditView';
import type { AuditReport } from '../../../src/shared/audit';
import type { AuditState, FlowExchange, FlowState, FlowStep } from '../../../src/shared/protocol';
import { check, fixtureChecks, fixtureReport } from '../../fixtures/auditReport';
import { buildPanelBundle, CHROMIUM, launchPanelBrowser } from './panelBrowser';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const IN_PAGE = `
window.__msgs = [];
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__msgs.push(JSON.parse(JSON.stringify(m))), getState: () => undefined, setState: () => {} });
window.__t = {
  push(s) { window.postMessage({ type: 'notify', method: 'state/audit', params: s }, '*'); return new Promise((r) => setTimeout(r, 20)); },
  reply(id, result) { window.postMessage({ type: 'reply', id, ok: true, result }, '*'); return new Promise((r) => setTimeout(r, 20)); },
  fail(id, message) { window.postMessage({ type: 'reply', id, ok: false, error: { code: 'error', message } }, '*'); return new Promise((r) => setTimeout(r, 20)); },
  sent: (method) => window.__msgs.filter((m) => m.method === method),
};`;

/**
 * A dark theme's variables (the ones webview.css reads), so the page looks as it does in the editor
 * when someone looks at the picture this test leaves in test-results/ (CSS only; no assertion reads it).
 */
const THEME = `:root { --vscode-font-family: system-ui, sans-serif; --vscode-font-size: 13px; --vscode-foreground: #cccccc; --vscode-editor-background: #1f1f1f;
--vscode-descriptionForeground: #9d9d9d; --vscode-errorForeground: #f85149; --vscode-editorWarning-foreground: #cca700; --vscode-testing-iconPassed: #73c991;
--vscode-widget-border: #313131; --vscode-button-background: #0078d4; --vscode-button-foreground: #fff; --vscode-button-secondaryBackground: #313131;
--vscode-button-secondaryForeground: #ccc; --vscode-textLink-foreground: #4daafc; --vscode-editorWidget-background: #202020; --vscode-list-hoverBackground: #2a2d2e;
--vscode-sideBarSectionHeader-background: #181818; --vscode-sideBarSectionHeader-border: #2b2b2b; --vscode-textBlockQuote-background: #2b2b2b;
--vscode-editorLightBulb-foreground: #ffcc00; --vscode-textCodeBlock-background: #2b2b2b; --vscode-editor-font-family: monospace; --vscode-focusBorder: #0078d4;
--vscode-progressBar-background: #0078d4; --vscode-list-inactiveSelectionBackground: #37373d; }`;

function state(report: AuditReport | undefined, over: Partial<AuditState> = {}): AuditState {
  return {
    server: { id: 'srv', name: 'Todo demo (misconfigured)', url: 'http://127.0.0.1:5080/mcp-misconfigured', state: 'connected', signedIn: true, scopes: ['todos.read'] },
    report: report && auditReportView(report),
    callTools: report ? 'read-only' : undefined,
    exchangesShown: true,
    ...over,
  };
}

interface Row {
  id: string;
  level: string;
  subject: string | null;
  open: boolean;
}

describe('webview/audit: the Audit panel (headless Chromium)', function () {
  this.timeout(30_000);
  let browser: Browser | undefined;
  let bundle = '';
  let css = '';
  let icons = '';
  let page: Page;

  before(async function () {
    if (!existsSync(CHROMIUM)) this.skip();
    ({ bundle, css } = await buildPanelBundle('main.ts'));
    // the icon font as the panels load it (dist/codicons comes from this package), inlined: the page has no origin to load it from
    const codicons = join(root, 'node_modules', '@vscode', 'codicons', 'dist');
    icons = readFileSync(join(codicons, 'codicon.css'), 'utf8').replace(/src: url\("?\.\/codicon\.ttf[^)]*\)/, `src: url(data:font/ttf;base64,${readFileSync(join(codicons, 'codicon.ttf')).toString('base64')})`);
    browser = await launchPanelBrowser('audit-panel-');
  });
  after(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    page = await browser!.newPage({ viewport: { width: 1000, height: 1100 } });
    await page.setContent('<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"></head><body data-panel="audit"><main id="app"></main></body></html>');
    await page.addStyleTag({ content: THEME });
    await page.addStyleTag({ content: icons });
    await page.addStyleTag({ content: css });
    await page.addScriptTag({ content: IN_PAGE });
    await page.addScriptTag({ content: bundle });
  });
  afterEach(async () => {
    await page?.close();
  });

  const push = (s: AuditState) => page.evaluate((p) => (globalThis as unknown as { __t: { push(s: unknown): Promise<void> } }).__t.push(p), s);
  const sent = (method: string) => page.evaluate((m) => (globalThis as unknown as { __t: { sent(m: string): Array<{ id?: number; params: unknown }> } }).__t.sent(m), method);
  const reply = (id: number, result: unknown) => page.evaluate(([i, r]) => (globalThis as unknown as { __t: { reply(i: unknown, r: unknown): Promise<void> } }).__t.reply(i, r), [id, result] as const);
  /** In-page expressions as strings: this file compiles without the DOM library (the page has it). */
  const probe = <T>(expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;
  const rows = () =>
    probe<Row[]>(`[...document.querySelectorAll('[data-testid="audit-check"]')].map((li) => ({ id: li.dataset.kind, level: li.dataset.level, subject: li.querySelector('.au-subject')?.textContent ?? null, open: li.querySelector('details').open }))`);

  it('shows the counts and the categories with failures first, each failure open with its fix, spec links and exchanges', async () => {
    await push(state(fixtureReport()));
    const counts = await probe(`[...document.querySelectorAll('[data-testid^="audit-count-"]')].map((b) => [b.dataset.level, b.querySelector('.au-tile-count').textContent])`);
    assert.deepEqual(counts, [['fail', '4'], ['warn', '2'], ['pass', '8'], ['skip', '3']]);
    assert.match(await page.innerText('[data-testid="audit-verdict"]'), /4 checks fail/);
    assert.match(await page.innerText('[data-testid="audit-meta"]'), /2\.3 s · 87 requests · MCP 2026-07-28 · only read-only tools called/);
    const groups = await probe(`[...document.querySelectorAll('[data-testid="audit-group"]')].map((g) => g.dataset.kind + ':' + g.dataset.level + ':' + g.querySelector('details').open)`);
    assert.deepEqual(groups, ['discovery:fail:true', 'resource-server:fail:true', 'tool-security:fail:true', 'authorization-server:warn:true', 'clients:warn:true', 'token:pass:false', 'transport:pass:false', 'registration:skip:false']);
    const r = await rows();
    assert.deepEqual(r.slice(0, 4).map((x) => `${x.level}:${x.id}:${x.open}`), [
      'fail:discovery.resource-metadata-in-challenge:true',
      'fail:discovery.metadata-served-as-json:true',
      'pass:discovery.unauthenticated-challenge:false',
      'pass:discovery.metadata-resource-matches:false',
    ]);
    assert.deepEqual(r.filter((x) => x.id.startsWith('tool-security')).map((x) => `${x.level}:${x.subject}`), ['fail:search_docs', 'pass:get_time', 'skip:add_todo']);
    const first = page.locator('[data-testid="audit-check"]').first();
    assert.match(await first.locator('[data-testid="audit-fix"]').innerText(), /Fix\s+Add resource_metadata=/);
    const hrefs = await first.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.deepEqual(hrefs, ['https://www.rfc-editor.org/rfc/rfc9728#section-5.1']);
    assert.deepEqual(await first.locator('[data-testid="audit-show-exchange"]').allInnerTexts(), [' #3'].map((t) => t.trim()));
    mkdirSync(join(root, 'test-results', 'screenshots'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-results', 'screenshots', 'audit-panel-unit.png'), fullPage: true });
  });

  it('a count filters the list to that level; the same count again shows everything', async () => {
    await push(state(fixtureReport()));
    await page.click('[data-testid="audit-count-fail"]');
    assert.deepEqual([...new Set((await rows()).map((x) => x.level))], ['fail']);
    assert.equal((await rows()).length, 4);
    assert.equal(await page.getAttribute('[data-testid="audit-count-fail"]', 'aria-pressed'), 'true');
    await page.click('[data-testid="audit-count-skip"]');
    assert.deepEqual((await rows()).map((x) => x.level), ['skip', 'skip', 'skip']);
    await page.click('[data-testid="audit-count-skip"]');
    assert.equal((await rows()).length, fixtureChecks().length);
  });

  it('"show exchange" asks the host for that exchange id; after a reconnect the buttons are off and say why', async () => {
    await push(state(fixtureReport()));
    await page.locator('[data-testid="audit-check"]').nth(1).locator('[data-testid="audit-show-exchange"]').nth(1).click();
    assert.deepEqual((await sent('audit/showExchange')).map((m) => m.params), [{ exchange: 5 }]);
    await push(state(fixtureReport(), { exchangesShown: false }));
    const b = page.locator('[data-testid="audit-show-exchange"]').first();
    assert.equal(await b.isDisabled(), true);
    assert.match((await b.getAttribute('title')) ?? '', /reconnected/);
  });

  it('Re-run and the exports ask the host by name only; a saved export says where', async () => {
    await push(state(fixtureReport()));
    await page.click('[data-testid="audit-export-junit"]');
    const [exp] = await sent('audit/export');
    assert.deepEqual(exp.params, { format: 'junit' });
    assert.equal(await page.isDisabled('[data-testid="audit-export-markdown"]'), true, 'one export at a time');
    await reply(exp.id!, { saved: true, file: 'mcp-audit-x.xml' });
    assert.match(await page.innerText('[data-testid="audit-message"]'), /Saved as mcp-audit-x\.xml/);
    await page.click('[data-testid="audit-rerun"]');
    assert.deepEqual((await sent('audit/run')).map((m) => m.params), [{}]);
    // the host says it is running: progress, Re-run off, the previous report still there
    await push(state(fixtureReport(), { running: { since: Date.now() } }));
    assert.equal(await page.isVisible('[data-testid="audit-running"]'), true);
    assert.equal(await page.isDisabled('[data-testid="audit-rerun"]'), true);
    assert.equal((await rows()).length, fixtureChecks().length);
  });

  it('what the person opened or closed survives a state push of the same report; a new report starts fresh', async () => {
    const report = fixtureReport();
    await push(state(report));
    await page.locator('[data-testid="audit-check"]').first().locator('summary').click(); // close a failure
    await page.locator('[data-testid="audit-check"]').nth(2).locator('summary').click(); // open a pass
    await push(state(report));
    let r = await rows();
    assert.equal(r[0].open, false);
    assert.equal(r[2].open, true);
    await push(state(fixtureReport(fixtureChecks(), { startedAt: '2026-12-05T02:00:00.000Z' })));
    r = await rows();
    assert.equal(r[0].open, true);
    assert.equal(r[2].open, false);
  });

  it('no report yet: says what the audit does and offers to run it; a failed run shows why', async () => {
    await push(state(undefined));
    assert.equal(await page.isVisible('[data-testid="audit-empty"]'), true);
    assert.match(await page.innerText('[data-testid="audit-rerun"]'), /Run audit/);
    assert.equal(await page.isDisabled('[data-testid="audit-export-markdown"]'), true);
    await push(state(undefined, { error: { code: 'cancelled', message: 'The audit was cancelled: no tool was called.' } }));
    assert.match(await page.innerText('[data-testid="audit-error"]'), /cancelled/);
  });

  it('the flow panel opens the step of the exchange "show exchange" names, once per ask, and says so when it is gone', async () => {
    await page.setContent('<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"></head><body data-panel="flow"><main id="app"></main></body></html>');
    await page.addStyleTag({ content: css });
    await page.addScriptTag({ content: IN_PAGE });
    await page.addScriptTag({ content: bundle });
    const exchange = (id: number): FlowExchange => ({ id, at: 1, durationMs: 3, purpose: 'mcp', method: 'POST', url: 'http://127.0.0.1:1/mcp', requestHeaders: {}, status: 401, responseHeaders: {}, responseBody: '{}', level: 'info', finding: 'asks for a token' });
    const step = (id: number, name: string, xs: number[]): FlowStep => ({ id, step: name as FlowStep['step'], at: 1, durationMs: 3, level: 'pass', finding: name, findings: [], exchanges: xs.map(exchange) });
    const flow = (reveal?: FlowState['reveal']): FlowState => ({
      server: { id: 'srv', name: 'demo', url: 'http://127.0.0.1:1/mcp', state: 'connected', signedIn: true, scopes: [] },
      steps: [step(1, 'audit probe: server/discover', [1]), step(2, 'audit probe: tools/call', [2, 3]), step(4, 'token exchange', [4])],
      counts: { pass: 3, info: 0, warn: 0, fail: 0 },
      entries: 4,
      reveal,
    });
    const pushFlow = (f: FlowState) => probe<void>(`window.postMessage(${JSON.stringify({ type: 'notify', method: 'state/flow', params: f })}, '*'); new Promise((r) => setTimeout(r, 20))`);
    const state = () => probe<{ steps: boolean[]; revealed: string[]; open: boolean | null }>(`({
      steps: [...document.querySelectorAll('li.tf-step > details')].map((d) => d.open),
      revealed: [...document.querySelectorAll('.tf-revealed')].map((e) => e.id),
      open: document.getElementById('exchange-3')?.open ?? null,
    })`);
    await pushFlow(flow());
    assert.deepEqual((await state()).steps, [false, false, false]);
    await pushFlow(flow({ exchange: 3, seq: 1 }));
    assert.deepEqual(await state(), { steps: [false, true, false], revealed: ['exchange-3'], open: true });
    // the person closes the step; the next push with the same ask leaves it closed
    await page.locator('li.tf-step').nth(1).locator('summary').first().click();
    await pushFlow(flow({ exchange: 3, seq: 1 }));
    assert.deepEqual((await state()).steps, [false, false, false]);
    // a new ask opens it again
    await pushFlow(flow({ exchange: 3, seq: 2 }));
    assert.deepEqual((await state()).steps, [false, true, false]);
    // an exchange the trace no longer has: a message, nothing opened
    await pushFlow(flow({ exchange: 99, seq: 3 }));
    assert.match(await page.innerText('#app'), /Exchange #99 is not in this trace any more/);
  });

  it('text from the server in a finding, a fix or a tool name is text: no element, no handler, no link', async () => {
    const payload = '<img src=x onerror="window.__pwned=1"><a href="javascript:alert(1)">click</a>';
    const report = fixtureReport([
      check('tool-security.noauth-works-anonymously', 'fail', `The server said: ${payload}`, { subject: `<b onmouseover=alert(1)>${payload}</b>`, fix: payload, exchanges: [7] }),
    ]);
    await push(state(report));
    const seen = await probe<{ pwned: unknown; imgs: number; onAttrs: string[]; links: Array<string | null>; text: string }>(`({
      pwned: window.__pwned,
      imgs: document.querySelectorAll('#app img, #app b').length,
      onAttrs: [...document.querySelectorAll('#app *')].flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => a.name)),
      links: [...document.querySelectorAll('#app a')].map((a) => a.getAttribute('href')),
      text: document.getElementById('app').innerText,
    })`);
    assert.equal(seen.pwned, undefined);
    assert.equal(seen.imgs, 0);
    assert.deepEqual(seen.onAttrs, []);
    assert.ok(seen.links.every((h) => h?.startsWith('https://')), seen.links.join(' '));
    assert.ok(seen.text.includes('<img src=x onerror="window.__pwned=1">'), 'the markup is shown as the server sent it');
  });
});
