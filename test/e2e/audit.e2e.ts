/**
 * Audit Server in the real workbench: the installed VSIX on code-server, the demo's editor settings
 * and server list (scripts/editor.mjs, with the misconfigured path), headless sign-in against the
 * demo's auto-approving authorization server.
 *
 * The misconfigured path (demo/defects.ts): Audit Server from the server's context menu asks before
 * calling the tools not annotated read-only, naming them; the Audit panel shows failures, each
 * planted defect's check failing with its fix and spec links; the tree's server node shows the
 * summary; "show exchange" opens the OAuth flow panel at that exchange; Export Markdown saves the
 * report through the save dialog. Then /mcp-mixed from the palette: no failure.
 * Screenshots: test-results/screenshots/, and the README's media/screenshots/audit-*.png with
 * MCP_INSPECTOR_UPDATE_SCREENSHOTS=1.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { DEFECT_CHECKS } from '../../demo/defects';
import { demoServers } from '../../scripts/editor.mjs';
import { waitFor } from '../integration/codeServerHost';
import { repoRoot } from '../integration/build.mjs';
import { useDemo } from './demo';
import { useDriver, type Driver } from './driver';
import { assertStyled } from './styled';

const STEP_MS = 20_000;
/** An audit of the demo takes a few seconds; the sign-in and the probes are real requests. */
const AUDIT_MS = 90_000;
const README_SHOTS = process.env.MCP_INSPECTOR_UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'media', 'screenshots') : join(repoRoot, 'test-results', 'screenshots', 'readme');

/** The demo editor's names for the servers (scripts/editor.mjs demoServers). */
const MISCONFIGURED = 'Todo demo (misconfigured, for Audit Server)';
const MIXED = 'Todo demo (per-tool security)';

/** The number on a count tile of the summary bar. */
async function count(frame: FrameLocator, level: 'fail' | 'warn' | 'pass' | 'skip'): Promise<number> {
  return Number((await frame.locator(`[data-testid="audit-count-${level}"] .au-tile-count`).innerText()).trim());
}

/** Waits for the modal "Call all tools of …?" and answers it; returns its text. */
async function answerCallTools(d: Driver, answer: 'Call All Tools' | 'Read-Only Tools Only'): Promise<string> {
  const dialog = d.page.locator('.monaco-dialog-box', { hasText: 'Call all tools of' });
  await dialog.waitFor({ state: 'visible', timeout: AUDIT_MS });
  const text = await dialog.innerText();
  await dialog.locator('.monaco-button', { hasText: answer }).click();
  await dialog.waitFor({ state: 'hidden', timeout: STEP_MS });
  return text;
}

/** The editor area (what the README shows), or the top of the side bar. */
async function shoot(d: Driver, name: string, area: 'editor' | 'sidebar' = 'editor'): Promise<void> {
  await d.screenshot(name);
  mkdirSync(README_SHOTS, { recursive: true });
  const box = await d.page.locator(area === 'editor' ? '.part.editor' : '.part.sidebar').boundingBox();
  assert.ok(box, `the ${area} is visible`);
  // the side bar's top: the view's title and the servers
  const clip = area === 'editor' ? box : { ...box, height: Math.min(box.height, 150) };
  await d.page.screenshot({ path: join(README_SHOTS, `${name}.png`), clip });
}

