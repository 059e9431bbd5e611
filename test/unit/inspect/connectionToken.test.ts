/**
 * `inspectConnectionToken`: the wiring between a signed-in connection and token inspection. The
 * OAuth fixture issues opaque access tokens; when its metadata advertises an RFC 7662
 * `introspection_endpoint` (answered here through the fixture's `intercept`) and the client can
 * authenticate, the inspection must come from introspection; otherwise the token is labelled opaque
 * with a finding that says why, and nothing is sent to any introspection endpoint.
 */
import { strict as assert } from 'node:assert';
import type { ServerResponse } from 'node:http';
import type { TraceExchange } from '../../../src/core/http/trace';
import { inspectConnectionToken } from '../../../src/core/inspect/connectionToken';
import type { TokenInspection } from '../../../src/core/inspect/token';
import { findLeaks, leakWatch, type Fixture, type FixtureRequest, useOAuthFixtures } from '../../fixtures/oauthFixture';

const CLIENT_ID = 'confidential-inspector';
const CLIENT_SECRET = 'introspection-client-secret-0123456789';
const PUBLIC_ID = 'public-inspector';

const find = (r: TokenInspection, code: string) => r.findings.find((f) => f.code === code);
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * Add an RFC 7662 endpoint to the fixture's AS and advertise it. `answer` builds the response for an
 * authenticated request about a token the AS issued (default: what the AS knows about it).
 */
function addIntrospection(fx: Fixture, answer?: (token: string) => Record<string, unknown>): FixtureRequest[] {
  const seen: FixtureRequest[] = [];
  fx.setOption('asMetadata', { introspection_endpoint: `${fx.issuer}/introspect`, introspection_endpoint_auth_methods_supported: ['client_secret_basic'] });
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  fx.intercept = (server, req, res) => {
    if (server !== 'as' || new URL(req.path, fx.issuer).pathname !== '/introspect') return false;
    seen.push(req);
    // RFC 7662 §2.1: the endpoint requires authorization; only the confidential client is known here.
    if (req.method !== 'POST' || req.headers.authorization !== basic(CLIENT_ID, CLIENT_SECRET)) {
      send(res, 401, { error: 'invalid_client', error_description: 'client authentication is required' });
      return true;
    }
    const token = new URLSearchParams(req.body).get('token') ?? '';
    const info = fx.accessTokens.get(token);
    if (!info) send(res, 200, { active: false });
    else send(res, 200, answer ? answer(token) : { active: true, scope: info.scopes.join(' '), client_id: info.client_id, aud: info.resource, iss: fx.issuer, exp: Math.floor(info.expiresAt / 1000) });
    return true;
  };
  return seen;
}

