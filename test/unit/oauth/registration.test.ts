/**
 * Client registration against the OAuth fixture: Dynamic Client Registration (public and
 * confidential), Client ID Metadata Documents, pre-registered clients with client_secret_basic /
 * client_secret_post, and the refusals.
 */
import { strict as assert } from 'node:assert';
import { startLoopbackReceiver } from '../../../src/core/oauth/redirect/loopback';
import type { RedirectReceiverFactory } from '../../../src/core/oauth/redirect/redirectReceiver';
import { clientIdPromptText, isCimdLoopbackRedirect } from '../../../src/core/oauth/registration';
import type { ClientIdRequest } from '../../../src/core/ports';
import { expectInspectorError, findLeaks, leakWatch, type Fixture, type FixtureRequest, useOAuthFixtures } from '../../fixtures/oauthFixture';

const tokenRequests = (fx: Fixture) => fx.requests.filter((r) => r.server === 'as' && r.path === '/token');
const authorizeParams = (fx: Fixture) => fx.requests.filter((r) => r.server === 'as' && r.path.startsWith('/authorize')).map((r) => new URL(r.path, fx.issuer).searchParams);
function basicCredentials(r: FixtureRequest): [string, string] | undefined {
  const m = /^Basic (.+)$/.exec(r.headers.authorization ?? '');
  if (!m) return undefined;
  const [id, secret] = Buffer.from(m[1], 'base64').toString('utf8').split(':');
  return [decodeURIComponent(id), decodeURIComponent(secret)];
}

