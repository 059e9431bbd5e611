/**
 * The token and OAuth flow panels in the real workbench (code-server in headless Chromium).
 *
 * 1. Against the demo (auto-approving sign-in, headless authorization in the extension): the token
 *    panel shows the decoded claims, a passing verification and the scopes against each tool;
 *    Refresh gets a token with a later expiry; the flow panel shows the steps with their spec
 *    sections and a pass for PKCE S256; Export as Markdown opens an editor; both panels come back
 *    after "Developer: Reload Window". Screenshots: test-results/screenshots/, and the README's
 *    media/screenshots/{token,flow}-panel.png with MCP_INSPECTOR_UPDATE_SCREENSHOTS=1.
 * 2. Against a hostile server (test/fixtures/hostileOAuth.ts): markup in error descriptions,
 *    WWW-Authenticate text, metadata, registration, token claims, tool names and scopes is shown as
 *    text: nothing ran (no title change, no global), the webview DOM has no script but ours, no on*
 *    attribute, no link that is not https.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { startDemo, type DemoHandle } from '../../demo/index';
import { startHostileServers, type HostileServers } from '../fixtures/hostileOAuth';
import { repoRoot } from '../integration/build.mjs';
import { waitFor } from '../integration/codeServerHost';
import { useDriver, type Driver } from './driver';

const STEP_MS = 15_000;
const README_SHOTS = process.env.MCP_INSPECTOR_UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'media', 'screenshots') : join(repoRoot, 'test-results', 'screenshots', 'readme');

/** Connect from the palette with automatic registration and no extra scopes (headless sign-in). */
async function connectFromPalette(d: Driver, url: string): Promise<void> {
  await d.connectToServer(url);
  await d.page.locator('.monaco-list-row[role="treeitem"]', { hasText: 'connected · signed in' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
}

/** The server's name as the extension derives it from the URL (host + path): part of the panel titles. */
const serverName = (url: string) => {
  const u = new URL(url);
  return `${u.host}${u.pathname}`;
};

/** The editor area only (the panel the README shows), after the whole window for test-results. */
async function shoot(d: Driver, name: string): Promise<void> {
  await d.screenshot(name);
  const box = await d.page.locator('.part.editor').boundingBox();
  assert.ok(box, 'the editor area is visible');
  mkdirSync(README_SHOTS, { recursive: true });
  await d.page.screenshot({ path: join(README_SHOTS, `${name}.png`), clip: box });
}

/** The number in a claim row's value cell (exp, iat). */
async function claimNumber(frame: FrameLocator, claim: string): Promise<number> {
  const text = await frame.locator(`[data-testid="token-claims"] tr[data-kind="${claim}"] td`).nth(1).innerText();
  const n = Number(text.trim());
  assert.ok(Number.isFinite(n), `${claim} is a number: ${text}`);
  return n;
}

describe('token and OAuth flow panels (real workbench in Chromium, demo server)', function () {
  this.timeout(90_000);

  let demo: DemoHandle | undefined;
  before(async () => {
    demo = await startDemo({ port: 0, asPort: 0, autoApprove: true });
  });
  after(async () => {
    await demo?.close();
  });

  const driver = useDriver({
    settings: { 'mcpOAuthInspector.authorizationMode': 'headless', 'workbench.editor.enablePreview': false },
    viewport: { width: 1400, height: 1150 },
  });

  const tokenTitle = () => `Token — ${serverName(demo!.mcpUrl)}`;
  const flowTitle = () => `OAuth flow — ${serverName(demo!.mcpUrl)}`;

  it('token panel: decoded claims with dates, verification passes, scopes against each tool', async () => {
    const d = driver();
    await connectFromPalette(d, demo!.mcpUrl);
    await d.runCommand('MCP Inspector: Inspect Token');
    const frame = await d.panel(tokenTitle());
    const claims = frame.locator('[data-testid="token-claims"]');
    await claims.locator('tr[data-kind="iss"]').waitFor({ state: 'visible', timeout: STEP_MS });
    assert.equal((await claims.locator('tr[data-kind="iss"] td').nth(1).innerText()).trim(), demo!.issuer);
    // times as a local date and as a relative time
    const expWhen = await claims.locator('tr[data-kind="exp"] td').nth(2).innerText();
    assert.match(expWhen, /\d{1,2}:\d{2}:\d{2}/, `exp shows a local date: ${expWhen}`);
    assert.match(expWhen, /in \d+ (s|min)/, `exp shows "in … min": ${expWhen}`);
    assert.match(await claims.locator('tr[data-kind="iat"] td').nth(2).innerText(), /ago|in 0 s/);
    assert.match(await frame.locator('[data-testid="token-countdown"]').innerText(), /^in \d+ min \d+ s$/);
    // verification: signature against the JWKS, issuer, audience vs the resource
    const checks = frame.locator('[data-testid="token-checks"]');
    for (const code of ['signature_valid', 'issuer_match', 'audience_match']) {
      await checks.locator(`tr[data-kind="${code}"][data-level="pass"]`).waitFor({ state: 'visible', timeout: STEP_MS });
    }
    assert.equal(await checks.locator('tr[data-level="fail"]').count(), 0, await checks.innerText());
    // scopes against each tool: a tool the granted scope covers, and the public ones
    const tools = frame.locator('[data-testid="token-tools"]');
    await tools.locator('tr[data-tool="list_todos"][data-level="pass"]').waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await tools.locator('tr[data-tool="list_todos"]').innerText(), /todos\.read[\s\S]*covered/);
    assert.match(await tools.locator('tr[data-tool="search_docs"]').innerText(), /public/);
    assert.match(await frame.locator('[data-testid="token-has-refresh"]').innerText(), /never shown/);
    await shoot(d, 'token-panel');
  });

  it('Refresh gets a new access token: the expiry moves later', async () => {
    const d = driver();
    const frame = await d.panel(tokenTitle());
    const expBefore = await claimNumber(frame, 'exp');
    const iat = await claimNumber(frame, 'iat');
    // exp has whole seconds: let one pass since the token was issued, or the new one may carry the same exp
    await waitFor('a second after the token was issued', () => (Date.now() / 1000 >= iat + 1.2 ? true : undefined), { timeoutMs: 5_000 });
    await frame.locator('[data-testid="token-refresh"]').click();
    await waitFor('a later exp after Refresh', async () => ((await claimNumber(frame, 'exp').catch(() => expBefore)) > expBefore ? true : undefined), { timeoutMs: STEP_MS });
    assert.equal(await frame.locator('[data-testid="token-error"]').count(), 0);
  });

  it('flow panel: the steps with spec sections, PKCE S256 passes; Export as Markdown opens an editor', async () => {
    const d = driver();
    await d.runCommand('MCP Inspector: Show OAuth Flow');
    const frame = await d.panel(flowTitle());
    const step = (name: string) => frame.locator(`li.tf-step[data-step="${name}"]`).first();
    for (const name of ['protected resource metadata', 'authorization server metadata', 'authorization request', 'authorization callback', 'token exchange', 'token refresh']) {
      await step(name).waitFor({ state: 'visible', timeout: STEP_MS });
    }
    assert.match(await frame.locator('[data-testid="flow-summary"]').innerText(), /\d+ pass\s+\d+ warn\s+\d+ fail/);
    // open the metadata step: its spec sections and the PKCE finding
    const meta = step('authorization server metadata');
    await meta.locator('summary').first().click();
    await meta.locator('.tf-step-spec', { hasText: 'RFC 8414 §3' }).waitFor({ state: 'visible', timeout: STEP_MS });
    const pkce = meta.locator('li.tf-finding[data-level="pass"]', { hasText: 'advertises PKCE S256' });
    await pkce.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await pkce.innerText(), /RFC 7636 §4\.2/);
    // spec references are https links, nothing else
    const hrefs = await meta.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    assert.ok(hrefs.length > 0 && hrefs.every((h) => h.startsWith('https://')), hrefs.join(' '));
    await meta.locator('summary').first().click(); // closed again for the picture
    // the token exchange with its request and response
    const token = step('token exchange');
    await token.locator('summary').first().click();
    await token.locator('[data-testid="flow-exchange"] > summary').first().click();
    await token.locator('pre.tf-body', { hasText: 'access_token' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    assert.doesNotMatch(await token.innerText(), /eyJ[\w-]{10,}\.[\w-]{10,}/, 'no JWT in the panel');
    // problems only, then all again
    await frame.locator('[data-testid="flow-filter-problems"]').click();
    await frame.locator('[data-testid="flow-filter-problems"][aria-pressed="true"]').waitFor({ state: 'visible', timeout: STEP_MS });
    const problemSteps = await frame.locator('li.tf-step').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-level')));
    assert.ok(problemSteps.every((l) => l === 'warn' || l === 'fail'), problemSteps.join(','));
    await frame.locator('[data-testid="flow-filter-all"]').click();
    await step('token exchange').locator('pre.tf-body').first().waitFor({ state: 'visible', timeout: STEP_MS });
    await shoot(d, 'flow-panel');

    await frame.locator('[data-testid="flow-export"]').click();
    const tab = d.page.locator('.tabs-container .tab', { hasText: /^oauth-flow-/ }).first();
    await tab.waitFor({ state: 'visible', timeout: STEP_MS });
    await d.page.locator('.monaco-editor .view-lines', { hasText: 'OAuth flow' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await d.page.locator('.monaco-editor .view-lines', { hasText: 'Summary' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await d.screenshot('flow-export-markdown');
  });

  it('both panels come back after "Developer: Reload Window", with content', async () => {
    const d = driver();
    // the token panel in front (it needs no live connection: its state comes from SecretStorage)
    await d.page.locator('.tabs-container .tab', { hasText: /^oauth-flow-/ }).first().click({ button: 'middle' });
    await d.page.locator('.tabs-container .tab', { hasText: tokenTitle() }).first().click();
    await (await d.panel(tokenTitle())).locator('[data-testid="token-claims"]').waitFor({ state: 'visible', timeout: STEP_MS });
    const reloaded = d.page.waitForEvent('framenavigated', { predicate: (f) => f === d.page.mainFrame(), timeout: 30_000 });
    await d.runCommand('Developer: Reload Window');
    await reloaded;
    await d.page.locator('.monaco-workbench .part.editor').waitFor({ state: 'visible', timeout: 60_000 });
    const token = await d.panel(tokenTitle(), 60_000);
    await token.locator('[data-testid="token-claims"] tr[data-kind="iss"]').waitFor({ state: 'visible', timeout: 30_000 });
    await token.locator('[data-testid="token-checks"] tr[data-kind="signature_valid"][data-level="pass"]').waitFor({ state: 'visible', timeout: STEP_MS });
    // the flow panel's tab is restored too; its trace lived in the old window's memory
    await d.page.locator('.tabs-container .tab', { hasText: flowTitle() }).first().click();
    const flow = await d.panel(flowTitle());
    await flow.locator('[data-testid="flow-summary"]').waitFor({ state: 'visible', timeout: STEP_MS });
    await d.screenshot('panels-after-reload');
  });
});

/** What would show that a payload ran, or that markup became DOM, inside one webview frame. */
async function inertnessReport(frame: FrameLocator): Promise<{ title: string; pwned: unknown; scripts: string[]; onAttrs: string[]; badLinks: string[]; iframes: number; objects: number; text: string }> {
  return frame.locator('body').evaluate((body) => {
    const document = body.ownerDocument;
    const window = document.defaultView as unknown;
    const all = [...document.querySelectorAll('*')];
    return {
      title: document.title,
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      // VS Code injects one inline script of its own (id "_vscodeApiScript": acquireVsCodeApi)
      scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src') ?? `inline#${s.id}`),
      onAttrs: all.flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName}[${a.name}]`)),
      badLinks: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? '').filter((href) => !href.startsWith('https://')),
      iframes: document.querySelectorAll('iframe, object, embed').length,
      objects: body.querySelectorAll('img, svg, image, video, audio, form').length,
      text: body.innerText,
    };
  });
}

function assertInert(where: string, r: Awaited<ReturnType<typeof inertnessReport>>): void {
  assert.doesNotMatch(r.title, /pwned/, `${where}: document.title was changed`);
  assert.equal(r.pwned, undefined, `${where}: a payload set window.__pwned`);
  assert.deepEqual(r.scripts.filter((s) => !/\/dist\/webview\.js(\?|$)/.test(s) && s !== 'inline#_vscodeApiScript'), [], `${where}: scripts other than VS Code's and the panel bundle`);
  assert.equal(r.scripts.length, 2, `${where}: exactly VS Code's webview API script and the panel bundle: ${r.scripts.join(', ')}`);
  assert.deepEqual(r.onAttrs, [], `${where}: event-handler attributes in the DOM`);
  assert.deepEqual(r.badLinks, [], `${where}: links that are not https`);
  assert.equal(r.iframes, 0, `${where}: frames/objects in the panel`);
  assert.equal(r.objects, 0, `${where}: img/svg/media/form elements in the panel (none of ours; any would be a server's)`);
}

describe('token and OAuth flow panels show hostile server text as text (real workbench in Chromium)', function () {
  this.timeout(90_000);

  let hostile: HostileServers | undefined;
  before(async () => {
    hostile = await startHostileServers();
  });
  after(async () => {
    await hostile?.close();
  });

  // In a high-contrast theme: the screenshots of this block show the panels' borders and colours there.
  const driver = useDriver({
    settings: {
      'mcpOAuthInspector.authorizationMode': 'headless',
     
      'workbench.editor.enablePreview': false,
      'workbench.colorTheme': process.env.MCP_INSPECTOR_E2E_THEME ?? 'Default High Contrast',
    },
    viewport: { width: 1280, height: 900 },
  });

  it('token panel: claims, tool names, scopes and a refresh error_description full of markup render as text; nothing runs', async () => {
    const d = driver();
    const title = await d.page.title();
    await connectFromPalette(d, hostile!.mcpUrl);
    await d.runCommand('MCP Inspector: Inspect Token');
    const frame = await d.panel(`Token — ${serverName(hostile!.mcpUrl)}`);
    await frame.locator('[data-testid="token-claims"] tr[data-kind="name"]').waitFor({ state: 'visible', timeout: STEP_MS });
    await frame.locator('[data-testid="token-tools"]').waitFor({ state: 'visible', timeout: STEP_MS });
    // the refresh is refused with markup in error_description
    await frame.locator('[data-testid="token-refresh"]').click();
    const error = frame.locator('[data-testid="token-error"]');
    await error.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await error.innerText(), /<script>document\.title='pwned';window\.__pwned=1<\/script> <img src=x onerror=/);

    const r = await inertnessReport(frame);
    // the markup is there, as text: claims (values and a key), subject, tool name, scopes
    for (const shown of ["<img src=x onerror=document.title='pwned';window.__pwned=2>", "<script>document.title='pwned';window.__pwned=1</script>", '<svg onload=window.__pwned=3>', "javascript:document.title='pwned';window.__pwned=4", 'hostile_<img/src=x/onerror=window.__pwned=6>']) {
      assert.ok(r.text.includes(shown), `the panel shows ${shown} as text`);
    }
    assertInert('token panel', r);
    await d.screenshot('hostile-token-panel');
    assert.doesNotMatch(await d.page.title(), /pwned/, `the workbench title (was "${title}") is not the payload's`);
    assert.equal(await d.page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned), undefined, 'nothing ran in the workbench');
  });

  it('flow panel: metadata, WWW-Authenticate and error bodies full of markup render as text, every exchange opened; nothing runs', async () => {
    const d = driver();
    await d.runCommand('MCP Inspector: Show OAuth Flow');
    const frame = await d.panel(`OAuth flow — ${serverName(hostile!.mcpUrl)}`);
    await frame.locator('li.tf-step[data-step="token refresh"]').waitFor({ state: 'visible', timeout: STEP_MS });
    await frame.locator('[data-testid="flow-expand"]').click();
    // every body is rendered once opened: the PRM's resource_name, the AS metadata, the 401 challenge, the refresh error
    await frame.locator('pre.tf-body', { hasText: 'resource_name' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await frame.locator('pre.tf-body', { hasText: 'ui_locales_supported' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    await frame.locator('table.tf-headers td', { hasText: 'error_description=' }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    const refusal = frame.locator('li.tf-step[data-step="token refresh"] .tf-finding[data-level="fail"]');
    await refusal.waitFor({ state: 'visible', timeout: STEP_MS });
    assert.match(await refusal.innerText(), /<script>document\.title='pwned'/);
    const r = await inertnessReport(frame);
    for (const shown of ['"resource_name": "Notes <script>', "\"service_documentation\": \"javascript:document.title='pwned';window.__pwned=4\"", 'data:text/html,<script>window.__pwned=5</script>', 'client-<svg onload=window.__pwned=3>']) {
      assert.ok(r.text.includes(shown), `the flow panel shows ${shown} as text`);
    }
    assertInert('flow panel', r);
    await d.screenshot('hostile-flow-panel');
    // the export keeps it text too (fenced); the editor shows Markdown source
    await frame.locator('[data-testid="flow-export"]').click();
    await d.page.locator('.tabs-container .tab', { hasText: /^oauth-flow-/ }).first().waitFor({ state: 'visible', timeout: STEP_MS });
    assert.equal(await d.page.evaluate(() => (globalThis as unknown as { __pwned?: unknown }).__pwned), undefined, 'nothing ran in the workbench');
    assert.doesNotMatch(await d.page.title(), /pwned/);
  });
});
