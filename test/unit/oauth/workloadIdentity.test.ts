/**
 * Workload identity federation (RFC 7523 jwt-bearer grant with the workload's own JWT) against the
 * OAuth fixture, whose token endpoint is taught the grant by its `intercept` hook: it verifies the
 * assertion with jose (signature, audience = the issuer, expiry) as a real authorization server would.
 */
import { strict as assert } from 'node:assert';
import { generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';
import { expectInspectorError, findLeaks, leakWatch, type Fixture, useOAuthFixtures } from '../../fixtures/oauthFixture';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_ID = 'workload-client';
const tokenRequests = (fx: Fixture) => fx.requests.filter((r) => r.server === 'as' && r.path === '/token');

/** The AS accepts jwt-bearer assertions signed by `key` for its own issuer; it refuses everything else. */
function acceptWorkloadJwts(fx: Fixture, key: CryptoKey): void {
  fx.intercept = async (server, req, res) => {
    if (server !== 'as' || req.path !== '/token') return false;
    const form = new URLSearchParams(req.body);
    const answer = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
      return true;
    };
    if (form.get('grant_type') !== JWT_BEARER) return answer(400, { error: 'unsupported_grant_type' });
    try {
      await jwtVerify(form.get('assertion') ?? '', key, { audience: fx.issuer });
    } catch {
      return answer(400, { error: 'invalid_grant', error_description: 'the assertion could not be verified' });
    }
    const token = `wif-token-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    fx.issued.accessTokens.push(token);
    fx.accessTokens.set(token, { client_id: form.get('client_id') ?? '', scopes: [], resource: form.get('resource') ?? '', expiresAt: Date.now() + 3600_000, grant: 'client_credentials' });
    return answer(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
  };
}

async function workloadJwt(key: CryptoKey, audience: string, expiresIn = '5m'): Promise<string> {
  return new SignJWT({ sub: 'system:serviceaccount:prod:mcp-agent' }).setProtectedHeader({ alg: 'ES256' }).setIssuer('https://idp.workload.test').setAudience(audience).setIssuedAt().setExpirationTime(expiresIn).sign(key);
}

describe('oauth/grants: workload identity federation (RFC 7523 jwt-bearer)', () => {
  const { fixture, connect } = useOAuthFixtures();

  async function setup() {
    const fx = await fixture();
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    acceptWorkloadJwts(fx, publicKey);
    return { fx, privateKey };
  }

  const workloadClient = { policy: 'preregistered' as const, client_id: CLIENT_ID, token_endpoint_auth_method: 'none' as const };

  it('exchanges the workload JWT for an access token: grant_type, assertion, resource, client_id; no browser, no registration; the JWT never shows', async () => {
    const { fx, privateKey } = await setup();
    const assertion = await workloadJwt(privateKey, fx.issuer);
    leakWatch.extraSecrets.push(assertion);
    const conn = connect(fx, { grant: 'workload_identity', workload: { assertion }, client: workloadClient });
    await conn.session.connect();
    await conn.session.callTool('echo');

    const [req, ...more] = tokenRequests(fx);
    assert.equal(more.length, 0);
    const body = new URLSearchParams(req.body);
    assert.equal(body.get('grant_type'), JWT_BEARER);
    assert.equal(body.get('assertion'), assertion);
    assert.equal(body.get('resource'), fx.mcpUrl);
    assert.equal(body.get('client_id'), CLIENT_ID);
    assert.equal(req.headers.authorization, undefined);
    assert.equal(fx.counters.authorize + fx.counters.register, 0);
    assert.equal(conn.browser.opened.length, 0);
    assert.equal(conn.auth.tokens?.grant, 'jwt-bearer');
    assert.deepEqual(findLeaks(JSON.stringify(conn.trace.all()) + conn.logger.lines.join('\n'), [assertion]), []);
  });

  for (const [what, make] of [
    ['an expired assertion', (k: CryptoKey, fx: Fixture) => workloadJwt(k, fx.issuer, '-60s')],
    ['an assertion for another audience', (k: CryptoKey) => workloadJwt(k, 'https://wrong.example')],
  ] as const) {
    it(`${what}: invalid_grant, surfaced after one token request (no retry, no other grant)`, async () => {
      const { fx, privateKey } = await setup();
      const assertion = await make(privateKey, fx);
      leakWatch.extraSecrets.push(assertion);
      const conn = connect(fx, { grant: 'workload_identity', workload: { assertion }, client: workloadClient });
      await expectInspectorError(conn.session.connect(), 'invalid_grant', 'jwt-bearer grant (workload identity)', `${fx.issuer}/token`);
      assert.equal(tokenRequests(fx).length, 1);
      assert.equal(fx.counters.authorize + fx.counters.register, 0);
      assert.ok(conn.trace.all().some((e) => e.kind === 'note' && e.level === 'fail' && /not retried/.test(e.message)));
      assert.deepEqual(findLeaks(JSON.stringify(conn.trace.all()) + conn.logger.lines.join('\n'), [assertion]), []);
    });
  }

  it('without the workload JWT: config_invalid before any token request', async () => {
    const { fx } = await setup();
    const conn = connect(fx, { grant: 'workload_identity', client: workloadClient });
    await expectInspectorError(conn.session.connect(), 'config_invalid', 'workload JWT');
    assert.equal(tokenRequests(fx).length, 0);
  });
});
