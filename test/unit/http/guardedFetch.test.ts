import assert from 'node:assert/strict';
import { InspectorError } from '../../../src/core/errors';
import { getEventListeners } from 'node:events';
import { linkedCount } from '../../../src/core/http/abortLink';
import { bufferedText, createGuardedFetch, type GuardedFetch, type GuardedFetchOptions } from '../../../src/core/http/guardedFetch';
import { readJsonObject } from '../../../src/core/http/json';
import { Redactor } from '../../../src/core/http/redact';
import { Trace, type TraceExchange } from '../../../src/core/http/trace';
import { drip, startServer, type Handler, type LocalServer } from './localServer';

const isCode = (code: string) => (e: unknown) => e instanceof InspectorError && e.code === code;

describe('http/guardedFetch', () => {
  const servers: LocalServer[] = [];
  const serve = async (h: Handler) => {
    const s = await startServer(h);
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  /** A guarded fetch trusting `origin` (a local server: loopback may reach loopback). */
  function guarded(origin: string, extra: Partial<GuardedFetchOptions> = {}): { gf: GuardedFetch; trace: Trace; redactor: Redactor } {
    const trace = new Trace();
    const redactor = new Redactor();
    const gf = createGuardedFetch({ policy: { trustedOrigin: new URL(origin) }, trace, redactor, ...extra });
    return { gf, trace, redactor };
  }
  const exchanges = (t: Trace) => t.all().filter((e): e is TraceExchange => e.kind === 'http');

  describe('(a) redirects on token, registration, revocation, introspection', () => {
    for (const purpose of ['token', 'registration', 'revocation', 'introspection'] as const) {
      for (const redirect of [undefined, 'manual', 'follow'] as const) {
        it(`${purpose} (redirect: ${redirect ?? 'default'}): refused, the target gets nothing`, async () => {
          const target = await serve((_q, r) => r.end('{"access_token":"stolen"}'));
          for (const status of [301, 302, 303, 307, 308]) {
            const as = await serve((_q, r) => r.writeHead(status, { location: `${target.origin}/steal` }).end());
            const { gf, trace } = guarded(as.origin);
            await assert.rejects(
              gf(`${as.origin}/token`, { purpose, method: 'POST', body: 'grant_type=authorization_code&code=abc', headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect }),
              (e: unknown) => isCode('redirect_refused')(e) && (e as Error).message.includes(`HTTP ${status}`) && (e as Error).message.includes(purpose),
            );
            assert.equal(as.requests.length, 1);
            assert.equal(exchanges(trace).length, 1);
          }
          assert.equal(target.requests.length, 0);
        });
      }
    }
  });

  describe('(b) metadata redirects', () => {
    it('same-origin redirects are followed (as-metadata, resource-metadata)', async () => {
      const s = await serve((q, r) => {
        if (q.url === '/.well-known/oauth-protected-resource') return r.writeHead(301, { location: '/prm' }).end();
        if (q.url === '/prm') return r.writeHead(307, { location: `http://127.0.0.1:${(r.socket?.localPort ?? 0)}/prm2` }).end();
        r.writeHead(200, { 'content-type': 'application/json' }).end('{"resource":"x"}');
      });
      for (const purpose of ['as-metadata', 'resource-metadata'] as const) {
        const { gf, trace } = guarded(s.origin);
        const res = await gf(new URL(`${s.origin}/.well-known/oauth-protected-resource`), { purpose });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { resource: 'x' });
        assert.equal(res.url, `${s.origin}/prm2`);
        assert.equal(res.redirected, true);
        assert.deepEqual(exchanges(trace).map((e) => e.response?.status), [301, 307, 200]);
      }
    });

    it('a cross-origin redirect is refused and the other origin gets nothing', async () => {
      const other = await serve((_q, r) => r.end('{}'));
      const s = await serve((_q, r) => r.writeHead(302, { location: `${other.origin}/.well-known/oauth-authorization-server?x=SECRET-Q` }).end());
      for (const purpose of ['as-metadata', 'resource-metadata', 'jwks', 'mcp'] as const) {
        const { gf } = guarded(s.origin);
        await assert.rejects(gf(`${s.origin}/.well-known/oauth-authorization-server`, { purpose }), (e: unknown) => isCode('redirect_refused')(e) && !(e as Error).message.includes('SECRET'));
      }
      // http → https on the same host is another origin too
      const up = await serve((_q, r) => r.writeHead(301, { location: `https://127.0.0.1:${other.port}/` }).end());
      await assert.rejects(guarded(up.origin).gf(`${up.origin}/`, { purpose: 'as-metadata' }), isCode('redirect_refused'));
      assert.equal(other.requests.length, 0);
    });

    it('a redirect loop stops after 5 hops', async () => {
      const s = await serve((q, r) => r.writeHead(302, { location: `/n${q.url.length}` }).end());
      await assert.rejects(guarded(s.origin).gf(`${s.origin}/`, { purpose: 'as-metadata' }), isCode('redirect_refused'));
      assert.equal(s.requests.length, 6);
    });

    it("redirect: 'manual' hands the 3xx back untouched (oauth4webapi, the MCP SDK's own follower)", async () => {
      const s = await serve((_q, r) => r.writeHead(307, { location: '/elsewhere' }).end());
      const res = await guarded(s.origin).gf(`${s.origin}/mcp`, { purpose: 'mcp', redirect: 'manual', method: 'POST', body: '{}' });
      assert.equal(res.status, 307);
      assert.equal(res.headers.get('location'), '/elsewhere');
      assert.equal(s.requests.length, 1);
    });

    it('a 303 (and a 302 after POST) turns into a GET without a body', async () => {
      const s = await serve((q, r) => {
        if (q.url === '/start') return r.writeHead(303, { location: '/done' }).end();
        if (q.url === '/start2') return r.writeHead(302, { location: '/done' }).end();
        r.end('ok');
      });
      const { gf } = guarded(s.origin);
      await gf(`${s.origin}/start`, { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      await gf(`${s.origin}/start2`, { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.deepEqual(s.requests.map((q) => [q.method, q.url, q.body, q.headers['content-type']]), [
        ['POST', '/start', 'a=1', 'application/x-www-form-urlencoded'],
        ['GET', '/done', '', undefined],
        ['POST', '/start2', 'a=1', 'application/x-www-form-urlencoded'],
        ['GET', '/done', '', undefined],
      ]);
    });

    it('a 307 keeps method and body', async () => {
      const s = await serve((q, r) => (q.url === '/a' ? r.writeHead(307, { location: '/b' }).end() : r.end('ok')));
      await guarded(s.origin).gf(`${s.origin}/a`, { method: 'POST', body: '{"x":1}', headers: { 'content-type': 'application/json' } });
      assert.deepEqual(s.requests.map((q) => [q.method, q.url, q.body]), [
        ['POST', '/a', '{"x":1}'],
        ['POST', '/b', '{"x":1}'],
      ]);
    });
  });

  describe('(c) response size cap', () => {
    it('a body over maxBodyBytes (with Content-Length) is refused without reading it', async () => {
      const s = await serve((_q, r) => r.writeHead(200, { 'content-type': 'application/json', 'content-length': 2_000_000 }).end(Buffer.alloc(2_000_000, 0x20)));
      const { gf, trace } = guarded(s.origin, { maxBodyBytes: 10_000 });
      await assert.rejects(gf(`${s.origin}/big?code=SECRET-IN-QUERY`, { purpose: 'as-metadata' }), (e: unknown) => isCode('response_too_large')(e) && /10000-byte limit/.test((e as Error).message) && !(e as Error).message.includes('SECRET'));
      assert.equal(exchanges(trace)[0].error?.code, 'response_too_large');
    });

    it('a chunked body over maxBodyBytes is aborted', async () => {
      const s = await serve((_q, r) => {
        r.writeHead(200, { 'content-type': 'application/json' });
        r.end(Buffer.alloc(50_000, 0x61));
      });
      await assert.rejects(guarded(s.origin, { maxBodyBytes: 10_000 }).gf(`${s.origin}/`, { purpose: 'jwks' }), isCode('response_too_large'));
    });

    it('an endless body is aborted at the cap and the connection is closed', async () => {
      const s = await serve((_q, r) => {
        r.writeHead(200, { 'content-type': 'application/json' });
        drip(r, Buffer.alloc(16_384, 0x61), 1);
      });
      const t0 = Date.now();
      await assert.rejects(guarded(s.origin, { maxBodyBytes: 1_000_000, timeoutMs: 10_000 }).gf(`${s.origin}/`, { purpose: 'as-metadata' }), isCode('response_too_large'));
      assert.ok(Date.now() - t0 < 5_000);
      await s.closedEarly;
    });

    it('a body at the cap is fine', async () => {
      const s = await serve((_q, r) => r.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(1000)));
      const res = await guarded(s.origin, { maxBodyBytes: 1000 }).gf(`${s.origin}/`);
      assert.equal((await res.text()).length, 1000);
    });
  });

  describe('(d)(e) time limits', () => {
    it('(d) a trickling body (a byte every 200 ms) is aborted with request_timeout within timeoutMs', async () => {
      const s = await serve((_q, r) => {
        r.writeHead(200, { 'content-type': 'application/json' });
        drip(r, ' ', 200);
      });
      const t0 = Date.now();
      await assert.rejects(guarded(s.origin, { timeoutMs: 800 }).gf(`${s.origin}/`, { purpose: 'as-metadata' }), (e: unknown) => isCode('request_timeout')(e) && /800 ms/.test((e as Error).message));
      const took = Date.now() - t0;
      assert.ok(took >= 750 && took < 1_500, `took ${took} ms`);
      await s.closedEarly;
    });

    it('(e) headers that never come → request_timeout', async () => {
      const s = await serve(() => {
        /* never answers */
      });
      const { gf, trace } = guarded(s.origin, { timeoutMs: 400 });
      const t0 = Date.now();
      await assert.rejects(gf(`${s.origin}/token`, { purpose: 'token', method: 'POST', body: 'a=b' }), isCode('request_timeout'));
      assert.ok(Date.now() - t0 < 1_200);
      assert.equal(exchanges(trace)[0].error?.code, 'request_timeout');
    });
  });

  describe('(f) server-sent events', () => {
    it('an event stream is passed through as a stream, not buffered, and outlives timeoutMs', async () => {
      const s = await serve((_q, r) => {
        r.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        r.write('event: message\ndata: {"n":1}\n\n');
        let n = 1;
        const t = setInterval(() => r.write(`event: message\ndata: {"n":${++n}}\n\n`), 150);
        r.on('close', () => clearInterval(t));
      });
      const { gf, trace } = guarded(s.origin, { timeoutMs: 300, maxBodyBytes: 10 });
      const res = await gf(`${s.origin}/mcp`, { purpose: 'mcp', headers: { accept: 'text/event-stream' } });
      assert.equal(res.headers.get('content-type'), 'text/event-stream');
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      let text = '';
      const t0 = Date.now();
      while (!text.includes('"n":5')) {
        const { value, done } = await reader.read();
        assert.equal(done, false);
        text += dec.decode(value);
      }
      assert.ok(Date.now() - t0 > 300, 'read past the timeout and past the size cap');
      await reader.cancel();
      assert.match(exchanges(trace)[0].response?.body ?? '', /^event: message\ndata: \{"n":1\}\n\n/, 'the messages read so far are in the trace (eventStreamTrace.test.ts)');
    });

    it('the caller\'s AbortSignal still cancels an open event stream', async () => {
      const s = await serve((_q, r) => {
        r.writeHead(200, { 'content-type': 'text/event-stream' });
        r.write(': hi\n\n');
      });
      const ac = new AbortController();
      const res = await guarded(s.origin).gf(`${s.origin}/mcp`, { purpose: 'mcp', signal: ac.signal });
      const reader = res.body!.getReader();
      await reader.read();
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(reader.read(), (e: unknown) => (e as Error).name === 'AbortError');
      await s.closedEarly;
    });
    // Once found by an audit: any response saying text/event-stream skipped both caps whatever the
    // request was for, so a metadata, token or JWKS endpoint could hang the client with an endless body.
    const NOT_MCP = ['resource-metadata', 'as-metadata', 'registration', 'token', 'revocation', 'introspection', 'jwks', 'client-metadata', 'authorization', 'other'] as const;

    it('only MCP requests stream: text/event-stream trickling to any other purpose → request_timeout within timeoutMs, naming step and URL', async () => {
      const s = await serve((_q, r) => {
        r.writeHead(200, { 'content-type': 'text/event-stream' });
        r.write(': hello\n\n');
        drip(r, ': tick\n\n', 100);
      });
      for (const purpose of NOT_MCP) {
        const { gf, trace } = guarded(s.origin, { timeoutMs: 400 });
        const t0 = Date.now();
        await assert.rejects(
          (async () => (await gf(`${s.origin}/endpoint?code=SECRET-Q`, { purpose, step: `MCP the ${purpose} step` })).text())(),
          (e: unknown) => isCode('request_timeout')(e) && (e as Error).message.includes(`the ${purpose} step`) && (e as Error).message.includes(`${s.origin}/endpoint`) && !(e as Error).message.includes('SECRET'),
          purpose,
        );
        const took = Date.now() - t0;
        assert.ok(took < 1_500, `${purpose} took ${took} ms`);
        assert.equal(exchanges(trace)[0].error?.code, 'request_timeout', purpose);
      }
    });

    it('only MCP requests stream: an endless text/event-stream body to any other purpose → response_too_large at the cap', async () => {
      const s = await serve((_q, r) => {
        r.writeHead(200, { 'content-type': 'text/event-stream' });
        drip(r, Buffer.alloc(16_384, 0x3a), 1);
      });
      for (const purpose of NOT_MCP) {
        const t0 = Date.now();
        await assert.rejects(
          (async () => (await guarded(s.origin, { maxBodyBytes: 100_000, timeoutMs: 10_000 }).gf(`${s.origin}/endpoint`, { purpose })).text())(),
          (e: unknown) => isCode('response_too_large')(e) && /100000-byte limit/.test((e as Error).message),
          purpose,
        );
        assert.ok(Date.now() - t0 < 5_000, purpose);
      }
    });
  });

  describe('(g) the trace redacts every secret', () => {
    const S = {
      basic: Buffer.from('my-client:CLIENT-SECRET-basic-77').toString('base64'),
      bearer: 'BEARER-TOKEN-xyz-0123456789',
      clientSecret: 'CLIENT-SECRET-form-4242',
      code: 'AUTH-CODE-9f8e7d6c5b',
      verifier: 'VERIFIER-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      refresh: 'REFRESH-TOKEN-555-aaa',
      access: 'ACCESS-TOKEN-666-bbb',
      idToken: 'ID-TOKEN-eyJhbGciOi-777',
      queryToken: 'QUERY-ACCESS-TOKEN-888',
      dcrSecret: 'DCR-CLIENT-SECRET-999',
      regToken: 'REG-ACCESS-TOKEN-000',
      session: 'SESSION-ID-1234567890',
    };
    /** An MCP session id is not a secret (it grants nothing without the token): traced as sent. */
    const MCP_SESSION = 'MCP-SESSION-ID-visible-42';

    it('URLs, form bodies, JSON bodies, headers and error messages', async () => {
      const s = await serve((q, r) => {
        if (q.url.startsWith('/token')) {
          return r
            .writeHead(200, { 'content-type': 'application/json', 'set-cookie': `sid=${S.session}` })
            .end(JSON.stringify({ access_token: S.access, refresh_token: S.refresh, id_token: S.idToken, token_type: 'Bearer', nested: { deeper: [{ access_token: S.access }] } }));
        }
        if (q.url.startsWith('/register')) {
          return r.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ client_id: 'c1', client_secret: S.dcrSecret, registration_access_token: S.regToken }));
        }
        if (q.url.startsWith('/slow')) return; // never answers
        r.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': MCP_SESSION }).end('{"jsonrpc":"2.0","id":1,"result":{}}');
      });
      const { gf, trace } = guarded(s.origin, { timeoutMs: 300 });

      // token request: form body (URLSearchParams, no explicit content type), Basic auth
      await (
        await gf(`${s.origin}/token?access_token=${S.queryToken}&x=1`, {
          purpose: 'token',
          method: 'POST',
          headers: { authorization: `Basic ${S.basic}` },
          body: new URLSearchParams({ grant_type: 'authorization_code', code: S.code, code_verifier: S.verifier, client_secret: S.clientSecret, refresh_token: S.refresh, redirect_uri: 'http://127.0.0.1/cb' }),
        })
      ).json();
      // token request: form body as a plain string with the content type in a Headers object
      await gf(`${s.origin}/token`, {
        purpose: 'token',
        method: 'POST',
        headers: new Headers({ 'content-type': 'application/x-www-form-urlencoded' }),
        body: `grant_type=refresh_token&refresh_token=${S.refresh}&client_secret=${S.clientSecret}`,
      });
      // DCR: JSON request body, JSON response with secrets
      await gf(`${s.origin}/register`, {
        purpose: 'registration',
        method: 'POST',
        headers: [['content-type', 'application/json']],
        body: JSON.stringify({ client_name: 'x', client_secret: S.clientSecret, token_endpoint_auth_method: 'client_secret_post' }),
      });
      // MCP call with a bearer token (Headers instance, as the SDK sends)
      await gf(`${s.origin}/mcp`, {
        purpose: 'mcp',
        method: 'POST',
        headers: new Headers({ authorization: `Bearer ${S.bearer}`, 'content-type': 'application/json', 'mcp-session-id': MCP_SESSION }),
        body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
      });
      // a failure whose URL carries a code: neither trace nor error message may show it
      let message = '';
      await assert.rejects(gf(`${s.origin}/slow?code=${S.code}&state=abc`, { purpose: 'token', method: 'POST', headers: { authorization: `Bearer ${S.bearer}` } }), (e: unknown) => {
        message = String(e) + JSON.stringify(e);
        return isCode('request_timeout')(e);
      });

      const dump = JSON.stringify(trace.all());
      for (const [name, secret] of Object.entries(S)) {
        assert.ok(!dump.includes(secret), `${name} leaked into the trace`);
        assert.ok(!message.includes(secret), `${name} leaked into an error message`);
      }
      assert.ok(dump.includes('Basic [REDACTED]'), 'the Authorization scheme is kept');
      assert.ok(dump.includes('Bearer [REDACTED]'));
      assert.ok(dump.includes('access_token=[REDACTED]&x=1'));
      assert.equal(exchanges(trace).filter((e) => e.purpose === 'mcp').map((e) => [e.request.headers['mcp-session-id'], e.response?.headers['mcp-session-id']]).flat().filter((v) => v === MCP_SESSION).length, 2, 'the MCP session id is shown, sent and received');
      assert.ok(dump.includes('grant_type=authorization_code'), 'non-secret form fields stay');
      const reg = exchanges(trace).find((e) => e.purpose === 'registration')!;
      assert.deepEqual(JSON.parse(reg.response!.body!), { client_id: 'c1', client_secret: '[REDACTED]', registration_access_token: '[REDACTED]' });
      // the server did receive the real values
      assert.ok(s.requests[0].body.includes(S.code));
      assert.equal(s.requests[0].headers.authorization, `Basic ${S.basic}`);
    });

    it('secrets the engine registered are scrubbed wherever they appear', async () => {
      const echo = 'ECHOED-SECRET-abcdef0123';
      const s = await serve((_q, r) => r.writeHead(400, { 'content-type': 'text/plain', 'x-debug': `you sent ${echo}` }).end(`invalid token ${echo} under an odd key`));
      const { gf, trace, redactor } = guarded(s.origin);
      redactor.addSecret(echo);
      await gf(`${s.origin}/x`, { headers: { 'x-odd': echo }, method: 'POST', body: `weird=${encodeURIComponent(echo)}` });
      assert.ok(!JSON.stringify(trace.all()).includes(echo));
    });
  });

  describe('(h) refused before anything is sent', () => {
    it('a refused scheme and a refused address: traced, nothing sent', async () => {
      let calls = 0;
      const s = await serve((_q, r) => r.end('x'));
      const trace = new Trace();
      const gf = createGuardedFetch({
        policy: { trustedOrigin: new URL('https://mcp.public.example/'), lookup: async () => ['93.184.216.34'] },
        trace,
        redactor: new Redactor(),
        fetchImpl: (...a) => {
          calls++;
          return fetch(...a);
        },
      });
      await assert.rejects(gf(`file://127.0.0.1/etc/passwd`, { purpose: 'jwks' }), isCode('url_scheme_refused'));
      await assert.rejects(gf(`http://127.0.0.1:${s.port}/token?code=SECRET-H-1`, { purpose: 'token', method: 'POST', body: 'code=SECRET-H-2' }), isCode('address_refused'));
      assert.equal(calls, 0);
      assert.equal(s.requests.length, 0);
      const ex = exchanges(trace);
      assert.deepEqual(ex.map((e) => e.error?.code), ['url_scheme_refused', 'address_refused']);
      assert.equal(ex[1].request.url, `http://127.0.0.1:${s.port}`);
      assert.ok(!JSON.stringify(ex).includes('SECRET-H'));
    });
  });

  describe('(i) the caller\'s AbortSignal', () => {
    it('cancels a request that is waiting for headers', async () => {
      const s = await serve(() => {
        /* never answers */
      });
      const { gf, trace } = guarded(s.origin, { timeoutMs: 10_000 });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 100);
      const t0 = Date.now();
      await assert.rejects(gf(`${s.origin}/`, { signal: ac.signal }), (e: unknown) => (e as Error).name === 'AbortError');
      assert.ok(Date.now() - t0 < 2_000);
      assert.equal(exchanges(trace)[0].error?.code, 'aborted');
      await s.closedEarly;
    });

    it('cancels while the body trickles in', async () => {
      const s = await serve((_q, r) => {
        r.writeHead(200, { 'content-type': 'application/json' });
        drip(r, ' ', 50);
      });
      const ac = new AbortController();
      setTimeout(() => ac.abort(new Error('user cancelled')), 200);
      await assert.rejects(guarded(s.origin, { timeoutMs: 10_000 }).gf(`${s.origin}/`, { signal: ac.signal }), /user cancelled/);
    });

    it('an already-aborted signal sends nothing', async () => {
      const s = await serve((_q, r) => r.end('x'));
      await assert.rejects(guarded(s.origin).gf(`${s.origin}/`, { signal: AbortSignal.abort() }), (e: unknown) => (e as Error).name === 'AbortError');
      assert.equal(s.requests.length, 0);
    });

    it('our timeout still fires when the caller brings a signal (request_timeout, not the caller\'s reason)', async () => {
      const s = await serve(() => {
        /* never answers */
      });
      const ac = new AbortController();
      const t0 = Date.now();
      await assert.rejects(guarded(s.origin, { timeoutMs: 150 }).gf(`${s.origin}/`, { signal: ac.signal }), isCode('request_timeout'));
      assert.ok(Date.now() - t0 < 2_000);
      assert.equal(linkedCount(ac.signal), 0, 'the finished exchange no longer hangs on the caller\'s signal');
      await s.closedEarly;
    });

    // The MCP SDK hands every request of a session the same transport-wide signal: following it must
    // not add a listener (or anything else that stays) per request.
    it('one long-lived caller signal over many requests: one abort listener, nothing left per request', async () => {
      const s = await serve((q, r) => {
        if (q.url === '/sse') {
          r.writeHead(200, { 'content-type': 'text/event-stream' });
          return r.end('data: {}\n\n');
        }
        r.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
      const { gf } = guarded(s.origin);
      const ac = new AbortController();
      for (let i = 0; i < 150; i++) {
        const res = await gf(`${s.origin}/${i % 3 === 0 ? 'sse' : 'json'}`, { purpose: 'mcp', signal: ac.signal });
        await res.text();
      }
      assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
      // Buffered exchanges leave nothing; streams stay linked only until pruned (at most twice the live ones, ≥ 64).
      assert.ok(linkedCount(ac.signal) <= 64, `linked: ${linkedCount(ac.signal)}`);
    });

    it('an open stream stays cancellable by the caller after many other requests on the same signal', async () => {
      const s = await serve((q, r) => {
        if (q.url === '/open') {
          r.writeHead(200, { 'content-type': 'text/event-stream' });
          return r.write(': open\n\n');
        }
        r.writeHead(200, { 'content-type': 'text/event-stream' });
        r.end('data: {}\n\n');
      });
      const { gf } = guarded(s.origin);
      const ac = new AbortController();
      const open = await gf(`${s.origin}/open`, { purpose: 'mcp', signal: ac.signal });
      const reader = open.body!.getReader();
      await reader.read();
      for (let i = 0; i < 200; i++) await (await gf(`${s.origin}/done`, { purpose: 'mcp', signal: ac.signal })).text(); // past several prunes
      ac.abort();
      await assert.rejects(reader.read(), (e: unknown) => (e as Error).name === 'AbortError');
      await s.closedEarly;
    });

    it('a Request carrying its own signal is cancelled by it', async () => {
      const s = await serve(() => {
        /* never answers */
      });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(guarded(s.origin).gf(new Request(`${s.origin}/`, { signal: ac.signal })), (e: unknown) => (e as Error).name === 'AbortError');
    });
  });

  describe('buffered bodies read twice (readJsonObject, then oauth4webapi)', () => {
    it('readJsonObject reads the decoded copy: same object, the body stays unread and whole, BOM and bad UTF-8 as text() does', async () => {
      const payload = '\uFEFF{"issuer":"https://as.example","note":"caf\u00e9 \u2603"}';
      const bytes = Buffer.concat([Buffer.from(payload, 'utf8'), Buffer.from([0xff])]); // a stray invalid byte at the end
      const s = await serve((_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end(bytes));
      const { gf } = guarded(s.origin);
      const res = await gf(`${s.origin}/meta`, { purpose: 'as-metadata' });
      const viaClone = await res.clone().text();
      assert.equal(bufferedText(res), viaClone, 'the same text response.text() gives');
      await assert.rejects(readJsonObject(res, 'metadata'), isCode('invalid_json'), 'the stray byte decodes to U+FFFD after the object');
      const s2 = await serve((_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end('\uFEFF{"issuer":"https://as.example"}'));
      const res2 = await guarded(s2.origin).gf(`${s2.origin}/meta`, { purpose: 'as-metadata' });
      assert.deepEqual(await readJsonObject(res2, 'metadata'), { issuer: 'https://as.example' });
      assert.equal(res2.bodyUsed, false, 'left for the next reader');
      assert.equal(await res2.text(), '{"issuer":"https://as.example"}');
    });

    it('a body already read is not served from the copy: readJsonObject fails as a clone would', async () => {
      const s = await serve((_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{"a":1}'));
      const res = await guarded(s.origin).gf(`${s.origin}/x`, { purpose: 'as-metadata' });
      await res.text();
      assert.equal(bufferedText(res), undefined);
      await assert.rejects(readJsonObject(res, 'metadata'), TypeError);
      const foreign = new Response('{"b":2}');
      assert.equal(bufferedText(foreign), undefined, 'only responses this module buffered');
      assert.deepEqual(await readJsonObject(foreign, 'metadata'), { b: 2 });
    });
  });

  describe('inputs the callers pass', () => {
    let s: LocalServer;
    beforeEach(async () => {
      s = await serve((q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(q)));
    });

    it('a string, a URL and a Request (method, headers and body preserved)', async () => {
      const { gf, trace } = guarded(s.origin);
      await gf(`${s.origin}/a`);
      await gf(new URL(`${s.origin}/b?q=1`));
      const res = await gf(new Request(`${s.origin}/c`, { method: 'POST', headers: { 'x-from-request': 'yes', 'content-type': 'application/json' }, body: '{"hello":"world"}' }), { purpose: 'mcp' });
      const echoed = (await res.json()) as { method: string; headers: Record<string, string>; body: string };
      assert.equal(echoed.method, 'POST');
      assert.equal(echoed.headers['x-from-request'], 'yes');
      assert.equal(echoed.body, '{"hello":"world"}');
      assert.deepEqual(s.requests.map((q) => [q.method, q.url]), [
        ['GET', '/a'],
        ['GET', '/b?q=1'],
        ['POST', '/c'],
      ]);
      const last = exchanges(trace)[2];
      assert.equal(last.request.method, 'POST');
      assert.equal(last.request.body, '{"hello":"world"}');
      assert.equal(last.request.headers['x-from-request'], 'yes');
    });

    it('init overrides a Request as fetch does', async () => {
      await guarded(s.origin).gf(new Request(`${s.origin}/d`, { method: 'POST', headers: { 'x-a': 'from-request' }, body: 'one' }), { method: 'PUT', headers: { 'x-b': 'from-init' }, body: 'two' });
      const q = s.requests[0];
      assert.equal(q.method, 'PUT');
      assert.equal(q.body, 'two');
      assert.equal(q.headers['x-a'], undefined);
      assert.equal(q.headers['x-b'], 'from-init');
    });

    it('headers as a plain object, a Headers and an array of pairs', async () => {
      const { gf } = guarded(s.origin);
      await gf(`${s.origin}/1`, { headers: { 'x-kind': 'object', accept: 'application/json' } });
      await gf(`${s.origin}/2`, { headers: new Headers({ 'x-kind': 'headers' }) });
      await gf(`${s.origin}/3`, { headers: [['x-kind', 'array']] });
      assert.deepEqual(s.requests.map((q) => q.headers['x-kind']), ['object', 'headers', 'array']);
      assert.equal(s.requests[0].headers.accept, 'application/json');
    });

    it('a response can be read as if it came from fetch (status, headers, body, url)', async () => {
      const n = await serve((_q, r) => r.writeHead(404, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' }).end('{"error":"nope"}'));
      const res = await guarded(n.origin).gf(`${n.origin}/x`);
      assert.equal(res.status, 404);
      assert.equal(res.ok, false);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
      assert.equal(res.url, `${n.origin}/x`);
      assert.deepEqual(await res.json(), { error: 'nope' });
      const e = await serve((_q, r) => r.writeHead(204).end());
      assert.equal((await guarded(e.origin).gf(`${e.origin}/`, { method: 'DELETE' })).status, 204);
    });

    it('a server that is down → network_error naming the URL without its query', async () => {
      const down = await serve((_q, r) => r.end());
      const origin = down.origin;
      await down.close();
      servers.splice(servers.indexOf(down), 1);
      await assert.rejects(guarded(origin).gf(`${origin}/mcp?code=SECRET-DOWN`), (e: unknown) => isCode('network_error')(e) && (e as Error).message.includes(`${origin}/mcp`) && !(e as Error).message.includes('SECRET'));
    });
  });
});
