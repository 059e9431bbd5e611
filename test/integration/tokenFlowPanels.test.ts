/**
 * The token and OAuth flow panels' host side inside the real extension host, against the demo
 * (runCodeServer.ts starts it; headless authorization): what the panels are sent, what their
 * requests do, and that the raw access token leaves SecretStorage only through Copy — to the
 * clipboard, never to the log or a panel's state. The webview side is driven in
 * test/e2e/tokenFlowPanels.e2e.ts.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { run, until } from './hostHelpers';
import pkg from '../../package.json';
import type { FlowState, TokenState } from '../../src/shared/protocol';
import type { ServerConnection } from '../../src/vscode/connections';
import type { Services } from '../../src/vscode/services';
import type { InspectorPanel } from '../../src/vscode/webviews/panels';

const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;

/** Everything the extension's log channel wrote so far (a marker makes sure it is on disk). */
async function channelLog(s: Services): Promise<string> {
  const marker = `panels-marker-${Date.now()}`;
  s.log.info(marker);
  return until('the log channel file with the marker', async () => {
    const texts: string[] = [];
    try {
      for (const [name, type] of await vscode.workspace.fs.readDirectory(s.context.logUri)) {
        if (type & vscode.FileType.File) texts.push(Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(s.context.logUri, name))).toString('utf8'));
      }
    } catch {
      return undefined;
    }
    const all = texts.join('\n');
    return all.includes(marker) ? all : undefined;
  });
}

type Handler = (p: InspectorPanel, params: Record<string, never>) => Promise<unknown>;
const request = (p: InspectorPanel, method: 'token/copy' | 'flow/export' | 'auth/signOut' | 'auth/refresh') => (p.controller.requests[method] as unknown as Handler)(p, {});

describe('token and flow panels in the extension host (demo server)', function () {
  this.timeout(30_000);

  let s: Services;
  let c: ServerConnection;

  before(async () => {
    const url = process.env.MCP_DEMO_MCP_URL;
    assert.ok(url, 'MCP_DEMO_MCP_URL is set by runCodeServer.ts');
    s = (await vscode.extensions.getExtension<Services>(EXTENSION_ID)!.activate())!;
    // A whole flow to look at: signed out first (an earlier suite may have left stored tokens and
    // discovery, and a reconnect would then make no OAuth request at all).
    // Disconnected first: an open session's event stream would meet the revoked token with a 401
    // and sign in again at once (headless mode).
    if (s.servers.findByUrl(url)) {
      await run('mcpOAuthInspector.disconnect', url);
      await run('mcpOAuthInspector.signOut', url);
    }
    c = await run<ServerConnection>('mcpOAuthInspector.connect', { url });
    assert.ok(c.conn?.auth.tokens?.access_token, 'signed in');
  });

  it('the token panel is sent claims and checks, never the token; Copy puts it on the clipboard and only that it happened in the log', async () => {
    await run('mcpOAuthInspector.inspectToken', c.entry.id);
    const panel = s.panels.get('token', c.entry.id);
    assert.ok(panel, 'the token panel is open');
    const token = c.conn!.auth.tokens!.access_token;
    const refresh = c.conn!.auth.tokens!.refresh_token;
    const state = (await panel.controller.state(panel)).params as TokenState;
    assert.equal(state.signedIn, true);
    assert.equal(state.format, 'jwt');
    assert.ok(state.claims?.some((r) => r.name === 'exp' && typeof r.time === 'number'), 'exp is a time row');
    assert.deepEqual(
      state.findings.filter((f) => ['Signature', 'Issuer', 'Audience'].includes(f.check)).map((f) => [f.check, f.level]),
      [['Signature', 'pass'], ['Issuer', 'pass'], ['Audience', 'pass']],
    );
    assert.equal(state.hasRefreshToken, true);
    assert.ok(state.tools.some((t) => t.name === 'list_todos' && t.needed.includes('todos.read')));
    const json = JSON.stringify(state);
    assert.ok(!json.includes(token) && !json.includes(token.split('.')[2]), 'no token in the panel state');
    assert.ok(!refresh || !json.includes(refresh), 'no refresh token in the panel state');

    await vscode.env.clipboard.writeText('before');
    assert.deepEqual(await request(panel, 'token/copy'), { copied: true });
    assert.equal(await vscode.env.clipboard.readText(), token, 'the clipboard holds the access token');
    await vscode.env.clipboard.writeText('');
    const log = await channelLog(s);
    assert.match(log, /copied the access token of .* to the clipboard \(user action\)/);
    assert.ok(!log.includes(token) && !log.includes(token.split('.')[1]), 'the log never has the token');
  });

  it('the flow panel is sent the steps with spec sections and findings; Export opens them as Markdown', async () => {
    await run('mcpOAuthInspector.showFlow', c.entry.id);
    const panel = s.panels.get('flow', c.entry.id);
    assert.ok(panel, 'the flow panel is open');
    const state = (await panel.controller.state(panel)).params as FlowState;
    const byStep = new Map(state.steps.map((x) => [x.step, x]));
    for (const step of ['protected resource metadata', 'authorization server metadata'] as const) {
      assert.ok(byStep.get(step)?.spec, `${step} has a spec section: ${JSON.stringify(state.steps.map((x) => [x.step, x.spec, x.exchanges.length]))}`);
    }
    assert.ok(
      state.steps.some((x) => x.findings.some((f) => f.level === 'pass' && /PKCE S256/.test(f.message))),
      'a pass for PKCE S256',
    );
    assert.equal(state.counts.fail, 0, JSON.stringify(state.steps.filter((x) => x.level === 'fail').map((x) => x.finding)));
    assert.deepEqual(await request(panel, 'flow/export'), { opened: true });
    const doc = await until('the exported Markdown', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'mcp-inspector' && d.uri.path.includes('oauth-flow-')));
    const md = doc.getText();
    assert.equal(doc.languageId, 'markdown');
    assert.match(md, /\*\*Summary:\*\* \d+ steps: \d+ pass/);
    assert.match(md, /\[PASS\] the authorization server advertises PKCE S256/);
    assert.ok(!md.includes(c.conn!.auth.tokens!.access_token), 'no token in the export');
  });

  it('Sign out from the token panel deletes the server\'s secrets; the panel then says not signed in', async () => {
    const panel = s.panels.get('token', c.entry.id)!;
    const prefix = c.conn!.auth.keys.prefix;
    assert.ok((await s.secrets.keys(prefix)).length > 0);
    await request(panel, 'auth/signOut');
    assert.deepEqual(await s.secrets.keys(prefix), []);
    const state = (await panel.controller.state(panel)).params as TokenState;
    assert.equal(state.signedIn, false);
    assert.equal(state.hasRefreshToken, false);
    await assert.rejects(request(panel, 'auth/refresh'), /refresh token/i, 'nothing to refresh once signed out');
  });
});
