/**
 * The README's journey, in the editor `npm run demo` opens: the packaged VSIX installed into
 * code-server with the demo's own settings and environment (scripts/editor.mjs — this file adds
 * none), both demo servers in the Servers view, the demo's real login page (no auto-approval), the
 * default authorization mode (the browser). Run on the oldest VS Code the manifest accepts
 * (code-server 4.100.3) and on the current stable one (code-server 4.139.1).
 *
 * open the view → connect the per-tool server → call the public tool → call a protected tool →
 * sign in (demo/demo) → step up → Inspect Token → Show OAuth Flow → export Markdown → Sign Out,
 * asserting what a person sees: the panels are styled by the shipped stylesheet (computed styles of
 * real elements), results appear, the token panel's checks pass.
 */
import * as assert from 'node:assert/strict';
import type { FrameLocator, Page } from 'playwright-core';
import { CODE_SERVER_CURRENT, CODE_SERVER_OLDEST, demoServers } from '../../scripts/editor.mjs';
import { waitFor } from '../integration/codeServerHost';
import { useDemo } from './demo';
import { useDriver, type Driver } from './driver';
import { assertStyled } from './styled';

const STEP_MS = 20_000;
const escapeRe = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The per-tool server's name in the demo editor's list (panel titles carry it). */
const MIXED = 'Todo demo (per-tool security)';

/** Signs in on the demo's real page in the popup (login + consent, or consent alone when the browser has a session). */
async function signInInPopup(d: Driver, popup: Page, asHost: string): Promise<void> {
  await popup.waitForLoadState('domcontentloaded');
  assert.equal(new URL(popup.url()).host, asHost, `the popup opened ${popup.url()}`);
  const heading = popup.locator('h1').first();
  await heading.waitFor({ state: 'visible', timeout: STEP_MS });
  if ((await heading.innerText()).includes('Sign in')) {
    await popup.locator('#username').fill('demo');
    await popup.locator('#password').fill('demo');
  }
  await popup.locator('button.ok').click();
  await popup.locator('h1', { hasText: 'Signed in' }).waitFor({ state: 'visible', timeout: STEP_MS });
  assert.equal(new URL(popup.url()).hostname, '127.0.0.1', 'the redirect came back to the loopback receiver');
  await popup.close();
  await d.page.bringToFront();
}

/**
 * Clicks what starts a sign-in and returns the browser window it opens. For a server not used
 * before the editor first asks "Sign in at <host>?" (the real host); a step-up at a known server
 * opens the browser directly.
 */
async function startSignIn(d: Driver, click: () => Promise<void>, asHost: string): Promise<Page> {
  const popup = d.page.context().waitForEvent('page', { timeout: STEP_MS });
  await click();
  const dialog = d.page.locator('.monaco-dialog-box');
  const first = await Promise.race([popup.then(() => 'popup' as const), dialog.waitFor({ state: 'visible', timeout: STEP_MS }).then(() => 'dialog' as const)]);
  if (first === 'dialog') {
    assert.match(await dialog.innerText(), new RegExp(`Sign in at ${escapeRe(asHost)}\\?`));
    await dialog.locator('.monaco-button', { hasText: 'Open Browser' }).click();
  }
  return popup;
}

