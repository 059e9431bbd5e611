/**
 * The RFC 8252 loopback receiver, exercised with real HTTP requests from this process.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.3
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { InspectorError } from '../../../../src/core/errors';
import { startLoopbackReceiver } from '../../../../src/core/oauth/redirect/loopback';
import type { LoopbackReceiver, LoopbackReceiverOptions } from '../../../../src/core/oauth/redirect/loopback';

const STATE = 'st_3f9a1c0e8b7d4a2f9e6c5b4a3d2e1f0a';
const CODE = 'SplxlOBeZQQYbYS6WxSbIA_secret_code';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP request (no keep-alive pool, any Host header). */
function send(port: number, target: string, opts: { method?: string; host?: string; address?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: opts.address ?? '127.0.0.1',
        port,
        path: target,
        method: opts.method ?? 'GET',
        headers: { host: opts.host ?? `127.0.0.1:${port}` },
        agent: false,
        timeout: 5000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Resolves 'connected' or the error code of a failed connection attempt. */
function tryConnect(host: string, port: number, family?: 4 | 6): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, family, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function rejection(p: Promise<unknown>): Promise<InspectorError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof InspectorError, `expected InspectorError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the promise to reject');
}

/** Fails the test if p settles within ms. */
async function assertPending(p: Promise<unknown>, ms = 100): Promise<void> {
  const marker = Symbol('pending');
  const r = await Promise.race([p.then(() => 'resolved', () => 'rejected'), sleep(ms).then(() => marker)]);
  assert.equal(r, marker, `expected the callback promise to still be pending, but it ${String(r)}`);
}

function assertSafePage(reply: Reply): void {
  assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(reply.headers['referrer-policy'], 'no-referrer');
  assert.equal(reply.headers['cache-control'], 'no-store');
  assert.equal(reply.headers['x-content-type-options'], 'nosniff');
  const csp = String(reply.headers['content-security-policy']);
  assert.match(csp, /^default-src 'none';/);
  assert.match(csp, /style-src '(unsafe-inline|sha256-[A-Za-z0-9+/=]+)'/);
  assert.doesNotMatch(csp, /script-src|img-src|connect-src|\*/);
  assert.doesNotMatch(reply.body, /<(link|img|script|iframe|object|embed|svg|a|form|base|meta http-equiv)\b|url\(|@import/i);
  assert.doesNotMatch(reply.body, /<[^>]*\s(src|href|on\w+)\s*=/i, 'no attribute that loads or runs anything');
  assert.ok(!reply.body.includes(CODE), 'the page must not echo the code');
}

describe('core/oauth/redirect/loopback', () => {
  const opened: LoopbackReceiver[] = [];
  async function start(opts: Partial<LoopbackReceiverOptions> = {}): Promise<LoopbackReceiver> {
    const r = await startLoopbackReceiver({ expectedState: STATE, ...opts });
    opened.push(r);
    return r;
  }
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((r) => r.close()));
  });

  describe('binding (RFC 8252 §7.3, §8.3)', () => {
    it('listens on an ephemeral port and builds the redirect URI', async () => {
      const r = await start();
      assert.ok(r.port > 0 && r.port < 65536);
      assert.equal(r.redirectUri, `http://127.0.0.1:${r.port}/callback`);
      assert.equal(await tryConnect('127.0.0.1', r.port), 'connected');
      const r2 = await start({ redirectHost: 'localhost', path: '/cb/inspector' });
      assert.notEqual(r2.port, r.port);
      assert.equal(r2.redirectUri, `http://localhost:${r2.port}/cb/inspector`);
    });

    it('is not reachable on a non-loopback IPv4 address of this machine', async function () {
      const external = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal);
      if (!external) this.skip();
      const r = await start();
      assert.notEqual(await tryConnect(external.address, r.port, 4), 'connected');
    });

    it('is not reachable on ::1, even with redirectHost localhost', async () => {
      const r = await start({ redirectHost: 'localhost' });
      assert.notEqual(await tryConnect('::1', r.port, 6), 'connected');
    });

    it('uses a fixed port when asked and reports a busy port clearly', async () => {
      const first = await start();
      const err = await rejection(startLoopbackReceiver({ expectedState: STATE, port: first.port }));
      assert.equal(err.code, 'network_error');
      assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${first.port}`));
      await first.close();
      const again = await start({ port: first.port });
      assert.equal(again.port, first.port);
    });

    it('refuses bad options before binding', async () => {
      for (const bad of [{ expectedState: '' }, { path: 'callback' }, { path: '/a?b' }, { port: 70000 }, { timeoutMs: 0 }]) {
        const err = await rejection(startLoopbackReceiver({ expectedState: STATE, ...bad }));
        assert.equal(err.code, 'config_invalid');
      }
    });
  });

  describe('the callback', () => {
    it('resolves with the matching callback and shows the success page', async () => {
      const r = await start();
      const waiting = r.waitForCallback();
      const reply = await send(r.port, `/callback?code=${CODE}&state=${STATE}&iss=https%3A%2F%2Fas.example`);
      assert.equal(reply.status, 200);
      assertSafePage(reply);
      assert.match(reply.body, /Signed in — you can close this tab and return to the editor/);
      const cb = await waiting;
      assert.equal(cb.params.get('code'), CODE);
      assert.equal(cb.params.get('state'), STATE);
      assert.equal(cb.params.get('iss'), 'https://as.example');
      assert.equal(cb.url.pathname, '/callback');
      assert.equal(cb.url.origin, `http://127.0.0.1:${r.port}`);
    });

    it("accepts the callback at '/' (code-server's port proxy drops the path)", async () => {
      const r = await start({ path: '/oauth/cb' });
      const reply = await send(r.port, `/?state=${STATE}&code=${CODE}`);
      assert.equal(reply.status, 200);
      assert.equal((await r.waitForCallback()).params.get('code'), CODE);
    });

    it('buffers a callback that arrives before waitForCallback() is called', async () => {
      const r = await start();
      assert.equal((await send(r.port, `/callback?code=${CODE}&state=${STATE}`)).status, 200);
      await sleep(20);
      assert.equal((await r.waitForCallback()).params.get('code'), CODE);
      assert.equal((await r.waitForCallback()).params.get('code'), CODE, 'a second call sees the same result');
    });

    it('ignores a wrong or missing state with a 400 page and keeps waiting for the real callback', async () => {
      const r = await start();
      const waiting = r.waitForCallback();
      const attempts = [
        `/callback?code=ATTACKERCODE123&state=wrong`,
        `/callback?code=ATTACKERCODE123`,
        `/callback?code=ATTACKERCODE123&state=${STATE}x`,
        `/callback?code=ATTACKERCODE123&state=${STATE.slice(0, -1)}`,
        `/callback?code=ATTACKERCODE123&state=${STATE}&state=${STATE}`,
        `/callback?code=ATTACKERCODE123&state=`,
        `/?state=${STATE.toUpperCase()}&code=ATTACKERCODE123`,
      ];
      for (const target of attempts) {
        const reply = await send(r.port, target);
        assert.equal(reply.status, 400, target);
        assertSafePage(reply);
        assert.match(reply.body, /state/);
        assert.match(reply.body, /still waiting/);
        assert.ok(!reply.body.includes('ATTACKERCODE123'));
      }
      await assertPending(waiting);
      assert.equal((await send(r.port, `/callback?code=${CODE}&state=${STATE}`)).status, 200);
      const cb = await waiting;
      assert.equal(cb.params.get('code'), CODE);
    });

    it('an error= callback without the matching state does not abort the flow', async () => {
      const r = await start();
      const waiting = r.waitForCallback();
      for (const target of [
        '/callback?error=access_denied&error_description=nope',
        '/callback?error=access_denied&state=forged',
        '/?error=server_error&state=',
      ]) {
        assert.equal((await send(r.port, target)).status, 400);
      }
      await assertPending(waiting);
      assert.equal((await send(r.port, `/callback?state=${STATE}&code=${CODE}`)).status, 200);
      assert.equal((await waiting).params.get('code'), CODE);
    });

    it('an error= callback with the matching state rejects with authorization_denied and shows the error as text', async () => {
      const r = await start();
      const waiting = r.waitForCallback();
      const description = 'User said no <script>alert(1)</script><img src=x onerror=alert(2)> "quoted" & more';
      const reply = await send(
        r.port,
        `/callback?error=access_denied&error_description=${encodeURIComponent(description)}&state=${STATE}`,
      );
      assert.equal(reply.status, 400);
      assertSafePage(reply);
      assert.match(reply.body, /access_denied/);
      assert.ok(reply.body.includes('&#60;script&#62;alert(1)&#60;/script&#62;'), reply.body);
      assert.ok(reply.body.includes('&#60;img src=x onerror=alert(2)&#62;'));
      assert.ok(reply.body.includes('&#34;quoted&#34; &#38; more'));
      const err = await rejection(waiting);
      assert.equal(err.code, 'authorization_denied');
      assert.match(err.message, /access_denied/);
      assert.ok(err.message.includes('User said no'));
      assert.ok(!err.message.includes(STATE), 'no state in the message');
      assert.ok(!err.message.includes(`127.0.0.1:${r.port}`), 'no callback URL in the message');
    });

    it('sanitises and caps the error description; never puts the code into the message', async () => {
      const r = await start();
      const waiting = r.waitForCallback();
      const description = `bad\r\nInjected-Header: x\u202egnp.exe ${CODE} ${'A'.repeat(5000)}`;
      const reply = await send(
        r.port,
        `/callback?error=server_error&error_description=${encodeURIComponent(description)}&state=${STATE}&code=${CODE}`,
      );
      assert.equal(reply.status, 400);
      assert.ok(reply.body.length < 4000, 'the page is capped too');
      const err = await rejection(waiting);
      assert.equal(err.code, 'authorization_denied');
      assert.match(err.message, /server_error/);
      assert.ok(!err.message.includes(CODE));
      assert.ok(!/[\r\n\u202e]/.test(err.message));
      assert.ok(err.message.length < 700, `message too long: ${err.message.length}`);
    });

    it('a matching callback with neither code nor error rejects with callback_invalid', async () => {
      const r = await start();
      const waiting = r.waitForCallback();
      assert.equal((await send(r.port, `/callback?state=${STATE}`)).status, 400);
      assert.equal((await rejection(waiting)).code, 'callback_invalid');
    });

    it('answers a replay with 410, resolves only once, and then releases the port', async () => {
      const r = await start();
      const waiting = r.waitForCallback();
      const first = await send(r.port, `/callback?code=${CODE}&state=${STATE}`);
      assert.equal(first.status, 200);
      const replay = await send(r.port, `/callback?code=${CODE}&state=${STATE}`);
      assert.equal(replay.status, 410);
      assertSafePage(replay);
      const other = await send(r.port, `/callback?code=OTHERCODE99&state=${STATE}`);
      assert.equal(other.status, 410);
      const cb = await waiting;
      assert.equal(cb.params.get('code'), CODE);
      assert.equal((await r.waitForCallback()).params.get('code'), CODE);
      await sleep(1500);
      assert.notEqual(await tryConnect('127.0.0.1', r.port), 'connected');
      assert.ok(await canBind(r.port), 'the port is free again');
    });
  });

  describe('requests that are not the callback', () => {
    it('answers other paths with 404 and other methods with 405, without resolving', async () => {
      const r = await start();
      const waiting = r.waitForCallback();
      for (const target of ['/favicon.ico', '/callback/', '/callbackx', `/other?code=${CODE}&state=${STATE}`, '/CALLBACK']) {
        const reply = await send(r.port, target);
        assert.equal(reply.status, 404, target);
        assertSafePage(reply);
      }
      for (const method of ['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']) {
        const reply = await send(r.port, `/callback?code=${CODE}&state=${STATE}`, { method });
        assert.equal(reply.status, 405, method);
        assert.equal(reply.headers['allow'], 'GET');
      }
      await assertPending(waiting);
      assert.equal((await send(r.port, `/callback?code=${CODE}&state=${STATE}`)).status, 200);
      await waiting;
    });

    it('refuses an unexpected Host header (DNS rebinding) without resolving', async () => {
      const r = await start();
      const waiting = r.waitForCallback();
      for (const host of [`evil.example:${r.port}`, '127.0.0.1', `127.0.0.1:${r.port + 1}`, `[::1]:${r.port}`, `localhost.:${r.port}`]) {
        const reply = await send(r.port, `/callback?code=${CODE}&state=${STATE}`, { host });
        assert.equal(reply.status, 400, host);
        assertSafePage(reply);
        assert.match(reply.body, /Host/);
      }
      await assertPending(waiting);
      const ok = await send(r.port, `/callback?code=${CODE}&state=${STATE}`, { host: `LocalHost:${r.port}` });
      assert.equal(ok.status, 200);
      await waiting;
    });

    it('accepts any Host header when allowAnyHost is set (state still checked)', async () => {
      const r = await start({ allowAnyHost: true });
      const waiting = r.waitForCallback();
      assert.equal((await send(r.port, `/callback?code=${CODE}&state=nope`, { host: 'proxy.example:8080' })).status, 400);
      await assertPending(waiting);
      assert.equal((await send(r.port, `/callback?code=${CODE}&state=${STATE}`, { host: 'proxy.example:8080' })).status, 200);
      assert.equal((await waiting).params.get('code'), CODE);
    });

    it('refuses absolute-form and protocol-relative request targets', async () => {
      const r = await start();
      const waiting = r.waitForCallback();
      assert.equal((await send(r.port, `http://evil.example/callback?code=${CODE}&state=${STATE}`)).status, 400);
      assert.equal((await send(r.port, `//evil.example/callback?code=${CODE}&state=${STATE}`)).status, 400);
      await assertPending(waiting);
    });
  });

  describe('ending without a callback', () => {
    it('times out with authorization_timeout and releases the port', async () => {
      const r = await start({ timeoutMs: 250 });
      const err = await rejection(r.waitForCallback());
      assert.equal(err.code, 'authorization_timeout');
      assert.match(err.message, /browser sign-in did not complete within 0\.3 seconds/);
      assert.match(err.message, /sign-in again/);
      assert.ok(!err.message.includes(STATE));
      await sleep(20);
      assert.notEqual(await tryConnect('127.0.0.1', r.port), 'connected');
      assert.ok(await canBind(r.port), 'the port is free again');
    });

    it('says the timeout in whole seconds', async () => {
      const r = await start({ timeoutMs: 1000 });
      const err = await rejection(r.waitForCallback());
      assert.match(err.message, /within 1 second\b/);
    });

    it('a timeout before waitForCallback() is called is not an unhandled rejection', async () => {
      const r = await start({ timeoutMs: 30 });
      await sleep(100);
      assert.equal((await rejection(r.waitForCallback())).code, 'authorization_timeout');
    });

    it('rejects with authorization_cancelled and closes when the signal aborts', async () => {
      const ac = new AbortController();
      const r = await start({ signal: ac.signal });
      const waiting = r.waitForCallback();
      await assertPending(waiting, 30);
      ac.abort();
      assert.equal((await rejection(waiting)).code, 'authorization_cancelled');
      await sleep(20);
      assert.notEqual(await tryConnect('127.0.0.1', r.port), 'connected');
    });

    it('refuses to start with an already aborted signal', async () => {
      const ac = new AbortController();
      ac.abort();
      assert.equal((await rejection(startLoopbackReceiver({ expectedState: STATE, signal: ac.signal }))).code, 'authorization_cancelled');
    });

    it('close() is idempotent, releases the port and cancels a pending wait', async () => {
      const r = await start();
      const waiting = r.waitForCallback();
      await Promise.all([r.close(), r.close()]);
      await r.close();
      assert.equal((await rejection(waiting)).code, 'authorization_cancelled');
      assert.notEqual(await tryConnect('127.0.0.1', r.port), 'connected');
      assert.ok(await canBind(r.port));
    });

    it('close() after success keeps the result', async () => {
      const r = await start();
      assert.equal((await send(r.port, `/callback?code=${CODE}&state=${STATE}`)).status, 200);
      const cb = await r.waitForCallback();
      await r.close();
      await r.close();
      assert.equal(cb.params.get('code'), CODE);
      assert.equal((await r.waitForCallback()).params.get('code'), CODE);
      assert.notEqual(await tryConnect('127.0.0.1', r.port), 'connected');
    });
  });
});
