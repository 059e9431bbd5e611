/**
 * What real servers do that the letter of the specs does not foresee, against the OAuth fixture made
 * to behave like them (test/interop runs the same against mcp-use and oidc-provider):
 * - an OAuth proxy's registration names client_secret_post but issues no secret (it adds its own
 *   upstream secret at its token endpoint): the client continues as a public one, with a warning;
 * - `openid` is asked for only when the user or the challenge names it, and an id_token from another
 *   issuer (the proxy's upstream) is a finding, never a failed sign-in or refresh;
 * - offline_access at an OpenID Provider goes with prompt=consent (OpenID Connect Core §11).
 */
import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import type { TraceEntry, TraceNote } from '../../../src/core/http/trace';
import { isOpenIdProvider } from '../../../src/core/oauth/authorizationCode';
import { scopesToSuggest } from '../../../src/core/oauth/challenge';
import { tokenResponseFindings } from '../../../src/core/oauth/tokens';
import { makeContext, type Fixture, type FixtureRequest, useOAuthFixtures } from '../../fixtures/oauthFixture';

const notes = (entries: readonly TraceEntry[]) => entries.filter((e): e is TraceNote => e.kind === 'note');
function note(entries: readonly TraceEntry[], re: RegExp): TraceNote {
  const n = notes(entries).find((x) => re.test(x.message));
  assert.ok(n, `no note matching ${re}; notes:\n${notes(entries).map((x) => `  [${x.level}] ${x.step}: ${x.message}`).join('\n')}`);
  return n;
}
const authorizeParams = (fx: Fixture) => fx.requests.filter((r) => r.server === 'as' && r.path.startsWith('/authorize')).map((r) => new URL(r.path, fx.issuer).searchParams);
const tokenRequests = (fx: Fixture) => fx.requests.filter((r) => r.server === 'as' && r.path === '/token');

const UPSTREAM = 'http://127.0.0.1:9/upstream-provider';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
function idToken(iss: string, aud: string): Promise<string> {
  return new SignJWT({ email: 'user@example.test' }).setProtectedHeader({ alg: 'RS256' }).setIssuer(iss).setAudience(aud).setSubject('user-1').setIssuedAt().setExpirationTime('1h').sign(privateKey);
}

/**
 * Answer the token requests of `grant` like a proxy that forwards its upstream's response: an access
 * token this fixture's MCP server accepts, plus an id_token issued by the upstream for the upstream's client.
 */
function forwardUpstreamIdToken(fx: Fixture, grant: 'authorization_code' | 'refresh_token', opts: { iss?: string; aud?: string } = {}): { served: number } {
  const state = { served: 0 };
  fx.intercept = async (server, req: FixtureRequest, res) => {
    if (server !== 'as' || req.path !== '/token') return false;
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') !== grant) return false;
    const clientId = form.get('client_id') ?? [...fx.clients.keys()][0];
    const access = `at_upstream_${state.served}_${Date.now()}`;
    fx.accessTokens.set(access, { client_id: clientId, scopes: ['notes.read', 'openid'], resource: fx.mcpUrl, expiresAt: Date.now() + 3600_000, grant });
    fx.issued.accessTokens.push(access);
    const refresh = `rt_upstream_${state.served}_${Date.now()}`;
    fx.issued.refreshTokens.push(refresh);
    state.served++;
    const body = { access_token: access, token_type: 'Bearer', expires_in: 3600, refresh_token: refresh, scope: 'openid notes.read', id_token: await idToken(opts.iss ?? UPSTREAM, opts.aud ?? 'upstream-client') };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    return true;
  };
  return state;
}

