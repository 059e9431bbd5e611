/**
 * Secret hygiene (docs/SECURITY.md "Tokens and credentials"): after full flows — confidential DCR,
 * authorization, tool calls, refresh, a 401 retry, step-up, revocation — neither the trace, nor any
 * log line, nor any error message contains a token, refresh token, code, PKCE verifier, client
 * secret or Authorization header value. Only the SecretStore holds them.
 */
import { strict as assert } from 'node:assert';
import { connectTo, expectInspectorError, findLeaks, knownSecrets, leakWatch, startOAuthFixture, type Fixture } from '../../fixtures/oauthFixture';

/** Every credential the fixture saw on the wire, as header values (Basic … and Bearer …). */
function authorizationHeaderValues(fx: Fixture): string[] {
  const out = new Set<string>();
  for (const r of fx.requests) {
    const h = r.headers.authorization;
    if (!h) continue;
    out.add(h);
    out.add(h.replace(/^\S+\s+/, ''));
  }
  return [...out];
}

describe('oauth secrets never leak', () => {
  const cleanup: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!.close();
  });

  for (const mode of ['browser', 'headless'] as const) {
    it(`full flow (${mode}): confidential DCR, sign-in, refresh, 401 retry, step-up, sign-out`, async () => {
      const fx = await startOAuthFixture({
        asMetadata: { token_endpoint_auth_methods_supported: ['client_secret_basic'] },
        requiredScopes: ['read'],
        toolScopes: { admin: ['admin'] },
        tools: [{ name: 'echo' }, { name: 'admin' }],
      });
      cleanup.push(fx);
      const conn = connectTo(fx, mode === 'headless' ? { headless: true } : {});
      cleanup.push(conn);

      await conn.session.connect();
      await conn.session.listTools();
      await conn.session.callTool('echo');
      await conn.auth.refresh();
      fx.expireAllAccessTokens();
      await conn.session.callTool('echo');
      await conn.session.callTool('admin');
      const out = await conn.auth.signOut();
      assert.equal(out.revoked, true);
      assert.deepEqual(out.errors, []);

      // the flow really produced every kind of secret
      assert.equal(fx.issued.clientSecrets.length, 1);
      assert.ok(fx.issued.codes.length >= 2 && fx.issued.verifiers.length >= 2);
      assert.ok(fx.issued.refreshTokens.length >= 3 && fx.issued.accessTokens.length >= 3);
      assert.ok(fx.counters.revoke >= 2);

      const secrets = [...fx.allSecrets(), ...authorizationHeaderValues(fx)];
      const trace = JSON.stringify(conn.trace.all());
      assert.ok(trace.includes('[REDACTED]'), 'the trace did see secrets and redacted them');
      assert.deepEqual(findLeaks(trace, secrets), [], 'trace');
      assert.deepEqual(findLeaks(conn.logger.lines.join('\n'), secrets), [], 'logger');
      assert.deepEqual(findLeaks(JSON.stringify(conn.browser.opened.map((o) => o.url.href)), fx.issued.codes), [], 'no code in the authorization URL');
      // the search is meaningful: the same search finds the fixture's secrets in the raw requests
      assert.ok(findLeaks(JSON.stringify(fx.requests), secrets).length > 0);
    });
  }

  it('the SecretStore holds the secrets while signed in (and nothing else does)', async () => {
    const fx = await startOAuthFixture({ asMetadata: { token_endpoint_auth_methods_supported: ['client_secret_post'] } });
    cleanup.push(fx);
    const conn = connectTo(fx);
    cleanup.push(conn);
    await conn.session.connect();
    const stored = [...conn.secrets.map.values()].join('\n');
    for (const s of [fx.issued.clientSecrets[0], fx.issued.accessTokens[0], fx.issued.refreshTokens[0]]) assert.ok(stored.includes(s));
    // the session record (non-secret facts) carries none of them
    const session = conn.secrets.map.get(`${conn.auth.keys.prefix}session`)!;
    assert.deepEqual(findLeaks(session, fx.allSecrets()), []);
  });

  it('a hostile AS echoing the refresh token and client secret in error_description: the error message does not carry them', async () => {
    const fx = await startOAuthFixture({ asMetadata: { token_endpoint_auth_methods_supported: ['client_secret_post'] } });
    cleanup.push(fx);
    const conn = connectTo(fx);
    cleanup.push(conn);
    await conn.session.connect();
    const rt = conn.auth.tokens!.refresh_token!;
    const secret = fx.issued.clientSecrets[0];
    fx.intercept = (server, req, res) => {
      if (server !== 'as' || req.path !== '/token') return false;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_grant', error_description: `refresh token ${rt} for client secret ${secret} is no good` }));
      return true;
    };
    const err = await expectInspectorError(conn.auth.refresh(), 'invalid_grant', 'token refresh');
    assert.deepEqual(findLeaks(err.message, [rt, secret]), []);
    assert.deepEqual(findLeaks(JSON.stringify(conn.trace.all()), [rt, secret]), []);
  });

  it('a hostile MCP server echoing the bearer token in its error text: the error message does not carry it', async () => {
    const fx = await startOAuthFixture();
    cleanup.push(fx);
    const conn = connectTo(fx);
    cleanup.push(conn);
    await conn.session.connect();
    const token = conn.auth.tokens!.access_token;
    fx.intercept = (server, req, res) => {
      if (server !== 'mcp' || req.path !== '/mcp' || !req.body.includes('tools/call')) return false;
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`internal error while checking ${req.headers.authorization}`);
      return true;
    };
    let message = '';
    try {
      await conn.session.callTool('echo');
    } catch (e) {
      message = (e as Error).message;
      leakWatch.texts.push(message);
    }
    assert.ok(message, 'the call fails');
    assert.deepEqual(findLeaks(message, [token]), []);
    assert.deepEqual(findLeaks(JSON.stringify(conn.trace.all()), [token]), []);
  });

  // Runs last in this file: every error message and log line recorded by the helpers in all OAuth
  // test files loaded before it (mocha loads test/unit/oauth/*.test.ts in name order).
  it('no recorded error message or log line, from any OAuth test so far, contains any fixture secret', () => {
    const secrets = knownSecrets();
    assert.ok(secrets.length > 20);
    assert.ok(leakWatch.texts.length > 0);
    assert.deepEqual(findLeaks(leakWatch.texts.join('\n'), secrets), []);
  });
});
