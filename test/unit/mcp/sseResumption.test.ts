/**
 * SSE resumption on Streamable HTTP (MCP 2025-11-25 transports §"Resumability and Redelivery",
 * SEP-1699; the official conformance scenario `sse-retry`): a server answers tools/call with an
 * SSE stream that carries an event `id:` and `retry:`, then closes it without the response. The
 * client must come back with GET + `Last-Event-ID` no sooner than the retry time, and the call must
 * complete with the result the server delivers on the resumed stream.
 *
 * The server is node:http written by hand (every byte on the wire is the test's), on 127.0.0.1,
 * driven through a real connection (createConnection: auth fetch + guarded fetch + McpSession).
 */
import { strict as assert } from 'node:assert';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createConnection, type Connection } from '../../../src/core/connection';
import type { TraceExchange } from '../../../src/core/http/trace';
import { MemorySecretStore } from '../../../src/core/memorySecretStore';

const SESSION_ID = 'resumption-session-1';

interface Seen {
  method: string;
  headers: IncomingMessage['headers'];
  /** JSON-RPC method of a POST body, if any. */
  rpc?: string;
  /** performance.now() at arrival. */
  at: number;
}

interface ResumableServer {
  url: string;
  seen: Seen[];
  /** performance.now() when the POST stream of tools/call was ended by the server. */
  postClosedAt?: number;
  close(): Promise<void>;
}

/**
 * `events`: what the tools/call POST stream carries before the server ends it (SSE text, each
 * ending in a blank line). The resumed GET stream then delivers the result with event id `resumed-1`.
 */
async function startResumableServer(events: (callId: number | string) => string[]): Promise<ResumableServer> {
  let pendingCallId: number | string | undefined;
  const state: ResumableServer = { url: '', seen: [], close: async () => {} };

  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': SESSION_ID });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const msg = body ? (JSON.parse(body) as { id?: number | string; method?: string; params?: { protocolVersion?: string } }) : undefined;
      state.seen.push({ method: req.method ?? '', headers: req.headers, rpc: msg?.method, at: performance.now() });

      if (req.method === 'DELETE') return void res.writeHead(200).end();
      if (req.method === 'GET') {
        const lastEventId = req.headers['last-event-id'];
        // No standalone stream without a resumption point (a server MAY answer 405).
        if (!lastEventId || pendingCallId === undefined) return void res.writeHead(405).end();
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'mcp-session-id': SESSION_ID });
        const result = { jsonrpc: '2.0', id: pendingCallId, result: { content: [{ type: 'text', text: `resumed after ${String(lastEventId)}` }] } };
        res.write(`id: resumed-1\nevent: message\ndata: ${JSON.stringify(result)}\n\n`);
        pendingCallId = undefined;
        return void res.end();
      }
      if (req.method !== 'POST' || !msg) return void res.writeHead(405).end();
      switch (msg.method) {
        case 'initialize':
          return json(res, {
            jsonrpc: '2.0',
            id: msg.id,
            result: { protocolVersion: msg.params?.protocolVersion ?? '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'resumable', version: '1.0.0' } },
          });
        case 'tools/list':
          return json(res, { jsonrpc: '2.0', id: msg.id, result: { tools: [{ name: 'test_reconnection', inputSchema: { type: 'object', properties: {} } }] } });
        case 'tools/call': {
          pendingCallId = msg.id;
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'mcp-session-id': SESSION_ID });
          for (const e of events(msg.id!)) res.write(e);
          // Close the stream gracefully, without the response: the client must resume.
          setTimeout(() => {
            state.postClosedAt = performance.now();
            res.end();
          }, 50);
          return;
        }
        default:
          // Notifications (initialized, …) are accepted without a body.
          if (msg.id === undefined) return void res.writeHead(202).end();
          return json(res, { jsonrpc: '2.0', id: msg.id, result: {} });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return state;
}

describe('McpSession: SSE resumption after a closed POST stream (sse-retry)', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
  });

  async function connectTo(srv: ResumableServer): Promise<Connection> {
    const conn = createConnection({ serverUrl: srv.url, secrets: new MemorySecretStore(), client: { policy: 'auto' }, timeoutMs: 5000 });
    open.push(conn);
    await conn.session.connect();
    return conn;
  }

  const resumes = (srv: ResumableServer) => srv.seen.filter((s) => s.method === 'GET' && s.headers['last-event-id'] !== undefined);
  const textOf = (r: { content: unknown }) => (r.content as Array<{ text?: string }>).map((c) => c.text ?? '').join('');

  it('reconnects with GET and Last-Event-ID after the retry time; the result arrives on the resumed stream', async () => {
    const srv = await startResumableServer(() => ['id: ev-1\nretry: 500\ndata: \n\n']);
    open.push(srv);
    const conn = await connectTo(srv);
    const result = await conn.session.callTool('test_reconnection');
    assert.equal(textOf(result), 'resumed after ev-1');

    const [get, ...more] = resumes(srv);
    assert.ok(get, 'the client reconnected with GET and Last-Event-ID');
    assert.equal(more.length, 0, 'one reconnection is enough: the result came on it');
    assert.equal(get.headers['last-event-id'], 'ev-1');
    assert.match(String(get.headers.accept), /text\/event-stream/);
    assert.equal(get.headers['mcp-session-id'], SESSION_ID, 'the resumed stream belongs to the same session');
    // A lower bound on how long the client waited (server close → GET arrival), not a limit on our speed.
    const gap = get.at - srv.postClosedAt!;
    assert.ok(gap >= 450, `reconnected ${gap.toFixed(0)} ms after the stream closed; the server asked for retry: 500`);
    assert.ok(gap < 5000, `reconnected only after ${gap.toFixed(0)} ms`);
    // The request was resumed, not sent again.
    assert.equal(srv.seen.filter((s) => s.rpc === 'tools/call').length, 1);

    // The resumption is in the trace like any other MCP exchange (through the guarded fetch).
    const traced = conn.trace.all().filter((e): e is TraceExchange => e.kind === 'http' && e.request.method === 'GET' && e.response?.status === 200);
    assert.equal(traced.length, 1);
    assert.equal(traced[0].purpose, 'mcp');
  });

  it("the server's retry wins over the client's own backoff: retry: 1500 → no reconnection before ~1.5 s", async () => {
    // The SDK's own first delay is 1000 ms: a client ignoring `retry:` would come back after ~1 s.
    const srv = await startResumableServer(() => ['id: slow-1\nretry: 1500\ndata: \n\n']);
    open.push(srv);
    const conn = await connectTo(srv);
    const result = await conn.session.callTool('test_reconnection');
    assert.equal(textOf(result), 'resumed after slow-1');
    const [get] = resumes(srv);
    const gap = get.at - srv.postClosedAt!;
    assert.ok(gap >= 1450, `reconnected ${gap.toFixed(0)} ms after the stream closed; the server asked for retry: 1500`);
    assert.ok(gap < 6000, `reconnected only after ${gap.toFixed(0)} ms`);
  });

  it('Last-Event-ID is the id of the last event received, not the first', async () => {
    const srv = await startResumableServer(() => [
      'id: ev-1\nretry: 500\ndata: \n\n',
      `id: ev-2\nevent: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'working' } })}\n\n`,
      // An event without an id does not move the resumption point.
      ': keep-alive comment\n\n',
    ]);
    open.push(srv);
    const conn = await connectTo(srv);
    const result = await conn.session.callTool('test_reconnection');
    assert.equal(textOf(result), 'resumed after ev-2');
    assert.deepEqual(resumes(srv).map((s) => s.headers['last-event-id']), ['ev-2']);
  });
});
