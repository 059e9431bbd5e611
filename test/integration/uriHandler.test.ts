/**
 * The `uriHandler` redirect mode inside a real VS Code extension host (code-server), against the real
 * demo that test/integration/runCodeServer.ts starts (MCP_DEMO_MCP_URL, headless authorization).
 *
 * What is real here: `vscode.env.asExternalUri` making the redirect URI (in code-server: a one-shot
 * callback URL on the editor's origin), the demo's oidc-provider registering it (DCR) and redirecting
 * to it, and VS Code's URI routing delivering the callback to the extension's registered UriHandler —
 * `vscode.open` on a `${uriScheme}://publisher.name/…` URI goes through the workbench's URL service
 * and ExtensionUrlHandler, the same path the editor's callback page (browser editors) or the
 * operating system (desktop) takes. What is not: the browser leg (headless sign-in requests the
 * authorization URL itself, and hands the callback it reached to VS Code with `vscode.open`).
 *
 * Proves: DCR registers the editor's callback URI and the authorization request uses it; the
 * callback arrives through the URI handler; a pre-registered client without that URI gets an error
 * naming it; a wrong state is ignored (the sign-in keeps waiting), an error callback ends the sign-in
 * with the server's text as inert text, other paths and stale callbacks are ignored; timeout; cancel.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { until } from './hostHelpers';
import pkg from '../../package.json';
import type { InspectorError } from '../../src/core/errors';
import type { DispatchOutcome } from '../../src/core/oauth/redirect/callbackDispatcher';
import { effectiveRedirectMode } from '../../src/vscode/authAdapters';
import type { ServerConnection } from '../../src/vscode/connections';
import type { Services } from '../../src/vscode/services';

const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;
const STATE = 'st_in_host_5d1c9e0b7a3f4e2d8c6b';

function demoEnv(name: 'MCP_DEMO_MCP_URL' | 'MCP_DEMO_ISSUER'): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the in-host suites with test/integration/runCodeServer.ts (it starts the demo)`);
  return v;
}

/** 'pending' if the promise has not settled within 200 ms. */
async function settledState(p: Promise<unknown>): Promise<string> {
  return Promise.race([
    p.then(
      () => 'resolved',
      (e: InspectorError) => `rejected:${e.code}`,
    ),
    // Every delivery before this was handled to its outcome already (deliver() awaits it), so a wait
    // the handler settled has settled by the next turn of the event loop: no timer to guess with.
    new Promise<string>((r) => setImmediate(() => r('pending'))),
  ]);
}

async function rejectionOf(p: Promise<unknown>): Promise<InspectorError> {
  try {
    await p;
  } catch (err) {
    return err as InspectorError;
  }
  throw new Error('expected the sign-in to fail');
}