describe('inspect/connectionToken: introspection wiring', () => {
  const { fixture, connect } = useOAuthFixtures();

  async function confidential(fx: Fixture) {
    fx.addClient({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_basic' });
    const conn = connect(fx, { client: { policy: 'preregistered', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_basic' } });
    await conn.session.connect();
    assert.ok(conn.auth.tokens, 'signed in');
    return conn;
  }

  /** No request to anything that looks like an introspection endpoint reached the fixture. */
  const introspectionRequests = (fx: Fixture) => fx.requests.filter((r) => r.path.includes('introspect'));

  it('not signed in → undefined, nothing fetched', async () => {
    const fx = await fixture({ requiredScopes: ['svc'] });
    const conn = connect(fx);
    assert.equal(await inspectConnectionToken(conn), undefined);
    assert.equal(fx.requests.length, 0);
  });

  it('an opaque token + introspection_endpoint + a confidential client → RFC 7662 introspection with client auth; claims, scopes and expiry come from it', async () => {
    const fx = await fixture({ requiredScopes: ['svc'] });
    const nowS = Math.floor(Date.now() / 1000);
    // Deliberately different from the token response (scope "svc", expires_in 3600): the result must show these.
    const seen = addIntrospection(fx, () => ({ active: true, scope: 'svc tools:admin', client_id: CLIENT_ID, sub: 'user-42', aud: fx.mcpUrl, iss: fx.issuer, exp: nowS + 1234, iat: nowS - 5 }));
    const conn = await confidential(fx);
    const token = conn.auth.tokens!.access_token;
    assert.equal(conn.auth.tokens!.scope, 'svc');

    const r = (await inspectConnectionToken(conn))!;
    assert.equal(r.format, 'opaque');
    assert.equal(r.source, 'introspection');
    assert.equal(r.verified, false);
    assert.equal(r.claims?.active, true);
    assert.equal(r.claims?.sub, 'user-42');
    assert.equal(r.subject, 'user-42');
    assert.deepEqual(r.scopes, ['svc', 'tools:admin']);
    assert.equal(r.expiresAt, nowS + 1234);
    assert.deepEqual(r.audience, [fx.mcpUrl]);
    for (const code of ['introspection_active', 'issuer_match', 'audience_match', 'not_expired']) assert.equal(find(r, code)?.level, 'pass', code);
    assert.equal(find(r, 'opaque'), undefined);

    // The request: one POST to the advertised endpoint, the client's Basic credentials, the token in the form body.
    assert.equal(seen.length, 1);
    const [req] = seen;
    assert.equal(req.method, 'POST');
    assert.equal(req.headers.authorization, basic(CLIENT_ID, CLIENT_SECRET));
    assert.match(req.headers['content-type'] ?? '', /^application\/x-www-form-urlencoded/);
    assert.equal(new URLSearchParams(req.body).get('token'), token);
    assert.equal(new URLSearchParams(req.body).get('client_secret'), null);

    // Through the connection's guarded fetch: traced as introspection, redacted.
    const traced = conn.trace.all().filter((e): e is TraceExchange => e.kind === 'http' && e.purpose === 'introspection');
    assert.deepEqual(traced.map((e) => [e.request.url, e.response?.status]), [[`${fx.issuer}/introspect`, 200]]);
    const outputs = [JSON.stringify(r), JSON.stringify(conn.trace.all()), ...conn.logger.lines].join('\n');
    assert.deepEqual(findLeaks(outputs, [token, CLIENT_SECRET, basic(CLIENT_ID, CLIENT_SECRET).slice(6)]), []);
  });

  it('introspection says active:false → a failing finding that the token is not active, and no claims taken from the token response', async () => {
    const fx = await fixture({ requiredScopes: ['svc'] });
    const seen = addIntrospection(fx, () => ({ active: false }));
    const conn = await confidential(fx);
    const r = (await inspectConnectionToken(conn))!;
    assert.equal(seen.length, 1);
    assert.equal(r.source, 'introspection');
    assert.equal(r.claims?.active, false);
    const f = find(r, 'introspection_inactive');
    assert.equal(f?.level, 'fail');
    assert.match(f!.message, /not active/);
    assert.equal(find(r, 'introspection_active'), undefined);
    assert.deepEqual(r.scopes, []);
    assert.deepEqual(findLeaks(JSON.stringify(r), [conn.auth.tokens!.access_token]), []);
  });

  it('no introspection_endpoint in the metadata → labelled opaque with a finding saying so; no introspection request', async () => {
    const fx = await fixture({ requiredScopes: ['svc'] });
    const conn = await confidential(fx);
    const r = (await inspectConnectionToken(conn))!;
    assert.equal(r.format, 'opaque');
    assert.equal(r.source, 'token-response');
    assert.equal(r.claims, undefined);
    assert.deepEqual(r.scopes, ['svc'], 'the scope of the token response');
    const f = find(r, 'opaque');
    assert.equal(f?.level, 'info');
    assert.match(f!.message, /opaque/);
    assert.match(f!.message, /introspection_endpoint/, `says why: ${f!.message}`);
    assert.equal(introspectionRequests(fx).length, 0);
  });

  it('introspection advertised but the client is public (token_endpoint_auth_method none) → opaque, the finding says the client cannot authenticate; the token is not sent', async () => {
    const fx = await fixture({ requiredScopes: ['svc'] });
    const seen = addIntrospection(fx);
    fx.addClient({ client_id: PUBLIC_ID, token_endpoint_auth_method: 'none' });
    const conn = connect(fx, { client: { policy: 'preregistered', client_id: PUBLIC_ID } });
    await conn.session.connect();
    assert.equal(conn.auth.client?.token_endpoint_auth_method, 'none');
    const r = (await inspectConnectionToken(conn))!;
    assert.equal(r.format, 'opaque');
    assert.equal(r.source, 'token-response');
    const f = find(r, 'opaque');
    assert.equal(f?.level, 'info');
    assert.match(f!.message, /public client/, `says why: ${f!.message}`);
    assert.match(f!.message, /cannot authenticate/);
    assert.doesNotMatch(f!.message, /offers no introspection/, 'the server does offer it');
    assert.equal(seen.length, 0);
    assert.equal(introspectionRequests(fx).length, 0);
    assert.equal(conn.trace.all().filter((e) => e.kind === 'http' && e.purpose === 'introspection').length, 0);
  });

  it('a hostile introspection endpoint that echoes the token in a long error_description → no piece of the token in the finding', async () => {
    const fx = await fixture({ requiredScopes: ['svc'] });
    addIntrospection(fx);
    const conn = await confidential(fx);
    const token = conn.auth.tokens!.access_token;
    // Padding chosen so the finding's 200-character cap would fall inside the echoed token.
    const pad = 'x'.repeat(200 - Math.floor(token.length / 2));
    fx.intercept = (server, req, res) => {
      if (server !== 'as' || !req.path.startsWith('/introspect')) return false;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_request', error_description: `${pad}${new URLSearchParams(req.body).get('token')}` }));
      return true;
    };
    const r = (await inspectConnectionToken(conn))!;
    const f = find(r, 'introspection_failed');
    assert.equal(f?.level, 'warn');
    const out = JSON.stringify(r);
    const pieces = Array.from({ length: token.length - 11 }, (_, i) => token.slice(i, i + 12));
    assert.deepEqual(pieces.filter((p) => out.includes(p)), [], `no 12-character piece of the token: ${f!.message}`);
  });

  it('the introspection endpoint refuses the client → a warning, and the token response is used instead', async () => {
    const fx = await fixture({ requiredScopes: ['svc'] });
    const seen = addIntrospection(fx);
    const wrong = 'wrong-introspection-secret-99887766';
    leakWatch.extraSecrets.push(wrong);
    fx.addClient({ client_id: CLIENT_ID, client_secret: wrong, token_endpoint_auth_method: 'client_secret_basic' });
    const conn = connect(fx, { client: { policy: 'preregistered', client_id: CLIENT_ID, client_secret: wrong, token_endpoint_auth_method: 'client_secret_basic' } });
    await conn.session.connect();
    const r = (await inspectConnectionToken(conn))!;
    assert.equal(seen.length, 1);
    assert.equal(seen[0].headers.authorization, basic(CLIENT_ID, wrong));
    const f = find(r, 'introspection_failed');
    assert.equal(f?.level, 'warn');
    assert.match(f!.message, /invalid_client/);
    assert.match(f!.message, /\/introspect/);
    assert.equal(r.source, 'token-response');
    assert.deepEqual(r.scopes, ['svc']);
    assert.deepEqual(findLeaks([JSON.stringify(r), JSON.stringify(conn.trace.all())].join('\n'), [wrong, conn.auth.tokens!.access_token]), []);
  });
});
