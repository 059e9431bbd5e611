/**
 * The findings the engine records in the trace for the OAuth flow panel and the Markdown export:
 * each check where it happens, with its level, its step (so the panel shows it with the step's
 * exchanges) and its spec section. None of these changes what the flow does.
 */
import { strict as assert } from 'node:assert';
import type { TraceEntry, TraceNote } from '../../../src/core/http/trace';
import { tokenResponseFindings } from '../../../src/core/oauth/tokens';
import { makeContext, useOAuthFixtures, type Fixture } from '../../fixtures/oauthFixture';

const notes = (entries: readonly TraceEntry[]) => entries.filter((e): e is TraceNote => e.kind === 'note');
function note(entries: readonly TraceEntry[], re: RegExp): TraceNote {
  const n = notes(entries).find((x) => re.test(x.message));
  assert.ok(n, `no note matching ${re}; notes:\n${notes(entries).map((x) => `  [${x.level}] ${x.step}: ${x.message}`).join('\n')}`);
  return n;
}
const noNote = (entries: readonly TraceEntry[], re: RegExp) => assert.ok(!notes(entries).some((x) => re.test(x.message)), `unexpected note matching ${re}`);

describe('oauth findings in the trace', () => {
  const { fixture, connect } = useOAuthFixtures();

  it('a good server: PKCE S256, iss support and the token grant pass, with the metadata step and spec sections', async () => {
    const fx = await fixture({ requiredScopes: ['notes.read'] });
    const conn = connect(fx);
    await conn.session.connect();
    const all = conn.trace.all();
    const pkce = note(all, /advertises PKCE S256/);
    assert.equal(pkce.level, 'pass');
    assert.equal(pkce.step, 'authorization server metadata', 'PKCE support is a finding about the metadata');
    assert.match(pkce.spec ?? '', /RFC 7636 §4\.2/);
    const iss = note(all, /sends "iss" in authorization responses/);
    assert.equal(iss.level, 'pass');
    assert.equal(iss.spec, 'RFC 9207 §3');
    // nothing to warn about on the good path
    assert.deepEqual(notes(all).filter((n) => n.level === 'warn' || n.level === 'fail').map((n) => n.message), []);
  });

  it('PKCE not advertised: a fail note in plain words ("S256 not advertised") under the metadata step', async () => {
    const fx = await fixture({ asMetadata: { code_challenge_methods_supported: ['plain'] } });
    const conn = connect(fx);
    await assert.rejects(conn.session.connect(), { code: 'pkce_s256_unsupported' });
    const n = note(conn.trace.all(), /S256 not advertised/);
    assert.equal(n.level, 'fail');
    assert.equal(n.step, 'authorization server metadata');
  });

  it('no iss in authorization responses: info at the metadata and at the callback (RFC 9207)', async () => {
    const fx = await fixture({ issParameter: 'none' });
    const conn = connect(fx);
    await conn.session.connect();
    const all = conn.trace.all();
    assert.equal(note(all, /does not advertise authorization_response_iss_parameter_supported/).level, 'info');
    const cb = note(all, /callback carries no "iss"/);
    assert.equal(cb.level, 'info');
    assert.equal(cb.step, 'authorization callback');
  });

  it('response_types_supported without "code" → warn; missing → warn (REQUIRED)', async () => {
    for (const [value, re] of [
      [['token'], /without "code"/],
      [undefined, /no response_types_supported/],
    ] as const) {
      const fx = await fixture({ asMetadata: { response_types_supported: value } });
      const conn = connect(fx);
      await conn.session.connect();
      const n = note(conn.trace.all(), re);
      assert.equal(n.level, 'warn');
      assert.equal(n.step, 'authorization server metadata');
      assert.match(n.spec ?? '', /RFC 8414 §2/);
    }
  });

  it('protected resource metadata: bearer_methods_supported without "header" → warn; no scopes_supported → info', async () => {
    const fx = await fixture({ prm: { bearer_methods_supported: ['body'] } });
    const conn = connect(fx);
    await conn.session.connect();
    const all = conn.trace.all();
    const n = note(all, /bearer_methods_supported is \["body"\] without "header"/);
    assert.equal(n.level, 'warn');
    assert.equal(n.step, 'protected resource metadata');
    assert.equal(note(all, /lists no scopes_supported/).level, 'info');
  });

  it('a narrower grant than requested → warn, naming what was left out', async () => {
    const fx = await fixture({ requiredScopes: ['notes.read', 'notes.write'], grantableScopes: ['notes.read'] });
    const conn = connect(fx);
    // The server keeps asking for notes.write: the flow gives up after its attempts; the finding is there.
    await assert.rejects(conn.session.connect());
    const n = note(conn.trace.all(), /granted fewer scopes than requested: notes\.write was left out/);
    assert.equal(n.level, 'warn');
    assert.equal(n.step, 'token exchange');
    assert.match(n.spec ?? '', /RFC 6749 §3\.3/);
  });

  it('tokenResponseFindings: no expires_in → info; no scope → info (granted as asked); offline_access is not compared', () => {
    const ctx = makeContext('http://127.0.0.1:1/mcp');
    tokenResponseFindings(ctx, 'token exchange', { scope: 'a' }, 'a offline_access');
    assert.equal(notes(ctx.trace.all()).filter((n) => /fewer scopes/.test(n.message)).length, 0, 'offline_access left out of the comparison');
    assert.equal(note(ctx.trace.all(), /no expires_in/).level, 'info');
    tokenResponseFindings(ctx, 'token exchange', { expires_in: 60 }, 'a b');
    assert.equal(note(ctx.trace.all(), /has no scope, which means the requested scope \("a b"\) was granted/).level, 'info');
  });

  describe('failures are findings too (with the server text, redacted)', () => {
    async function refused(fx: Fixture, path: string, status: number, body: Record<string, unknown>, extra?: (req: { path: string; body: string }) => boolean) {
      fx.intercept = (server, req, res) => {
        if (server !== 'as' || !req.path.startsWith(path) || (extra && !extra(req))) return false;
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        return true;
      };
    }

    it('the code exchange refused → fail note at "token exchange"', async () => {
      const fx = await fixture();
      await refused(fx, '/token', 400, { error: 'invalid_grant', error_description: 'the code <b>expired</b>' });
      const conn = connect(fx);
      await assert.rejects(conn.session.connect(), { code: 'invalid_grant' });
      const n = note(conn.trace.all(), /the code exchange was refused: invalid_grant: the code <b>expired<\/b> \(HTTP 400\)/);
      assert.equal(n.level, 'fail');
      assert.equal(n.step, 'token exchange');
    });

    it('the refresh refused → fail note at "token refresh" (and the tokens kept unless invalid_grant)', async () => {
      const fx = await fixture();
      const conn = connect(fx);
      await conn.session.connect();
      await refused(fx, '/token', 400, { error: 'invalid_request', error_description: 'no refresh today' }, (req) => /grant_type=refresh_token/.test(req.body));
      await assert.rejects(conn.auth.refresh(), { code: 'token_request_failed' });
      const n = note(conn.trace.all(), /the refresh was refused: invalid_request: no refresh today/);
      assert.equal(n.level, 'fail');
      assert.equal(n.step, 'token refresh');
      assert.ok(conn.auth.tokens, 'an invalid_request does not drop the tokens');
    });

    it('registration refused → fail note at "client registration"', async () => {
      const fx = await fixture();
      await refused(fx, '/register', 400, { error: 'invalid_client_metadata', error_description: 'no natives' });
      const conn = connect(fx);
      await assert.rejects(conn.session.connect(), { code: 'registration_failed' });
      const n = note(conn.trace.all(), /Dynamic Client Registration was refused: invalid_client_metadata: no natives/);
      assert.equal(n.level, 'fail');
      assert.equal(n.step, 'client registration');
    });

    it('an error in the authorization callback → fail note at "authorization callback"', async () => {
      const fx = await fixture();
      fx.intercept = (server, req, res) => {
        if (server !== 'as' || !req.path.startsWith('/authorize')) return false;
        const p = new URL(req.path, fx.issuer).searchParams;
        const back = new URL(p.get('redirect_uri')!);
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', 'the user said no');
        back.searchParams.set('state', p.get('state')!);
        back.searchParams.set('iss', fx.issuer);
        res.writeHead(302, { location: back.href }).end();
        return true;
      };
      const conn = connect(fx);
      await assert.rejects(conn.session.connect(), { code: 'authorization_denied' });
      const n = note(conn.trace.all(), /answered with an error instead of a code: The authorization server did not grant access \(access_denied: the user said no\)$/);
      assert.equal(n.level, 'fail');
      assert.equal(n.step, 'authorization callback');
    });
  });

  describe('challenges from the MCP server', () => {
    it('a 401 without WWW-Authenticate → warn with the MCP request\'s step; the client still finds the metadata', async () => {
      const fx = await fixture();
      fx.intercept = (server, req, res) => {
        if (server !== 'mcp' || req.path !== '/mcp' || req.headers.authorization) return false;
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
        return true;
      };
      const conn = connect(fx);
      await conn.session.connect();
      const n = note(conn.trace.all(), /HTTP 401 without a WWW-Authenticate challenge/);
      assert.equal(n.level, 'warn');
      assert.equal(n.step, 'MCP server/discover', 'the first MCP request is the version probe');
      assert.ok(conn.auth.tokens, 'signed in through the well-known metadata URLs');
    });

    it('a challenge without resource_metadata → info; with it, nothing', async () => {
      const fx = await fixture();
      const conn = connect(fx);
      await conn.session.connect();
      noNote(conn.trace.all(), /challenge has no resource_metadata/);

      const fx2 = await fixture();
      fx2.intercept = (server, req, res) => {
        if (server !== 'mcp' || req.path !== '/mcp' || req.headers.authorization) return false;
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="mcp"' }).end();
        return true;
      };
      const conn2 = connect(fx2);
      await conn2.session.connect();
      assert.equal(note(conn2.trace.all(), /challenge has no resource_metadata/).level, 'info');
    });

    it('an insufficient_scope challenge without scope → warn at "step-up"', async () => {
      const fx = await fixture({ toolScopes: { echo: ['notes.write'] } });
      const conn = connect(fx);
      await conn.session.connect();
      fx.intercept = (server, req, res) => {
        if (server !== 'mcp' || req.path !== '/mcp' || !/"tools\/call"/.test(req.body)) return false;
        res.writeHead(403, { 'www-authenticate': `Bearer error="insufficient_scope", resource_metadata="${fx.resourceMetadataUrl}"` }).end();
        return true;
      };
      await assert.rejects(conn.session.callTool('echo'));
      const n = note(conn.trace.all(), /insufficient_scope challenge names no scope/);
      assert.equal(n.level, 'warn');
      assert.equal(n.step, 'step-up');
    });
  });
});
