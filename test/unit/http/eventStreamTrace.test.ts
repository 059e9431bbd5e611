/**
 * MCP responses delivered as an event stream (the flow panel used to show "Response body (0 B)"):
 * the trace entry of a streamed MCP exchange gains the messages the stream carried as the caller
 * reads them, redacted like every other body; the caller gets every byte unchanged.
 */
import assert from 'node:assert/strict';
import { createGuardedFetch } from '../../../src/core/http/guardedFetch';
import { MAX_STREAM_TRACE_CHARS } from '../../../src/core/http/eventStreamTrace';
import { REDACTED, Redactor } from '../../../src/core/http/redact';
import { Trace, type TraceEntry, type TraceExchange } from '../../../src/core/http/trace';
import { startServer, type Handler, type LocalServer } from './localServer';

const SECRET = 'ECHOED-ACCESS-TOKEN-0123456789';

describe('http/eventStreamTrace: the messages of an MCP event stream in the trace', () => {
  const servers: LocalServer[] = [];
  const serve = async (h: Handler) => {
    const s = await startServer(h);
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  function setup(origin: string) {
    const trace = new Trace();
    const redactor = new Redactor();
    redactor.addSecret(SECRET);
    const gf = createGuardedFetch({ policy: { trustedOrigin: new URL(origin) }, trace, redactor });
    const exchange = () => trace.all().find((e): e is TraceExchange => e.kind === 'http')!;
    return { gf, trace, exchange };
  }

  const INIT = {
    jsonrpc: '2.0',
    id: 0,
    result: { protocolVersion: '2025-06-18', serverInfo: { name: 'demo', version: '1.2.3' }, capabilities: { tools: { listChanged: true } }, instructions: 'Be nice' },
  };

  it('a POST answered as a stream: the body holds each message (event, id, data), bytes counts what was read, the caller gets it all unchanged', async () => {
    const wire = `event: message\nid: ev-1\ndata: ${JSON.stringify(INIT)}\n\n: keep-alive comment\n\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"hi"}}\n\n`;
    const s = await serve((_q, r) => {
      r.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': 'sess-visible-1' });
      // split mid-event: the parser must join the pieces
      r.write(wire.slice(0, 40));
      setTimeout(() => r.end(wire.slice(40)), 30);
    });
    const { gf, trace, exchange } = setup(s.origin);
    const updates: TraceEntry[] = [];
    const added: TraceEntry[] = [];
    trace.onUpdate((e) => updates.push(e));
    trace.onEntry((e) => added.push(e));
    const res = await gf(`${s.origin}/mcp`, { purpose: 'mcp', method: 'POST', body: '{"jsonrpc":"2.0","id":0,"method":"initialize"}', headers: { 'content-type': 'application/json' } });
    assert.equal(exchange().response?.body, '[event stream]', 'before anything is read: the label');
    const text = await res.text();
    assert.equal(text, wire, 'the caller reads exactly what the server sent');

    const x = exchange();
    assert.equal(x.response?.bytes, Buffer.byteLength(wire));
    assert.equal(
      x.response?.body,
      `event: message\nid: ev-1\ndata: ${JSON.stringify(INIT)}\n\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"hi"}}\n\n`,
    );
    assert.equal(x.response?.headers['mcp-session-id'], 'sess-visible-1', 'the MCP session id is not redacted');
    assert.equal(added.length, 1, 'onEntry hears of the exchange once');
    assert.ok(updates.length >= 2, 'onUpdate hears of each message and of the end');
    assert.equal(trace.all().length, 1, 'updated in place, not appended');
  });

  it('stream messages are redacted like any body: secret keys and known secret values', async () => {
    const s = await serve((_q, r) => {
      r.writeHead(200, { 'content-type': 'text/event-stream' });
      r.end(`data: {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"your token is ${SECRET}"}],"access_token":"raw-key-secret-1"}}\n\ndata: not json ${SECRET}\ndata: "refresh_token": "x-refresh-123"\n\n`);
    });
    const { gf, exchange } = setup(s.origin);
    await (await gf(`${s.origin}/mcp`, { purpose: 'mcp', method: 'POST' })).text();
    const body = exchange().response!.body!;
    assert.ok(!body.includes(SECRET), body);
    assert.ok(!body.includes('raw-key-secret-1'), body);
    assert.ok(!body.includes('x-refresh-123'), body);
    assert.ok(body.includes(`"access_token":"${REDACTED}"`), body);
    assert.ok(body.includes(`your token is ${REDACTED}`), body);
    assert.ok(body.includes(`data: not json ${REDACTED}\n`), 'a multi-line data keeps its lines');
  });

  it('a long-lived stream: messages appear as they are read, before the stream ends; past the cap they are counted, not kept', async () => {
    let push!: (s: string) => void;
    const s = await serve((_q, r) => {
      r.writeHead(200, { 'content-type': 'text/event-stream' });
      push = (t) => r.write(t);
      r.write('data: {"n":1}\n\n');
    });
    const { gf, exchange } = setup(s.origin);
    const res = await gf(`${s.origin}/mcp`, { purpose: 'mcp' });
    const reader = res.body!.getReader();
    await reader.read();
    assert.equal(exchange().response?.body, 'data: {"n":1}\n\n');
    const big = 'x'.repeat(1000);
    let sent = 0;
    while (sent * 1000 < MAX_STREAM_TRACE_CHARS + 5000) {
      push(`data: {"big":"${big}"}\n\n`);
      sent++;
    }
    push('data: {"last":true}\n\n');
    let read = '';
    const dec = new TextDecoder();
    while (!read.includes('"last"')) read += dec.decode((await reader.read()).value);
    await reader.cancel();
    const body = exchange().response!.body!;
    assert.ok(body.length <= MAX_STREAM_TRACE_CHARS + 100, `kept ${body.length} characters`);
    assert.match(body, /: \d+ more messages not kept in the trace\n$/);
    assert.ok(!body.includes('"last"'));
  });

  it('Trace.update replaces an entry in place for onUpdate listeners only; a dropped entry stays dropped', () => {
    const t = new Trace(2);
    const seen: string[] = [];
    t.onEntry((e) => seen.push(`entry ${e.id}`));
    t.onUpdate((e) => seen.push(`update ${e.id}`));
    t.note('MCP a', 'info', 'one');
    t.note('MCP b', 'info', 'two');
    const [first] = t.all();
    t.update({ ...first, message: 'one, updated' } as TraceEntry);
    assert.equal((t.all()[0] as { message: string }).message, 'one, updated');
    t.note('MCP c', 'info', 'three'); // drops the first
    t.update({ ...first, message: 'again' } as TraceEntry);
    assert.deepEqual(seen, ['entry 1', 'entry 2', 'update 1', 'entry 3']);
    assert.deepEqual(t.all().map((e) => e.id), [2, 3]);
  });
});
