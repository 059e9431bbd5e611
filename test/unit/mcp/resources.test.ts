/**
 * Resources, templates, prompts and completions against a local server (test/fixtures/resourceServer.ts)
 * on both protocol eras: a cut listing keeps its cursor and goes on from it, reads return text and
 * blobs with their MIME types, a subscription hears the server's update (resources/subscribe on the
 * session era, subscriptions/listen on 2026-07-28), and a server without the capabilities is not asked.
 */
import { strict as assert } from 'node:assert';
import { createGuardedFetch } from '../../../src/core/http/guardedFetch';
import { Redactor } from '../../../src/core/http/redact';
import { Trace } from '../../../src/core/http/trace';
import { complete, getPrompt, listPrompts, listResources, listResourceTemplates, readResource, subscribe, subscriptionSupport } from '../../../src/core/mcp/resources';
import { McpSession } from '../../../src/core/mcp/session';
import { nullLogger } from '../../../src/core/ports';
import { FIXTURE_PNG, FRUITS, startResourceServer, type ResourceFixture } from '../../fixtures/resourceServer';

function sessionFor(url: URL, protocolVersion?: string, maxPages?: number): McpSession {
  const fetch = createGuardedFetch({ policy: { trustedOrigin: url }, trace: new Trace(), redactor: new Redactor(), timeoutMs: 5000 });
  return new McpSession({ target: { kind: 'http', url }, fetch, logger: nullLogger, protocolVersion, maxPages });
}

const until = async (ok: () => boolean, ms = 4000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

for (const [era, pin] of [
  ['2026-07-28 (stateless)', undefined],
  ['session era (initialize)', '2025-06-18'],
] as const) {
  describe(`resources and prompts: ${era}`, function () {
    this.timeout(20_000);
    const open: Array<{ close(): Promise<void> }> = [];
    afterEach(async () => {
      for (const x of open.splice(0).reverse()) await x.close();
    });
    async function connected(o: Parameters<typeof startResourceServer>[0] = {}, maxPages?: number): Promise<{ fx: ResourceFixture; s: McpSession }> {
      const fx = await startResourceServer(o);
      open.push(fx);
      const s = sessionFor(fx.url, pin, maxPages);
      open.push(s);
      await s.connect();
      assert.equal(s.negotiation?.era, pin ? 'session' : 'stateless-2026');
      return { fx, s };
    }

    it('a listing cut at the page limit keeps the cursor, and the next run goes on from it to the end', async () => {
      const { s } = await connected({ items: 5 }, 2);
      const first = await listResources(s);
      assert.deepEqual(first.items.map((r) => r.uri), ['fx://counter', 'fx://markup', 'fx://image.png', 'fx://item/1']);
      assert.equal(first.nextCursor, '4');
      const rest = await listResources(s, { cursor: first.nextCursor, maxPages: 10 });
      assert.deepEqual(rest.items.map((r) => r.uri), ['fx://item/2', 'fx://item/3', 'fx://item/4', 'fx://item/5']);
      assert.equal(rest.nextCursor, undefined);
      // the session's own list (the tree's) is the first run, not an error
      assert.equal((await s.listResources()).length, 4);
    });

    it('lists templates and prompts; reads text and blobs with their MIME types; reads a template with its variable filled', async () => {
      const { s } = await connected();
      const templates = await listResourceTemplates(s);
      assert.deepEqual(templates.items.map((t) => t.uriTemplate), ['fx://things/{id}']);
      const prompts = await listPrompts(s);
      assert.deepEqual(prompts.items.map((p) => [p.name, p.arguments?.map((a) => a.name)]), [['greet', ['name']]]);
      const text = await readResource(s, 'fx://markup');
      assert.deepEqual(text.contents[0], { uri: 'fx://markup', mimeType: 'text/html', text: '<script>alert(1)</script><img src=x onerror=alert(2)>' });
      const blob = await readResource(s, 'fx://image.png');
      assert.equal((blob.contents[0] as { blob?: string }).blob, FIXTURE_PNG);
      assert.equal(blob.contents[0].mimeType, 'image/png');
      const thing = await readResource(s, 'fx://things/banana');
      assert.equal((thing.contents[0] as { text?: string }).text, '{"id":"banana"}');
    });

    it('completes a template variable and a prompt argument; gets the prompt with its messages by role and content type', async () => {
      const { s } = await connected();
      assert.deepEqual(await complete(s, { type: 'ref/resource', uri: 'fx://things/{id}' }, { name: 'id', value: 'ap' }), { values: ['apple', 'apricot'], total: 2, hasMore: undefined });
      const c = await complete(s, { type: 'ref/prompt', name: 'greet' }, { name: 'name', value: '' });
      assert.deepEqual('values' in c && c.values, FRUITS);
      const got = await getPrompt(s, 'greet', { name: 'Ada' });
      assert.deepEqual(got.messages.map((m) => [m.role, m.content.type]), [['user', 'text'], ['assistant', 'image'], ['assistant', 'resource']]);
      assert.equal((got.messages[0].content as { text: string }).text, 'Say hello to Ada');
    });

    it(`subscribes with ${pin ? 'resources/subscribe' : 'subscriptions/listen'}, hears the update, and stops hearing it after close`, async () => {
      const { fx, s } = await connected();
      const support = subscriptionSupport(s);
      assert.deepEqual(support, { supported: true, via: pin ? 'resources/subscribe' : 'subscriptions/listen' });
      const heard: string[] = [];
      const sub = await subscribe(s, 'fx://counter', (uri) => heard.push(uri));
      fx.bump();
      await until(() => heard.length === 1);
      assert.deepEqual(heard, ['fx://counter']);
      assert.equal(((await readResource(s, 'fx://counter')).contents[0] as { text: string }).text, 'count 1');
      await sub.close();
      await sub.close(); // safe twice
      if (pin) assert.ok(fx.methods.includes('resources/unsubscribe'));
      fx.bump();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(heard.length, 1);
    });

    it('a server without resources.subscribe or completions is not asked: the answer says the server lacks it', async () => {
      const { fx, s } = await connected({ bare: true });
      const support = subscriptionSupport(s);
      assert.equal(support.supported, false);
      assert.equal(!support.supported && support.reason, 'server');
      await assert.rejects(subscribe(s, 'fx://counter', () => {}), (e: Error & { code?: string }) => e.code === 'mcp_request_failed' && /resources\.subscribe/.test(e.message));
      const c = await complete(s, { type: 'ref/prompt', name: 'greet' }, { name: 'name', value: 'a' });
      assert.deepEqual(c, { supported: false, reason: 'server', message: 'The server does not offer completions (no completions capability)' });
      assert.ok(!fx.methods.includes('completion/complete') && !fx.methods.includes('resources/subscribe'), fx.methods.join());
    });

    it('a read of an unknown resource fails naming the step', async () => {
      const { s } = await connected();
      await assert.rejects(readResource(s, 'fx://nope'), (e: Error & { code?: string; step?: string }) => e.code === 'mcp_request_failed' && e.step === 'resources/read fx://nope');
    });
  });
}
