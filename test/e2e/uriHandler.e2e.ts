/**
 * The `uriHandler` redirect mode with a real browser leg, in the real workbench (code-server in
 * headless Chromium): connect from the palette, confirm the sign-in modal, sign in on the demo's
 * real oidc-provider page in the popup; the authorization server redirects the popup to the editor's
 * own callback page (what `asExternalUri(${uriScheme}://publisher.name/callback)` gave), which hands
 * the callback to the workbench, which calls the extension's UriHandler — no loopback port involved.
 *
 * The demo runs in this process WITHOUT auto-approval. The editor is the demo's (scripts/editor.mjs:
 * the VSIX installed, the demo's settings and environment); only the redirect mode under test is set here.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { useDemo } from './demo';
import { useDriver } from './driver';

const STEP_MS = 15_000;
const escapeRe = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('sign-in through the editor URI handler with a real sign-in page (real workbench in Chromium)', function () {
  this.timeout(90_000);

  // the demo WITHOUT auto-approval: the login + consent page is real
  const demo = useDemo({ autoApprove: false });

  const driver = useDriver({
    settings: { 'mcpOAuthInspector.authorizationMode': 'browser', 'mcpOAuthInspector.redirectMode': 'uriHandler' },
  });

  it('signs in in the popup; the redirect lands on the editor callback page and reaches the extension', async () => {
    const d = driver();
    const { page } = d;
    const mcpUrl = demo().mcpUrl;
    const asHost = new URL(demo().issuer).host;
    const editorOrigin = new URL(page.url()).origin;

    await page.locator('.activitybar .action-item a[aria-label^="MCP OAuth Inspector"]').click();
    await page.locator('.part.statusbar', { hasText: 'Activating Extensions' }).waitFor({ state: 'hidden', timeout: STEP_MS });
    // DCR registers whatever redirect URI this sign-in has (the Client ID Metadata Document lists loopback ones only)
    await d.connectToServer(mcpUrl, { registration: 'Dynamic Client Registration' });

    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await dialog.innerText(), new RegExp(`Sign in at ${escapeRe(asHost)}\\?`));
    // the authorization request as the browser sent it (oidc-provider redirects on to its interaction page at once)
    const authorizationRequests: string[] = [];
    page.context().on('request', (r) => {
      if (r.url().startsWith(`${demo().issuer}/auth?`)) authorizationRequests.push(r.url());
    });
    const popupOpened = page.context().waitForEvent('page', { timeout: STEP_MS });
    await dialog.locator('.monaco-button', { hasText: 'Open Browser' }).click();

    const popup: Page = await popupOpened;
    await popup.waitForLoadState('domcontentloaded');
    assert.equal(new URL(popup.url()).host, asHost, `the popup opened ${popup.url()}`);
    assert.equal(authorizationRequests.length, 1, `authorization requests: ${authorizationRequests.join(', ')}`);
    const authorize = new URL(authorizationRequests[0]);
    // the authorization request names the editor's callback, not a loopback port of the extension host
    const redirectUri = new URL(authorize.searchParams.get('redirect_uri') ?? '');
    assert.equal(redirectUri.origin, editorOrigin, `redirect_uri ${redirectUri.href}`);
    assert.match(redirectUri.pathname, /\/callback$/);
    assert.equal(redirectUri.searchParams.get('vscode-authority'), 'mcp-oauth-inspector.mcp-oauth-inspector');

    await popup.locator('h1', { hasText: 'Sign in and allow access' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await popup.locator('#username').fill('demo');
    await popup.locator('#password').fill('demo');
    await popup.locator('button.ok', { hasText: 'Sign in and allow' }).click();

    // the editor's own callback page, with the code on its way to the workbench
    await popup.getByText('You can close this page now.').waitFor({ state: 'visible', timeout: STEP_MS });
    const landed = new URL(popup.url());
    assert.equal(landed.origin, editorOrigin);
    assert.ok(landed.searchParams.get('code') && landed.searchParams.get('state'), 'the authorization response reached the callback page');
    await popup.close();

    await page.bringToFront();
    const row = page.locator('.part.sidebar .monaco-list-row[role="treeitem"]', { hasText: new RegExp(`${escapeRe(new URL(mcpUrl).host)}/mcp(?!-)`) }).first();
    await row.locator('.label-description', { hasText: 'connected · signed in' }).waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(d.extensionLog(), /sign-in callback received through the editor URI handler/);
    await d.screenshot('urihandler-signed-in');
  });
});