describe('oauth interop: what real proxies and OpenID providers do', () => {
  const { fixture, connect } = useOAuthFixtures();

  describe('a registration that names a secret method but issues no secret', () => {
    for (const method of ['client_secret_post', 'client_secret_basic'] as const) {
      it(`${method} without client_secret: a warning at registration, then a public client that signs in`, async () => {
        const fx = await fixture({ requiredScopes: ['notes.read'], asMetadata: { token_endpoint_auth_methods_supported: [method, 'none'] } });
        // The proxy: the client it hands out is its own, public towards us (it adds the secret upstream).
        fx.intercept = (server, req, res) => {
          if (server !== 'as' || req.path !== '/register') return false;
          const md = JSON.parse(req.body) as Record<string, unknown>;
          fx.addClient({ client_id: 'proxy-client', token_endpoint_auth_method: 'none', redirect_uris: md.redirect_uris as string[] });
          res.writeHead(201, { 'content-type': 'application/json' }).end(
            JSON.stringify({ client_id: 'proxy-client', client_name: md.client_name, redirect_uris: md.redirect_uris, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: method }),
          );
          return true;
        };
        const conn = connect(fx);
        await conn.session.connect();
        await conn.session.listTools();
        assert.ok(conn.auth.tokens, 'signed in');
        assert.equal(conn.auth.client?.token_endpoint_auth_method, 'none');
        const n = note(conn.trace.all(), new RegExp(`names ${method} but issues no client_secret`));
        assert.equal(n.level, 'warn');
        assert.equal(n.step, 'client registration');
        const [tokenReq] = tokenRequests(fx);
        assert.equal(new URLSearchParams(tokenReq.body).get('client_id'), 'proxy-client');
        assert.equal(new URLSearchParams(tokenReq.body).get('client_secret'), null);
        assert.equal(tokenReq.headers.authorization, undefined, 'no Basic credentials');
      });
    }
  });

  describe('openid and id_tokens', () => {
    it('scopesToSuggest leaves openid out of a protected resource\'s scopes_supported', () => {
      assert.deepEqual(scopesToSuggest(['openid', 'profile', 'notes.read']), ['profile', 'notes.read']);
    });

    it('the protected resource lists openid (and the challenge names no scope): it is not asked for', async () => {
      const fx = await fixture({ prm: { scopes_supported: ['openid', 'email', 'notes.read'] } });
      const conn = connect(fx);
      await conn.session.connect();
      const [p] = authorizeParams(fx);
      assert.equal(p.get('scope'), 'email notes.read');
    });

    it('the user asks for openid: it is asked for', async () => {
      const fx = await fixture({ requiredScopes: ['notes.read'], prm: { scopes_supported: ['openid', 'notes.read'] } });
      const conn = connect(fx, { scopes: ['openid', 'notes.read'] });
      await conn.session.connect();
      assert.deepEqual(authorizeParams(fx)[0].get('scope')?.split(' ').sort(), ['notes.read', 'openid']);
    });

    it('the challenge asks for openid: it is asked for', async () => {
      const fx = await fixture({ requiredScopes: ['openid', 'notes.read'], prm: { scopes_supported: ['openid', 'notes.read'] } });
      const conn = connect(fx);
      await conn.session.connect();
      assert.deepEqual(authorizeParams(fx)[0].get('scope')?.split(' ').sort(), ['notes.read', 'openid']);
    });

    it('an id_token from another issuer, openid not asked for: a warning, the access token kept', async () => {
      const fx = await fixture({ requiredScopes: ['notes.read'] });
      forwardUpstreamIdToken(fx, 'authorization_code');
      const conn = connect(fx);
      await conn.session.connect();
      await conn.session.listTools();
      assert.ok(conn.auth.tokens?.access_token.startsWith('at_upstream_'), 'the access token was kept');
      const n = note(conn.trace.all(), /carries an id_token issued by http:\/\/127\.0\.0\.1:9\/upstream-provider, not by the authorization server/);
      assert.equal(n.level, 'warn');
      assert.equal(n.step, 'token exchange');
      assert.match(n.message, /openid was not requested/);
    });

    it('an id_token from another issuer although the user asked for openid: a warning, the access token kept', async () => {
      const fx = await fixture({ requiredScopes: ['notes.read'] });
      forwardUpstreamIdToken(fx, 'authorization_code');
      const conn = connect(fx, { scopes: ['openid', 'notes.read'] });
      await conn.session.connect();
      assert.ok(conn.auth.tokens?.access_token.startsWith('at_upstream_'));
      const n = note(conn.trace.all(), /carries an id_token issued by .*upstream-provider/);
      assert.equal(n.level, 'warn');
      assert.doesNotMatch(n.message, /openid was not requested/);
    });

    it('openid asked for and an id_token of this issuer for this client: validated as OpenID Connect, no finding', async () => {
      const fx = await fixture({ requiredScopes: ['notes.read'] });
      const served = { n: 0 };
      fx.intercept = async (server, req: FixtureRequest, res) => {
        if (server !== 'as' || req.path !== '/token') return false;
        const form = new URLSearchParams(req.body);
        const clientId = form.get('client_id') ?? '';
        const access = `at_own_${served.n++}`;
        fx.accessTokens.set(access, { client_id: clientId, scopes: ['notes.read'], resource: fx.mcpUrl, expiresAt: Date.now() + 3600_000, grant: 'authorization_code' });
        fx.issued.accessTokens.push(access);
        const body = { access_token: access, token_type: 'Bearer', expires_in: 3600, scope: 'openid notes.read', id_token: await idToken(fx.issuer, clientId) };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        return true;
      };
      const conn = connect(fx, { scopes: ['openid', 'notes.read'] });
      await conn.session.connect();
      assert.equal(conn.auth.tokens?.access_token, 'at_own_0');
      assert.ok(!notes(conn.trace.all()).some((n) => /id_token/.test(n.message)), 'nothing to say about a good id_token');
    });

    it('an id_token of this issuer for another client: a warning (aud), the access token kept', async () => {
      const fx = await fixture({ requiredScopes: ['notes.read'] });
      forwardUpstreamIdToken(fx, 'authorization_code', { iss: fx.issuer });
      const conn = connect(fx, { scopes: ['openid', 'notes.read'] });
      await conn.session.connect();
      assert.ok(conn.auth.tokens);
      assert.equal(note(conn.trace.all(), /an id_token for another client \(aud upstream-client/).level, 'warn');
    });

    it('a refresh whose response carries the upstream\'s id_token: a warning at "token refresh", the new token kept', async () => {
      const fx = await fixture({ requiredScopes: ['notes.read'] });
      const conn = connect(fx);
      await conn.session.connect();
      const before = conn.auth.tokens?.access_token;
      forwardUpstreamIdToken(fx, 'refresh_token');
      await conn.auth.refresh();
      assert.notEqual(conn.auth.tokens?.access_token, before);
      assert.ok(conn.auth.tokens?.access_token.startsWith('at_upstream_'));
      assert.equal(note(conn.trace.all(), /carries an id_token issued by .*upstream-provider/).step, 'token refresh');
    });

    it('a token response whose scope lists only the resource\'s scopes (an OpenID Provider with resource indicators): openid and the OIDC claim scopes are not reported as left out', () => {
      const ctx = makeContext('http://127.0.0.1:1/mcp');
      tokenResponseFindings(ctx, 'token exchange', { scope: 'todos.read', expires_in: 60 }, 'openid profile email todos.read offline_access');
      assert.deepEqual(notes(ctx.trace.all()).map((n) => n.message), []);
      tokenResponseFindings(ctx, 'token exchange', { scope: 'todos.read', expires_in: 60 }, 'openid todos.read todos.write');
      assert.match(note(ctx.trace.all(), /granted fewer scopes/).message, /todos\.write was left out \(requested "todos\.read todos\.write"/);
    });

    it('no id_token in the trace or the logs', async () => {
      const fx = await fixture({ requiredScopes: ['notes.read'] });
      forwardUpstreamIdToken(fx, 'authorization_code');
      const conn = connect(fx);
      await conn.session.connect();
      const seen = JSON.stringify(conn.trace.all()) + JSON.stringify(conn.logger.lines ?? []);
      assert.ok(!/eyJ[A-Za-z0-9_-]+\.eyJ/.test(seen), 'a JWT appears in the trace or the log');
    });
  });

  describe('offline_access at an OpenID Provider', () => {
    it('isOpenIdProvider: openid in scopes_supported, or an OpenID Connect Discovery document', () => {
      const base = { issuer: 'http://127.0.0.1:1' };
      assert.equal(isOpenIdProvider({ ...base, scopes_supported: ['openid', 'offline_access'] }), true);
      assert.equal(isOpenIdProvider({ ...base, subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] }), true);
      assert.equal(isOpenIdProvider({ ...base, scopes_supported: ['offline_access', 'notes.read'] }), false);
      assert.equal(isOpenIdProvider(base), false);
    });

    it('scopes_supported lists openid and offline_access: the authorization request carries prompt=consent', async () => {
      const fx = await fixture({ requiredScopes: ['notes.read'], asMetadata: { scopes_supported: ['openid', 'offline_access', 'notes.read'] } });
      const conn = connect(fx);
      await conn.session.connect();
      const [p] = authorizeParams(fx);
      assert.deepEqual(p.get('scope')?.split(' '), ['notes.read', 'offline_access']);
      assert.equal(p.get('prompt'), 'consent');
      assert.equal(note(conn.trace.all(), /OpenID Provider: offline_access is asked with prompt=consent/).spec, 'OpenID Connect Core §11');
      assert.ok(conn.auth.tokens?.refresh_token);
      assert.ok(!notes(conn.trace.all()).some((n) => /no refresh token was issued/.test(n.message)));
    });

    it('offline_access asked for and no refresh token issued (a proxy that does not forward prompt): a warning that says what it costs', async () => {
      const fx = await fixture({ requiredScopes: ['notes.read'], issueRefreshTokens: false, tokenTtl: 600, asMetadata: { scopes_supported: ['openid', 'offline_access', 'notes.read'] } });
      const conn = connect(fx);
      await conn.session.connect();
      const n = note(conn.trace.all(), /offline_access was asked for with prompt=consent but no refresh token was issued: the sign-in lasts as long as the access token \(600 s\); an OAuth proxy/);
      assert.equal(n.level, 'warn');
      assert.equal(n.step, 'token exchange');
    });

    it('an OpenID Connect Discovery document without openid in scopes_supported: prompt=consent too', async () => {
      const fx = await fixture({
        requiredScopes: ['notes.read'],
        asMetadata: { scopes_supported: ['offline_access', 'notes.read'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] },
      });
      const conn = connect(fx);
      await conn.session.connect();
      assert.equal(authorizeParams(fx)[0].get('prompt'), 'consent');
    });

    it('a plain OAuth 2.0 server with offline_access, or an OpenID Provider without offline_access asked: no prompt', async () => {
      const plain = await fixture({ requiredScopes: ['notes.read'], asMetadata: { scopes_supported: ['offline_access', 'notes.read'] } });
      await connect(plain).session.connect();
      assert.equal(authorizeParams(plain)[0].get('scope'), 'notes.read offline_access');
      assert.equal(authorizeParams(plain)[0].get('prompt'), null);
      const op = await fixture({ requiredScopes: ['notes.read'], asMetadata: { scopes_supported: ['openid', 'notes.read'] } });
      await connect(op).session.connect();
      assert.equal(authorizeParams(op)[0].get('scope'), 'notes.read');
      assert.equal(authorizeParams(op)[0].get('prompt'), null);
    });
  });
});