describe('redirectMode uriHandler: sign-in callbacks through the editor URI handler (real host + demo)', function () {
  this.timeout(30_000);

  let s: Services;
  let mcpUrl: string;
  let issuer: string;
  const outcomes: DispatchOutcome[] = [];
  let sub: vscode.Disposable | undefined;
  const config = () => vscode.workspace.getConfiguration('mcpOAuthInspector');

  /** Deliver a URI the way VS Code routes its own-scheme URIs (workbench URL service → ExtensionUrlHandler → our UriHandler). */
  async function deliver(query: string, path = '/callback'): Promise<DispatchOutcome> {
    const before = outcomes.length;
    await vscode.commands.executeCommand('vscode.open', s.uriRedirects.callbackUri.with({ path, query }));
    return until('the URI handler to receive the URI', () => outcomes[before]);
  }

  let previousMode: unknown;
  before(async () => {
    mcpUrl = demoEnv('MCP_DEMO_MCP_URL');
    issuer = demoEnv('MCP_DEMO_ISSUER');
    const ext = vscode.extensions.getExtension<Services>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in this host`);
    s = await ext.activate();
    assert.equal(config().get('authorizationMode'), 'headless', 'the runner sets headless authorization');
    previousMode = config().inspect('redirectMode')?.globalValue;
    await config().update('redirectMode', 'uriHandler', vscode.ConfigurationTarget.Global);
    sub = s.uriRedirects.onDidHandleUri((o) => outcomes.push(o));
  });

  after(async () => {
    sub?.dispose();
    await config().update('redirectMode', previousMode, vscode.ConfigurationTarget.Global); // the runner's own value back
  });

  it("the redirect URI is the editor's own callback through asExternalUri; 'auto' picks external here", async () => {
    const internal = s.uriRedirects.callbackUri.toString(true);
    assert.equal(internal, `${vscode.env.uriScheme}://${EXTENSION_ID}/callback`);
    const external = new URL((await vscode.env.asExternalUri(s.uriRedirects.callbackUri)).toString(true));
    console.log(`in-host: uriScheme ${vscode.env.uriScheme}, remoteName ${vscode.env.remoteName}, uiKind ${vscode.env.uiKind}, external callback ${external.origin}${external.pathname}?${[...external.searchParams.keys()].join('&')}`);
    if (vscode.env.uiKind === vscode.UIKind.Web) {
      // code-server: a one-shot callback page on the editor's origin, which forwards to the workbench
      assert.match(external.protocol, /^https?:$/);
      assert.match(external.pathname, /\/callback$/);
      assert.equal(external.searchParams.get('vscode-scheme'), vscode.env.uriScheme);
      assert.equal(external.searchParams.get('vscode-authority'), EXTENSION_ID);
      assert.ok(external.searchParams.get('vscode-reqid'));
      // the browser leg: the editor serves the page that forwards the callback to the workbench there
      const page = await fetch(external);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /vscode-web\.url-callbacks/);
      assert.equal(effectiveRedirectMode('auto'), 'external');
    } else {
      assert.equal(external.href, internal);
    }
    assert.equal(effectiveRedirectMode('uriHandler'), 'uriHandler');
  });

  it('connects with Dynamic Client Registration: the editor callback is registered and used, and the callback arrives through the URI handler', async () => {
    // Start signed out, with no session open: closing a session after sign-out makes its DELETE
    // meet a 401, and the old connection (built for the loopback mode) would sign in again to send it.
    const existing = s.registry.all().find((c) => c.entry.url === mcpUrl);
    if (existing) {
      await existing.disconnect();
      await existing.ensureConn().auth.signOut();
    }
    const from = outcomes.length;
    const c = await vscode.commands.executeCommand<ServerConnection>('mcpOAuthInspector.connect', { url: mcpUrl, registration: 'dcr' });
    assert.equal(c.state, 'connected', `connect failed: ${c.error}`);
    const auth = c.conn!.auth;
    assert.ok(auth.tokens?.access_token, 'signed in');
    assert.equal(auth.client?.mode, 'dcr');
    const registered = auth.client?.redirect_uris ?? [];
    assert.equal(registered.length, 1, `registered: ${registered.join(', ')}`);
    const uri = new URL(registered[0]);
    if (vscode.env.uiKind === vscode.UIKind.Web) {
      assert.match(uri.pathname, /\/callback$/);
      assert.equal(uri.searchParams.get('vscode-authority'), EXTENSION_ID);
    } else {
      assert.equal(registered[0], s.uriRedirects.callbackUri.toString(true));
    }
    // the authorization request carried that redirect_uri (the token request must repeat it, or the demo refuses the code)
    const note = c.conn!.trace.all().find((e) => e.kind === 'note' && e.step === 'authorization request' && e.message.startsWith('authorization request to'));
    assert.ok(note && note.kind === 'note' && note.message.includes(`redirect_uri ${registered[0]}`), `trace note: ${note && note.kind === 'note' ? note.message : '(none)'}`);
    assert.equal(new URL(note.message.match(/to (\S+):/)![1]).origin, new URL(issuer).origin);
    assert.deepEqual(outcomes.slice(from), [{ kind: 'accepted' }], 'one callback, through the URI handler');
    assert.equal(s.uriRedirects.pending, 0);
  });

  it('a pre-registered client without the editor callback URI: the error says which redirect URI to register', async () => {
    const c = s.registry.all().find((x) => x.entry.url === mcpUrl)!;
    await c.disconnect();
    await c.ensureConn().auth.signOut();
    const r = await vscode.commands.executeCommand<{ error?: string; code?: string }>('mcpOAuthInspector.connect', { url: mcpUrl, registration: 'preregistered', clientId: 'todo-local' });
    assert.ok(r && typeof r.error === 'string', `the connect must fail, got ${JSON.stringify(r)}`);
    assert.equal(r.code, 'authorization_denied');
    assert.match(r.error, /mentions redirect_uri/);
    assert.match(r.error, /client todo-local/);
    assert.match(r.error, /Register \S+\/callback\S* as a redirect URI/);
    assert.equal(s.uriRedirects.pending, 0, 'the pending sign-in was closed');
    // back to DCR for whoever comes next
    await vscode.commands.executeCommand('mcpOAuthInspector.forgetClient', mcpUrl);
  });

  it('ignores a callback with the wrong state (the sign-in keeps waiting); the right one completes it; a replay is ignored', async () => {
    const r = await s.uriRedirects.startReceiver({ expectedState: STATE, timeoutMs: 20_000 });
    try {
      assert.deepEqual(await deliver('code=forged-code&state=attacker-state'), { kind: 'ignored', reason: 'unknown_state' });
      assert.deepEqual(await deliver('code=forged-code'), { kind: 'ignored', reason: 'missing_state' });
      assert.deepEqual(await deliver(`code=x&state=${STATE}`, '/not-the-callback'), { kind: 'ignored', reason: 'path' });
      assert.equal(await settledState(r.waitForCallback()), 'pending');
      const iss = encodeURIComponent(issuer);
      assert.deepEqual(await deliver(`code=the-real-code&state=${STATE}&iss=${iss}`), { kind: 'accepted' });
      const cb = await r.waitForCallback();
      assert.equal(cb.params.get('code'), 'the-real-code');
      assert.equal(cb.params.get('iss'), issuer, 'iss passed through for the RFC 9207 check');
      assert.deepEqual(await deliver(`code=the-real-code&state=${STATE}`), { kind: 'ignored', reason: 'no_sign_in' });
    } finally {
      await r.close();
    }
  });

  it("an error callback ends the sign-in with the server's text: sanitised, capped, inert", async () => {
    const r = await s.uriRedirects.startReceiver({ expectedState: STATE, timeoutMs: 20_000 });
    const q = new URLSearchParams({
      state: STATE,
      error: 'access_denied',
      error_description: `<script>alert(1)</script> [Open terminal](command:workbench.action.terminal.new) ${'y'.repeat(800)}`,
    });
    assert.deepEqual(await deliver(q.toString()), { kind: 'denied' });
    const err = await rejectionOf(r.waitForCallback());
    assert.equal(err.code, 'authorization_denied');
    assert.match(err.message, /access_denied: <script>alert\(1\)<\/script> \[Open terminal\] \(command:/);
    assert.ok(!err.message.includes('](command:'), 'no clickable command link in a notification');
    assert.ok(err.message.length < 700, `capped (${err.message.length} chars)`);
    assert.equal(s.uriRedirects.pending, 0);
  });

  it('times out, and a late callback is ignored', async () => {
    const r = await s.uriRedirects.startReceiver({ expectedState: STATE, timeoutMs: 300 });
    const err = await rejectionOf(r.waitForCallback());
    assert.equal(err.code, 'authorization_timeout');
    assert.deepEqual(await deliver(`code=late&state=${STATE}`), { kind: 'ignored', reason: 'no_sign_in' });
  });

  it('cancel (closing the receiver, as Disconnect does) ends the sign-in with authorization_cancelled', async () => {
    const r = await s.uriRedirects.startReceiver({ expectedState: STATE, timeoutMs: 20_000 });
    assert.equal(s.uriRedirects.pending, 1);
    await r.close();
    assert.equal((await rejectionOf(r.waitForCallback())).code, 'authorization_cancelled');
    assert.equal(s.uriRedirects.pending, 0);
    assert.deepEqual(await deliver(`code=after-cancel&state=${STATE}`), { kind: 'ignored', reason: 'no_sign_in' });
  });
});