describe('oauth/registration', () => {
  const { fixture, connect } = useOAuthFixtures();

  it('DCR: native application, loopback redirect URI, refresh_token grant, no scope; a public client', async () => {
    const fx = await fixture();
    const conn = connect(fx);
    await conn.session.connect();
    assert.equal(fx.counters.register, 1);
    const reg = JSON.parse(fx.requests.find((r) => r.path === '/register')!.body) as Record<string, unknown>;
    assert.equal(reg.application_type, 'native');
    assert.equal(reg.token_endpoint_auth_method, 'none');
    assert.ok(Array.isArray(reg.redirect_uris) && reg.redirect_uris.length === 1);
    const redirect = new URL((reg.redirect_uris as string[])[0]);
    assert.equal(redirect.protocol, 'http:');
    assert.equal(redirect.hostname, '127.0.0.1');
    assert.ok(Number(redirect.port) > 0);
    assert.deepEqual(reg.grant_types, ['authorization_code', 'refresh_token']);
    assert.deepEqual(reg.response_types, ['code']);
    assert.equal(reg.scope, undefined);
    assert.equal(typeof reg.client_name, 'string');
    // the authorization request used that redirect URI and client
    const [p] = authorizeParams(fx);
    assert.equal(p.get('redirect_uri'), redirect.href);
    assert.equal(p.get('client_id'), conn.auth.client!.client_id);
    assert.equal(conn.auth.client!.mode, 'dcr');
  });

  for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
    it(`DCR with a confidential client (${method}): the secret is used as the AS asks and stored only in the SecretStore`, async () => {
      const fx = await fixture({ asMetadata: { token_endpoint_auth_methods_supported: [method] } });
      const conn = connect(fx);
      await conn.session.connect();
      const reg = JSON.parse(fx.requests.find((r) => r.path === '/register')!.body) as Record<string, unknown>;
      assert.equal(reg.token_endpoint_auth_method, method);
      assert.equal(fx.issued.clientSecrets.length, 1);
      const secret = fx.issued.clientSecrets[0];
      const [tokenReq] = tokenRequests(fx);
      const body = new URLSearchParams(tokenReq.body);
      if (method === 'client_secret_basic') {
        assert.deepEqual(basicCredentials(tokenReq), [conn.auth.client!.client_id, secret]);
        assert.equal(body.get('client_secret'), null);
      } else {
        assert.equal(tokenReq.headers.authorization, undefined);
        assert.equal(body.get('client_secret'), secret);
        assert.equal(body.get('client_id'), conn.auth.client!.client_id);
      }
      const stored = [...conn.secrets.map.values()].join('\n');
      assert.ok(stored.includes(secret), 'kept in the SecretStore');
      assert.deepEqual(findLeaks(JSON.stringify(conn.trace.all()), [secret]), []);
    });
  }

  it('CIMD: the configured https client_id is used and /register is never called', async () => {
    const fx = await fixture({ asMetadata: { client_id_metadata_document_supported: true } });
    const clientId = 'https://client.example/mcp-inspector.json';
    const conn = connect(fx, { client: { policy: 'auto', client_metadata_url: clientId } });
    await conn.session.connect();
    assert.equal(fx.counters.register, 0);
    assert.equal(authorizeParams(fx)[0].get('client_id'), clientId);
    assert.equal(new URLSearchParams(tokenRequests(fx)[0].body).get('client_id'), clientId);
    assert.equal(conn.auth.client!.mode, 'cimd');
  });

  /** A receiver whose redirect URI is the forwarded form a remote editor gives (its root path, which the loopback receiver also accepts). */
  const forwardedReceiver: RedirectReceiverFactory = async (o) => {
    const inner = await startLoopbackReceiver(o);
    const root = new URL('/', inner.redirectUri).href;
    return { get redirectUri() { return root; }, waitForCallback: () => inner.waitForCallback(), close: () => inner.close() };
  };

  it('auto with a redirect URI a metadata document cannot list (a forwarded one) → Dynamic Client Registration, with a note saying why', async () => {
    const fx = await fixture({ asMetadata: { client_id_metadata_document_supported: true } });
    const conn = connect(fx, { client: { policy: 'auto' }, headless: true, startReceiver: forwardedReceiver });
    await conn.session.connect();
    assert.equal(conn.auth.client!.mode, 'dcr');
    assert.equal(fx.counters.register, 1);
    assert.match(authorizeParams(fx)[0].get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(conn.trace.all().some((e) => e.kind === 'note' && /not a loopback \/callback URI a document can list; registering dynamically/.test(e.message)));
  });

  it("cimd with this project's document and a forwarded redirect URI → a clear error before any browser opens", async () => {
    const fx = await fixture({ asMetadata: { client_id_metadata_document_supported: true } });
    const conn = connect(fx, { client: { policy: 'cimd' }, startReceiver: forwardedReceiver });
    const err = await expectInspectorError(conn.session.connect(), 'config_invalid', 'client registration');
    assert.match(err.message, /does not list/);
    assert.match(err.hint ?? '', /Dynamic Client Registration[\s\S]*redirectMode to loopback/);
    assert.equal(conn.browser.opened.length, 0, 'no browser opened');
    assert.equal(fx.counters.authorize, 0);
  });

  it('the loopback form a document lists: http on 127.0.0.1 / [::1] / localhost, any port, path /callback exactly', () => {
    for (const ok of ['http://127.0.0.1:1234/callback', 'http://localhost:9/callback', 'http://[::1]:80/callback', 'http://127.0.0.1/callback']) assert.equal(isCimdLoopbackRedirect(ok), true, ok);
    for (const no of ['http://127.0.0.1:1234/', 'http://127.0.0.1:8080/proxy/1234/', 'https://127.0.0.1/callback', 'http://evil.example/callback', 'vscode://x.y/callback', 'http://127.0.0.1/callback?x=1', 'not a url']) assert.equal(isCimdLoopbackRedirect(no), false, no);
  });

  for (const bad of ['http://client.example/metadata.json', 'https://client.example/', 'javascript:alert(1)']) {
    it(`CIMD with client metadata URL ${bad} → client_metadata_url_invalid; nothing opened`, async () => {
      const fx = await fixture({ asMetadata: { client_id_metadata_document_supported: true } });
      const conn = connect(fx, { client: { policy: 'cimd', client_metadata_url: bad } });
      await expectInspectorError(conn.session.connect(), 'client_metadata_url_invalid', 'client registration');
      assert.equal(conn.browser.opened.length, 0);
      assert.equal(fx.counters.authorize + fx.counters.register, 0);
    });
  }

  for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
    it(`pre-registered client with ${method}`, async () => {
      const fx = await fixture();
      const secret = `pre-secret-${method}-0123456789`;
      fx.addClient({ client_id: 'pre-registered-client', client_secret: secret, token_endpoint_auth_method: method });
      const conn = connect(fx, { client: { policy: 'preregistered', client_id: 'pre-registered-client', client_secret: secret, token_endpoint_auth_method: method } });
      await conn.session.connect();
      assert.equal(fx.counters.register, 0);
      const [tokenReq] = tokenRequests(fx);
      if (method === 'client_secret_basic') assert.deepEqual(basicCredentials(tokenReq), ['pre-registered-client', secret]);
      else assert.equal(new URLSearchParams(tokenReq.body).get('client_secret'), secret);
      await conn.auth.refresh();
      const refreshReq = tokenRequests(fx)[1];
      assert.equal(new URLSearchParams(refreshReq.body).get('grant_type'), 'refresh_token');
      if (method === 'client_secret_basic') assert.deepEqual(basicCredentials(refreshReq), ['pre-registered-client', secret]);
      else assert.equal(new URLSearchParams(refreshReq.body).get('client_secret'), secret);
    });
  }

  it('pre-registered client with a wrong secret → invalid_client, clearly, without the secret in the message', async () => {
    const fx = await fixture();
    fx.addClient({ client_id: 'pre-registered-client', client_secret: 'the-right-secret-0123456789', token_endpoint_auth_method: 'client_secret_basic' });
    leakWatch.extraSecrets.push('the-wrong-secret-0123456789');
    const conn = connect(fx, { client: { policy: 'preregistered', client_id: 'pre-registered-client', client_secret: 'the-wrong-secret-0123456789' } });
    await expectInspectorError(conn.session.connect(), 'invalid_client', 'token exchange', `${fx.issuer}/token`);
    assert.equal(fx.counters.register, 0);
  });

  it('no registration endpoint, no CIMD, nobody to ask → registration_unavailable; nothing opened', async () => {
    const fx = await fixture({ asMetadata: { registration_endpoint: undefined } });
    const conn = connect(fx);
    await expectInspectorError(conn.session.connect(), 'registration_unavailable', 'client registration', fx.issuer);
    assert.equal(conn.browser.opened.length, 0);
    assert.equal(fx.counters.authorize, 0);
  });

  it('manual policy asks for the client id', async () => {
    const fx = await fixture({ asMetadata: { registration_endpoint: undefined } });
    fx.addClient({ client_id: 'typed-in', token_endpoint_auth_method: 'none' });
    const asked: string[] = [];
    const conn = connect(fx, { prompt: { askClientCredentials: async (issuer) => (asked.push(issuer), { client_id: 'typed-in' }) } });
    await conn.session.connect();
    assert.deepEqual(asked, [fx.issuer]);
    assert.equal(authorizeParams(fx)[0].get('client_id'), 'typed-in');
  });

  it('no automatic registration possible: the question says so (reason, what the server supports)', async () => {
    const fx = await fixture({ asMetadata: { registration_endpoint: undefined } });
    const asked: unknown[] = [];
    const conn = connect(fx, { prompt: { askClientCredentials: async (_issuer, why) => (asked.push(why), undefined) } });
    await expectInspectorError(conn.session.connect(), 'registration_unavailable', 'neither');
    assert.deepEqual(asked, [{ reason: 'no-automatic-registration', cimd: false, dcr: false }]);
    assert.match(clientIdPromptText(fx.issuer, asked[0] as ClientIdRequest), /supports neither/);
  });

  it('"Ask me" on a server that supports CIMD and DCR: the question and a cancel say the user chose to enter a client id, never "neither"', async () => {
    const fx = await fixture({ asMetadata: { client_id_metadata_document_supported: true } });
    const asked: Array<ClientIdRequest | undefined> = [];
    const conn = connect(fx, { client: { policy: 'manual' }, prompt: { askClientCredentials: async (_issuer, why) => (asked.push(why), undefined) } });
    const err = await expectInspectorError(conn.session.connect(), 'client_id_not_entered', '"Ask me"', 'no client id was entered', fx.issuer);
    assert.equal(err.step, 'client registration');
    assert.doesNotMatch(`${err.message} ${err.hint}`, /neither|offers no|does not support/);
    assert.match(err.hint!, /Automatic registration: this server supports Client ID Metadata Documents and Dynamic Client Registration/);
    assert.deepEqual(asked, [{ reason: 'chosen', cimd: true, dcr: true }]);
    const text = clientIdPromptText(fx.issuer, asked[0]);
    assert.match(text, /You chose to enter a client ID/);
    assert.match(text, /also supports Client ID Metadata Documents and Dynamic Client Registration/);
    assert.doesNotMatch(text, /neither/);
    assert.equal(fx.counters.register + fx.counters.authorize, 0);
    assert.equal(conn.browser.opened.length, 0);
  });

  it('"Ask me" with an answer: the entered client id is used and the trace says it was the user\'s choice', async () => {
    const fx = await fixture();
    fx.addClient({ client_id: 'typed-in', token_endpoint_auth_method: 'none' });
    const conn = connect(fx, { client: { policy: 'manual' }, prompt: { askClientCredentials: async () => ({ client_id: 'typed-in' }) } });
    await conn.session.connect();
    assert.equal(fx.counters.register, 0);
    assert.ok(conn.trace.all().some((e) => e.kind === 'note' && /client id entered by the user \(registration policy "Ask me"\): typed-in/.test(e.message)));
  });

  it('DCR refused by the AS → registration_failed with the server error, nothing opened', async () => {
    const fx = await fixture();
    fx.intercept = (server, req, res) => {
      if (server !== 'as' || req.path !== '/register') return false;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_redirect_uri', error_description: 'loopback not allowed' }));
      return true;
    };
    const conn = connect(fx);
    await expectInspectorError(conn.session.connect(), 'registration_failed', 'client registration', 'invalid_redirect_uri', `${fx.issuer}/register`);
    assert.equal(conn.browser.opened.length, 0);
  });

  it('DCR response with a client_secret but no client_secret_expires_at is accepted with a warning', async () => {
    const fx = await fixture({ asMetadata: { token_endpoint_auth_methods_supported: ['client_secret_post'] } });
    fx.intercept = async (server, req, res) => {
      if (server !== 'as' || req.path !== '/register') return false;
      const md = JSON.parse(req.body) as Record<string, unknown>;
      const client = { client_id: 'c-no-expiry', client_secret: 'secret-without-expiry-0123456789', token_endpoint_auth_method: 'client_secret_post' as const, redirect_uris: md.redirect_uris as string[] };
      fx.addClient(client);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...md, ...client }));
      return true;
    };
    const conn = connect(fx);
    await conn.session.connect();
    assert.equal(conn.auth.client!.client_secret_expires_at, 0);
    assert.ok(conn.trace.all().some((e) => e.kind === 'note' && e.level === 'warn' && /client_secret_expires_at/.test(e.message)));
  });
});