describe('Audit Server: the installed VSIX on code-server, the demo\'s misconfigured and per-tool paths', function () {
  this.timeout(180_000);
  const demo = useDemo({ autoApprove: true });
  const driver = useDriver({
    get settings() {
      return {
        'mcpOAuthInspector.servers': demoServers({ mcpUrl: demo().mcpUrl, mixedUrl: demo().mixedUrl, misconfiguredUrl: demo().misconfiguredUrl }),
        // the demo approves `demo` without a page: every sign-in of the audit is headless
        'mcpOAuthInspector.authorizationMode': 'headless',
        'workbench.editor.enablePreview': false,
      };
    },
    viewport: { width: 1400, height: 1150 },
  });

  let audit: FrameLocator;

  it('from the server\'s context menu: asks before calling tools with side effects, naming them, then shows every planted defect failing', async () => {
    const d = driver();
    const { page } = d;
    await page.locator('.activitybar .action-item a[aria-label^="MCP OAuth Inspector"]').click();
    const row = d.treeItem(MISCONFIGURED);
    await row.waitFor({ state: 'visible', timeout: STEP_MS });
    await row.click({ button: 'right' });
    // the menu runs an item on Enter after the pointer focused it (a click can land while it animates in)
    const item = page.locator('.context-view .action-menu-item', { hasText: 'Audit Server' }).first();
    await item.hover();
    await page.keyboard.press('Enter');
    await page.locator('.context-view .action-menu-item').first().waitFor({ state: 'hidden', timeout: STEP_MS });
    // it connects first (to know the tools), then asks; the read-only answer calls only readOnlyHint tools
    const question = await answerCallTools(d, 'Read-Only Tools Only');
    assert.match(question, /add_todo/, `the question names the tools with side effects: ${question}`);
    assert.doesNotMatch(question, /\blist_todos\b/, 'a read-only tool is not among them');
    audit = await d.panel(`Audit — ${MISCONFIGURED}`);
    await audit.locator('.au-head').first().waitFor({ state: 'visible', timeout: STEP_MS });
    await assertStyled(audit, 'Audit panel', { '.au-head': { display: 'flex' } });
    await audit.locator('[data-testid="audit-summary"]').waitFor({ state: 'visible', timeout: AUDIT_MS });
    const fails = await count(audit, 'fail');
    assert.ok(fails > 0, 'the misconfigured path fails');
    // every planted defect: its check fails, with a fix and https spec links
    for (const [defect, { id, subject }] of Object.entries(DEFECT_CHECKS)) {
      const row = audit.locator(`li[data-testid="audit-check"][data-kind="${id}"][data-level="fail"]`, subject ? { has: audit.locator(`[data-tool="${subject}"]`) } : {});
      assert.equal(await row.count(), 1, `${defect}: ${id}${subject ? ` (${subject})` : ''} fails`);
      assert.ok((await row.locator('[data-testid="audit-fix"]').innerText()).length > 10, `${id} says what to fix`);
    }
    assert.equal(fails, new Set(Object.values(DEFECT_CHECKS).map((c) => `${c.id}:${c.subject ?? ''}`)).size, 'the planted defects and nothing else fail');
    const hrefs = await audit.locator('[data-testid="audit-check"] a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    assert.ok(hrefs.length > 0 && hrefs.every((h) => h.startsWith('https://')), hrefs.join(' '));
    // the report quotes what the server answered; no token (the real one or a forged probe) is in it
    assert.doesNotMatch(await audit.locator('body').innerText(), /eyJ[\w-]{10,}\.[\w-]{10,}/, 'no JWT in the panel');
    // the first group is a failing one
    assert.equal(await audit.locator('[data-testid="audit-group"]').first().getAttribute('data-level'), 'fail');
    assert.match(await audit.locator('[data-testid="audit-meta"]').innerText(), /only read-only tools called/);
    // the tree's server node: the last audit's summary
    await d.treeItem(MISCONFIGURED).locator('.label-description', { hasText: new RegExp(`audit: ${fails} fail`) }).waitFor({ state: 'visible', timeout: STEP_MS });
    await shoot(d, 'audit-panel');
    // the failures only: the fail count is a filter
    await audit.locator('[data-testid="audit-count-fail"]').click();
    await audit.locator('[data-testid="audit-count-fail"][aria-pressed="true"]').waitFor({ state: 'visible', timeout: STEP_MS });
    await shoot(d, 'audit-failures');
    await audit.locator('[data-testid="audit-count-fail"]').click();
    // the Servers view, wide enough for the server's whole line
    const side = await d.page.locator('.part.sidebar').boundingBox();
    assert.ok(side, 'the side bar is visible');
    await d.page.mouse.move(side.x + side.width, side.y + 400);
    await d.page.mouse.down();
    await d.page.mouse.move(side.x + side.width + 420, side.y + 400, { steps: 8 });
    await d.page.mouse.up();
    // the pointer away from the rows (a hovered row shows its inline actions over the description)
    await d.page.mouse.move(side.x + 20, side.y + side.height - 20);
    await shoot(d, 'audit-tree', 'sidebar');
    await d.page.mouse.move(side.x + side.width + 420, side.y + 400);
    await d.page.mouse.down();
    await d.page.mouse.move(side.x + side.width, side.y + 400, { steps: 8 });
    await d.page.mouse.up();
  });

  it('the count tiles filter; "show exchange" opens the OAuth flow panel beside it, at that exchange', async () => {
    const d = driver();
    await audit.locator('[data-testid="audit-count-fail"]').click();
    const levels = await audit.locator('li[data-testid="audit-check"]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-level')));
    assert.ok(levels.length > 0 && levels.every((l) => l === 'fail'), levels.join(','));
    await audit.locator('[data-testid="audit-count-fail"]').click();
    // the editor area to itself for the two panels side by side (the side bar comes back after)
    await d.runCommand('View: Toggle Primary Side Bar Visibility');
    await d.page.locator('.part.sidebar').waitFor({ state: 'hidden', timeout: STEP_MS });
    const button = audit.locator('li[data-testid="audit-check"][data-level="fail"] [data-testid="audit-show-exchange"]').first();
    const id = Number((await button.innerText()).replace(/\D+/g, ''));
    await button.click();
    const flow = await d.panel(`OAuth flow — ${MISCONFIGURED}`);
    const shown = flow.locator(`#exchange-${id}.tf-revealed`);
    await shown.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.equal(await shown.evaluate((el) => (el as unknown as { open: boolean }).open), true, 'the exchange is open');
    // beside the Audit panel, which stays in view
    assert.equal(await d.page.locator('.part.editor .editor-group-container').count(), 2, 'two editor groups');
    assert.equal(await audit.locator('[data-testid="audit-summary"]').isVisible(), true, 'the Audit panel is still shown');
    await shoot(d, 'audit-show-exchange');
    await d.runCommand('View: Toggle Primary Side Bar Visibility');
    await d.page.locator('.part.sidebar').waitFor({ state: 'visible', timeout: STEP_MS });
  });

  it('Export Markdown saves the report where the save dialog says', async () => {
    const d = driver();
    await d.page.locator('.tabs-container .tab', { hasText: `Audit — ${MISCONFIGURED}` }).first().click();
    audit = await d.panel(`Audit — ${MISCONFIGURED}`);
    await audit.locator('[data-testid="audit-export-markdown"]').click();
    // code-server's save dialog is the quick input, its box prefilled with the default path
    await d.quickInput.waitFor({ state: 'visible', timeout: STEP_MS });
    // it opens on the folder, then fills in the file name the extension proposes
    const path = await waitFor(
      'the save dialog to propose the file name',
      async () => {
        const v = await d.quickInput.inputValue().catch(() => '');
        return /\/mcp-audit-[\w.-]+-\d+-mcp-misconfigured\.md$/.test(v) ? v : undefined;
      },
      { timeoutMs: STEP_MS },
    );
    assert.ok(path.startsWith(d.host.folder), `in the workspace folder: ${path}`);
    await d.quickInput.press('Enter');
    await audit.locator('[data-testid="audit-message"]', { hasText: 'Saved as mcp-audit-' }).waitFor({ state: 'visible', timeout: STEP_MS });
    const file = join(d.host.folder, path.split('/').pop()!);
    await waitFor('the exported file', () => (existsSync(file) ? true : undefined), { timeoutMs: STEP_MS });
    const md = readFileSync(file, 'utf8');
    for (const { id } of Object.values(DEFECT_CHECKS)) assert.ok(md.includes(id), `the Markdown names ${id}`);
    assert.doesNotMatch(md, /eyJ[\w-]{10,}\.[\w-]{10,}/, 'no token in the export');
  });

  it('Re-run from the panel, answering Call All Tools: every tool is called, none is left out for side effects', async () => {
    const d = driver();
    const before = await audit.locator('[data-testid="audit-meta"]').innerText();
    await audit.locator('[data-testid="audit-rerun"]').click();
    const question = await answerCallTools(d, 'Call All Tools');
    assert.match(question, /add_todo/);
    await audit.locator('[data-testid="audit-meta"]', { hasText: 'every tool called' }).waitFor({ state: 'visible', timeout: AUDIT_MS });
    assert.notEqual(await audit.locator('[data-testid="audit-meta"]').innerText(), before, 'a new report');
    const skipped = await audit.locator('li[data-testid="audit-check"][data-level="skip"]').evaluateAll((ls) => ls.map((l) => l.textContent ?? ''));
    assert.deepEqual(skipped.filter((t) => /not read-only/.test(t)), [], 'no tool is skipped for not being read-only');
    assert.ok((await count(audit, 'fail')) > 0);
  });

  it('the per-tool server, from the palette: no check fails', async () => {
    const d = driver();
    await d.runCommand('MCP Inspector: Audit Server');
    await d.quickPick(MIXED);
    await answerCallTools(d, 'Read-Only Tools Only');
    const mixed = await d.panel(`Audit — ${MIXED}`);
    await mixed.locator('[data-testid="audit-summary"]').waitFor({ state: 'visible', timeout: AUDIT_MS });
    const fails = await mixed.locator('li[data-testid="audit-check"][data-level="fail"]').evaluateAll((ls) => ls.map((l) => `${l.getAttribute('data-kind')}: ${l.textContent}`));
    assert.deepEqual(fails, [], 'no check fails on /mcp-mixed');
    assert.equal(await count(mixed, 'fail'), 0);
    assert.ok((await count(mixed, 'pass')) > 10);
    await d.treeItem(MIXED).locator('.label-description', { hasText: /audit: (\d+ warn|\d+ pass)/ }).waitFor({ state: 'visible', timeout: STEP_MS });
    await d.screenshot('audit-mixed');
  });
});
