/**
 * Both protocol eras, chosen automatically: a 2026-07-28 server (SDK v2) is found by server/discover
 * and spoken to statelessly; a server of the older versions only (the v1 fixture) falls back to
 * initialize; a pinned version is spoken exactly, or the connect fails saying so.
 */
import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { isInspectorError } from '../../../src/core/errors';
import { createGuardedFetch } from '../../../src/core/http/guardedFetch';
import { Redactor } from '../../../src/core/http/redact';
import { Trace } from '../../../src/core/http/trace';
import { McpSession, type McpSessionOptions } from '../../../src/core/mcp/session';
import { invalidHeaderDeclaration } from '../../../src/core/mcp/toolsList';
import type { Logger } from '../../../src/core/ports';
import { startMcpServerV2, type V2Fixture } from '../../fixtures/mcpServerV2';
import { startMcpServer, type McpFixture } from '../../fixtures/mcpServers';

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

describe('McpSession: protocol eras', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  const track = <T extends McpSession | McpFixture | V2Fixture>(x: T): T => (open.push(x), x);
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
  });

  describe('a 2026-07-28 server (SDK v2)', () => {
    it('negotiates by server/discover: stateless era, no initialize, server info and instructions from discover', async () => {
      const fx = track(await startMcpServerV2({ instructions: 'Use echo.' }));
      const s = track(sessionFor(fx.url));
      await s.connect();
      assert.deepEqual(s.negotiation, { protocolVersion: '2026-07-28', era: 'stateless-2026', negotiatedBy: 'discover' });
      const init = s.initializeResult!;
      assert.equal(init.protocolVersion, '2026-07-28');
      assert.equal(init.era, 'stateless-2026');
      assert.equal(init.negotiatedBy, 'discover');
      assert.equal(init.serverInfo?.name, 'fixture-v2');
      assert.ok(init.capabilities?.tools);
      assert.equal(init.instructions, 'Use echo.');
      // the list_changed capability opens subscriptions/listen (the 2026-07-28 way to hear of changes)
      assert.deepEqual(fx.requests.filter((r) => r.rpc && r.rpc !== 'subscriptions/listen').map((r) => r.rpc), ['server/discover']);
      assert.ok(!fx.requests.some((r) => r.rpc === 'initialize'), 'no initialize on the 2026-07-28 wire');
    });

    it('every request carries the protocol version, client info and capabilities in _meta, and the standard headers', async () => {
      const fx = track(await startMcpServerV2());
      const s = track(sessionFor(fx.url));
      await s.connect();
      await s.listTools();
      const r = await s.callTool('echo', { text: 'hi' });
      assert.equal(textOf(r), 'hi');
      const call = fx.requests.find((x) => x.rpc === 'tools/call')!;
      const meta = (call.body?.params as { _meta?: Record<string, unknown> })._meta ?? {};
      assert.equal(meta['io.modelcontextprotocol/protocolVersion'], '2026-07-28');
      assert.equal((meta['io.modelcontextprotocol/clientInfo'] as { name?: string })?.name, 'mcp-oauth-inspector');
      const caps = meta['io.modelcontextprotocol/clientCapabilities'] as { elicitation?: unknown; extensions?: Record<string, unknown> };
      assert.ok(caps?.elicitation, 'client capabilities say elicitation');
      assert.deepEqual(Object.keys(caps?.extensions ?? {}), ['io.modelcontextprotocol/skills', 'io.modelcontextprotocol/ui'], 'and the extensions this client speaks (SEP-2640 skills, SEP-1865 MCP Apps)');
      assert.deepEqual(caps?.extensions?.['io.modelcontextprotocol/ui'], { mimeTypes: ['text/html;profile=mcp-app'] }, 'with the view format it renders');
      assert.equal(call.headers['mcp-protocol-version'], '2026-07-28');
      assert.equal(call.headers['mcp-method'], 'tools/call');
      assert.equal(call.headers['mcp-name'], 'echo');
      assert.equal(call.headers['mcp-session-id'], undefined, 'stateless: no session');
    });

    it('mirrors x-mcp-header parameters into Mcp-Param-* headers (SEP-2243), and only those', async () => {
      const fx = track(await startMcpServerV2());
      const s = track(sessionFor(fx.url));
      await s.connect();
      await s.listTools();
      await s.callTool('regional', { region: 'eu-west', query: 'q' });
      const call = fx.requests.find((x) => x.rpc === 'tools/call')!;
      assert.equal(call.headers['mcp-param-region'], 'eu-west');
      assert.equal(call.headers['mcp-param-query'], undefined);
    });

    it('input_required (MRTR) is answered by the elicitation handler, and the call retried with the request state', async () => {
      const fx = track(await startMcpServerV2());
      const asked: string[] = [];
      const s = track(sessionFor(fx.url, { onElicit: async (p) => (asked.push(p.message), { action: 'accept', content: {} }) }));
      await s.connect();
      await s.listTools();
      const r = await s.callTool('ask');
      assert.deepEqual(asked, ['Who are you?']);
      assert.equal(textOf(r), 'hello Ada', 'the schema default was applied to the accepted answer');
      const calls = fx.requests.filter((x) => x.rpc === 'tools/call');
      assert.equal(calls.length, 2);
      assert.equal((calls[1].body?.params as { requestState?: string }).requestState, 'round-1', 'request state echoed (SEP-2322)');
    });

    it('list changes arrive through subscriptions/listen and reach onListChanged', async () => {
      const fx = track(await startMcpServerV2());
      const changed: string[] = [];
      const s = track(sessionFor(fx.url, { onListChanged: (what) => changed.push(what) }));
      await s.connect();
      const end = Date.now() + 3000;
      while (!fx.requests.some((r) => r.rpc === 'subscriptions/listen') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      fx.notifyToolsChanged();
      while (!changed.length && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(changed, ['tools']);
    });

    it('a result without resultType is taken as complete (SEP-2322), not refused', async () => {
      const http = createServer((req, res) => {
        let raw = '';
        req.on('data', (c) => (raw += c));
        req.on('end', () => {
          const msg = JSON.parse(raw || '{}') as { id?: number; method?: string };
          if (msg.id === undefined) return void res.writeHead(202).end();
          const result =
            msg.method === 'server/discover'
              ? { resultType: 'complete', ttlMs: 0, cacheScope: 'private', supportedVersions: ['2026-07-28'], capabilities: { tools: {} }, serverInfo: { name: 'raw', version: '1' } }
              : msg.method === 'tools/list'
                ? { resultType: 'complete', ttlMs: 0, cacheScope: 'private', tools: [{ name: 'plain', inputSchema: { type: 'object' } }] }
                : { content: [{ type: 'text', text: 'no resultType here' }] };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
        });
      });
      await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
      open.push({ close: () => new Promise<void>((r) => http.close(() => r())) });
      const s = track(sessionFor(new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`)));
      await s.connect();
      assert.equal(s.negotiation?.era, 'stateless-2026');
      await s.listTools();
      assert.equal(textOf(await s.callTool('plain')), 'no resultType here');
    });

    it('a pin to 2026-07-28 connects by discover', async () => {
      const fx = track(await startMcpServerV2());
      const s = track(sessionFor(fx.url, { protocolVersion: '2026-07-28' }));
      await s.connect();
      assert.deepEqual(s.negotiation, { protocolVersion: '2026-07-28', era: 'stateless-2026', negotiatedBy: 'discover', pinned: '2026-07-28' });
    });

    it('a pin to an older version speaks initialize to a server of both eras', async () => {
      const fx = track(await startMcpServerV2());
      const s = track(sessionFor(fx.url, { protocolVersion: '2025-06-18' }));
      await s.connect();
      assert.deepEqual(s.negotiation, { protocolVersion: '2025-06-18', era: 'session', negotiatedBy: 'initialize', pinned: '2025-06-18' });
      assert.ok(!fx.requests.some((r) => r.rpc === 'server/discover'), 'no probe when pinned to the session era');
      assert.equal(textOf(await s.callTool('echo', { text: 'old' })), 'old');
    });
  });

  describe('a server of the older versions only (SDK v1)', () => {
    it('falls back to initialize after the discover probe, with everything as before', async () => {
      const fx = track(await startMcpServer());
      const s = track(sessionFor(fx.url));
      await s.connect();
      assert.equal(s.negotiation?.era, 'session');
      assert.equal(s.negotiation?.negotiatedBy, 'initialize');
      assert.match(s.protocolVersion ?? '', /^2025-/);
      assert.equal(s.transportKind, 'streamable-http');
      assert.equal(textOf(await s.callTool('echo', { text: 'x' })), 'echo: x');
    });

    it('a pin to 2026-07-28 fails with mcp_connect_failed naming the pin and how to clear it', async () => {
      const fx = track(await startMcpServer());
      const s = track(sessionFor(fx.url, { protocolVersion: '2026-07-28' }));
      await assert.rejects(s.connect(), (e: unknown) => {
        assert.ok(isInspectorError(e));
        assert.equal(e.code, 'mcp_connect_failed');
        assert.match(e.message, /2026-07-28/);
        assert.match(e.hint ?? '', /protocolVersion|--protocol-version/);
        return true;
      });
    });

    it('a pin to an older version offers only that version', async () => {
      const fx = track(await startMcpServer());
      const s = track(sessionFor(fx.url, { protocolVersion: '2025-03-26' }));
      await s.connect();
      assert.equal(s.protocolVersion, '2025-03-26');
      assert.equal(s.negotiation?.negotiatedBy, 'initialize');
    });

    it('the legacy HTTP+SSE fallback still works after the probe', async () => {
      const fx = track(await startMcpServer({ transport: 'sse-only' }));
      const s = track(sessionFor(fx.url));
      await s.connect();
      assert.equal(s.transportKind, 'sse');
      assert.equal(s.negotiation?.negotiatedBy, 'initialize');
    });
  });

  describe('stdio', () => {
    const v2 = fileURLToPath(new URL('../../fixtures/stdioServerV2.mjs', import.meta.url));
    const v1 = fileURLToPath(new URL('../../fixtures/stdioServer.mjs', import.meta.url));
    const stdio = (file: string, extra: Partial<McpSessionOptions> = {}) =>
      new McpSession({ target: { kind: 'stdio', command: process.execPath, args: [file] }, fetch: createGuardedFetch({ policy: { trustedOrigin: new URL('http://127.0.0.1/') }, trace: new Trace(), redactor: new Redactor() }), logger: logger(), ...extra });

    it('a 2026-07-28 server over stdio: discover, then calls on the stateless era', async () => {
      const s = track(stdio(v2));
      await s.connect();
      assert.deepEqual(s.negotiation, { protocolVersion: '2026-07-28', era: 'stateless-2026', negotiatedBy: 'discover' });
      await s.listTools();
      assert.equal(textOf(await s.callTool('add', { a: 2, b: 3 })), '5');
    });

    it('a server of the older versions over stdio: initialize, as before', async () => {
      const s = track(stdio(v1));
      await s.connect();
      assert.equal(s.negotiation?.negotiatedBy, 'initialize');
      assert.equal(textOf(await s.callTool('add', { a: 2, b: 3 })), '5');
    });
  });

  it('a pin that is not a version → config_invalid before anything is sent', () => {
    assert.throws(
      () => sessionFor(new URL('http://127.0.0.1:1/mcp'), { protocolVersion: 'latest\u001b[31m' }),
      (e: unknown) => isInspectorError(e) && e.code === 'config_invalid' && !e.message.includes('\u001b'),
    );
  });

  it('invalidHeaderDeclaration: the SEP-2243 rules', () => {
    const p = (props: Record<string, unknown>) => invalidHeaderDeclaration({ type: 'object', properties: props });
    assert.equal(p({ a: { type: 'string', 'x-mcp-header': 'Region' }, b: { type: 'integer', 'x-mcp-header': 'Prio' }, c: { type: 'boolean', 'x-mcp-header': 'V' } }), undefined);
    assert.match(p({ a: { type: 'string', 'x-mcp-header': '' } })!, /empty/);
    assert.match(p({ a: { type: 'number', 'x-mcp-header': 'Score' } })!, /number/);
    assert.match(p({ a: { type: 'object', 'x-mcp-header': 'D' } })!, /object/);
    assert.match(p({ a: { type: 'string', 'x-mcp-header': 'My Region' } })!, /valid header name/);
    assert.match(p({ a: { type: 'string', 'x-mcp-header': 'A:B' } })!, /valid header name/);
    assert.match(p({ a: { type: 'string', 'x-mcp-header': 'Région' } })!, /valid header name/);
    assert.match(p({ a: { type: 'string', 'x-mcp-header': 'MyField' }, b: { type: 'string', 'x-mcp-header': 'myfield' } })!, /twice/);
  });
});
