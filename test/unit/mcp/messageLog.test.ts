import { strict as assert } from 'node:assert';
import { fileURLToPath } from 'node:url';
import { createGuardedFetch } from '../../../src/core/http/guardedFetch';
import { Redactor } from '../../../src/core/http/redact';
import { Trace, type TraceExchange } from '../../../src/core/http/trace';
import { MessageLog } from '../../../src/core/mcp/messageLog';
import { McpSession, type McpSessionOptions } from '../../../src/core/mcp/session';
import { nullLogger } from '../../../src/core/ports';
import type { MessageEntry } from '../../../src/shared/messages';
import { messageLine, messagesJsonl, messagesMarkdown } from '../../../src/present/messages';
import { startMcpServer } from '../../fixtures/mcpServers';
import { startMcpServerV2 } from '../../fixtures/mcpServerV2';
import { DEEP_TOOL, HOSTILE_TOOL, startHostileServer, THROW_TOOL } from '../../fixtures/hostileServer';
import { findLeaks, useOAuthFixtures } from '../../fixtures/oauthFixture';

const STDIO_SERVER = fileURLToPath(new URL('../../fixtures/stdioServer.mjs', import.meta.url));

function sessionFor(url: URL, trace: Trace, extra: Partial<McpSessionOptions> = {}): McpSession {
  const fetch = createGuardedFetch({ policy: { trustedOrigin: url }, trace, redactor: new Redactor(), timeoutMs: 5000 });
  return new McpSession({ target: { kind: 'http', url }, fetch, logger: nullLogger, ...extra });
}

