/**
 * A sign-in whose browser never comes back, in the demo's editor (the installed VSIX, the demo's
 * settings, the real login page): the tools panel must not stay locked. While it waits it offers
 * "Copy sign-in link", "Open again" and "Cancel"; Open again opens the same authorization request;
 * Cancel ends the wait and the panel answers again; the authorization URL (no secret in it) is in
 * the extension's log and in the flow panel.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { demoServers } from '../../scripts/editor.mjs';
import { waitFor } from '../integration/codeServerHost';
import { useDemo } from './demo';
import { useDriver } from './driver';

const STEP_MS = 20_000;
const MIXED = 'Todo demo (per-tool security)';

describe("a sign-in whose browser never comes back leaves the tools panel usable (the demo's editor)", function () {
  this.timeout(120_000);
  const demo = useDemo({ autoApprove: false });
  const driver = useDriver({
    get settings() {
      return { 'mcpOAuthInspector.servers': demoServers({ mcpUrl: demo().mcpUrl, mixedUrl: demo().mixedUrl }) };
    },
  });

  it('offers Copy sign-in link, Open again and Cancel while it waits; Cancel unlocks the panel; the URL is in the log and the flow', async () => {
    const d = driver();
    const { page } = d;
    const asHost = new URL(demo().issuer).host;
    await page.locator('.activitybar .action-item a[aria-label^="MCP OAuth Inspector"]').click();
    const row = page.locator('.part.sidebar .monaco-list-row[role="treeitem"]', { hasText: MIXED }).first();
    await row.hover();
    await row.locator('.action-label[aria-label^="Connect"]').click();
    await row.locator('.label-description', { hasText: /connected · anonymous/ }).waitFor({ state: 'visible', timeout: STEP_MS });

    await d.runCommand('MCP Inspector: Call Tool');
    // "Which server?" when it cannot tell, then the tool
    await d.quickInput.waitFor({ state: 'visible', timeout: STEP_MS });
    if (await d.quickInputRow(new RegExp(MIXED.replace(/[()]/g, '\\$&'))).isVisible().catch(() => false)) await d.quickPick(new RegExp(MIXED.replace(/[()]/g, '\\$&')));
    await d.quickPick('list_todos');
    const tools = await d.panel(`Tools — ${MIXED}`);
    await tools.locator('li[data-tool="list_todos"]').click();

    // the sign-in: the modal names the real host, the browser opens the login page — and the person walks away
    const popupOpened = page.context().waitForEvent('page', { timeout: STEP_MS });
    await tools.getByRole('button', { name: 'Sign in and call' }).first().click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: STEP_MS });
    await dialog.locator('.monaco-button', { hasText: 'Open Browser' }).click();
    const popup: Page = await popupOpened;
    await popup.waitForLoadState('domcontentloaded');
    const authUrl = new URL(popup.url());
    assert.equal(authUrl.host, asHost);
    await popup.close();

    // the waiting state: three ways on, all usable
    const waiting = tools.getByRole('group', { name: 'Sign-in waiting for the browser' });
    await waiting.waitFor({ state: 'visible', timeout: STEP_MS });
    for (const name of ['Copy sign-in link', 'Open again', 'Cancel']) {
      const b = waiting.getByRole('button', { name, exact: true });
      await b.waitFor({ state: 'visible', timeout: STEP_MS });
      assert.equal(await b.isEnabled(), true, `${name} is enabled while the sign-in waits`);
    }
    await d.screenshot('sign-in-waiting');

    // Open again: the same authorization request in a new browser window
    const again = page.context().waitForEvent('page', { timeout: STEP_MS });
    await waiting.getByRole('button', { name: 'Open again', exact: true }).click();
    const second = await again;
    await second.waitForLoadState('domcontentloaded');
    const reopened = new URL(second.url());
    assert.equal(reopened.host, asHost, `Open again opened ${second.url()}`);
    await second.locator('h1', { hasText: 'Sign in and allow access' }).waitFor({ state: 'visible', timeout: STEP_MS });
    await second.close();
    await page.bringToFront();
    await tools.locator('.sign-in-note', { hasText: 'Opened again.' }).waitFor({ state: 'visible', timeout: STEP_MS });

    // Copy sign-in link: said in the panel (the clipboard is the editor's)
    await waiting.getByRole('button', { name: 'Copy sign-in link', exact: true }).click();
    await tools.locator('.sign-in-note', { hasText: /^Copied/ }).waitFor({ state: 'visible', timeout: STEP_MS });

    // Cancel, in the panel itself: the wait ends, the panel answers again
    await waiting.getByRole('button', { name: 'Cancel', exact: true }).click();
    await waiting.waitFor({ state: 'hidden', timeout: STEP_MS });
    const signInAndCall = tools.getByRole('button', { name: 'Sign in and call' }).first();
    await signInAndCall.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.equal(await signInAndCall.isEnabled(), true, 'the panel is not locked after Cancel');
    await tools.locator('li[data-tool="search_docs"]').click();
    await tools.getByLabel('query').fill('refresh');
    await tools.getByRole('button', { name: 'Send' }).click();
    await tools.locator('article[data-testid="result"]').filter({ hasText: 'search_docs' }).waitFor({ state: 'visible', timeout: STEP_MS });

    // the authorization URL (it holds no secret) is in the log and in the flow panel
    // (the popup has moved on to the login page; the request went to the metadata's authorization_endpoint)
    const meta = (await (await fetch(new URL('/.well-known/openid-configuration', demo().issuer))).json()) as { authorization_endpoint: string };
    const authEndpoint = `${meta.authorization_endpoint}?`;
    await waitFor('the sign-in URL in the log', () => (d.extensionLog().includes(authEndpoint) ? true : undefined), { timeoutMs: STEP_MS });
    await d.runCommand('MCP Inspector: Show OAuth Flow');
    await d.pickIfAsked(MIXED);
    const flow = await d.panel(`OAuth flow — ${MIXED}`);
    const step = flow.locator('li.tf-step[data-step="authorization request"]').first();
    await step.waitFor({ state: 'visible', timeout: STEP_MS });
    await step.locator('summary').first().click();
    await step.getByText(authEndpoint, { exact: false }).first().waitFor({ state: 'visible', timeout: STEP_MS });
  });
});
