/**
 * Cross-app access (`crossAppAccessGrant`): RFC 8693 token exchange at a local enterprise IdP for an
 * ID-JAG, then the RFC 7523 jwt-bearer grant at the MCP server's authorization server (the OAuth
 * fixture, composed with crossAppIdp.ts). Every server is local and started by the test; the wire
 * parameters of both token requests are asserted exactly, and every output is searched for the
 * client secret, the ID token and the ID-JAG.
 */
import { strict as assert } from 'node:assert';
import type { TraceExchange } from '../../../src/core/http/trace';
import { crossAppAccessGrant, type CrossAppAccessConfig } from '../../../src/core/oauth/grants';
import type { RegisteredClient } from '../../../src/core/oauth/registration';
import { acceptIdJags, ID_JAG_TYPE, ID_TOKEN_TYPE, JWT_BEARER, startIdp, TOKEN_EXCHANGE, type IdpFixture } from '../../fixtures/crossAppIdp';
import { expectInspectorError, findLeaks, leakWatch, makeContext, type Fixture, useOAuthFixtures } from '../../fixtures/oauthFixture';

const CLIENT_ID = 'xaa-mcp-client';
const CLIENT_SECRET = 'xaa-client-secret-0123456789abcdef';
const IDP_SECRET = 'idp-client-secret-fedcba9876543210';
const EXCHANGE_STEP = 'token exchange at the identity provider';
const BEARER_STEP = 'jwt-bearer grant';

const formOf = (body: string) => Object.fromEntries(new URLSearchParams(body));
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * Secrets of which some 24-character piece occurs in `text`: catches a secret cut short (by a length
 * cap applied before redaction) as well as a whole one.
 */
function partialLeaks(text: string, secrets: string[], piece = 24): string[] {
  return secrets.filter((sec) => {
    for (let i = 0; i + piece <= sec.length; i++) if (text.includes(sec.slice(i, i + piece))) return true;
    return false;
  });
}

function idpConfig(idp: IdpFixture, over: Partial<CrossAppAccessConfig> = {}): CrossAppAccessConfig {
  return { idp_issuer: idp.issuer, idp_token_endpoint: idp.tokenEndpoint, idp_client_id: idp.clientId, idp_client_secret: idp.clientSecret, idp_id_token: idp.idToken, ...over };
}

