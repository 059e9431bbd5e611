/**
 * The extension end to end inside a real VS Code extension host (code-server), against the real
 * demo (oidc-provider + the Todo MCP server) that test/integration/runCodeServer.ts starts with
 * auto-approval and passes in MCP_DEMO_MCP_URL / MCP_DEMO_MIXED_URL. The host's user settings
 * select `mcpOAuthInspector.authorizationMode: headless`, so sign-in runs without a person.
 *
 * Proves: connect through the command, servers and tools in the tree with
 * the right lock state, a tool call through the command that signs in and unlocks the tool, tokens
 * in SecretStorage and nowhere else (settings, globalState, the log channel, any file in the
 * extension's storage and log folders, the tree, the documents it opened), sign-out deleting every
 * secret of the server with the old token refused by the server; and the guards around it: a
 * `javascript:` URL refused with nothing stored, Import Servers adding only the valid http entry.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { run, until } from './hostHelpers';
import pkg from '../../package.json';
import { CONFIDENTIAL_CLIENT } from '../../demo/constants';
import { clientSecretKey, type ServerConnection } from '../../src/vscode/connections';
import type { Services } from '../../src/vscode/services';
import type { Node } from '../../src/vscode/tree';

const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;

/** Set by runCodeServer.ts (DEMO_ENV there). */
function demoEnv(name: 'MCP_DEMO_MCP_URL' | 'MCP_DEMO_MIXED_URL' | 'MCP_DEMO_ISSUER'): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the in-host suites with test/integration/runCodeServer.ts (it starts the demo)`);
  return v;
}

interface Shown {
  node: Node;
  item: vscode.TreeItem;
}

function text(v: string | vscode.TreeItemLabel | vscode.MarkdownString | boolean | undefined): string {
  if (v === undefined || typeof v === 'boolean') return '';
  if (typeof v === 'string') return v;
  if (v instanceof vscode.MarkdownString) return v.value;
  return v.label;
}

async function children(s: Services, node?: Node): Promise<Shown[]> {
  const nodes = (await s.tree.getChildren(node)) ?? [];
  return Promise.all(nodes.map(async (n) => ({ node: n, item: await s.tree.getTreeItem(n) })));
}

async function serverRow(s: Services, url: string): Promise<Shown> {
  const row = (await children(s)).find((r) => r.node.kind === 'server' && r.node.server.entry.url === url);
  assert.ok(row, `no server row for ${url} in the tree`);
  return row;
}

async function toolRows(s: Services, url: string): Promise<Map<string, Shown>> {
  const rows = await children(s, (await serverRow(s, url)).node);
  return new Map(rows.filter((r) => r.node.kind === 'tool').map((r) => [text(r.item.label), r]));
}

/** Every label, description and tooltip the tree shows, all levels. */
async function treeText(s: Services, node?: Node, depth = 0): Promise<string> {
  if (depth > 4) return '';
  const out: string[] = [];
  for (const r of await children(s, node)) {
    out.push(text(r.item.label), text(r.item.description), text(r.item.tooltip as string | vscode.MarkdownString | undefined));
    out.push(await treeText(s, r.node, depth + 1));
  }
  return out.join('\n');
}

const SECRET_FIELDS = new Set(['access_token', 'refresh_token', 'id_token', 'client_secret', 'registration_access_token', 'code_verifier', 'private_key_pem']);

/** Secret values worth hunting for in a stored secret (JSON): tokens and client secrets, and the parts of a JWT. */
function needlesIn(key: string, raw: string): Map<string, string> {
  const out = new Map<string, string>();
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return out;
  }
  const walk = (x: unknown, path: string) => {
    if (!x || typeof x !== 'object') return;
    for (const [k, val] of Object.entries(x)) {
      if (typeof val === 'string' && SECRET_FIELDS.has(k) && val.length >= 16) {
        out.set(`${key} → ${path}${k}`, val);
        const parts = val.split('.');
        if (parts.length === 3 && parts.every((p) => p.length >= 16)) {
          // a JWT: its payload and signature are unique to it (the header is not)
          out.set(`${key} → ${path}${k} (JWT payload)`, parts[1]);
          out.set(`${key} → ${path}${k} (JWT signature)`, parts[2]);
        }
      } else if (val && typeof val === 'object') walk(val, `${path}${k}.`);
    }
  };
  walk(v, '');
  return out;
}

/** Every file under a folder (recursively), as [path, text]; a missing folder is empty. */
async function filesUnder(uri: vscode.Uri | undefined, depth = 0): Promise<Array<[string, string]>> {
  if (!uri || depth > 6) return [];
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(uri);
  } catch {
    return [];
  }
  const out: Array<[string, string]> = [];
  for (const [name, type] of entries) {
    const child = vscode.Uri.joinPath(uri, name);
    if (type & vscode.FileType.Directory) out.push(...(await filesUnder(child, depth + 1)));
    else if (type & vscode.FileType.File) {
      const bytes = await vscode.workspace.fs.readFile(child);
      // binary files (SQLite state) are searched as latin1: a token is ASCII either way
      out.push([child.fsPath, Buffer.from(bytes).toString('latin1')]);
    }
  }
  return out;
}

describe('connect, sign in, call, sign out (real extension host + demo server)', function () {
  this.timeout(30_000);

  let s: Services;
  let mcpUrl: string;
  let mixedUrl: string;
  let issuer: string;

  before(async () => {
    mcpUrl = demoEnv('MCP_DEMO_MCP_URL');
    mixedUrl = demoEnv('MCP_DEMO_MIXED_URL');
    issuer = demoEnv('MCP_DEMO_ISSUER');
    const ext = vscode.extensions.getExtension<Services>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in this host`);
    s = await ext.activate();
    assert.ok(s?.tree && s.registry && s.secrets, 'activate() returns the Services object');
    assert.equal(vscode.workspace.getConfiguration('mcpOAuthInspector').get('authorizationMode'), 'headless', 'the runner sets headless authorization');
    // Log everything the extension can log (HTTP exchanges are debug lines), so the leak search
    // below covers the most verbose log, not just the info lines. Test-only command of the host.
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'trace');
  });

  it('refuses a javascript: URL and stores nothing', async () => {
    const serversBefore = JSON.stringify(s.servers.all());
    const secretsBefore = (await s.secrets.keys('')).sort();
    const r = await vscode.commands.executeCommand<{ error?: string; code?: string }>('mcpOAuthInspector.connect', { url: 'javascript:alert(1)' });
    assert.ok(r && typeof r.error === 'string', `connect to javascript:alert(1) must fail, got ${JSON.stringify(r)}`);
    assert.match(r.error, /javascript|scheme|http/i);
    assert.equal(JSON.stringify(s.servers.all()), serversBefore, 'no server entry was added');
    assert.deepEqual((await s.secrets.keys('')).sort(), secretsBefore, 'no secret was stored');
    assert.ok(!s.registry.all().some((c) => /javascript/i.test(c.entry.url)), 'no connection was created');
    const state = s.context.globalState.keys().map((k) => JSON.stringify(s.context.globalState.get(k))).join('\n');
    assert.doesNotMatch(state, /javascript:/i, 'nothing of it in globalState');
  });

  it('connects to the per-tool-protected server anonymously: public tools open, protected ones locked with their scope', async () => {
    const c = await run<ServerConnection>('mcpOAuthInspector.connect', { url: mixedUrl });
    assert.equal(c.state, 'connected');
    const row = await serverRow(s, mixedUrl);
    assert.equal(text(row.item.description), 'connected · anonymous');
    assert.equal(row.item.contextValue, 'server.connected');
    const tools = await toolRows(s, mixedUrl);
    assert.deepEqual([...tools.keys()].sort(), ['add_todo', 'complete_todo', 'get_secret_note', 'list_todos', 'search_docs', 'whoami']);
    const search = tools.get('search_docs')!;
    assert.equal(search.item.contextValue, 'tool.open');
    assert.equal(text(search.item.description), 'public');
    const list = tools.get('list_todos')!;
    assert.equal(list.item.contextValue, 'tool.locked');
    assert.equal((list.item.iconPath as vscode.ThemeIcon).id, 'lock');
    assert.equal(text(list.item.description), 'todos.read');
    assert.equal(tools.get('add_todo')!.item.contextValue, 'tool.locked');
    assert.equal(text(tools.get('add_todo')!.item.description), 'todos.write');
    // nothing signed in yet: no secret for this server
    assert.deepEqual(await s.secrets.keys(c.conn!.auth.keys.prefix), []);
  });

  it('connects to the whole-server-protected server with Dynamic Client Registration, signing in headlessly', async () => {
    const c = await run<ServerConnection>('mcpOAuthInspector.connect', { url: mcpUrl, registration: 'dcr' });
    assert.equal(c.state, 'connected');
    assert.equal(c.conn?.auth.client?.mode, 'dcr');
    assert.ok(c.conn?.auth.tokens?.access_token, 'signed in');
    const row = await serverRow(s, mcpUrl);
    assert.equal(text(row.item.description), 'connected · signed in');
    assert.equal(row.item.contextValue, 'server.connected.signedIn');
    const kids = await children(s, row.node);
    const auth = kids.find((k) => k.node.kind === 'auth');
    assert.ok(auth, 'an Authorization node under the server');
    assert.equal(text(auth.item.description), `signed in · ${new URL(issuer).host}`);
    const details = new Map((await children(s, auth.node)).map((d) => [text(d.item.label), text(d.item.description)]));
    assert.equal(details.get('Authorization server'), issuer);
    assert.match(details.get('Registration') ?? '', /^dcr · /);
    assert.ok(details.has('Token expires') && details.has('Granted scopes'), `details: ${[...details.keys()].join(', ')}`);
    assert.ok(kids.some((k) => k.node.kind === 'tool'), 'tools listed');

    // both servers in the tree, both connected
    const rows = (await children(s)).filter((r) => r.node.kind === 'server');
    const states = new Map(rows.map((r) => [(r.node as Extract<Node, { kind: 'server' }>).server.entry.url, r.node.server.state]));
    assert.equal(states.get(mixedUrl), 'connected');
    assert.equal(states.get(mcpUrl), 'connected');
  });

  it('calls list_todos through the command: signs in headlessly and unlocks the tool', async () => {
    const result = await run<{ isError?: boolean; content?: Array<{ type: string; text?: string }> }>('mcpOAuthInspector.callTool', `${mixedUrl}#list_todos`, {});
    assert.ok(result && Array.isArray(result.content), `a tool result, got ${JSON.stringify(result)}`);
    assert.notEqual(result.isError, true, `list_todos answered with an error: ${JSON.stringify(result.content)}`);
    const c = s.registry.get(mixedUrl)!;
    assert.ok(c.conn?.auth.tokens?.scope?.split(' ').includes('todos.read'), `granted: ${c.conn?.auth.tokens?.scope}`);
    const list = (await toolRows(s, mixedUrl)).get('list_todos')!;
    assert.equal(list.item.contextValue, 'tool.unlocked');
    assert.equal((list.item.iconPath as vscode.ThemeIcon).id, 'unlock');
    assert.equal(text((await serverRow(s, mixedUrl)).item.description), 'connected · signed in');
    // the result document shows what came back
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.path.includes('result-list_todos'));
    assert.ok(doc, 'the result opened in an editor');
  });

  it('keeps tokens in SecretStorage and nowhere else (settings, globalState, log, storage files, tree, documents)', async () => {
    // The secrets as stored: read back through the real SecretStorage, not the engine's memory.
    const needles = new Map<string, string>();
    const keys = await s.secrets.keys('');
    for (const url of [mixedUrl, mcpUrl]) {
      const auth = s.registry.get(url)!.conn!.auth;
      const own = keys.filter((k) => k.startsWith(auth.keys.prefix));
      assert.ok(own.length >= 2, `${url}: expected session, client and token secrets, got ${own.join(', ')}`);
      let tokensStored = false;
      for (const k of own) {
        const raw = await s.context.secrets.get(k);
        assert.ok(raw, `${k} is in the index but not in SecretStorage`);
        if (raw.includes(auth.tokens!.access_token)) tokensStored = true;
        for (const [name, v] of needlesIn(k, raw)) needles.set(name, v);
      }
      assert.ok(tokensStored, `${url}: the access token is in SecretStorage`);
      needles.set(`${url} access token (memory)`, auth.tokens!.access_token);
      if (auth.tokens!.refresh_token) needles.set(`${url} refresh token (memory)`, auth.tokens!.refresh_token);
      if (auth.client?.client_secret) needles.set(`${url} client secret (memory)`, auth.client.client_secret);
    }
    assert.ok([...needles.keys()].some((k) => /refresh_token/.test(k)), `a refresh token is among the values searched: ${[...needles.keys()].join('; ')}`);

    // The tools panel: its history (arguments, results, JSON-RPC) is searched too. A Send that the
    // token does not cover comes back as an offer with the scopes — no sign-in behind the user's back.
    await run('mcpOAuthInspector.callTool', `${mixedUrl}#add_todo`); // no arguments: opens the panel
    const toolsPanel = s.panels.get('tools', s.registry.get(mixedUrl)!.entry.id);
    assert.ok(toolsPanel, 'the tools panel is open');
    const tokenBefore = s.registry.get(mixedUrl)!.conn!.auth.tokens!.access_token;
    const offer = await toolsPanel.controller.requests['tools/call']!(toolsPanel, { tool: 'add_todo', args: { title: 'from the panel' } });
    assert.equal(offer.ok, false);
    assert.equal(offer.error?.code, 'insufficient_scope', JSON.stringify(offer.error));
    assert.ok(offer.error?.scopes?.includes('todos.write'), `scopes: ${offer.error?.scopes}`);
    assert.equal(s.registry.get(mixedUrl)!.conn!.auth.tokens!.access_token, tokenBefore, 'not signed in again');
    const listed = await toolsPanel.controller.requests['tools/call']!(toolsPanel, { tool: 'whoami', args: {} });
    assert.equal(listed.ok, true, JSON.stringify(listed.error));
    assert.equal(listed.authenticated, true);

    // Opening the flow trace and the token report adds what they show to the search.
    await run('mcpOAuthInspector.showFlow', mixedUrl);
    await run('mcpOAuthInspector.inspectToken', mixedUrl);
    await run('mcpOAuthInspector.showFlow', mcpUrl);

    // The log channel: write a marker and wait until it is on disk, so everything before it is too.
    const marker = `leak-check-marker-${Date.now()}`;
    s.log.info(marker);
    const logFiles = await until('the log channel file with the marker', async () => {
      const files = await filesUnder(s.context.logUri);
      return files.some(([, t]) => t.includes(marker)) ? files : undefined;
    });
    const channelLog = logFiles.map(([, t]) => t).join('\n');
    assert.match(channelLog, /Connected to .*mcp-mixed/, 'the log channel file is the one the extension writes');
    assert.match(channelLog, /\b(GET|POST) http/, 'HTTP exchanges are in the searched log (trace level)');

    const haystacks: Array<[string, string]> = [];
    const config = vscode.workspace.getConfiguration();
    for (const key of Object.keys(pkg.contributes.configuration.properties)) haystacks.push([`setting ${key}`, JSON.stringify(config.inspect(key) ?? null)]);
    const userSettings = vscode.Uri.joinPath(s.context.globalStorageUri, '..', '..', 'settings.json');
    const settingsText = await vscode.workspace.fs.readFile(userSettings).then((b) => Buffer.from(b).toString('utf8'), () => undefined);
    assert.ok(settingsText !== undefined && settingsText.includes('mcpOAuthInspector.authorizationMode'), `the user settings file is at ${userSettings.fsPath}`);
    haystacks.push([`user settings ${userSettings.fsPath}`, settingsText]);
    for (const k of s.context.globalState.keys()) haystacks.push([`globalState ${k}`, JSON.stringify(s.context.globalState.get(k))]);
    for (const k of s.context.workspaceState.keys()) haystacks.push([`workspaceState ${k}`, JSON.stringify(s.context.workspaceState.get(k))]);
    assert.ok(s.context.globalState.keys().includes('mcpOAuthInspector.servers'), 'the server list is in globalState (and searched)');
    // every log of this session (our channel, the extension host's log, the server's), and the extension's storage
    const sessionLogs = vscode.Uri.joinPath(s.context.logUri, '..', '..');
    for (const dir of [sessionLogs, s.context.globalStorageUri, s.context.storageUri]) {
      for (const [path, t] of await filesUnder(dir)) haystacks.push([`file ${path}`, t]);
    }
    assert.ok(haystacks.some(([n]) => n.includes(s.context.logUri.fsPath)), 'the log channel file is among the searched files');
    haystacks.push(['the tree', await treeText(s)]);
    for (const d of vscode.workspace.textDocuments) if (d.uri.scheme === 'mcp-inspector') haystacks.push([`document ${d.uri.toString()}`, d.getText()]);
    // what the open panels show (the state messages they were sent)
    for (const p of s.panels.all()) haystacks.push([`${p.controller.kind} panel of ${p.server.entry.name}`, JSON.stringify((await p.controller.state(p)).params)]);
    assert.ok(haystacks.some(([n, t]) => n.startsWith('flow panel') && /authorization/i.test(t)), 'the flow panel is searched');
    assert.ok(haystacks.some(([n, t]) => n.startsWith('token panel') && /"claims"/.test(t)), 'the token panel is searched');
    assert.ok(haystacks.some(([n, t]) => n.startsWith('tools panel') && /"history":\[\{/.test(t) && /whoami/.test(t)), 'the tools panel and its history are searched');

    const leaks: string[] = [];
    for (const [where, hay] of haystacks) for (const [what, v] of needles) if (hay.includes(v)) leaks.push(`${what} found in ${where}`);
    assert.deepEqual(leaks, [], `secret values outside SecretStorage (searched ${haystacks.length} places for ${needles.size} values)`);
  });

  it('signs out: every secret of the server is deleted and the old access token is refused by the server', async () => {
    const c = s.registry.get(mixedUrl)!;
    const auth = c.conn!.auth;
    const old = auth.tokens!.access_token;
    const ownBefore = (await s.secrets.keys('')).filter((k) => k.startsWith(auth.keys.prefix));
    assert.ok(ownBefore.length > 0);
    const other = s.registry.get(mcpUrl)!.conn!.auth;
    const otherBefore = (await s.secrets.keys('')).filter((k) => k.startsWith(other.keys.prefix));

    // the token works before sign-out …
    const initialize = (token: string) =>
      fetch(mixedUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'leak-test', version: '0' } } }),
      });
    // The demo binds tokens to the client's DPoP key when the client sends a proof (RFC 9449), as the
    // engine does whenever the authorization server offers it: such a token presented without its
    // proof is refused even before sign-out, so replaying it here says nothing about revocation.
    const payload = JSON.parse(Buffer.from(old.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}') as { cnf?: { jkt?: string } };
    const bound = typeof payload.cnf?.jkt === 'string';
    if (bound) assert.equal((await initialize(old)).status, 401, 'a DPoP-bound access token without its proof is refused');
    else assert.equal((await initialize(old)).status, 200, 'the access token is accepted before sign-out');

    const r = await run<{ revoked: boolean; errors: string[] }>('mcpOAuthInspector.signOut', mixedUrl);
    assert.equal(r.revoked, true, `revoked at the server (errors: ${r.errors.join('; ')})`);
    assert.deepEqual((await s.secrets.keys('')).filter((k) => k.startsWith(auth.keys.prefix)), [], 'no key of the server left in the index');
    for (const k of ownBefore) assert.equal(await s.context.secrets.get(k), undefined, `${k} deleted from SecretStorage`);
    assert.equal(auth.tokens, undefined);
    assert.equal((await toolRows(s, mixedUrl)).get('list_todos')!.item.contextValue, 'tool.locked', 'the tool is locked again');
    // … and is refused after it (a bearer token by revocation; a DPoP-bound one in any case, and the
    // revocation itself was confirmed by the server above)
    const after = await initialize(old);
    assert.equal(after.status, 401, 'the old access token is refused');
    assert.match(after.headers.get('www-authenticate') ?? '', /invalid_token|invalid_dpop_proof|DPoP/);
    // the other server's secrets are untouched
    assert.deepEqual((await s.secrets.keys('')).filter((k) => k.startsWith(other.keys.prefix)).sort(), otherBefore.sort());
  });

  it('a pre-registered confidential client: the secret entered at Connect is used (client_secret_basic), kept only in SecretStorage, and gone after Sign Out', async () => {
    await run('mcpOAuthInspector.signOut', mcpUrl); // start from nothing for this server
    const c = await run<ServerConnection>('mcpOAuthInspector.connect', {
      url: mcpUrl,
      registration: 'preregistered',
      clientId: CONFIDENTIAL_CLIENT.client_id,
      clientSecret: CONFIDENTIAL_CLIENT.client_secret,
    });
    assert.equal(c.state, 'connected', c.error);
    const auth = c.conn!.auth;
    assert.equal(auth.client?.mode, 'preregistered');
    assert.equal(auth.client?.token_endpoint_auth_method, 'client_secret_basic');
    assert.ok(auth.tokens?.access_token, 'signed in with the confidential client');
    const key = clientSecretKey(mcpUrl, CONFIDENTIAL_CLIENT.client_id);
    assert.equal(await s.context.secrets.get(key), CONFIDENTIAL_CLIENT.client_secret, 'the secret is in SecretStorage');
    assert.equal(c.entry.clientId, CONFIDENTIAL_CLIENT.client_id);

    const marker = `confidential-marker-${Date.now()}`;
    s.log.info(marker);
    const logs = await until('the log file with the marker', async () => {
      const files = await filesUnder(vscode.Uri.joinPath(s.context.logUri, '..', '..'));
      return files.some(([, t]) => t.includes(marker)) ? files : undefined;
    });
    const places: Array<[string, string]> = [
      ...logs.map(([p, t]) => [`file ${p}`, t] as [string, string]),
      ...s.context.globalState.keys().map((k) => [`globalState ${k}`, JSON.stringify(s.context.globalState.get(k))] as [string, string]),
      ['the tree', await treeText(s)],
      ['flow', JSON.stringify(c.conn!.trace.all())],
    ];
    assert.deepEqual(places.filter(([, t]) => t.includes(CONFIDENTIAL_CLIENT.client_secret)).map(([w]) => w), [], 'the client secret is nowhere else');

    await run('mcpOAuthInspector.signOut', mcpUrl);
    assert.equal(await s.context.secrets.get(key), undefined, 'Sign Out deleted the client secret with the rest');
    assert.deepEqual(await s.secrets.keys(auth.keys.prefix), []);
  });

  it('Refresh Token gets a new access token and stores it; Remove Server signs out, deletes its secrets and the entry', async () => {
    const c = await run<ServerConnection>('mcpOAuthInspector.connect', { url: mcpUrl, registration: 'dcr' });
    assert.equal(c.state, 'connected', c.error);
    const auth = c.conn!.auth;
    const before = auth.tokens!;
    assert.ok(before.refresh_token, 'the demo issues refresh tokens');
    await run('mcpOAuthInspector.refreshToken', mcpUrl);
    const after = auth.tokens!;
    assert.notEqual(after.access_token, before.access_token, 'a new access token');
    assert.notEqual(after.refresh_token, before.refresh_token, 'the rotated refresh token');
    const stored = await Promise.all((await s.secrets.keys(auth.keys.prefix)).map((k) => s.context.secrets.get(k)));
    assert.ok(stored.some((v) => v?.includes(after.access_token)), 'the new token is what SecretStorage holds');
    assert.ok(!stored.some((v) => v?.includes(before.access_token)), 'the old one is gone from it');

    const id = c.entry.id;
    await run('mcpOAuthInspector.showFlow', mcpUrl);
    assert.ok(s.panels.get('flow', id), 'a panel of the server is open');
    await run('mcpOAuthInspector.removeServer', mcpUrl, { confirmed: true });
    assert.equal(s.panels.get('flow', id), undefined, 'its panels are closed with it');
    assert.equal(s.servers.get(id), undefined, 'the entry is gone from the list');
    assert.ok(!(await children(s)).some((r) => r.node.kind === 'server' && r.node.server.entry.id === id), 'and from the tree');
    assert.deepEqual(await s.secrets.keys(auth.keys.prefix), [], 'every secret of the server is deleted');
    const res = await fetch(mcpUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${after.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'probe', version: '0' } } }),
    });
    assert.equal(res.status, 401, 'the token was revoked');
    await res.body?.cancel();
  });

  it('imports servers from a .vscode/mcp.json: only the valid http entry is added', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-import-'));
    try {
      mkdirSync(join(dir, '.vscode'));
      const file = join(dir, '.vscode', 'mcp.json');
      const importedUrl = 'http://127.0.0.1:9/imported/mcp';
      writeFileSync(
        file,
        JSON.stringify({
          servers: {
            'imported-http': { type: 'http', url: importedUrl },
            'local-stdio': { type: 'stdio', command: 'node', args: ['server.js'] },
            'evil-js': { type: 'http', url: 'javascript:alert(1)' },
            // not filled in: skipped with its reason, and the others are still added
            'templated-host': { type: 'http', url: 'https://${input:host}/mcp' },
          },
        }),
      );
      const before = s.servers.all().length;
      const added = await run<string[]>('mcpOAuthInspector.importServers', { paths: [{ path: file, source: 'vscode-workspace' }], all: true });
      assert.deepEqual(added, ['imported-http']);
      const all = s.servers.all();
      assert.equal(all.length, before + 1);
      const entry = all.find((e) => e.url === importedUrl);
      assert.ok(entry, `the http server is in the list: ${JSON.stringify(all.map((e) => e.url))}`);
      assert.equal(entry.name, 'imported-http');
      assert.ok(!all.some((e) => /javascript|server\.js/i.test(e.url)), 'neither the javascript: nor the stdio entry was added');
      const row = await serverRow(s, importedUrl);
      assert.equal(row.item.contextValue, 'server.disconnected', 'imported, not connected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('imports a templated server: the ${input:…} placeholders are filled in, then the URL is checked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-import-'));
    try {
      const file = join(dir, 'mcp.json');
      writeFileSync(
        file,
        JSON.stringify({
          inputs: [{ id: 'port', type: 'promptString', description: 'Port of the local server' }],
          servers: {
            'templated-port': { type: 'http', url: 'http://127.0.0.1:${input:port}/templated/mcp' },
            'templated-evil': { type: 'http', url: 'https://${input:host}/mcp' },
          },
        }),
      );
      const added = await run<string[]>('mcpOAuthInspector.importServers', {
        paths: [{ path: file, source: 'vscode-workspace' }],
        all: true,
        // a value that turns the template into a refused URL is caught by the same URL check
        inputs: { 'input:port': '9', 'input:host': 'evil.example:99999' },
      });
      assert.deepEqual(added, ['templated-port']);
      const all = s.servers.all();
      assert.ok(all.some((e) => e.url === 'http://127.0.0.1:9/templated/mcp'), JSON.stringify(all.map((e) => e.url)));
      assert.ok(!all.some((e) => e.url.includes('${') || e.url.includes('evil.example')), 'no placeholder or refused URL in the list');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
