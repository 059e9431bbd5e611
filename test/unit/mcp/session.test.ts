import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { isInspectorError } from '../../../src/core/errors';
import { createGuardedFetch } from '../../../src/core/http/guardedFetch';
import { Redactor } from '../../../src/core/http/redact';
import { Trace } from '../../../src/core/http/trace';
import { McpSession, type McpSessionOptions } from '../../../src/core/mcp/session';
import type { Logger } from '../../../src/core/ports';
import { startMcpServer, type McpFixture } from '../../fixtures/mcpServers';

const STDIO_SERVER = fileURLToPath(new URL('../../fixtures/stdioServer.mjs', import.meta.url));

function logger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (l: string) => (m: string | Error) => void lines.push(`${l} ${m instanceof Error ? m.message : m}`);
  return { lines, trace: rec('trace'), debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}

function sessionFor(url: URL, extra: Partial<McpSessionOptions> = {}): McpSession {
  const fetch = createGuardedFetch({ policy: { trustedOrigin: url }, trace: new Trace(), redactor: new Redactor(), timeoutMs: 5000 });
  return new McpSession({ target: { kind: 'http', url }, fetch, logger: logger(), ...extra });
}

const textOf = (r: { content: Array<{ type: string; text?: string }> }) => r.content.map((c) => c.text ?? '').join('');

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('McpSession (no auth)', () => {
  const open: Array<McpSession | McpFixture> = [];
  const track = <T extends McpSession | McpFixture>(x: T): T => (open.push(x), x);
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
  });

  describe('Streamable HTTP', () => {
    it('connects and reports the server, transport and protocol version', async () => {
      const fx = track(await startMcpServer());
      const s = track(sessionFor(fx.url));
      await s.connect();
      assert.equal(s.transportKind, 'streamable-http');
      assert.equal(s.serverInfo?.name, 'fixture-server');
      assert.equal(s.serverInfo?.version, '1.2.3');
      assert.ok(s.protocolVersion, 'a negotiated protocol version');
      assert.ok(s.serverCapabilities?.tools);
      assert.equal(s.serverRequiresAuth, false);
    });

    it('keeps the initialize result (protocol version, server info, capabilities, instructions), and the trace shows it in the streamed response', async () => {
      const fx = track(await startMcpServer({ instructions: 'Call list_todos first.\n<b>not markup</b>' }));
      const trace = new Trace();
      const fetch = createGuardedFetch({ policy: { trustedOrigin: fx.url }, trace, redactor: new Redactor(), timeoutMs: 5000 });
      const s = track(new McpSession({ target: { kind: 'http', url: fx.url }, fetch, logger: logger() }));
      assert.equal(s.initializeResult, undefined, 'nothing before connect');
      await s.connect();
      const init = s.initializeResult!;
      assert.equal(init.protocolVersion, s.protocolVersion);
      assert.match(init.protocolVersion ?? '', /^\d{4}-\d{2}-\d{2}$/);
      assert.deepEqual(init.serverInfo, { name: 'fixture-server', version: '1.2.3', title: undefined });
      assert.deepEqual(Object.keys(init.capabilities ?? {}).sort(), ['prompts', 'resources', 'tools']);
      assert.equal(init.instructions, 'Call list_todos first.\n<b>not markup</b>');
      // the fixture answers POSTs as an event stream: its initialize result is in the trace entry
      const initExchange = trace.all().find((e) => e.kind === 'http' && e.request.body?.includes('"initialize"'));
      assert.ok(initExchange?.kind === 'http');
      assert.equal(initExchange.response?.headers['content-type'], 'text/event-stream');
      assert.ok(initExchange.response?.body?.includes('"serverInfo":{"name":"fixture-server","version":"1.2.3"}'), initExchange.response?.body);
      assert.ok((initExchange.response?.bytes ?? 0) > 0);
    });

    it('listTools keeps securitySchemes (top-level and _meta) and computes security per tool', async () => {
      const fx = track(await startMcpServer());
      const s = track(sessionFor(fx.url));
      await s.connect();
      const tools = await s.listTools();
      const by = Object.fromEntries(tools.map((t) => [t.tool.name, t.security]));
      assert.deepEqual(Object.keys(by), ['echo', 'whoami', 'mixed', 'plain', 'ask', 'change', 'protected']);
      assert.equal(by.echo.source, 'securitySchemes', 'top-level securitySchemes must survive the SDK parse');
      assert.deepEqual(by.echo.schemes, [{ type: 'noauth' }]);
      assert.equal(by.echo.covered, true);
      assert.equal(by.whoami.source, '_meta.securitySchemes');
      assert.deepEqual(by.whoami.missing, ['profile']);
      assert.equal(by.whoami.covered, false);
      assert.equal(by.mixed.anonymous, true);
      assert.equal(by.plain.source, 'default');
      assert.equal(by.plain.covered, true);
      assert.deepEqual(by.protected.scopesNeeded, ['files:write']);
    });

    it('listTools follows pagination to the end', async () => {
      const fx = track(await startMcpServer({ pageSize: 2 }));
      const s = track(sessionFor(fx.url));
      await s.connect();
      const tools = await s.listTools();
      assert.equal(tools.length, 7);
      assert.equal(fx.toolListCalls, 4);
      assert.equal(tools[6].tool.name, 'protected');
      assert.equal(tools[6].security.source, 'securitySchemes', 'schemes kept on later pages too');
    });

    it('listTools stops at the page cap against a server that paginates forever', async () => {
      const fx = track(await startMcpServer({ paginateForever: true }));
      const s = track(sessionFor(fx.url, { maxPages: 5 }));
      await s.connect();
      const tools = await s.listTools();
      assert.equal(tools.length, 5);
      assert.equal(fx.toolListCalls, 5);
    });

    it('listToolsPaged says when the page cap cut the list, and not when the list ended on the last allowed page', async () => {
      const fx = track(await startMcpServer({ pageSize: 2 }));
      const s = track(sessionFor(fx.url));
      await s.connect();
      const cut = await s.listToolsPaged(3);
      assert.equal(cut.tools.length, 6);
      assert.deepEqual(cut.truncated, { maxPages: 3, items: 6 });
      const whole = await s.listToolsPaged(4);
      assert.equal(whole.tools.length, 7);
      assert.equal(whole.truncated, undefined);
    });

    it('the default page cap is 50', async () => {
      const fx = track(await startMcpServer({ paginateForever: true }));
      const s = track(sessionFor(fx.url));
      await s.connect();
      assert.equal((await s.listTools()).length, 50);
      assert.equal(fx.toolListCalls, 50);
    });

    it('listResources and listPrompts (paginated)', async () => {
      const fx = track(await startMcpServer({ pageSize: 2 }));
      const s = track(sessionFor(fx.url));
      await s.connect();
      assert.deepEqual(
        (await s.listResources()).map((r) => r.uri),
        ['fixture://res/a', 'fixture://res/b', 'fixture://res/c'],
      );
      assert.deepEqual(
        (await s.listPrompts()).map((p) => p.name),
        ['p1', 'p2', 'p3'],
      );
    });

    it('listResources / listPrompts are empty when the server lacks the capability', async () => {
      const fx = track(await startMcpServer({ resourcesAndPrompts: false }));
      const s = track(sessionFor(fx.url));
      await s.connect();
      assert.deepEqual(await s.listResources(), []);
      assert.deepEqual(await s.listPrompts(), []);
    });

    it('callTool returns the result', async () => {
      const fx = track(await startMcpServer());
      const s = track(sessionFor(fx.url));
      await s.connect();
      const r = await s.callTool('echo', { text: 'hi <b>there</b>' });
      assert.equal(r.isError, undefined);
      assert.equal(textOf(r), 'echo: hi <b>there</b>');
    });

    it('a tool-level challenge without an AuthManager is returned as the result', async () => {
      const fx = track(await startMcpServer());
      const s = track(sessionFor(fx.url));
      await s.connect();
      const r = await s.callTool('protected');
      assert.equal(r.isError, true);
      assert.match(String((r._meta as Record<string, unknown>)['mcp/www_authenticate']), /insufficient_scope/);
    });

    it('list_changed notifications reach onListChanged', async () => {
      const fx = track(await startMcpServer());
      const seen: string[] = [];
      const s = track(sessionFor(fx.url, { onListChanged: (w) => seen.push(w) }));
      await s.connect();
      await s.callTool('change');
      await until(() => ['tools', 'resources', 'prompts'].every((w) => seen.includes(w)));
    });

    it('elicitation: the SDK applies the schema defaults to an accept with empty content', async () => {
      const fx = track(await startMcpServer());
      const asked: unknown[] = [];
      const s = track(
        sessionFor(fx.url, {
          onElicit: async (params) => {
            asked.push(params);
            return { action: 'accept', content: {} };
          },
        }),
      );
      await s.connect();
      const r = await s.callTool('ask');
      assert.equal(asked.length, 1);
      assert.equal((asked[0] as { message: string }).message, 'Your details');
      assert.deepEqual(JSON.parse(textOf(r)), { action: 'accept', content: { name: 'Ada', count: 3, color: 'green', subscribed: true } });
    });

    it('elicitation without onElicit declines', async () => {
      const fx = track(await startMcpServer());
      const s = track(sessionFor(fx.url));
      await s.connect();
      const r = await s.callTool('ask');
      assert.equal(JSON.parse(textOf(r)).action, 'decline');
    });

    it('close() twice is safe, and so is close() before connect()', async () => {
      const fx = track(await startMcpServer());
      const s = sessionFor(fx.url);
      await s.connect();
      await s.close();
      await s.close();
      // The session was terminated at the server (DELETE with the session id).
      assert.ok(fx.requests.some((r) => r.method === 'DELETE'));
      const never = sessionFor(fx.url);
      await never.close();
      await never.close();
    });

    it('hostile tool declarations: malformed securitySchemes are ignored, huge ones capped', async () => {
      const hostile = (name: string, extra: Record<string, unknown>) => ({ def: { name, inputSchema: { type: 'object' }, ...extra } });
      const fx = track(
        await startMcpServer({
          tools: [
            hostile('as_string', { securitySchemes: 'noauth' }),
            hostile('as_object', { securitySchemes: { type: 'noauth' } }),
            hostile('strings', { securitySchemes: ['noauth', 'oauth2'] }),
            hostile('huge', { securitySchemes: Array.from({ length: 300 }, (_, i) => ({ type: 'oauth2', scopes: Array.from({ length: 100 }, (_, j) => `s${i}_${j}`) })) }),
            hostile('meta_junk', { _meta: { securitySchemes: 42 } }),
            hostile('<img src=x onerror=alert(1)>', { description: '<script>alert(1)</script>', securitySchemes: [{ type: 'noauth', extra: { __proto__: { polluted: true } } }] }),
          ],
        }),
      );
      const s = track(sessionFor(fx.url));
      await s.connect();
      const by = Object.fromEntries((await s.listTools()).map((t) => [t.tool.name, t]));
      for (const n of ['as_string', 'as_object', 'strings', 'meta_junk']) {
        assert.equal(by[n].security.source, 'default', n);
        assert.equal(by[n].security.schemes, undefined, n);
      }
      assert.equal(by.huge.security.schemes?.length, 16);
      assert.equal(by.huge.security.scopesNeeded.length, 64);
      const xss = by['<img src=x onerror=alert(1)>'];
      assert.equal(xss.tool.description, '<script>alert(1)</script>', 'carried as data, unchanged');
      assert.deepEqual(xss.security.schemes, [{ type: 'noauth' }]);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('inspectToolCall returns a result whose structuredContent misses the outputSchema, with the SDK check; callTool throws', async () => {
      const outputSchema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
      const fx = track(
        await startMcpServer({
          tools: [
            { def: { name: 'good', inputSchema: { type: 'object' }, outputSchema }, handler: () => ({ content: [{ type: 'text', text: '1' }], structuredContent: { n: 1 } }) },
            { def: { name: 'bad', inputSchema: { type: 'object' }, outputSchema }, handler: () => ({ content: [{ type: 'text', text: 'x' }], structuredContent: { n: 'x' } }) },
            { def: { name: 'missing', inputSchema: { type: 'object' }, outputSchema }, handler: () => ({ content: [{ type: 'text', text: 'none' }] }) },
            { def: { name: 'plain', inputSchema: { type: 'object' } }, handler: () => ({ content: [{ type: 'text', text: 'p' }], structuredContent: { anything: true } }) },
          ],
        }),
      );
      const s = track(sessionFor(fx.url));
      await s.connect();
      await s.listTools();
      assert.deepEqual((await s.inspectToolCall('good')).outputCheck, { valid: true, errors: [] });
      const bad = await s.inspectToolCall('bad');
      assert.deepEqual(bad.result.structuredContent, { n: 'x' }, 'the result is kept');
      assert.equal(bad.outputCheck?.valid, false);
      assert.match(bad.outputCheck!.errors[0], /does not match the tool's output schema/);
      await assert.rejects(s.callTool('bad'), /does not match the tool's output schema/);
      const missing = await s.inspectToolCall('missing');
      assert.equal(missing.outputCheck?.valid, false);
      assert.match(missing.outputCheck!.errors[0], /did not return structured content/);
      assert.equal((await s.inspectToolCall('plain')).outputCheck, undefined, 'no outputSchema: nothing to check');
    });

    it('a server that is not MCP → mcp_connect_failed with the URL', async () => {
      const fx = track(await startMcpServer({ path: '/elsewhere' }));
      const url = new URL('/mcp', fx.origin);
      // /mcp answers 404 to everything: Streamable HTTP fails, the SSE fallback fails too.
      const s = track(sessionFor(url));
      await assert.rejects(s.connect(), (err: unknown) => {
        assert.ok(isInspectorError(err, 'mcp_connect_failed'), String(err));
        assert.ok(err.message.includes(url.href), err.message);
        return true;
      });
    });
  });

  describe('legacy HTTP+SSE', () => {
    it('falls back to SSE when Streamable HTTP answers 405', async () => {
      const fx = track(await startMcpServer({ transport: 'sse-only' }));
      const log = logger();
      const s = track(sessionFor(fx.url, { logger: log }));
      await s.connect();
      assert.equal(s.transportKind, 'sse');
      assert.ok(fx.requests.some((r) => r.method === 'POST' && r.path === '/mcp'), 'tried Streamable HTTP first');
      assert.ok(log.lines.some((l) => /legacy HTTP\+SSE/.test(l)));
      const tools = await s.listTools();
      assert.equal(tools.length, 7);
      assert.equal(tools[0].security.source, 'securitySchemes');
      assert.equal(textOf(await s.callTool('echo', { text: 'over sse' })), 'echo: over sse');
      await s.close();
      await s.close();
    });

    it('falls back to SSE when Streamable HTTP answers 404', async () => {
      const fx = track(await startMcpServer({ transport: 'sse-only', legacyPostStatus: 404 }));
      const s = track(sessionFor(fx.url));
      await s.connect();
      assert.equal(s.transportKind, 'sse');
      assert.equal(textOf(await s.callTool('echo', { text: 'x' })), 'echo: x');
    });

    it('does not fall back on other refusals (500): the error is the Streamable HTTP one, no SSE attempt', async () => {
      const fx = track(await startMcpServer({ transport: 'sse-only', legacyPostStatus: 500 }));
      const s = track(sessionFor(fx.url));
      await assert.rejects(s.connect(), (err: unknown) => isInspectorError(err, 'mcp_connect_failed'));
      assert.ok(!fx.requests.some((r) => r.method === 'GET'), 'no SSE attempt');
    });

    it('transport "streamable-http" does not fall back', async () => {
      const fx = track(await startMcpServer({ transport: 'sse-only' }));
      const s = track(sessionFor(fx.url));
      (s as unknown as { opts: McpSessionOptions }).opts.target = { kind: 'http', url: fx.url, transport: 'streamable-http' };
      await assert.rejects(s.connect(), (err: unknown) => isInspectorError(err, 'mcp_connect_failed'));
      assert.ok(!fx.requests.some((r) => r.method === 'GET'), 'no SSE attempt');
    });

    it('transport "sse" goes straight to SSE', async () => {
      const fx = track(await startMcpServer({ transport: 'sse-only' }));
      const s = track(sessionFor(fx.url));
      (s as unknown as { opts: McpSessionOptions }).opts.target = { kind: 'http', url: fx.url, transport: 'sse' };
      await s.connect();
      assert.equal(s.transportKind, 'sse');
      assert.ok(!fx.requests.some((r) => r.method === 'POST' && r.path === '/mcp'));
      assert.match(s.initializeResult?.protocolVersion ?? '', /^\d{4}-\d{2}-\d{2}$/, 'the negotiated version over the legacy transport too');
    });
  });

  describe('stdio', () => {
    it('spawns a local server, lists and calls tools, closes twice', async () => {
      const s = new McpSession({
        target: { kind: 'stdio', command: process.execPath, args: [STDIO_SERVER], env: { FIXTURE_GREETING: 'hello from env' } },
        fetch: (() => {
          throw new Error('stdio must not fetch');
        }) as never,
        logger: logger(),
      });
      track(s);
      await s.connect();
      assert.equal(s.transportKind, 'stdio');
      assert.equal(s.serverInfo?.name, 'stdio-fixture');
      assert.match(s.initializeResult?.protocolVersion ?? '', /^\d{4}-\d{2}-\d{2}$/, 'the negotiated version over stdio too');
      const tools = await s.listTools();
      assert.deepEqual(
        tools.map((t) => t.tool.name),
        ['add', 'env'],
      );
      assert.equal(tools[0].security.source, 'securitySchemes');
      assert.equal(textOf(await s.callTool('add', { a: 2, b: 40 })), '42');
      assert.equal(textOf(await s.callTool('env')), 'hello from env');
      await s.close();
      await s.close();
    });

    it('a command that does not exist → an InspectorError, not a crash', async () => {
      const s = track(
        new McpSession({
          target: { kind: 'stdio', command: '/nonexistent/definitely-not-a-server' },
          fetch: (() => {
            throw new Error('no');
          }) as never,
          logger: logger(),
        }),
      );
      await assert.rejects(s.connect(), (err: unknown) => isInspectorError(err, 'mcp_connect_failed'));
    });
  });
});
