/**
 * The AuthManager state machine against the OAuth fixture: refresh (before expiry, after 401,
 * single-flight, rotation, invalid_grant / invalid_client recovery), step-up with the union of
 * scopes and its limit, scope selection, token confinement to the resource, sign-out, and a server
 * whose authorization server changes.
 */
import { strict as assert } from 'node:assert';
import { createAuthFetch } from '../../../src/core/mcp/authFetch';
import { MemorySecretStore } from '../../../src/core/memorySecretStore';
import type { DiscoveryResult } from '../../../src/core/oauth/discovery';
import { startLoopbackReceiver } from '../../../src/core/oauth/redirect/loopback';
import { connectTo, expectInspectorError, findLeaks, startOAuthFixture, type Fixture, useOAuthFixtures } from '../../fixtures/oauthFixture';
import { startServer } from '../http/localServer';

const authorizeParams = (fx: Fixture) => fx.requests.filter((r) => r.server === 'as' && r.path.startsWith('/authorize')).map((r) => new URL(r.path, fx.issuer).searchParams);
const mcpCalls = (fx: Fixture, tool?: string) =>
  fx.requests.filter((r) => r.server === 'mcp' && r.path === '/mcp' && r.method === 'POST' && (!tool || (JSON.parse(r.body) as { params?: { name?: string } }).params?.name === tool));
const bearerOf = (h: Record<string, string>) => /^Bearer (.+)$/.exec(h.authorization ?? '')?.[1];
const last = <T>(a: T[]): T => a[a.length - 1];

/** A clock the test can move forward. */
function movableClock() {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms: number) => (offset += ms) };
}

