/**
 * Non-interactive grants against the OAuth fixture: client credentials with client_secret_basic,
 * and private_key_jwt client authentication (ES256 key generated with jose).
 */
import { strict as assert } from 'node:assert';
import { decodeJwt, decodeProtectedHeader, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { expectInspectorError, findLeaks, leakWatch, type Fixture, useOAuthFixtures } from '../../fixtures/oauthFixture';

const tokenRequests = (fx: Fixture) => fx.requests.filter((r) => r.server === 'as' && r.path === '/token');

async function es256Client() {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const pem = await exportPKCS8(privateKey);
  const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig' };
  return { pem, jwk };
}

describe('oauth/grants', () => {
  const { fixture, connect } = useOAuthFixtures();

  it('client_credentials with client_secret_basic: resource and scope sent, no browser, no registration', async () => {
    const fx = await fixture({ requiredScopes: ['svc'] });
    const secret = 'cc-secret-0123456789abcdef';
    fx.addClient({ client_id: 'service-client', client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' });
    const conn = connect(fx, { grant: 'client_credentials', client: { policy: 'preregistered', client_id: 'service-client', client_secret: secret } });
    await conn.session.connect();
    const r = await conn.session.callTool('echo');
    assert.equal((r.content as Array<{ text: string }>)[0].text, 'ok: echo');
    assert.equal(conn.browser.opened.length, 0);
    assert.equal(fx.counters.authorize + fx.counters.register, 0);
    const [req] = tokenRequests(fx);
    const body = new URLSearchParams(req.body);
    assert.equal(body.get('grant_type'), 'client_credentials');
    assert.equal(body.get('resource'), fx.mcpUrl);
    assert.equal(body.get('scope'), 'svc');
    assert.equal(body.get('client_secret'), null);
    assert.equal(req.headers.authorization, `Basic ${Buffer.from(`service-client:${secret}`).toString('base64')}`);
    assert.equal(conn.auth.tokens!.grant, 'client_credentials');
    assert.deepEqual(findLeaks(JSON.stringify(conn.trace.all()), [secret, req.headers.authorization!.slice(6)]), []);
  });

  it('client_credentials with a wrong secret → invalid_client, clearly', async () => {
    const fx = await fixture();
    fx.addClient({ client_id: 'service-client', client_secret: 'right-secret-0123456789', token_endpoint_auth_method: 'client_secret_basic' });
    leakWatch.extraSecrets.push('wrong-secret-0123456789');
    const conn = connect(fx, { grant: 'client_credentials', client: { policy: 'preregistered', client_id: 'service-client', client_secret: 'wrong-secret-0123456789' } });
    await expectInspectorError(conn.session.connect(), 'invalid_client', 'client credentials grant', `${fx.issuer}/token`);
  });

  it('client_credentials without a client id → config_invalid before any token request', async () => {
    const fx = await fixture();
    const conn = connect(fx, { grant: 'client_credentials', client: { policy: 'auto' } });
    await expectInspectorError(conn.session.connect(), 'config_invalid', 'client registration', 'client id');
    assert.equal(fx.counters.token, 0);
  });

  it('client_credentials with private_key_jwt (ES256)', async () => {
    const fx = await fixture();
    const { pem, jwk } = await es256Client();
    leakWatch.extraSecrets.push(...pem.split('\n').filter((l) => l.length > 40));
    fx.addClient({ client_id: 'jwt-client', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } });
    const conn = connect(fx, { grant: 'client_credentials', client: { policy: 'preregistered', client_id: 'jwt-client', private_key_pem: pem } });
    await conn.session.connect();
    await conn.session.callTool('echo');
    const [req] = tokenRequests(fx);
    const body = new URLSearchParams(req.body);
    assert.equal(body.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const assertion = body.get('client_assertion')!;
    assert.equal(decodeProtectedHeader(assertion).alg, 'ES256');
    const claims = decodeJwt(assertion);
    assert.equal(claims.iss, 'jwt-client');
    assert.equal(claims.sub, 'jwt-client');
    assert.ok(claims.jti && claims.exp);
    assert.equal(req.headers.authorization, undefined);
    assert.equal(conn.auth.client!.token_endpoint_auth_method, 'private_key_jwt');
  });

  it('private_key_jwt for the authorization code flow and refresh', async () => {
    const fx = await fixture();
    const { pem, jwk } = await es256Client();
    fx.addClient({ client_id: 'jwt-client', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [jwk] } });
    const conn = connect(fx, { client: { policy: 'preregistered', client_id: 'jwt-client', private_key_pem: pem } });
    await conn.session.connect();
    await conn.auth.refresh();
    const reqs = tokenRequests(fx).map((r) => new URLSearchParams(r.body));
    assert.deepEqual(reqs.map((b) => b.get('grant_type')), ['authorization_code', 'refresh_token']);
    for (const b of reqs) assert.ok(b.get('client_assertion'));
    assert.notEqual(reqs[0].get('client_assertion'), reqs[1].get('client_assertion'), 'a fresh assertion per request');
  });

  it('private_key_jwt signed with the wrong key → invalid_client', async () => {
    const fx = await fixture();
    const registered = await es256Client();
    const other = await es256Client();
    fx.addClient({ client_id: 'jwt-client', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [registered.jwk] } });
    const conn = connect(fx, { grant: 'client_credentials', client: { policy: 'preregistered', client_id: 'jwt-client', private_key_pem: other.pem } });
    await expectInspectorError(conn.session.connect(), 'invalid_client', 'client credentials grant');
  });

  it('private_key_jwt with an unreadable key → config_invalid without echoing the key', async () => {
    const fx = await fixture();
    fx.addClient({ client_id: 'jwt-client', token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [] } });
    const bad = '-----BEGIN PRIVATE KEY-----\nTm90QUtleU5vdEFLZXlOb3RBS2V5Tm90QUtleQ==\n-----END PRIVATE KEY-----';
    leakWatch.extraSecrets.push('Tm90QUtleU5vdEFLZXlOb3RBS2V5Tm90QUtleQ==');
    const conn = connect(fx, { grant: 'client_credentials', client: { policy: 'preregistered', client_id: 'jwt-client', private_key_pem: bad } });
    await expectInspectorError(conn.session.connect(), 'config_invalid', 'PKCS#8');
    assert.equal(fx.counters.token, 0);
  });
});
