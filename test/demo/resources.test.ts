/**
 * The demo's resources, template and prompt through the engine, on both protocol eras: the public
 * resource reads anonymously, the per-user one and the prompt need todos.read (deferred sign-in says
 * so; headless sign-in then reads the user's own todos), a subscription hears the update a tool call
 * causes, completion offers the user's ids, and tool calls write log messages (session era).
 */
import assert from 'node:assert/strict';
import { ABOUT_URI, MY_TODOS_URI, SUMMARY_PROMPT, TODO_TEMPLATE } from '../../demo/resources';
import { startDemo, type DemoHandle } from '../../demo/index';
import { TODO_VIEW_URI } from '../../demo/todoView';
import { createConnection, type Connection } from '../../src/core/connection';
import { isInspectorError } from '../../src/core/errors';
import { MemorySecretStore } from '../../src/core/memorySecretStore';
import { complete, getPrompt, listPrompts, listResources, listResourceTemplates, readResource, subscribe } from '../../src/core/mcp/resources';

const until = async (ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

for (const pin of [undefined, '2025-06-18'] as const) describe(`demo resources and prompt (${pin ? 'session era' : '2026-07-28'})`, function () {
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
  const connect = (url: string) => {
    const c = createConnection({ serverUrl: url, secrets: new MemorySecretStore(), headless: true, client: { policy: 'dcr' }, protocolVersion: pin });
    open.push(c);
    return c;
  };

  it('lists the public and protected resources, the template and the prompt; the public one reads anonymously', async () => {
    const c = connect(demo.mixedUrl);
    await c.session.connect();
    assert.deepEqual((await listResources(c.session)).items.map((r) => r.uri).sort(), [ABOUT_URI, MY_TODOS_URI, TODO_VIEW_URI]);
    assert.deepEqual((await listResourceTemplates(c.session)).items.map((t) => t.uriTemplate), [TODO_TEMPLATE]);
    assert.deepEqual((await listPrompts(c.session)).items.map((p) => p.name), [SUMMARY_PROMPT]);
    const about = await readResource(c.session, ABOUT_URI);
    assert.equal(about.contents[0].mimeType, 'text/markdown');
    assert.match((about.contents[0] as { text: string }).text, /^# Todo MCP demo/);
    assert.equal(c.auth.tokens, undefined, 'no sign-in for the public resource');
  });

  it('the protected resource and the prompt: deferred sign-in says what is needed; after sign-in, the user’s own todos, a subscription hears add_todo, completion offers the ids', async () => {
    const c = connect(demo.mixedUrl);
    await c.session.connect();
    await assert.rejects(readResource(c.session, MY_TODOS_URI, { authorize: false }), (e) => isInspectorError(e) && e.code === 'authorization_required');
    await assert.rejects(getPrompt(c.session, SUMMARY_PROMPT, { style: 'brief' }, { authorize: false }), (e) => isInspectorError(e) && e.code === 'authorization_required');
    const first = JSON.parse((((await readResource(c.session, MY_TODOS_URI)).contents[0]) as { text: string }).text) as { user: string; todos: unknown[] };
    assert.equal(first.user, 'demo');
    assert.ok(c.auth.tokens, 'signed in on the challenge');
    const heard: string[] = [];
    const sub = await subscribe(c.session, MY_TODOS_URI, (uri) => heard.push(uri));
    // add_todo needs todos.write: the call steps up (headless), then the server tells the subscriber
    const added = await c.session.callTool('add_todo', { title: 'watch the resource' });
    const id = (JSON.parse((added.content[0] as { text: string }).text) as { added: { id: string } }).added.id;
    await until(() => heard.includes(MY_TODOS_URI));
    const after = JSON.parse((((await readResource(c.session, MY_TODOS_URI)).contents[0]) as { text: string }).text) as { todos: Array<{ id: string }> };
    assert.ok(after.todos.some((t) => t.id === id));
    await sub.close();
    const ids = await complete(c.session, { type: 'ref/resource', uri: TODO_TEMPLATE }, { name: 'id', value: '' });
    assert.ok('values' in ids && ids.values.includes(id));
    const one = await readResource(c.session, `todo://todos/${id}`);
    assert.equal((JSON.parse((one.contents[0] as { text: string }).text) as { title: string }).title, 'watch the resource');
    const styles = await complete(c.session, { type: 'ref/prompt', name: SUMMARY_PROMPT }, { name: 'style', value: 'b' });
    assert.deepEqual('values' in styles && styles.values, ['brief']);
    const prompt = await getPrompt(c.session, SUMMARY_PROMPT, { style: 'brief' });
    assert.deepEqual(prompt.messages.map((m) => m.content.type), ['text', 'resource']);
  });

  if (pin) {
    it('a tool call writes a log message (notifications/message)', async () => {
      const c = connect(demo.mixedUrl);
      await c.session.connect();
      const logs: unknown[] = [];
      c.session.client.setNotificationHandler('notifications/message', (n) => void logs.push(n.params));
      await c.session.callTool('search_docs', { query: 'pkce' });
      await until(() => logs.length > 0);
      assert.deepEqual(logs[0], { level: 'info', logger: 'todo-demo', data: { tool: 'search_docs', user: 'anonymous', isError: false } });
    });
  }
});
