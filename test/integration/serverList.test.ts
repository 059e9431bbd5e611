/**
 * In the real extension host against the demo: Connect to a URL already in the list
 * reuses its entry (same name, same place); a server that is not connected shows "Connect" and the
 * last error when expanded; a connected one shows the "Server" node (the initialize result); a
 * failure is one log line (code, step, URL), its stack only at trace level and mapped to the sources.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { run, until } from './hostHelpers';
import pkg from '../../package.json';
import type { Services } from '../../src/vscode/services';
import type { Node } from '../../src/vscode/tree';

const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;
/** Nothing listens on the discard port: connecting fails with network_error. */
const UNREACHABLE = 'http://127.0.0.1:9/mcp';

function text(v: string | vscode.TreeItemLabel | vscode.MarkdownString | boolean | undefined): string {
  if (v === undefined || typeof v === 'boolean') return '';
  if (typeof v === 'string') return v;
  if (v instanceof vscode.MarkdownString) return v.value;
  return v.label;
}

async function rows(s: Services, node?: Node): Promise<Array<{ node: Node; item: vscode.TreeItem }>> {
  const nodes = (await s.tree.getChildren(node)) ?? [];
  return Promise.all(nodes.map(async (n) => ({ node: n, item: await s.tree.getTreeItem(n) })));
}

async function serverNode(s: Services, url: string): Promise<Node> {
  const row = (await rows(s)).find((r) => r.node.kind === 'server' && r.node.server.entry.url === url);
  assert.ok(row, `no server row for ${url}`);
  return row.node;
}

async function logText(s: Services): Promise<string> {
  const marker = `serverList-marker-${Date.now()}`;
  s.log.info(marker);
  return until('the log file with the marker', async () => {
    const out: string[] = [];
    const walk = async (uri: vscode.Uri, depth: number): Promise<void> => {
      if (depth > 4) return;
      for (const [name, type] of await vscode.workspace.fs.readDirectory(uri).then(undefined, () => [] as [string, vscode.FileType][])) {
        const child = vscode.Uri.joinPath(uri, name);
        if (type & vscode.FileType.Directory) await walk(child, depth + 1);
        else out.push(new TextDecoder().decode(await vscode.workspace.fs.readFile(child)));
      }
    };
    await walk(s.context.logUri, 0);
    const all = out.join('\n');
    return all.includes(marker) ? all : undefined;
  });
}

describe('server list and tree : reuse on connect, Connect / Last error, the Server node, one-line failures', function () {
  this.timeout(30_000);
  let s: Services;
  let mixedUrl: string;

  before(async () => {
    const v = process.env.MCP_DEMO_MIXED_URL;
    if (!v) throw new Error('MCP_DEMO_MIXED_URL is not set: run the in-host suites with test/integration/runCodeServer.ts');
    mixedUrl = v;
    const ext = vscode.extensions.getExtension<Services>(EXTENSION_ID);
    assert.ok(ext);
    s = await ext.activate();
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'trace');
  });

  it('a failed connect: the server shows "Connect" (which runs connect on it) and "Last error" (code — short message); the log has one line for it and the stack, at trace level, names the TypeScript sources', async () => {
    const r = await vscode.commands.executeCommand<{ error?: string; code?: string }>('mcpOAuthInspector.connect', { url: UNREACHABLE, name: 'Unreachable' });
    assert.equal(r?.code, 'network_error', JSON.stringify(r));
    const kids = await rows(s, await serverNode(s, UNREACHABLE));
    assert.deepEqual(kids.map((k) => text(k.item.label)), ['Connect', 'Last error']);
    const connect = kids[0].item;
    assert.equal(connect.command?.command, 'mcpOAuthInspector.connect');
    assert.equal((connect.command?.arguments?.[0] as Node).kind, 'server');
    assert.equal((connect.command?.arguments?.[0] as Extract<Node, { kind: 'server' }>).server.entry.url, UNREACHABLE);
    assert.match(text(kids[1].item.description), /^network_error — /);

    const log = await logText(s);
    const lines = log.split('\n').filter((l) => l.includes('code network_error') && l.includes(UNREACHABLE));
    assert.equal(lines.length, 1, `one line for the failure, not one per layer:\n${lines.join('\n')}`);
    assert.match(lines[0], /\[error\] connect to Unreachable failed · code network_error · step [^·]+ · http:\/\/127\.0\.0\.1:9\/mcp — /);
    // trace level: the stack follows, mapped through dist/extension.js.map
    const after = log.slice(log.indexOf(lines[0]) + lines[0].length);
    assert.match(after, /src\/[\w/]+\.ts:\d+:\d+/, 'stack frames name the TypeScript sources');
    assert.doesNotMatch(after.slice(0, 4000), /dist[\\/]extension\.js:\d+:\d+/, 'no minified bundle frames left');
  });

  it('Connect to a URL already in the list keeps the entry: same name, same place, same connection', async () => {
    await run('mcpOAuthInspector.connect', { url: mixedUrl, name: 'Mixed' });
    // the mixed server must not be last, or "moved to the end" could not show
    const before = s.servers.all().map((e) => e.id);
    assert.ok(before.indexOf(mixedUrl) < before.length - 1, `mixed is not last: ${before.join(', ')}`);
    const conn = s.registry.get(mixedUrl);
    await run('mcpOAuthInspector.disconnect', mixedUrl);
    await run('mcpOAuthInspector.connect', { url: mixedUrl });
    assert.deepEqual(s.servers.all().map((e) => e.id), before, 'same place');
    assert.equal(s.servers.get(mixedUrl)?.name, 'Mixed', 'same name');
    assert.equal(s.registry.get(mixedUrl), conn, 'same connection object');
    assert.equal(conn?.state, 'connected');
  });

  it('a disconnected server shows "Connect"; running its command connects; then the "Server" node holds the initialize result', async () => {
    await run('mcpOAuthInspector.disconnect', mixedUrl);
    const kids = await rows(s, await serverNode(s, mixedUrl));
    assert.deepEqual(kids.map((k) => text(k.item.label)), ['Connect'], 'a plain disconnect: no error row');
    const cmd = kids[0].item.command!;
    await run(cmd.command, ...(cmd.arguments ?? []));
    await until('connected', () => (s.registry.get(mixedUrl)?.state === 'connected' ? true : undefined));
    const after = await rows(s, await serverNode(s, mixedUrl));
    assert.ok(!after.some((k) => text(k.item.label) === 'Connect'), 'no Connect once connected');
    const server = after.find((k) => k.node.kind === 'serverInfo');
    assert.ok(server, 'a Server node');
    assert.equal(text(server.item.label), 'Server');
    const details = await rows(s, server.node);
    assert.deepEqual(details.map((d) => text(d.item.label)), ['Protocol version', 'Name', 'Capabilities', 'Instructions']);
    // the negotiated version, then how: the demo speaks 2026-07-28, reached by server/discover
    assert.match(text(details[0].item.description), /^2026-07-28 · stateless .*server\/discover$/);
    assert.match(text(details[2].item.description), /\btools\b/);
    assert.equal(s.tree.getParent(details[0].node)?.kind, 'serverInfo');
  });

  after(async () => {
    await vscode.commands.executeCommand('mcpOAuthInspector.removeServer', UNREACHABLE, { confirmed: true });
  });
});