describe('oauth/grants: cross-app access (ID-JAG token exchange + jwt-bearer)', () => {
  const { fixture, connect, track } = useOAuthFixtures();

  async function setup(o: { idpSecret?: string; requiredScopes?: string[] } = {}) {
    const fx = await fixture({ requiredScopes: o.requiredScopes });
    const idp = await startIdp({ clientSecret: o.idpSecret });
    track(idp);
    const as = acceptIdJags(fx, idp, { client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    leakWatch.extraSecrets.push(CLIENT_SECRET, IDP_SECRET, idp.idToken);
    return { fx, idp, as };
  }

  /** The grant alone, against the fixture's AS, with a fresh context (real guarded fetch, trace, redactor). */
  function grant(fx: Fixture, idp: IdpFixture, o: { scope?: string; idp?: Partial<CrossAppAccessConfig> } = {}) {
    const ctx = makeContext(fx.mcpUrl);
    const client: RegisteredClient = { mode: 'preregistered', issuer: fx.issuer, client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_basic', registered_at: Date.now() };
    const result = crossAppAccessGrant(ctx, { as: { issuer: fx.issuer, token_endpoint: `${fx.issuer}/token` }, client, resource: fx.mcpUrl, scope: o.scope, idp: idpConfig(idp, o.idp) });
    return { ctx, result };
  }

  /** Everything a user or a bug report could see: the trace, log lines and the error text. */
  function outputs(ctx: ReturnType<typeof makeContext>, err?: Error & { hint?: string }): string {
    return [JSON.stringify(ctx.trace.all()), ...ctx.logger.lines, err?.message ?? '', err?.hint ?? '', err?.stack ?? ''].join('\n');
  }

  function secretsOf(fx: Fixture, idp: IdpFixture): string[] {
    return [CLIENT_SECRET, IDP_SECRET, basic(CLIENT_ID, CLIENT_SECRET).slice(6), ...idp.secrets(), ...fx.issued.accessTokens];
  }

  it('end to end as the conformance scenario runs it: exact wire parameters of both steps, no browser, tool call works', async () => {
    const { fx, idp, as } = await setup({ requiredScopes: ['svc'] });
    const conn = connect(fx, {
      grant: 'cross_app_access',
      client: { policy: 'preregistered', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, token_endpoint_auth_method: 'client_secret_basic' },
      crossApp: { idp_issuer: idp.issuer, idp_token_endpoint: idp.tokenEndpoint, idp_client_id: idp.clientId, idp_id_token: idp.idToken },
    });
    await conn.session.connect();
    const r = await conn.session.callTool('echo');
    assert.equal((r.content as Array<{ text: string }>)[0].text, 'ok: echo');

    // Step 1 — RFC 8693 at the IdP: the ID token for an ID-JAG, audience = the MCP AS, resource = the MCP server.
    assert.equal(idp.requests.length, 1);
    const [ex] = idp.requests;
    assert.equal(ex.method, 'POST');
    assert.equal(ex.path, '/oauth2/token');
    assert.match(ex.headers['content-type'] ?? '', /^application\/x-www-form-urlencoded/);
    assert.equal(ex.headers.authorization, undefined, 'no client secret at this IdP: no Authorization header');
    assert.deepEqual(formOf(ex.body), {
      grant_type: TOKEN_EXCHANGE,
      subject_token: idp.idToken,
      subject_token_type: ID_TOKEN_TYPE,
      requested_token_type: ID_JAG_TYPE,
      audience: fx.issuer,
      resource: fx.mcpUrl,
      scope: 'svc',
      client_id: idp.clientId,
    });

    // Step 2 — RFC 7523 at the MCP AS: the ID-JAG as assertion, the MCP client's own authentication.
    assert.equal(idp.idJags.length, 1);
    assert.equal(as.requests.length, 1);
    const [bearer] = as.requests;
    assert.equal(bearer.headers.authorization, basic(CLIENT_ID, CLIENT_SECRET));
    assert.deepEqual(formOf(bearer.body), { grant_type: JWT_BEARER, assertion: idp.idJags[0], resource: fx.mcpUrl, scope: 'svc' });

    // No interactive step, no registration; the token is the jwt-bearer one.
    assert.equal(conn.browser.opened.length, 0);
    assert.equal(fx.counters.authorize + fx.counters.register, 0);
    assert.equal(conn.auth.tokens?.grant, 'jwt-bearer');
    assert.equal(conn.auth.tokens?.scope, 'svc');
    assert.equal(conn.auth.tokens?.access_token, fx.issued.accessTokens[0]);

    // The trace records both exchanges (redacted) and a pass note per step.
    const http = conn.trace.all().filter((e): e is TraceExchange => e.kind === 'http' && e.purpose === 'token');
    assert.deepEqual(http.map((e) => [e.step, e.request.url, e.response?.status]), [
      [EXCHANGE_STEP, idp.tokenEndpoint, 200],
      [BEARER_STEP, `${fx.issuer}/token`, 200],
    ]);
    const notes = conn.trace.all().filter((e) => e.kind === 'note' && (e.step === EXCHANGE_STEP || e.step === BEARER_STEP));
    assert.deepEqual(notes.map((n) => [n.step, n.kind === 'note' && n.level]), [[EXCHANGE_STEP, 'pass'], [BEARER_STEP, 'pass']]);
    const seen = [JSON.stringify(conn.trace.all()), ...conn.logger.lines].join('\n');
    assert.deepEqual(findLeaks(seen, secretsOf(fx, idp)), []);
  });

  it('an IdP client secret goes as client_secret_post to the IdP only; no scope → no scope parameter anywhere', async () => {
    const { fx, idp, as } = await setup({ idpSecret: IDP_SECRET });
    const { ctx, result } = grant(fx, idp);
    const tokens = await result;
    assert.equal(tokens.grant, 'jwt-bearer');
    assert.equal(tokens.access_token, fx.issued.accessTokens[0]);
    assert.equal(tokens.scope, undefined);
    const exchange = formOf(idp.requests[0].body);
    assert.equal(exchange.client_id, idp.clientId);
    assert.equal(exchange.client_secret, IDP_SECRET);
    assert.equal(exchange.scope, undefined);
    assert.equal(idp.requests[0].headers.authorization, undefined);
    const bearer = formOf(as.requests[0].body);
    assert.deepEqual(Object.keys(bearer).sort(), ['assertion', 'grant_type', 'resource']);
    assert.ok(!as.requests[0].body.includes(IDP_SECRET), 'the IdP secret never goes to the MCP authorization server');
    assert.ok(!idp.requests[0].body.includes(CLIENT_SECRET) && idp.requests[0].headers.authorization === undefined, 'the MCP client secret never goes to the IdP');
    assert.deepEqual(findLeaks(outputs(ctx), secretsOf(fx, idp)), []);
  });

  it('accepts the ID-JAG response whatever the case of token_type "N_A" (RFC 8693 §2.2.1), and refuses an unknown token_type with a typed error', async () => {
    const { fx, idp } = await setup();
    idp.respond = (_f, def) => ({ ...def, body: { ...def.body, token_type: 'n_a' } });
    await grant(fx, idp).result;
    idp.respond = (_f, def) => ({ ...def, body: { ...def.body, token_type: 'MAC' } });
    const { ctx, result } = grant(fx, idp);
    const err = await expectInspectorError(result, 'token_request_failed', EXCHANGE_STEP, idp.tokenEndpoint);
    assert.equal(err.step, EXCHANGE_STEP);
    assert.deepEqual(findLeaks(outputs(ctx, err), secretsOf(fx, idp)), []);
  });

  it('the IdP issues something other than an ID-JAG → token_request_failed naming the step, the IdP URL and the type; the AS is never asked', async () => {
    const { fx, idp, as } = await setup();
    const wrongToken = 'idp-access-token-not-an-id-jag-0123456789';
    leakWatch.extraSecrets.push(wrongToken);
    idp.respond = () => ({ status: 200, body: { access_token: wrongToken, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 60 } });
    const { ctx, result } = grant(fx, idp, { scope: 'svc' });
    const err = await expectInspectorError(result, 'token_request_failed', EXCHANGE_STEP, idp.tokenEndpoint, 'urn:ietf:params:oauth:token-type:access_token', 'not an ID-JAG');
    assert.equal(err.step, EXCHANGE_STEP);
    assert.equal(err.url, idp.tokenEndpoint);
    assert.equal(as.requests.length, 0);
    assert.equal(fx.counters.token, 0);
    assert.deepEqual(findLeaks(outputs(ctx, err), [...secretsOf(fx, idp), wrongToken]), []);
  });

  it('an IdP response without issued_token_type (RFC 8693 §2.2.1 requires it) is not taken for an ID-JAG', async () => {
    const { fx, idp, as } = await setup();
    idp.respond = (_f, def) => {
      const { issued_token_type: _drop, ...rest } = def.body;
      return { ...def, body: rest };
    };
    const { ctx, result } = grant(fx, idp);
    const err = await expectInspectorError(result, 'token_request_failed', EXCHANGE_STEP, 'not an ID-JAG');
    assert.equal(as.requests.length, 0);
    assert.deepEqual(findLeaks(outputs(ctx, err), secretsOf(fx, idp)), []);
  });

  it('an IdP error (invalid_grant) → token_request_failed with the IdP text, step and URL; the AS is never asked', async () => {
    const { fx, idp, as } = await setup();
    idp.respond = () => ({ status: 400, body: { error: 'invalid_grant', error_description: 'the subject token has expired' } });
    const { ctx, result } = grant(fx, idp);
    const err = await expectInspectorError(result, 'token_request_failed', EXCHANGE_STEP, 'refused the token exchange', 'invalid_grant', 'the subject token has expired', idp.tokenEndpoint);
    assert.ok(err.cause, 'the oauth4webapi error is kept as the cause');
    assert.equal(as.requests.length, 0);
    assert.deepEqual(findLeaks(outputs(ctx, err), secretsOf(fx, idp)), []);
  });

  it('a wrong IdP client secret → a typed error from the IdP step, and the wrong secret is nowhere', async () => {
    const { fx, idp, as } = await setup({ idpSecret: IDP_SECRET });
    const wrong = 'wrong-idp-secret-00112233445566';
    leakWatch.extraSecrets.push(wrong);
    const { ctx, result } = grant(fx, idp, { idp: { idp_client_secret: wrong } });
    const err = await expectInspectorError(result, 'token_request_failed', EXCHANGE_STEP, 'invalid_client', idp.tokenEndpoint);
    assert.equal(as.requests.length, 0);
    assert.deepEqual(findLeaks(outputs(ctx, err), [...secretsOf(fx, idp), wrong]), []);
  });

  it('a hostile IdP that echoes the ID token and the client secret back in its error text → redacted', async () => {
    const { fx, idp } = await setup({ idpSecret: IDP_SECRET });
    idp.respond = (form) => ({ status: 400, body: { error: 'invalid_request', error_description: `rejected ${form.get('subject_token')} with ${form.get('client_secret')}` } });
    const { ctx, result } = grant(fx, idp);
    const err = await expectInspectorError(result, 'token_request_failed', EXCHANGE_STEP, 'invalid_request', '[REDACTED]');
    assert.deepEqual(findLeaks(outputs(ctx, err), secretsOf(fx, idp)), []);
    assert.deepEqual(partialLeaks(err.message, [idp.idToken, IDP_SECRET]), []);
  });

  it('a hostile IdP that echoes the ID token as issued_token_type → the error names no secret', async () => {
    const { fx, idp, as } = await setup({ idpSecret: IDP_SECRET });
    idp.respond = (form, def) => ({ ...def, body: { ...def.body, issued_token_type: `${form.get('subject_token')} ${form.get('client_secret')}` } });
    const { ctx, result } = grant(fx, idp);
    const err = await expectInspectorError(result, 'token_request_failed', EXCHANGE_STEP, 'not an ID-JAG', '[REDACTED]');
    assert.equal(as.requests.length, 0);
    assert.deepEqual(findLeaks(outputs(ctx, err), secretsOf(fx, idp)), []);
    assert.deepEqual(partialLeaks(err.message, [idp.idToken, IDP_SECRET]), []);
  });

  it('the AS rejects the ID-JAG (invalid_grant) → invalid_grant naming the jwt-bearer step and the AS token endpoint; the assertion is redacted', async () => {
    const { fx, idp, as } = await setup();
    as.respond = (form) => ({ status: 400, body: { error: 'invalid_grant', error_description: `assertion ${form.get('assertion')} expired` } });
    const { ctx, result } = grant(fx, idp);
    const err = await expectInspectorError(result, 'invalid_grant', BEARER_STEP, `${fx.issuer}/token`, 'assertion [REDACTED] expired');
    assert.equal(err.step, BEARER_STEP);
    assert.equal(idp.idJags.length, 1, 'the exchange itself succeeded');
    assert.equal(as.requests.length, 1);
    assert.deepEqual(findLeaks(outputs(ctx, err), secretsOf(fx, idp)), []);
    // The ID-JAG is longer than the 300-character cap on error descriptions: no piece of it survives either.
    assert.ok(idp.idJags[0].length > 300);
    assert.deepEqual(partialLeaks(outputs(ctx, err), idp.idJags), []);
  });

  it('the AS rejects the client (invalid_client) → invalid_client from the jwt-bearer step', async () => {
    const { fx, idp, as } = await setup();
    as.respond = () => ({ status: 400, body: { error: 'invalid_client', error_description: 'client authentication failed' } });
    const { ctx, result } = grant(fx, idp);
    const err = await expectInspectorError(result, 'invalid_client', BEARER_STEP, `${fx.issuer}/token`);
    assert.equal(as.requests.length, 1);
    assert.deepEqual(findLeaks(outputs(ctx, err), secretsOf(fx, idp)), []);
  });

  it('an IdP token endpoint that is not https/loopback is refused before anything is sent', async () => {
    const { fx, idp } = await setup();
    const { result } = (() => {
      try {
        return grant(fx, idp, { idp: { idp_token_endpoint: 'http://idp.example/oauth2/token' } });
      } catch (e) {
        return { result: Promise.reject(e) };
      }
    })();
    await assert.rejects(result, (e: { code?: string }) => e.code === 'url_scheme_refused' || e.code === 'address_refused');
    assert.equal(idp.requests.length, 0);
    assert.equal(fx.counters.token, 0);
  });
});
