/**
 * Server logs and ping on both protocol eras, against a local SDK v2 server that logs on every call
 * (test/fixtures/loggingServer.ts): the session era sets the level with logging/setLevel; 2026-07-28
 * has no logging/setLevel and no ping, so the level rides in each request's _meta and server/discover
 * is timed. Log entries reach the session's callback scrubbed and capped; icons pass through as sent.
 */
import { strict as assert } from 'node:assert';
import { LOG_LEVEL_META_KEY as SDK_LOG_LEVEL_META_KEY } from '@modelcontextprotocol/client';
import { isInspectorError } from '../../../src/core/errors';
import { createGuardedFetch } from '../../../src/core/http/guardedFetch';
import { Redactor } from '../../../src/core/http/redact';
import { Trace } from '../../../src/core/http/trace';
import { LOG_LEVEL_META_KEY, serverLogEntry, serverLogLine, withLogLevelMeta, type ServerLogEntry } from '../../../src/core/mcp/serverLog';
import { McpSession } from '../../../src/core/mcp/session';
import { nullLogger } from '../../../src/core/ports';
import { startLoggingServer, type LoggingFixture } from '../../fixtures/loggingServer';

const LEGACY = '2025-11-25';

function sessionFor(url: URL, entries: ServerLogEntry[], protocolVersion?: string): McpSession {
  const fetch = createGuardedFetch({ policy: { trustedOrigin: url }, trace: new Trace(), redactor: new Redactor(), timeoutMs: 5000 });
  return new McpSession({ target: { kind: 'http', url }, fetch, logger: nullLogger, protocolVersion, onLogMessage: (e) => entries.push(e) });
}

const waitFor = async (check: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
};

