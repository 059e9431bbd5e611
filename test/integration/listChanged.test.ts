/**
 * The Servers tree follows a server's notifications/tools/list_changed inside the real extension
 * host: a local SDK MCP server (test/fixtures/mcpServers.ts, started in this host) gains a tool when
 * its `grow` tool is called and says so; the extension lists again and the tree shows the new tool.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import pkg from '../../package.json';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConnection } from '../../src/vscode/connections';
import type { Services } from '../../src/vscode/services';
import { startMcpServer, type FixtureTool, type McpFixture } from '../fixtures/mcpServers';
import { run, until } from './hostHelpers';

const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;
const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] });

describe('list_changed in the extension host (local SDK server)', function () {
  this.timeout(30_000);
  let s: Services;
  let fx: McpFixture | undefined;
  const tools: FixtureTool[] = [];

  before(async () => {
    s = (await vscode.extensions.getExtension<Services>(EXTENSION_ID)!.activate())!;
    tools.push({
      def: { name: 'grow', description: 'Adds a tool, then says the list changed', inputSchema: { type: 'object', properties: {} } },
      handler: async (_args, extra) => {
        tools.push({ def: { name: `added_${tools.length}`, inputSchema: { type: 'object', properties: {} } }, handler: () => text('hello') });
        await extra.server.sendToolListChanged();
        return text('grown');
      },
    });
    fx = await startMcpServer({ tools, resourcesAndPrompts: false });
  });
  after(async () => {
    if (fx) {
      const entry = s.servers.findByUrl(fx.url.href);
      if (entry) await run('mcpOAuthInspector.removeServer', entry.id, { confirmed: true });
      await fx.close();
    }
  });

  it('a tool the server adds after a list_changed appears in the tree without a manual refresh', async () => {
    const c = await run<ServerConnection>('mcpOAuthInspector.connect', { url: fx!.url.href });
    assert.equal(c.state, 'connected', c.error);
    const names = async () => {
      const root = s.tree.getChildren().find((n) => n.kind === 'server' && n.server.entry.id === c.entry.id)!;
      return s.tree.getChildren(root).flatMap((n) => (n.kind === 'tool' ? [n.tool.tool.name] : []));
    };
    assert.deepEqual(await names(), ['grow']);
    const listsBefore = fx!.toolListCalls;
    let treeChanges = 0;
    const sub = s.tree.onDidChangeTreeData(() => treeChanges++);
    try {
      const r = await run<CallToolResult>('mcpOAuthInspector.callTool', `${c.entry.id}#grow`, {});
      assert.notEqual(r.isError, true, JSON.stringify(r));
      const after = await until('the tree to show added_1', async () => ((await names()).includes('added_1') ? names() : undefined));
      assert.deepEqual(after, ['grow', 'added_1']);
      assert.ok(fx!.toolListCalls > listsBefore, 'the extension listed the tools again');
      assert.ok(treeChanges > 0, 'the tree was told to refresh');
    } finally {
      sub.dispose();
    }
  });
});