for (const version of [CODE_SERVER_OLDEST, CODE_SERVER_CURRENT]) {
  describe(`the README journey in the demo's editor: the installed VSIX on code-server ${version}`, function () {
    this.timeout(120_000);
    const demo = useDemo({ autoApprove: false });
    // Only the server list's ports differ from `npm run demo`'s editor: the demo here runs on free
    // ports. (A getter: read when the driver starts, after useDemo's before-all hook.)
    const driver = useDriver({
      codeServerVersion: version,
      get settings() {
        return { 'mcpOAuthInspector.servers': demoServers({ mcpUrl: demo().mcpUrl, mixedUrl: demo().mixedUrl }) };
      },
      viewport: { width: 1400, height: 1000 },
    });

    let tools: FrameLocator;
    const result = () => tools.locator('article[data-testid="result"]');

    it('opens the view with both demo servers, connects the per-tool server from its row, and shows the negotiated protocol', async () => {
      const d = driver();
      const { page } = d;
      await page.locator('.activitybar .action-item a[aria-label^="MCP OAuth Inspector"]').click();
      const view = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header[aria-label="Servers Section"]') });
      const mixed = view.locator('.monaco-list-row[role="treeitem"]', { hasText: MIXED }).first();
      await mixed.waitFor({ state: 'visible', timeout: STEP_MS });
      await view.locator('.monaco-list-row[role="treeitem"]', { hasText: 'Todo demo (all behind OAuth)' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
      await mixed.hover();
      await mixed.locator('.action-label[aria-label^="Connect"]').click();
      // the per-tool server lets anyone list tools: connected without a sign-in
      await mixed.locator('.label-description', { hasText: /connected · anonymous/ }).waitFor({ state: 'visible', timeout: STEP_MS });
      // the Server node says what was negotiated: the demo speaks MCP 2026-07-28, found by server/discover
      await waitFor('the server row expanded', async () => ((await mixed.getAttribute('aria-expanded')) === 'true' ? true : undefined), { timeoutMs: STEP_MS });
      const serverNode = view.locator('.monaco-list-row[role="treeitem"]', { hasText: /^\s*Server/ }).first();
      await serverNode.locator('.label-description', { hasText: '2026-07-28' }).waitFor({ state: 'visible', timeout: STEP_MS });
      // the Resources, Resource Templates and Prompts groups arrive after the tools (their lists load
      // once connected); the tree's rows are recycled DOM nodes, so a click while they arrive can land
      // on the row that moved under the pointer. Click the Server node once the tree has settled.
      await view.locator('.monaco-list-row[role="treeitem"]', { hasText: /^\s*Prompts/ }).first().waitFor({ state: 'visible', timeout: STEP_MS });
      await serverNode.click();
      await view.locator('.monaco-list-row[role="treeitem"]', { hasText: 'Protocol version' }).locator('.label-description', { hasText: /2026-07-28 · stateless .*server\/discover/ }).waitFor({ state: 'visible', timeout: STEP_MS });
      await d.screenshot(`journey-${version}-1-connected`);
    });

    it('calls the public tool search_docs in the tools panel, which is styled by the shipped stylesheet', async () => {
      const d = driver();
      await d.runCommand('MCP Inspector: Call Tool');
      await d.pickIfAsked(MIXED);
      await d.quickPick('search_docs');
      tools = await d.panel(`Tools — ${MIXED}`);
      await tools.locator('li[data-tool="search_docs"][aria-selected="true"]').waitFor({ state: 'visible', timeout: STEP_MS });
      await assertStyled(tools, 'tools panel', {
        '#tool-list': { 'list-style-type': 'none', 'padding-left': '0px' },
        '.tool-item': { 'padding-left': '8px', 'border-top-left-radius': '2px' },
        '.tool-actions button': { 'border-top-left-radius': '2px', 'padding-left': '12px' },
      });
      await tools.getByLabel('query').fill('pkce');
      await tools.getByRole('button', { name: 'Send' }).click();
      await result().filter({ hasText: 'PKCE (RFC 7636)' }).waitFor({ state: 'visible', timeout: STEP_MS });
      assert.match(await result().innerText(), /anonymous/);
    });

    it('calls list_todos: the panel offers a sign-in, the real login page signs in demo/demo, the result appears', async () => {
      const d = driver();
      await tools.locator('li[data-tool="list_todos"]').click();
      const asHost = new URL(demo().issuer).host;
      const popup = await startSignIn(d, () => tools.getByRole('button', { name: 'Sign in and call' }).first().click(), asHost);
      await signInInPopup(d, popup, asHost);
      await result().filter({ hasText: '"todos"' }).waitFor({ state: 'visible', timeout: STEP_MS });
      assert.match(await result().innerText(), /sent with the token/);
      await tools.locator('li[data-tool="list_todos"]', { hasText: 'covered' }).waitFor({ state: 'visible', timeout: STEP_MS });
    });

    it('calls add_todo: steps up from todos.read to todos.write in the browser, then adds the todo', async () => {
      const d = driver();
      await tools.locator('li[data-tool="add_todo"]').click();
      await tools.getByLabel('title').fill('Journey todo');
      const asHost = new URL(demo().issuer).host;
      const popup = await startSignIn(d, () => tools.getByRole('button', { name: 'Sign in and call' }).first().click(), asHost);
      await signInInPopup(d, popup, asHost);
      await result().filter({ hasText: 'Journey todo' }).waitFor({ state: 'visible', timeout: STEP_MS });
      await tools.locator('li[data-tool="add_todo"]', { hasText: 'covered' }).waitFor({ state: 'visible', timeout: STEP_MS });
      assert.match(await tools.locator('.token-line').innerText(), /todos\.read todos\.write/);
      await d.screenshot(`journey-${version}-2-tools`);
    });

    it('Inspect Token: the panel is styled, and its signature, issuer and audience checks pass', async () => {
      const d = driver();
      await d.runCommand('MCP Inspector: Inspect Token');
      await d.pickIfAsked(MIXED);
      const token = await d.panel(`Token — ${MIXED}`);
      const checks = token.locator('[data-testid="token-checks"]');
      for (const code of ['signature_valid', 'issuer_match', 'audience_match']) {
        await checks.locator(`tr[data-kind="${code}"][data-level="pass"]`).waitFor({ state: 'visible', timeout: STEP_MS });
      }
      assert.equal(await checks.locator('tr[data-level="fail"]').count(), 0, await checks.innerText());
      assert.equal((await token.locator('[data-testid="token-claims"] tr[data-kind="iss"] td').nth(1).innerText()).trim(), demo().issuer);
      await assertStyled(token, 'token panel', { '.tf-toolbar': { display: 'flex', 'column-gap': '6px' }, '.tf-toolbar button': { 'border-top-left-radius': '2px' } });
      await d.screenshot(`journey-${version}-3-token`);
    });

    it('Show OAuth Flow: the steps of the sign-in and the step-up; Export as Markdown opens the report', async () => {
      const d = driver();
      await d.runCommand('MCP Inspector: Show OAuth Flow');
      await d.pickIfAsked(MIXED);
      const flow = await d.panel(`OAuth flow — ${MIXED}`);
      for (const name of ['protected resource metadata', 'authorization server metadata', 'authorization request', 'authorization callback', 'token exchange']) {
        await flow.locator(`li.tf-step[data-step="${name}"]`).first().waitFor({ state: 'visible', timeout: STEP_MS });
      }
      // two sign-ins: the first and the step-up
      assert.ok((await flow.locator('li.tf-step[data-step="token exchange"]').count()) >= 2, 'a token exchange for the sign-in and one for the step-up');
      await assertStyled(flow, 'flow panel', {
        '.tf-toolbar': { display: 'flex', 'column-gap': '6px' },
        '.tf-toolbar button': { 'border-top-left-radius': '2px' },
        // the Server section (the initialize result): a two-column list, capabilities without bullets
        '.tf-init-list': { display: 'grid' },
        'ul.tf-init-caps': { 'list-style-type': 'none', 'padding-left': '0px' },
      });
      await d.screenshot(`journey-${version}-4-flow`);
      await flow.locator('[data-testid="flow-export"]').click();
      await d.page.locator('.tabs-container .tab', { hasText: /^oauth-flow-/ }).first().waitFor({ state: 'visible', timeout: STEP_MS });
      await d.page.locator('.monaco-editor .view-lines', { hasText: 'OAuth flow' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    });

    it('Sign Out: the tree says signed out, the token panel has no token, nothing secret was logged', async () => {
      const d = driver();
      await d.runCommand('MCP Inspector: Sign Out');
      await d.pickIfAsked(MIXED);
      // a confirmation may be asked first
      const dialog = d.page.locator('.monaco-dialog-box');
      if (await dialog.isVisible().catch(() => false)) await dialog.locator('.monaco-button', { hasText: /Sign Out/ }).first().click();
      assert.match(await d.waitForNotification(/Signed out of/), new RegExp(`Signed out of ${escapeRe(MIXED)}: tokens revoked at the server`));
      const row = d.page.locator('.part.sidebar .monaco-list-row[role="treeitem"]', { hasText: MIXED }).first();
      await waitFor('the server no longer signed in', async () => ((await row.innerText()).includes('signed in') ? undefined : true), { timeoutMs: STEP_MS });
      assert.doesNotMatch(d.extensionLog(), /eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/, 'no JWT in the log');
      await d.screenshot(`journey-${version}-5-signed-out`);
    });
  });
}