const find = (entries: MessageEntry[], direction: 'in' | 'out', kind: MessageEntry['kind'], method: string) => entries.find((e) => e.direction === direction && e.kind === kind && e.method === method);

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('MessageLog', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  const track = <T extends { close(): Promise<void> }>(x: T): T => (open.push(x), x);
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
  });

  describe('in a session (2025 session era, Streamable HTTP answering with event streams)', () => {
    it('records requests, results, notifications, a server → client request and its answer, each with its exchange, timing and era', async () => {
      const fx = track(await startMcpServer());
      const trace = new Trace();
      const s = track(sessionFor(fx.url, trace, { onElicit: async () => ({ action: 'accept', content: { name: 'Ada', count: 3 } }) }));
      await s.connect();
      await s.listTools();
      await s.callTool('echo', { text: 'hi' });
      await s.callTool('change');
      await s.callTool('ask');
      const entries = s.messages.entries();

      const init = find(entries, 'out', 'request', 'initialize')!;
      assert.ok(init, 'initialize went out');
      assert.equal(init.transport, 'streamable-http');
      const initResult = find(entries, 'in', 'result', 'initialize')!;
      assert.equal(initResult.replyTo, init.seq);
      assert.ok(initResult.durationMs !== undefined && initResult.durationMs >= 0);
      assert.ok(find(entries, 'out', 'notification', 'notifications/initialized'));

      const call = entries.find((e) => e.direction === 'out' && e.method === 'tools/call' && e.payload.includes('"echo"'))!;
      assert.equal(call.kind, 'request');
      assert.equal(call.protocol?.era, 'session');
      assert.match(call.protocol?.version ?? '', /^\d{4}-\d{2}-\d{2}$/);
      assert.equal(call.http?.method, 'POST');
      assert.equal(call.http?.status, 200);
      assert.equal(call.http?.requestHeaders['content-type'], 'application/json');
      assert.ok(call.http?.requestHeaders['mcp-session-id'], 'the session header is shown');
      const exchange = trace.all().find((e): e is TraceExchange => e.kind === 'http' && e.id === call.http?.exchange);
      assert.ok(exchange, 'the exchange id is the trace entry of that POST');
      assert.equal(exchange.step, 'MCP tools/call echo');
      const result = entries.find((e) => e.direction === 'in' && e.kind === 'result' && e.replyTo === call.seq)!;
      assert.equal(result.method, 'tools/call');
      assert.equal(result.http?.exchange, call.http?.exchange, 'the result rode on the same exchange');
      assert.equal(result.http?.responseHeaders?.['content-type'], 'text/event-stream');

      // list_changed notifications came on the session's GET event stream (the server sent them outside a request)
      const changed = find(entries, 'in', 'notification', 'notifications/tools/list_changed')!;
      assert.ok(changed, 'tools/list_changed recorded');
      assert.equal(changed.http?.method, 'GET');
      assert.equal(changed.http?.responseHeaders?.['content-type'], 'text/event-stream');
      assert.ok(trace.all().some((e) => e.kind === 'http' && e.id === changed.http?.exchange && e.request.method === 'GET'));
      assert.ok(find(entries, 'in', 'notification', 'notifications/resources/list_changed'));
      assert.ok(find(entries, 'in', 'notification', 'notifications/prompts/list_changed'));

      // the server's elicitation request and the client's answer, correlated
      const elicit = find(entries, 'in', 'request', 'elicitation/create')!;
      assert.ok(elicit);
      const answer = find(entries, 'out', 'result', 'elicitation/create')!;
      assert.equal(answer.replyTo, elicit.seq);
      assert.match(answer.payload, /"action":"accept"/);

      // seq increases in the order entries were kept
      for (let i = 1; i < entries.length; i++) assert.ok(entries[i].seq > entries[i - 1].seq);
    });

    it("marks an MCP App view's tools/call and its answer with origin 'app-view', and no other message, even when both run at once", async () => {
      const fx = track(await startMcpServer());
      const s = track(sessionFor(fx.url, new Trace()));
      await s.connect();
      await s.listTools();
      // concurrently: the view's call and the panel's call share the connection; only the view's is marked
      await Promise.all([s.callTool('echo', { text: 'for-the-view' }, { origin: 'app-view' }), s.callTool('echo', { text: 'for-the-panel' })]);
      await s.callTool('echo', { text: 'after' });
      const entries = s.messages.entries();
      const request = (text: string) => entries.find((e) => e.direction === 'out' && e.method === 'tools/call' && e.payload.includes(text))!;
      const answer = (req: MessageEntry) => entries.find((e) => e.direction === 'in' && e.replyTo === req.seq)!;
      const view = request('for-the-view');
      assert.equal(view.origin, 'app-view');
      assert.equal(answer(view).origin, 'app-view', 'the answer to the view’s request is marked too');
      for (const text of ['for-the-panel', 'after']) {
        assert.equal(request(text).origin, undefined, `${text}: not the view's`);
        assert.equal(answer(request(text)).origin, undefined);
      }
      assert.deepEqual(
        entries.filter((e) => e.origin).map((e) => e.seq),
        [view.seq, answer(view).seq],
        'initialize, tools/list and notifications are not marked',
      );
      // the renderers show it: the one-line form, JSON Lines and Markdown
      assert.match(messageLine(view), /\(from view\)/);
      assert.doesNotMatch(messageLine(request('for-the-panel')), /from view/);
      assert.equal(JSON.parse(messagesJsonl([view]).trim()).origin, 'app-view');
      assert.match(messagesMarkdown({ name: 'x', url: fx.url.href }, { entries: [view], dropped: 0 }), /sent for an MCP App view/);
    });

    it('on the legacy HTTP+SSE transport, an answer names the GET stream it came on, not the POST', async () => {
      const fx = track(await startMcpServer({ transport: 'sse-only' }));
      const trace = new Trace();
      const s = track(sessionFor(fx.url, trace));
      await s.connect();
      await s.listTools();
      assert.equal(s.transportKind, 'sse');
      const entries = s.messages.entries();
      const list = find(entries, 'out', 'request', 'tools/list')!;
      const result = find(entries, 'in', 'result', 'tools/list')!;
      assert.equal(list.http?.method, 'POST');
      assert.equal(result.http?.method, 'GET');
      assert.notEqual(result.http?.exchange, list.http?.exchange);
      assert.equal(result.transport, 'sse');
    });
  });

  describe('in a session (2026-07-28 stateless era)', () => {
    it('records server/discover, the mirrored headers and the input_required round trip', async () => {
      const fx = track(await startMcpServerV2());
      const s = track(sessionFor(fx.url, new Trace(), { onElicit: async () => ({ action: 'accept', content: { name: 'Grace' } }) }));
      await s.connect();
      await s.listTools();
      await s.callTool('regional', { region: 'eu-west' });
      await s.callTool('ask');
      const entries = s.messages.entries();
      assert.ok(find(entries, 'out', 'request', 'server/discover'));
      assert.ok(find(entries, 'in', 'result', 'server/discover'));
      const call = entries.find((e) => e.direction === 'out' && e.method === 'tools/call' && e.payload.includes('eu-west'))!;
      assert.equal(call.protocol?.era, 'stateless-2026');
      assert.equal(call.protocol?.version, '2026-07-28');
      assert.equal(call.http?.requestHeaders['mcp-protocol-version'], '2026-07-28');
      // SEP-2243 mirrored headers are among the headers that matter
      const mcpHeaders = Object.keys(call.http?.requestHeaders ?? {}).filter((h) => h.startsWith('mcp-') && h !== 'mcp-protocol-version');
      assert.ok(mcpHeaders.length > 0, JSON.stringify(call.http?.requestHeaders));
      const asks = entries.filter((e) => e.direction === 'out' && e.kind === 'request' && e.method === 'tools/call' && e.payload.includes('"ask"'));
      assert.equal(asks.length, 2, 'the call, and its retry with the input responses');
      const results = entries.filter((e) => e.direction === 'in' && e.kind === 'result' && e.method === 'tools/call' && asks.some((a) => a.seq === e.replyTo));
      assert.equal(results.length, 2);
      assert.match(results[0].payload, /input_required/);
      assert.match(results[1].payload, /hello Grace/);
    });

    it('a list change announced on the subscriptions/listen stream is recorded with that stream’s exchange', async () => {
      const fx = track(await startMcpServerV2());
      const s = track(sessionFor(fx.url, new Trace()));
      await s.connect();
      await until(() => s.messages.entries().some((e) => e.direction === 'out' && e.method === 'subscriptions/listen'));
      const listen = find(s.messages.entries(), 'out', 'request', 'subscriptions/listen')!;
      fx.notifyToolsChanged();
      await until(() => s.messages.entries().some((e) => e.method === 'notifications/tools/list_changed'));
      const changed = find(s.messages.entries(), 'in', 'notification', 'notifications/tools/list_changed')!;
      assert.equal(changed.protocol?.era, 'stateless-2026');
      assert.equal(changed.http?.exchange, listen.http?.exchange, 'it came on the listen request’s response stream');
      assert.equal(changed.http?.responseHeaders?.['content-type'], 'text/event-stream');
    });

    it('a session pinned to 2025-06-18 on the same server is recorded as the session era', async () => {
      const fx = track(await startMcpServerV2());
      const s = track(sessionFor(fx.url, new Trace(), { protocolVersion: '2025-06-18' }));
      await s.connect();
      await s.listTools();
      const list = find(s.messages.entries(), 'out', 'request', 'tools/list')!;
      assert.deepEqual(list.protocol, { version: '2025-06-18', era: 'session' });
    });
  });

  describe('a hostile server', () => {
    it('markup and control characters stay data in a capped payload; a tool error and a JSON-RPC error are recorded as such', async () => {
      const srv = track(await startHostileServer());
      const url = new URL(srv.url);
      const s = track(sessionFor(url, new Trace(), { messageLog: { maxPayloadChars: 2000 } }));
      await s.connect();
      await s.listTools();
      await s.callTool(HOSTILE_TOOL).catch(() => undefined);
      await s.callTool(DEEP_TOOL).catch(() => undefined);
      await s.callTool(THROW_TOOL).catch(() => undefined);
      const entries = s.messages.entries();
      for (const e of entries) {
        assert.ok(e.payload.length <= 2000, `${e.method}: ${e.payload.length}`);
        assert.ok(!/[\u0000-\u001f]/.test(e.payload), 'control characters are JSON escapes, never raw');
        if (e.truncatedFrom !== undefined) assert.ok(e.truncatedFrom > 2000);
      }
      const list = find(entries, 'in', 'result', 'tools/list')!;
      assert.ok(list.payload.includes('<img src=x onerror='), 'markup is kept as text, to be shown as text');
      assert.ok(entries.some((e) => e.direction === 'in' && e.truncatedFrom !== undefined), 'the huge result is cut, and says so');
      assert.ok(entries.some((e) => e.direction === 'in' && e.kind === 'error' && e.method === 'tools/call' && typeof e.errorCode === 'number'), 'a JSON-RPC error is an error entry');
    });
  });

  describe('stdio', () => {
    it('records both directions with no HTTP exchange', async () => {
      const s = track(new McpSession({ target: { kind: 'stdio', command: process.execPath, args: [STDIO_SERVER] }, fetch: (() => {
        throw new Error('no fetch for stdio');
      }) as never, logger: nullLogger }));
      await s.connect();
      await s.callTool('add', { a: 1, b: 2 });
      const entries = s.messages.entries();
      const call = find(entries, 'out', 'request', 'tools/call')!;
      const result = find(entries, 'in', 'result', 'tools/call')!;
      assert.equal(call.transport, 'stdio');
      assert.equal(call.http, undefined);
      assert.equal(result.replyTo, call.seq);
      assert.match(result.payload, /"text":"3"/);
    });
  });

  describe('the Authorization header', () => {
    const oauth = useOAuthFixtures();
    it('shows which token went out (token #1, then #2 after a refresh) and never the token', async () => {
      const fx = await oauth.fixture();
      const conn = oauth.connect(fx);
      await conn.session.connect();
      await conn.session.listTools();
      let entries = conn.session.messages.entries();
      // the first request was refused without a token (401) and sent again after the sign-in
      const first = entries.find((e) => e.direction === 'out')!;
      assert.equal(first.http?.attempts, 2, JSON.stringify(first.http));
      assert.equal(first.http?.requestHeaders.authorization, 'Bearer …(redacted, token #1)');
      const init = find(entries, 'out', 'request', 'initialize')!;
      assert.equal(init.http?.requestHeaders.authorization, 'Bearer …(redacted, token #1)');
      assert.equal(find(entries, 'out', 'request', 'tools/list')!.http?.requestHeaders.authorization, 'Bearer …(redacted, token #1)');

      fx.expireAllAccessTokens();
      await conn.session.listTools();
      entries = conn.session.messages.entries();
      const lists = entries.filter((e) => e.direction === 'out' && e.method === 'tools/list');
      assert.equal(lists.at(-1)!.http?.requestHeaders.authorization, 'Bearer …(redacted, token #2)', 'the refreshed token is another token');
      assert.equal(fx.issued.accessTokens.length >= 2, true);
      assert.deepEqual(findLeaks(JSON.stringify(entries), fx.allSecrets()), []);
    });
  });

  describe('the ring buffer', () => {
    it('keeps the newest maxEntries, counts what it dropped, and can be resized and cleared', () => {
      const log = new MessageLog({ redactor: new Redactor(), maxEntries: 100 });
      let heard = 0;
      log.onEntry(() => heard++);
      for (let i = 0; i < 250; i++) log.record('in', { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: i } });
      assert.equal(heard, 250);
      const entries = log.entries();
      assert.equal(entries.length, 100);
      assert.equal(log.dropped, 150);
      assert.equal(entries[0].seq, 151);
      assert.equal(entries.at(-1)!.seq, 250);
      assert.equal(log.get(200)?.seq, 200);
      assert.equal(log.get(10), undefined);
      log.setMaxEntries(150); // below the minimum of 100 is clamped; growing keeps all
      assert.equal(log.entries().length, 100);
      log.setMaxEntries(100);
      for (let i = 0; i < 10; i++) log.record('out', { jsonrpc: '2.0', id: i, method: 'ping' });
      assert.equal(log.entries().length, 100);
      assert.equal(log.dropped, 160);
      log.clear();
      assert.deepEqual(log.snapshot(), { entries: [], dropped: 0, maxEntries: 100 });
    });

    it('redacts known secrets and secret keys, caps a huge payload and says so, keeps a log entry’s level', () => {
      const redactor = new Redactor();
      redactor.addSecret('s3cr3t-token-value-123');
      const log = new MessageLog({ redactor, maxPayloadChars: 1000 });
      const e = log.record('in', { jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'your token is s3cr3t-token-value-123' }], access_token: 'abc' } });
      assert.equal(e.kind, 'result');
      assert.ok(!e.payload.includes('s3cr3t-token-value-123'));
      assert.match(e.payload, /\[REDACTED\]/);
      assert.ok(!e.payload.includes('"abc"'));
      const big = log.record('in', { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'warning', logger: 'db', data: 'x'.repeat(100_000) } });
      assert.equal(big.payload.length, 1000);
      assert.ok(big.truncatedFrom! > 100_000);
      assert.equal(big.level, 'warning');
      assert.equal(big.logger, 'db');
      const err = log.record('in', { jsonrpc: '2.0', id: 8, error: { code: -32602, message: 'bad' } });
      assert.equal(err.kind, 'error');
      assert.equal(err.errorCode, -32602);
    });

    it('labels credentials by a stable ordinal per log, for any scheme', () => {
      const log = new MessageLog({ redactor: new Redactor() });
      assert.equal(log.authorizationLabel('Bearer aaaaaaaaaaaa'), 'Bearer …(redacted, token #1)');
      assert.equal(log.authorizationLabel('DPoP bbbbbbbbbbbb'), 'DPoP …(redacted, token #2)');
      assert.equal(log.authorizationLabel('Bearer aaaaaaaaaaaa'), 'Bearer …(redacted, token #1)');
      assert.equal(log.authorizationLabel('<script>x'), 'credential …(redacted, token #3)');
    });
  });

  it('a notification the server sends outside a request is recorded as it arrives on the GET stream', async () => {
    const fx = track(await startMcpServer());
    const s = track(sessionFor(fx.url, new Trace()));
    await s.connect();
    const before = s.messages.entries().length;
    await s.callTool('change');
    await until(() => s.messages.entries().length > before + 3);
    assert.ok(s.messages.entries().some((e) => e.method === 'notifications/tools/list_changed'));
  });
});