describe('oauth/authManager', () => {
  const { fixture, connect, track } = useOAuthFixtures();

  describe('redirect port', () => {
    it('redirectPort reaches the receiver factory (the extension and the CLI pass their own) and the loopback receiver listens on it', async () => {
      const fx = await fixture();
      const probe = await startServer(() => {});
      const port = Number(new URL(probe.origin).port);
      await probe.close();
      const asked: Array<number | undefined> = [];
      const conn = connect(fx, {
        redirectPort: port,
        startReceiver: (opts) => {
          asked.push(opts.port);
          return startLoopbackReceiver(opts);
        },
      });
      await conn.session.connect();
      assert.deepEqual(asked, [port]);
      assert.equal(authorizeParams(fx)[0].get('redirect_uri'), `http://127.0.0.1:${port}/callback`);
    });
  });

  describe('refresh', () => {
    it('an expired token is refreshed before the call, and the call carries the new token', async () => {
      const fx = await fixture();
      const clock = movableClock();
      const conn = connect(fx, { clock });
      await conn.session.connect();
      assert.equal(fx.counters.refresh, 0);
      clock.advance(2 * 3600 * 1000);
      await conn.session.callTool('echo');
      assert.equal(fx.counters.refresh, 1);
      assert.equal(fx.counters.authorize, 1);
      assert.equal(bearerOf(last(mcpCalls(fx, 'echo')).headers), last(fx.issued.accessTokens));
    });

    it('401 invalid_token → refresh, then the request is retried once', async () => {
      const fx = await fixture();
      const conn = connect(fx);
      await conn.session.connect();
      const before = fx.issued.accessTokens.length;
      fx.expireAllAccessTokens();
      const r = await conn.session.callTool('echo');
      assert.equal((r.content as Array<{ text: string }>)[0].text, 'ok: echo');
      assert.equal(fx.counters.refresh, 1);
      assert.equal(fx.counters.authorize, 1);
      assert.equal(fx.issued.accessTokens.length, before + 1);
      const calls = mcpCalls(fx, 'echo');
      assert.equal(calls.length, 2);
      assert.equal(bearerOf(calls[1].headers), last(fx.issued.accessTokens));
    });

    it('20 concurrent accessToken() calls on an expiring token → exactly one refresh request', async () => {
      const fx = await fixture();
      const clock = movableClock();
      const conn = connect(fx, { clock });
      await conn.session.connect();
      clock.advance(2 * 3600 * 1000);
      const tokens = await Promise.all(Array.from({ length: 20 }, () => conn.auth.accessToken()));
      assert.equal(fx.counters.refresh, 1);
      assert.equal(new Set(tokens).size, 1);
      assert.equal(tokens[0], last(fx.issued.accessTokens));
    });

    it('20 concurrent refresh() calls → exactly one refresh request', async () => {
      const fx = await fixture();
      const conn = connect(fx);
      await conn.session.connect();
      const sets = await Promise.all(Array.from({ length: 20 }, () => conn.auth.refresh()));
      assert.equal(fx.counters.refresh, 1);
      assert.equal(new Set(sets.map((s) => s.access_token)).size, 1);
    });

    it('a rotated refresh token is stored, the old one is gone', async () => {
      const fx = await fixture();
      const conn = connect(fx);
      await conn.session.connect();
      const [rt1] = fx.issued.refreshTokens;
      await conn.auth.refresh();
      const rt2 = last(fx.issued.refreshTokens);
      assert.notEqual(rt1, rt2);
      const stored = [...conn.secrets.map.values()].join('\n');
      assert.ok(stored.includes(rt2));
      assert.ok(!stored.includes(rt1));
      await conn.auth.refresh();
      assert.equal(fx.counters.refresh, 2, 'the rotated token works');
      // and a fresh connection on the same store uses the stored tokens without signing in
      const again = connect(fx, { secrets: conn.secrets });
      await again.session.connect();
      assert.equal(fx.counters.authorize, 1);
    });

    it('a refresh without a new refresh token keeps the old one (RFC 6749 §6)', async () => {
      const fx = await fixture();
      const conn = connect(fx);
      await conn.session.connect();
      const [rt1] = fx.issued.refreshTokens;
      fx.intercept = async (server, req, res) => {
        if (server !== 'as' || req.path !== '/token') return false;
        fx.counters.token++;
        fx.counters.refresh++;
        const at = `at_no_rotation_${Date.now()}_0123456789`;
        fx.issued.accessTokens.push(at);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: at, token_type: 'Bearer', expires_in: 60 }));
        return true;
      };
      const next = await conn.auth.refresh();
      assert.equal(next.refresh_token, rt1);
    });

    it('20 concurrent calls of one tool all answered 401 invalid_token → exactly one refresh, no new sign-in, every call succeeds', async () => {
      const fx = await fixture();
      const conn = connect(fx);
      await conn.session.connect();
      fx.expireAllAccessTokens();
      const results = await Promise.all(Array.from({ length: 20 }, () => conn.session.callTool('echo')));
      assert.ok(results.every((r) => (r.content as Array<{ text: string }>)[0].text === 'ok: echo'));
      assert.equal(fx.counters.refresh, 1, 'the requests that carried the replaced token retry with the new one');
      assert.equal(fx.counters.authorize, 1, 'no sign-in beyond the first');
    });

    it('invalid_grant on refresh → the tokens are dropped and the next call signs in again', async () => {
      const fx = await fixture();
      const conn = connect(fx);
      await conn.session.connect();
      for (const rt of fx.issued.refreshTokens) fx.revoked.add(rt);
      await expectInspectorError(conn.auth.refresh(), 'invalid_grant', 'token refresh', `${fx.issuer}/token`);
      assert.equal(conn.auth.tokens, undefined);
      assert.equal(conn.auth.state, 'signed-out');
      assert.ok(![...conn.secrets.map.keys()].some((k) => k.includes('/tokens/')), 'no stored tokens');
      assert.ok(conn.auth.client, 'the client is kept');
      fx.expireAllAccessTokens();
      await conn.session.callTool('echo');
      assert.equal(fx.counters.authorize, 2);
      assert.equal(fx.counters.register, 1);
    });

    it('invalid_grant on the refresh after a 401 → signs in again within the same call', async () => {
      const fx = await fixture();
      const conn = connect(fx);
      await conn.session.connect();
      for (const rt of fx.issued.refreshTokens) fx.revoked.add(rt);
      fx.expireAllAccessTokens();
      await conn.session.callTool('echo');
      assert.equal(fx.counters.refresh, 1);
      assert.equal(fx.counters.authorize, 2);
    });

    it('invalid_client on refresh → the client is forgotten and registered again', async () => {
      const fx = await fixture();
      const conn = connect(fx);
      await conn.session.connect();
      const oldClient = conn.auth.client!.client_id;
      fx.forgetClients();
      await expectInspectorError(conn.auth.refresh(), 'invalid_client', 'token refresh');
      assert.equal(conn.auth.client, undefined);
      assert.ok(![...conn.secrets.map.keys()].some((k) => k.includes('/client/') || k.includes('/tokens/')));
      await conn.session.callTool('echo');
      assert.equal(fx.counters.register, 2);
      assert.notEqual(conn.auth.client!.client_id, oldClient);
    });

    // Once found by an audit: handleChallenge forgot the client but re-threw invalid_client, so the
    // call failed instead of registering again and retrying.
    it('invalid_client on the refresh after a 401 → within the same call: registers again, signs in, the call is retried once and succeeds', async () => {
      const fx = await fixture();
      const conn = connect(fx);
      await conn.session.connect();
      const oldClient = conn.auth.client!.client_id;
      fx.forgetClients();
      fx.expireAllAccessTokens();
      const before = mcpCalls(fx, 'echo').length;
      const r = await conn.session.callTool('echo');
      assert.equal((r.content as Array<{ text: string }>)[0].text, 'ok: echo');
      assert.equal(fx.counters.refresh, 1, 'one refresh, refused with invalid_client');
      assert.equal(fx.counters.register, 2, 'registered again');
      assert.equal(fx.counters.authorize, 2, 'signed in again');
      assert.notEqual(conn.auth.client!.client_id, oldClient);
      assert.ok(fx.clients.has(conn.auth.client!.client_id));
      const calls = mcpCalls(fx, 'echo').slice(before);
      assert.equal(calls.length, 2, 'the refused call and one retry');
      assert.equal(bearerOf(calls[1].headers), last(fx.issued.accessTokens));
      assert.ok(conn.trace.all().some((e) => e.kind === 'note' && e.step === 'client registration' && /invalid_client/.test(e.message)));
    });

    it('invalid_client on refresh for a confidential client (401 + WWW-Authenticate: Basic) → forgotten and registered again', async () => {
      const fx = await fixture({ asMetadata: { token_endpoint_auth_methods_supported: ['client_secret_basic'] } });
      const conn = connect(fx);
      await conn.session.connect();
      fx.forgetClients();
      await expectInspectorError(conn.auth.refresh(), 'invalid_client', 'token refresh');
      assert.equal(conn.auth.client, undefined);
      await conn.session.callTool('echo');
      assert.equal(fx.counters.register, 2);
    });
  });

  describe('step-up', () => {
    const tools = [{ name: 'echo' }, { name: 'admin' }];

    it('403 insufficient_scope → authorizes again with the union of the granted and the required scopes', async () => {
      const fx = await fixture({ requiredScopes: ['read'], toolScopes: { admin: ['admin'] }, tools });
      const conn = connect(fx);
      await conn.session.connect();
      assert.deepEqual(conn.auth.grantedScopes(), ['read']);
      const r = await conn.session.callTool('admin');
      assert.equal((r.content as Array<{ text: string }>)[0].text, 'ok: admin');
      const scopes = authorizeParams(fx).map((p) => p.get('scope'));
      assert.deepEqual(scopes, ['read', 'read admin']);
      assert.deepEqual(conn.auth.grantedScopes().sort(), ['admin', 'read']);
      assert.ok(conn.trace.all().some((e) => e.kind === 'note' && e.step === 'step-up'));
    });

    it('20 concurrent calls of a tool answered 403 insufficient_scope → one step-up authorization, every call succeeds', async () => {
      const fx = await fixture({ requiredScopes: ['read'], toolScopes: { admin: ['admin'] }, tools });
      const conn = connect(fx);
      await conn.session.connect();
      const results = await Promise.all(Array.from({ length: 20 }, () => conn.session.callTool('admin')));
      assert.ok(results.every((r) => (r.content as Array<{ text: string }>)[0].text === 'ok: admin'));
      assert.equal(fx.counters.authorize, 2, 'the first sign-in and one step-up');
    });

    /** The MCP server answers tools/call `tool` with a 401 naming `scope` unless the token holds it (no error code). */
    function unauthorizedUnlessScope(fx: Fixture, tool: string, scope: string): void {
      fx.intercept = (server, req, res) => {
        if (server !== 'mcp' || req.path !== '/mcp' || req.method !== 'POST') return false;
        if ((JSON.parse(req.body) as { params?: { name?: string } }).params?.name !== tool) return false;
        const token = bearerOf(req.headers);
        if (token && fx.accessTokens.get(token)?.scopes.includes(scope)) return false;
        res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${fx.resourceMetadataUrl}", scope="${scope}"` });
        res.end();
        return true;
      };
    }

    // Once found by an audit: such a 401 first wasted a refresh (which cannot widen the scope), then
    // signed in with the challenge's scopes only, losing the ones granted before.
    it('401 naming a scope the token lacks → step-up with the union, no refresh; earlier scopes are kept', async () => {
      const fx = await fixture({ requiredScopes: ['read'], tools });
      unauthorizedUnlessScope(fx, 'admin', 'admin');
      const conn = connect(fx);
      await conn.session.connect();
      assert.deepEqual(conn.auth.grantedScopes(), ['read']);
      const r = await conn.session.callTool('admin');
      assert.equal((r.content as Array<{ text: string }>)[0].text, 'ok: admin');
      assert.equal(fx.counters.refresh, 0, 'no refresh: it cannot add a scope');
      assert.deepEqual(authorizeParams(fx).map((p) => p.get('scope')), ['read', 'read admin']);
      assert.deepEqual(conn.auth.grantedScopes().sort(), ['admin', 'read']);
      assert.equal(mcpCalls(fx, 'admin').length, 2, 'the refused call and one retry');
      // the earlier scope is still held: echo works without another sign-in
      await conn.session.callTool('echo');
      assert.equal(fx.counters.authorize, 2);
      assert.ok(conn.trace.all().some((e) => e.kind === 'note' && e.step === 'step-up' && /401/.test(e.message)));
    });

    it('401 naming a scope the token lacks, with authorize: false → insufficient_scope carrying the scopes, nothing opened', async () => {
      const fx = await fixture({ requiredScopes: ['read'], tools });
      unauthorizedUnlessScope(fx, 'admin', 'admin');
      const conn = connect(fx);
      await conn.session.connect();
      const err = await expectInspectorError(conn.session.callTool('admin', {}, { authorize: false }), 'insufficient_scope', 'missing admin');
      assert.deepEqual(err.scopes, ['admin']);
      assert.equal(fx.counters.authorize, 1);
      assert.equal(fx.counters.refresh, 0);
    });

    it('401 naming only scopes the token holds → still refresh first, then sign in when the refresh fails', async () => {
      const fx = await fixture({ requiredScopes: ['read'], tools });
      const conn = connect(fx);
      await conn.session.connect();
      fx.expireAllAccessTokens();
      await conn.session.callTool('echo');
      assert.equal(fx.counters.refresh, 1);
      assert.equal(fx.counters.authorize, 1, 'the refresh was enough');
      for (const rt of fx.issued.refreshTokens) fx.revoked.add(rt);
      fx.expireAllAccessTokens();
      await conn.session.callTool('echo');
      assert.equal(fx.counters.refresh, 2);
      assert.equal(fx.counters.authorize, 2, 'signed in after the refused refresh');
      assert.deepEqual(authorizeParams(fx).map((p) => p.get('scope')), ['read', 'read']);
    });

    it('the AS never grants the scope → gives up after 3 authorizations with insufficient_scope', async () => {
      const fx = await fixture({ requiredScopes: ['read'], toolScopes: { admin: ['admin'] }, tools, grantableScopes: ['read'] });
      const conn = connect(fx);
      await conn.session.connect();
      const before = fx.counters.authorize;
      await expectInspectorError(conn.session.callTool('admin'), 'insufficient_scope', 'step-up', 'tools/call admin', '3 authorization attempts', fx.mcpUrl);
      assert.equal(fx.counters.authorize - before, 3);
      // the limit is per operation and resets after a success
      await conn.session.callTool('echo');
    });

    it('a server that keeps answering 401 → gives up with unauthorized after 3 authorizations', async () => {
      const fx = await fixture();
      fx.intercept = (server, req, res) => {
        if (server !== 'mcp' || req.path !== '/mcp') return false;
        res.writeHead(401, { 'www-authenticate': `Bearer error="invalid_token", resource_metadata="${fx.resourceMetadataUrl}"` });
        res.end();
        return true;
      };
      const conn = connect(fx);
      await expectInspectorError(conn.session.connect(), 'unauthorized', '3 authorization attempts');
      assert.equal(fx.counters.authorize, 3);
      assert.equal(fx.counters.refresh, 1, 'one refresh attempt for the operation');
    });
  });

  describe('scope selection', () => {
    async function firstScope(opts: Parameters<typeof startOAuthFixture>[0], conn: Parameters<typeof connectTo>[1] = {}): Promise<string | null> {
      const fx = await fixture(opts);
      const c = connect(fx, conn);
      await c.session.connect();
      return authorizeParams(fx)[0].get('scope');
    }

    it('the challenge scope wins over PRM scopes_supported', async () => {
      assert.equal(await firstScope({ requiredScopes: ['x'], prm: { scopes_supported: ['a', 'b'] } }), 'x');
    });
    it('PRM scopes_supported when the challenge has no scope', async () => {
      assert.equal(await firstScope({ prm: { scopes_supported: ['a', 'b'] } }), 'a b');
    });
    it('omitted when neither says', async () => {
      assert.equal(await firstScope({}), null);
    });
    it('offline_access only when the AS lists it', async () => {
      assert.equal(await firstScope({ requiredScopes: ['x'], asMetadata: { scopes_supported: ['x', 'offline_access'] } }), 'x offline_access');
      assert.equal(await firstScope({ requiredScopes: ['x'], asMetadata: { scopes_supported: ['x'] } }), 'x');
    });
    // Once found by an audit: the protected resource's scopes_supported was copied as is, so its
    // offline_access was requested from an authorization server that does not offer it.
    it("offline_access from the protected resource's scopes_supported only when the AS lists it", async () => {
      assert.equal(await firstScope({ prm: { scopes_supported: ['a', 'offline_access'] }, asMetadata: { scopes_supported: ['a'] } }), 'a');
      assert.equal(await firstScope({ prm: { scopes_supported: ['a', 'offline_access'] } }), 'a', 'an AS without scopes_supported does not list it');
      assert.equal(await firstScope({ prm: { scopes_supported: ['a', 'offline_access'] }, asMetadata: { scopes_supported: ['a', 'offline_access'] } }), 'a offline_access');
    });
    it('selectScope: offline_access in a challenge only when the AS lists it; the user\'s own choice is kept', async () => {
      const fx = await fixture();
      const disc = (asScopes?: string[]) => ({ as: { issuer: fx.issuer, scopes_supported: asScopes }, resource: fx.mcpUrl, backCompat: false }) as DiscoveryResult;
      const auth = connect(fx).auth;
      assert.equal(auth.selectScope(disc(['x']), 'x offline_access', false), 'x');
      assert.equal(auth.selectScope(disc(), 'offline_access x', false), 'x');
      assert.equal(auth.selectScope(disc(['x', 'offline_access']), 'offline_access x', false), 'offline_access x');
      const mine = connect(fx, { scopes: ['mine', 'offline_access'] }).auth;
      assert.equal(mine.selectScope(disc(['x']), 'x offline_access', false), 'mine offline_access x');
    });
    it("the user's explicit scopes come first, joined with the challenge's", async () => {
      assert.equal(await firstScope({ requiredScopes: ['x'] }, { scopes: ['mine'] }), 'mine x');
    });
    it('selectScope: step-up unions with the granted scopes', async () => {
      const fx = await fixture();
      const conn = connect(fx);
      conn.auth.tokens = { access_token: 'a'.repeat(20), token_type: 'Bearer', scope: 'read', issued_at: 0, issuer: fx.issuer, client_id: 'c', resource: fx.mcpUrl, grant: 'authorization_code' };
      const disc = { as: { issuer: fx.issuer }, resource: fx.mcpUrl, backCompat: false } as DiscoveryResult;
      assert.equal(conn.auth.selectScope(disc, 'write', true), 'read write');
      assert.equal(conn.auth.selectScope(disc, 'write', false), 'write');
      assert.equal(conn.auth.selectScope(disc, undefined, false), undefined);
    });
  });

  describe('token confinement', () => {
    it('the token goes to the MCP resource only: never to another origin/port, another path, or into a URL', async () => {
      const fx = await fixture();
      const conn = connect(fx);
      await conn.session.connect();
      const token = conn.auth.tokens!.access_token;
      const other = await startServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
      track(other);
      const authFetch = createAuthFetch({ fetch: conn.fetch, auth: conn.auth });
      await (await authFetch(`${other.origin}/mcp`, { method: 'POST', body: '{}' })).text();
      await (await authFetch(new URL('/other', fx.mcpUrl).href, { method: 'POST', body: '{}' })).text();
      await (await authFetch(new URL('/mcpx', fx.mcpUrl).href, { method: 'GET' })).text();
      assert.equal(other.requests.length, 1);
      assert.equal(other.requests[0].headers.authorization, undefined);
      const elsewhere = fx.requests.filter((r) => r.server === 'mcp' && (r.path === '/other' || r.path === '/mcpx'));
      assert.equal(elsewhere.length, 2);
      for (const r of elsewhere) assert.equal(r.headers.authorization, undefined);
      // sanity: the resource itself does get it
      await (await authFetch(fx.mcpUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":9,"method":"ping"}' })).text();
      assert.equal(bearerOf(last(fx.requests).headers), token);
      // and an Authorization header the caller set is removed for other servers
      await (await authFetch(`${other.origin}/x`, { headers: { authorization: `Bearer ${token}` } })).text();
      assert.equal(other.requests[1].headers.authorization, undefined);
      for (const r of [...fx.requests, ...other.requests.map((o) => ({ path: o.url }))]) assert.ok(!r.path.includes(token), 'never in a URL');
    });
  });

  describe('sign-out', () => {
    it('revokes both tokens and deletes every key under the server prefix (only that server)', async () => {
      const fx = await fixture();
      const secrets = new MemorySecretStore();
      await secrets.store('mcp-oauth-inspector/v1/http://127.0.0.1:1/other-server/session', '{}');
      const conn = connect(fx, { secrets });
      await conn.session.connect();
      const { access_token, refresh_token } = conn.auth.tokens!;
      assert.ok((await secrets.keys(conn.auth.keys.prefix)).length >= 3);
      const out = await conn.auth.signOut();
      assert.deepEqual(out, { revocation: 'revoked', revoked: true, errors: [] });
      assert.equal(fx.counters.revoke, 2);
      assert.ok(fx.revoked.has(access_token) && fx.revoked.has(refresh_token!));
      assert.deepEqual(await secrets.keys(conn.auth.keys.prefix), []);
      assert.deepEqual([...secrets.map.keys()], ['mcp-oauth-inspector/v1/http://127.0.0.1:1/other-server/session']);
      assert.equal(conn.auth.state, 'signed-out');
      assert.equal(await conn.auth.accessToken(), undefined);
    });

    it('without a revocation endpoint: nothing revoked, everything deleted', async () => {
      const fx = await fixture({ asMetadata: { revocation_endpoint: undefined } });
      const conn = connect(fx);
      await conn.session.connect();
      const out = await conn.auth.signOut();
      assert.equal(out.revoked, false);
      assert.equal(fx.counters.revoke, 0);
      assert.deepEqual(await conn.secrets.keys(conn.auth.keys.prefix), []);
    });
  });

  // docs/SECURITY.md: response bodies are capped (size and time). Once found by an audit: a response saying
  // text/event-stream skipped both caps whatever the request was for, so these flows hung for good.
  describe('an OAuth endpoint answering text/event-stream with an endless or trickling body', () => {
    const endpoints = [
      { path: '/.well-known/oauth-authorization-server', step: 'authorization server metadata' },
      { path: '/token', step: 'token exchange' },
    ];
    for (const { path, step } of endpoints) {
      for (const body of ['trickling', 'endless'] as const) {
        it(`${path} (${body}) → ${body === 'trickling' ? 'request_timeout' : 'response_too_large'} naming the step and URL, nothing hangs`, async () => {
          const fx = await fixture();
          fx.intercept = (server, req, res) => {
            if (server !== 'as' || new URL(req.path, fx.issuer).pathname !== path) return false;
            res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
            res.write(': stream\n\n');
            const t = setInterval(() => res.write(body === 'trickling' ? ': tick\n\n' : Buffer.alloc(64 * 1024, 0x3a)), body === 'trickling' ? 100 : 1);
            res.on('close', () => clearInterval(t));
            return true;
          };
          const conn = connect(fx, { timeoutMs: 800 });
          const t0 = Date.now();
          await expectInspectorError(conn.session.connect(), body === 'trickling' ? 'request_timeout' : 'response_too_large', step, `${fx.issuer}${path}`);
          const took = Date.now() - t0;
          assert.ok(took < 5_000, `took ${took} ms`);
          assert.equal(conn.auth.tokens, undefined);
          if (path === '/token') assert.equal(fx.counters.authorize, 1, 'the flow got as far as the token request');
          else assert.equal(fx.counters.authorize, 0, 'nothing opened without metadata');
        });
      }
    }
  });

  describe('the authorization server changes', () => {
    it("metadata naming another AS: the new AS gets none of the old client's tokens or secrets; the client registers again", async () => {
      const fx1 = await fixture({ asMetadata: { token_endpoint_auth_methods_supported: ['client_secret_post'] } });
      const fx2 = await fixture();
      const conn = connect(fx1);
      await conn.session.connect();
      const oldClient = conn.auth.client!.client_id;
      const oldSecrets = fx1.allSecrets();

      fx1.setOption('prm', { authorization_servers: [fx2.issuer] });
      fx1.acceptTokensOf.push(fx2);
      fx1.intercept = (server, req, res) => {
        const token = bearerOf(req.headers);
        if (server !== 'mcp' || req.path !== '/mcp' || !token || !fx1.accessTokens.has(token)) return false;
        res.writeHead(401, { 'www-authenticate': `Bearer error="invalid_token", resource_metadata="${fx1.resourceMetadataUrl}?moved=1"` });
        res.end();
        return true;
      };
      for (const rt of fx1.issued.refreshTokens) fx1.revoked.add(rt);
      await conn.session.callTool('echo');

      assert.equal(conn.auth.discovery!.as.issuer, fx2.issuer);
      assert.equal(fx2.counters.register, 1);
      assert.notEqual(conn.auth.client!.client_id, oldClient);
      const seenByFx2 = fx2.requests.map((r) => `${r.path}\n${JSON.stringify(r.headers)}\n${r.body}`).join('\n');
      assert.deepEqual(findLeaks(seenByFx2, [...oldSecrets, oldClient]), []);
      assert.ok(conn.trace.all().some((e) => e.kind === 'note' && /authorization server changed/.test(e.message)));
      assert.equal(bearerOf(last(mcpCalls(fx1, 'echo')).headers), last(fx2.issued.accessTokens));
    });

    // Once found by this test: discovery was cached and only re-run for a new resource_metadata URL,
    // so a server that moved to another AS under the same PRM URL kept being signed in at the old one.
    it('metadata naming another AS at the same PRM URL is picked up after the old tokens fail', async () => {
      const fx1 = await fixture();
      const fx2 = await fixture();
      const conn = connect(fx1);
      await conn.session.connect();
      fx1.setOption('prm', { authorization_servers: [fx2.issuer] });
      fx1.acceptTokensOf.push(fx2);
      // the MCP server now only accepts tokens from the new AS (same PRM URL in its challenges)
      fx1.intercept = (server, req, res) => {
        const token = bearerOf(req.headers);
        if (server !== 'mcp' || req.path !== '/mcp' || !token || !fx1.accessTokens.has(token)) return false;
        res.writeHead(401, { 'www-authenticate': `Bearer error="invalid_token", resource_metadata="${fx1.resourceMetadataUrl}"` });
        res.end();
        return true;
      };
      for (const rt of fx1.issued.refreshTokens) fx1.revoked.add(rt);
      await conn.session.callTool('echo');
      assert.equal(conn.auth.discovery!.as.issuer, fx2.issuer);
      assert.equal(fx2.counters.register, 1);
    });

    it('credentials are kept per issuer: moving back to the first AS reuses its client (no new registration there) and sends it none of the second AS client', async () => {
      const fx1 = await fixture();
      const fx2 = await fixture();
      const conn = connect(fx1);
      await conn.session.connect();
      const client1 = conn.auth.client!.client_id;
      // Each move: the MCP server names the other AS, and refuses the tokens of the one it left.
      const moveTo = (to: Fixture, from: Fixture) => {
        fx1.setOption('prm', { authorization_servers: [to.issuer] });
        fx1.acceptTokensOf.splice(0, fx1.acceptTokensOf.length, ...(to === fx1 ? [] : [to]));
        fx1.intercept = (server, req, res) => {
          const token = bearerOf(req.headers);
          if (server !== 'mcp' || req.path !== '/mcp' || !token || !from.accessTokens.has(token)) return false;
          res.writeHead(401, { 'www-authenticate': `Bearer error="invalid_token", resource_metadata="${fx1.resourceMetadataUrl}"` });
          res.end();
          return true;
        };
        for (const rt of from.issued.refreshTokens) from.revoked.add(rt);
      };
      moveTo(fx2, fx1);
      await conn.session.callTool('echo');
      const client2 = conn.auth.client!.client_id;
      assert.equal(conn.auth.discovery!.as.issuer, fx2.issuer);
      moveTo(fx1, fx2);
      await conn.session.callTool('echo');

      assert.equal(conn.auth.discovery!.as.issuer, fx1.issuer);
      assert.equal(fx1.counters.register, 1, 'the first AS client is reused, not registered again');
      assert.equal(conn.auth.client!.client_id, client1);
      assert.ok(conn.trace.all().some((e) => e.kind === 'note' && e.message.includes(`using client ${client1}, registered there earlier`)));
      const seenByFx1 = fx1.requests.filter((r) => r.server === 'as').map((r) => `${r.path}\n${JSON.stringify(r.headers)}\n${r.body}`).join('\n');
      assert.deepEqual(findLeaks(seenByFx1, [...fx2.allSecrets(), client2]), []);
      const seenByFx2 = fx2.requests.map((r) => `${r.path}\n${JSON.stringify(r.headers)}\n${r.body}`).join('\n');
      assert.ok(!seenByFx2.includes(client1));
      assert.equal(bearerOf(last(mcpCalls(fx1, 'echo')).headers), last(fx1.issued.accessTokens));
    });
  });
});
