/**
 * The demo's MCP App (demo/todoView.ts) through the engine (src/core/mcp/apps.ts): list_todos names
 * its ui:// view, the view reads as one self-contained text/html;profile=mcp-app page built on the
 * official app SDK with no CSP domains to grant, and the tools it calls are ones a view may call.
 */
import assert from 'node:assert/strict';
import { startDemo, type DemoHandle } from '../../demo/index';
import { TODO_VIEW_URI } from '../../demo/todoView';
import { createConnection, type Connection } from '../../src/core/connection';
import { APP_MIME_TYPE, appViewFromRead, toolViewOf, viewToolCallDecision } from '../../src/core/mcp/apps';
import { readResource } from '../../src/core/mcp/resources';
import { MemorySecretStore } from '../../src/core/memorySecretStore';

describe('demo MCP App: the todos view', function () {
  this.timeout(60_000);
  let demo: DemoHandle;
  const open: Connection[] = [];
  before(async () => {
    demo = await startDemo({ port: 0, asPort: 0, autoApprove: true, tokenTtl: 600, dpop: false });
  });
  after(async () => {
    await Promise.all(open.map((c) => c.close()));
    await demo?.close();
  });

  it('list_todos names ui://todos/view; the view is an mcp-app page with the app SDK inlined and nothing to grant; its tools are callable by a view', async () => {
    const c = createConnection({ serverUrl: demo.mixedUrl, secrets: new MemorySecretStore(), headless: true, client: { policy: 'dcr' } });
    open.push(c);
    await c.session.connect();
    const tools = (await c.session.listTools()).map((t) => t.tool);
    const list = tools.find((t) => t.name === 'list_todos');
    assert.ok(list);
    assert.deepEqual(toolViewOf(list), { view: { uri: TODO_VIEW_URI, via: 'mcp-apps' } });
    assert.deepEqual(toolViewOf(tools.find((t) => t.name === 'add_todo')!), {}, 'only list_todos has the view');
    const view = appViewFromRead({ uri: TODO_VIEW_URI, via: 'mcp-apps' }, await readResource(c.session, TODO_VIEW_URI));
    assert.equal(view.mimeType, APP_MIME_TYPE);
    assert.match(view.html, /^<!DOCTYPE html>/);
    assert.match(view.html, /ui\/initialize/, 'the app SDK speaks ui/initialize to its host');
    assert.doesNotMatch(view.html, /<script[^>]+src=/i, 'one self-contained page');
    assert.deepEqual(view.csp, { connectDomains: [], resourceDomains: [], frameDomains: [], baseUriDomains: [] });
    assert.deepEqual(view.refused, []);
    for (const name of ['list_todos', 'add_todo', 'complete_todo']) assert.deepEqual(viewToolCallDecision(name, tools), { ok: true }, name);
  });
});