describe('McpSession: server logs and ping', () => {
  const open: Array<{ close(): Promise<void> }> = [];
  const track = <T extends { close(): Promise<void> }>(x: T): T => (open.push(x), x);
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
  });

  it('spells the SDK\'s log level _meta key', () => {
    assert.equal(LOG_LEVEL_META_KEY, SDK_LOG_LEVEL_META_KEY);
  });

  describe('session era (initialize)', () => {
    it('sets the level with logging/setLevel and hands each notifications/message entry to onLogMessage', async () => {
      const fx: LoggingFixture = track(await startLoggingServer());
      const entries: ServerLogEntry[] = [];
      const s = track(sessionFor(fx.url, entries, LEGACY));
      await s.connect();
      assert.equal(s.negotiation?.era, 'session');
      assert.deepEqual(s.logging, { mode: 'setLevel' });
      assert.equal(await s.setLogLevel('warning'), 'setLevel');
      const setLevel = fx.bodies.find((b) => b.method === 'logging/setLevel');
      assert.equal(setLevel?.params?.level, 'warning');
      await s.callTool('say');
      await waitFor(() => entries.some((e) => e.level === 'error'));
      const error = entries.find((e) => e.level === 'error');
      assert.ok(error, `an error entry arrived (got ${JSON.stringify(entries)})`);
      assert.equal(error.logger, 'fixture');
      assert.equal(error.text, 'something failed');
      assert.ok(!fx.bodies.some((b) => (b.params?._meta as Record<string, unknown> | undefined)?.[LOG_LEVEL_META_KEY]), 'the session era never puts the level in _meta');
    });

    it('ping is a ping request, timed', async () => {
      const fx = track(await startLoggingServer());
      const s = track(sessionFor(fx.url, [], LEGACY));
      await s.connect();
      const r = await s.ping();
      assert.equal(r.method, 'ping');
      assert.ok(r.ms >= 0 && r.ms < 5000);
      assert.ok(fx.bodies.some((b) => b.method === 'ping'));
    });
  });

  describe('2026-07-28 (server/discover)', () => {
    it('has no logging/setLevel: the level goes in each later request\'s _meta, and the server filters by it', async () => {
      const fx = track(await startLoggingServer());
      const entries: ServerLogEntry[] = [];
      const s = track(sessionFor(fx.url, entries));
      await s.connect();
      assert.equal(s.negotiation?.era, 'stateless-2026');
      assert.deepEqual(s.logging, { mode: 'request-meta' });
      // before a level is set, the request carries none and the server sends no log message
      await s.callTool('say');
      assert.equal(entries.length, 0);
      assert.equal(await s.setLogLevel('error'), 'request-meta');
      assert.ok(!fx.bodies.some((b) => b.method === 'logging/setLevel'), 'no logging/setLevel on the 2026-07-28 wire');
      await s.callTool('say');
      await waitFor(() => entries.length > 0);
      const call = fx.bodies.filter((b) => b.method === 'tools/call').at(-1);
      assert.equal((call?.params?._meta as Record<string, unknown>)[LOG_LEVEL_META_KEY], 'error');
      assert.deepEqual(
        entries.map((e) => e.level),
        ['error'],
        'the debug entry is below the level and not sent',
      );
    });

    it('ping times server/discover (the protocol has no ping)', async () => {
      const fx = track(await startLoggingServer());
      const s = track(sessionFor(fx.url, []));
      await s.connect();
      const before = fx.bodies.filter((b) => b.method === 'server/discover').length;
      const r = await s.ping();
      assert.equal(r.method, 'server/discover');
      assert.equal(fx.bodies.filter((b) => b.method === 'server/discover').length, before + 1);
      assert.ok(!fx.bodies.some((b) => b.method === 'ping'));
    });
  });

  for (const [era, pin] of [
    ['session era', LEGACY],
    ['2026-07-28', undefined],
  ] as const) {
    it(`${era}: a server without the logging capability: the level cannot be set, and the error says why`, async () => {
      const fx = track(await startLoggingServer({ logging: false }));
      const s = track(sessionFor(fx.url, [], pin));
      await s.connect();
      assert.equal(s.logging.mode, 'none');
      await assert.rejects(s.setLogLevel('info'), (e: unknown) => isInspectorError(e, 'not_supported') && /logging capability/.test((e as Error).message));
    });

    it(`${era}: the server's icons come through initializeResult as sent`, async () => {
      const icons = [{ src: 'https://example.com/i.png', mimeType: 'image/png', sizes: ['48x48'] }];
      const fx = track(await startLoggingServer({ icons }));
      const s = track(sessionFor(fx.url, [], pin));
      await s.connect();
      assert.deepEqual(s.initializeResult?.icons, icons);
    });
  }

  it('hostile log entries: controls and bidi go, data is capped, an unknown level is named', async () => {
    const fx = track(await startLoggingServer({ errorData: { msg: 'red\u001b[31m\u202eevil', big: 'x'.repeat(20_000) } }));
    const entries: ServerLogEntry[] = [];
    const s = track(sessionFor(fx.url, entries, LEGACY));
    await s.connect();
    await s.callTool('say');
    await waitFor(() => entries.some((e) => e.level === 'error'));
    const e = entries.find((x) => x.level === 'error')!;
    assert.ok(!/[\u001b\u202e]/.test(e.text), 'no ESC, no bidi override');
    assert.ok(e.text.length < 8_100 && /more characters\]$/.test(e.text), 'capped, and says so');
    const odd = serverLogEntry({ level: 'loud\u0007', logger: 'l\u0000g', data: 'x\r\ny' }, 0);
    assert.equal(odd.level, 'info');
    assert.equal(odd.levelSent, 'loud');
    assert.equal(odd.logger, 'l g');
    assert.equal(odd.text, 'x\ny');
    assert.match(serverLogLine(odd), /^00:00:00\.000 \[info \(sent as "loud"\)\] l g: x\ny$/);
  });

  it('withLogLevelMeta adds the level to requests only, keeping _meta the SDK wrote', () => {
    const req = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { a: 1 } } };
    assert.deepEqual(withLogLevelMeta(req, 'info').params._meta, { a: 1, [LOG_LEVEL_META_KEY]: 'info' });
    const note = { jsonrpc: '2.0', method: 'notifications/cancelled', params: {} };
    assert.equal(withLogLevelMeta(note, 'info'), note);
  });
});
