/**
 * Discovery (RFC 9728 + RFC 8414 / OIDC, MCP order, 2025-03-26 back-compat) against the OAuth
 * fixture and small hostile servers, through the real guarded fetch. Every refusal is asserted to
 * be a clear InspectorError and to happen before anything was opened or sent onwards.
 */
import { strict as assert } from 'node:assert';
import type { ServerResponse } from 'node:http';
import { discover } from '../../../src/core/oauth/discovery';
import { connectTo, expectInspectorError, findLeaks, knownSecrets, leakWatch, makeContext, recordingBrowser, startOAuthFixture, type Fixture } from '../../fixtures/oauthFixture';
import { startServer, type LocalServer, type ReceivedRequest } from '../http/localServer';

function json(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found');
}

/** An ad-hoc server answering by path from a table (anything else: 404). Bodies may use ORIGIN. */
async function tableServer(table: (origin: string) => Record<string, unknown>): Promise<LocalServer> {
  let origin = '';
  const srv = await startServer((req: ReceivedRequest, res) => {
    const path = new URL(req.url, origin).pathname;
    const t = table(origin);
    if (path in t) {
      const v = t[path];
      if (typeof v === 'function') return (v as (res: ServerResponse) => void)(res);
      return json(res, v);
    }
    notFound(res);
  });
  origin = srv.origin;
  return srv;
}

const paths = (s: LocalServer) => s.requests.map((r) => new URL(r.url, s.origin).pathname);

describe('oauth/discovery', () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    while (servers.length) await servers.pop()!.close();
  });
  after(() => {
    assert.deepEqual(findLeaks(leakWatch.texts.join('\n'), knownSecrets()), []);
  });
  async function fixture(...a: Parameters<typeof startOAuthFixture>): Promise<Fixture> {
    const fx = await startOAuthFixture(...a);
    servers.push(fx);
    return fx;
  }

  describe('protected resource metadata order', () => {
    it('tries the WWW-Authenticate resource_metadata URL, then path-inserted, then root; then the 2025-03-26 fallback with default endpoints, labelled', async () => {
      const srv = await tableServer(() => ({}));
      servers.push(srv);
      const ctx = makeContext(`${srv.origin}/mcp`);
      const d = await discover(ctx, new URL(`${srv.origin}/mcp`), `${srv.origin}/custom/prm`);
      assert.deepEqual(paths(srv), [
        '/custom/prm',
        '/.well-known/oauth-protected-resource/mcp',
        '/.well-known/oauth-protected-resource',
        '/.well-known/oauth-authorization-server',
        '/.well-known/openid-configuration',
      ]);
      assert.equal(d.backCompat, true);
      assert.equal(d.resourceMetadata, undefined);
      assert.equal(d.asMetadataUrl, undefined);
      assert.equal(d.as.authorization_endpoint, `${srv.origin}/authorize`);
      assert.equal(d.as.token_endpoint, `${srv.origin}/token`);
      assert.equal(d.as.registration_endpoint, `${srv.origin}/register`);
      assert.equal(d.resource, `${srv.origin}/mcp`);
      const notes = ctx.trace.all().filter((e) => e.kind === 'note').map((e) => (e as { message: string }).message);
      assert.ok(notes.some((m) => /2025-03-26/.test(m) && /no protected resource metadata/.test(m)), 'back-compat labelled in the trace');
      assert.ok(notes.some((m) => /default endpoints/.test(m)), 'default endpoints labelled');
    });

    it('uses the challenge URL first and stops there when it answers', async () => {
      const fx = await fixture();
      const ctx = makeContext(fx.mcpUrl);
      const d = await discover(ctx, new URL(fx.mcpUrl), fx.resourceMetadataUrl);
      assert.equal(d.resourceMetadataUrl, fx.resourceMetadataUrl);
      assert.equal(d.backCompat, false);
      const prmRequests = fx.requests.filter((r) => r.server === 'mcp');
      assert.deepEqual(prmRequests.map((r) => r.path), ['/.well-known/oauth-protected-resource/mcp']);
      assert.equal(d.as.issuer, fx.issuer);
    });

    it('falls back to the root PRM when the path-inserted one is missing', async () => {
      const srv = await tableServer((o) => ({
        '/.well-known/oauth-protected-resource': { resource: `${o}/`, authorization_servers: [o] },
        '/.well-known/oauth-authorization-server': { issuer: o, authorization_endpoint: `${o}/a`, token_endpoint: `${o}/t`, response_types_supported: ['code'], code_challenge_methods_supported: ['S256'] },
      }));
      servers.push(srv);
      const d = await discover(makeContext(`${srv.origin}/mcp`), new URL(`${srv.origin}/mcp`));
      assert.deepEqual(paths(srv), ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource', '/.well-known/oauth-authorization-server']);
      assert.equal(d.resource, `${srv.origin}/`, 'a same-origin path prefix is accepted as the resource');
      assert.equal(d.backCompat, false);
    });
  });

  describe('authorization server metadata order', () => {
    async function asOrder(issuerPath: string): Promise<string[]> {
      const as = await tableServer(() => ({}));
      servers.push(as);
      const rs = await tableServer((o) => ({ '/.well-known/oauth-protected-resource/mcp': { resource: `${o}/mcp`, authorization_servers: [`${as.origin}${issuerPath}`] } }));
      servers.push(rs);
      await expectInspectorError(discover(makeContext(`${rs.origin}/mcp`), new URL(`${rs.origin}/mcp`)), 'as_metadata_not_found', 'authorization server metadata', as.origin);
      return paths(as);
    }

    it('issuer without a path: oauth-authorization-server, then openid-configuration', async () => {
      assert.deepEqual(await asOrder(''), ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']);
    });

    it('issuer with a path: path-inserted OAuth, path-inserted OIDC, path-appended OIDC', async () => {
      assert.deepEqual(await asOrder('/tenant1'), ['/.well-known/oauth-authorization-server/tenant1', '/.well-known/openid-configuration/tenant1', '/tenant1/.well-known/openid-configuration']);
    });

    it('falls back to OpenID Connect discovery', async () => {
      const as = await tableServer((o) => ({
        '/tenant1/.well-known/openid-configuration': { issuer: `${o}/tenant1`, authorization_endpoint: `${o}/tenant1/auth`, token_endpoint: `${o}/tenant1/token`, response_types_supported: ['code'], code_challenge_methods_supported: ['S256'] },
      }));
      servers.push(as);
      const rs = await tableServer((o) => ({ '/.well-known/oauth-protected-resource/mcp': { resource: `${o}/mcp`, authorization_servers: [`${as.origin}/tenant1`] } }));
      servers.push(rs);
      const d = await discover(makeContext(`${rs.origin}/mcp`), new URL(`${rs.origin}/mcp`));
      assert.equal(d.as.issuer, `${as.origin}/tenant1`);
      assert.equal(d.asMetadataUrl, `${as.origin}/tenant1/.well-known/openid-configuration`);
      assert.equal(d.as.token_endpoint, `${as.origin}/tenant1/token`);
    });

    it('2025-03-26 layout: AS metadata at the server origin naming another issuer is accepted, labelled', async () => {
      const srv = await tableServer((o) => ({
        '/.well-known/oauth-authorization-server': { issuer: `${o}/realms/x`, authorization_endpoint: `${o}/a`, token_endpoint: `${o}/t`, response_types_supported: ['code'] },
      }));
      servers.push(srv);
      const ctx = makeContext(`${srv.origin}/mcp`);
      const d = await discover(ctx, new URL(`${srv.origin}/mcp`));
      assert.equal(d.backCompat, true);
      assert.equal(d.as.issuer, `${srv.origin}/realms/x`);
      assert.ok(ctx.trace.all().some((e) => e.kind === 'note' && e.level === 'warn' && /back-compat \(2025-03-26\)/.test(e.message) && /names issuer/.test(e.message)));
    });
  });

  describe('resource mismatch', () => {
    for (const [label, resource] of [
      ['another origin', 'http://127.0.0.1:1/mcp'],
      ['another path', '/other'],
      ['a longer path', '/mcp/deeper'],
      ['a query', '/mcp?tenant=evil'],
    ] as const) {
      it(`PRM naming ${label} → resource_mismatch, and the AS got no request`, async () => {
        const fx = await fixture();
        fx.setOption('prm', { resource: resource.startsWith('/') ? new URL(resource, fx.mcpUrl).href : resource });
        const browser = recordingBrowser();
        const conn = connectTo(fx, { browser });
        try {
          await expectInspectorError(conn.session.connect(), 'resource_mismatch', 'protected resource metadata', fx.resourceMetadataUrl, fx.mcpUrl);
        } finally {
          await conn.close();
        }
        assert.equal(fx.requests.filter((r) => r.server === 'as').length, 0, 'no authorization server request');
        assert.equal(browser.opened.length, 0);
        assert.ok(conn.trace.all().some((e) => e.kind === 'note' && e.level === 'fail' && /no authorization server is contacted/.test(e.message)));
      });
    }
  });

  it('AS metadata whose issuer differs → issuer_mismatch (not back-compat); nothing registered or opened', async () => {
    const fx = await fixture();
    fx.setOption('asMetadata', { issuer: `${fx.issuer}/other` });
    const conn = connectTo(fx);
    try {
      await expectInspectorError(conn.session.connect(), 'issuer_mismatch', 'authorization server metadata', `${fx.issuer}/.well-known/oauth-authorization-server`);
    } finally {
      await conn.close();
    }
    assert.equal(fx.counters.register + fx.counters.authorize + fx.counters.token, 0);
    assert.equal(conn.browser.opened.length, 0);
  });

  describe('hostile metadata', () => {
    const prmBodies: Array<[string, string]> = [
      ['__proto__ key', '{"resource":"RES","authorization_servers":["AS"],"__proto__":{"polluted":true}}'],
      ['nested constructor.prototype', '{"resource":"RES","authorization_servers":["AS"],"x":{"constructor":{"prototype":{"polluted":true}}}}'],
      ['null', 'null'],
      ['an array', '[{"resource":"RES"}]'],
      ['a string', '"RES"'],
      ['resource as a number', '{"resource":5,"authorization_servers":["AS"]}'],
      ['authorization_servers as a string', '{"resource":"RES","authorization_servers":"AS"}'],
      ['scopes_supported with a number', '{"resource":"RES","authorization_servers":["AS"],"scopes_supported":["a",1]}'],
      ['not JSON', '<html>hello</html>'],
    ];
    for (const [label, body] of prmBodies) {
      it(`PRM with ${label} → refused cleanly, nothing opened, AS never contacted`, async () => {
        const fx = await fixture();
        fx.intercept = (server, req, res) => {
          if (server !== 'mcp' || !req.path.startsWith('/.well-known/')) return false;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(body.replace('RES', fx.mcpUrl).replace('AS', fx.issuer));
          return true;
        };
        const conn = connectTo(fx);
        try {
          const err = await expectInspectorError(conn.session.connect(), 'invalid_json', /protected resource metadata/, fx.resourceMetadataUrl);
          assert.ok(!/polluted/.test(err.message));
        } finally {
          await conn.close();
        }
        assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
        assert.equal(fx.requests.filter((r) => r.server === 'as').length, 0);
        assert.equal(conn.browser.opened.length, 0);
      });
    }

    const asBodies: Array<[string, (iss: string) => string]> = [
      ['__proto__ key', (iss) => `{"issuer":"${iss}","authorization_endpoint":"${iss}/authorize","token_endpoint":"${iss}/token","code_challenge_methods_supported":["S256"],"__proto__":{"polluted":true}}`],
      ['null', () => 'null'],
      ['an array', (iss) => `[{"issuer":"${iss}"}]`],
      ['issuer as a number', () => '{"issuer":5,"authorization_endpoint":"x"}'],
      ['authorization_endpoint as an object', (iss) => `{"issuer":"${iss}","authorization_endpoint":{"href":"${iss}/authorize"},"token_endpoint":"${iss}/token","code_challenge_methods_supported":["S256"]}`],
    ];
    for (const [label, body] of asBodies) {
      it(`AS metadata with ${label} → refused cleanly, nothing opened`, async () => {
        const fx = await fixture();
        fx.intercept = (server, req, res) => {
          if (server !== 'as' || !req.path.startsWith('/.well-known/')) return false;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(body(fx.issuer));
          return true;
        };
        const conn = connectTo(fx);
        let code: string | undefined;
        try {
          await conn.session.connect();
        } catch (err) {
          code = (err as { code?: string }).code;
          leakWatch.texts.push((err as Error).message);
          assert.match((err as Error).message, /authorization server metadata/);
        } finally {
          await conn.close();
        }
        assert.ok(code === 'invalid_json' || code === 'as_metadata_invalid' || code === 'issuer_mismatch', `clear refusal, got ${code}`);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
        assert.equal(fx.counters.register + fx.counters.authorize + fx.counters.token, 0);
        assert.equal(conn.browser.opened.length, 0);
      });
    }

    const schemes = [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'JAVASCRIPT:alert(1)',
      ' javascript:alert(1)',
      '\tjavascript:alert(1)',
      'java\nscript:alert(1)',
      'java\u0000script:alert(1)',
      'javascript&colon;alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'file:///etc/passwd',
      'vbscript:msgbox(1)',
      'command:workbench.action.terminal.new',
      'vscode://evil.extension/run',
      'ftp://127.0.0.1/authorize',
      '//evil.example/authorize',
      'http://evil.example/authorize',
    ];
    for (const value of schemes) {
      it(`authorization_endpoint ${JSON.stringify(value)} → refused before anything is opened`, async () => {
        const fx = await fixture();
        fx.setOption('asMetadata', { authorization_endpoint: value });
        const conn = connectTo(fx);
        let err: unknown;
        try {
          await conn.session.connect();
        } catch (e) {
          err = e;
          leakWatch.texts.push((e as Error).message);
        } finally {
          await conn.close();
        }
        assert.ok(err, 'the flow stops');
        assert.match((err as Error).message, /authorization_endpoint|authorization server metadata/);
        assert.ok(['url_scheme_refused', 'url_invalid', 'as_metadata_invalid', 'address_refused'].includes((err as { code: string }).code), `code ${(err as { code: string }).code}`);
        assert.equal(conn.browser.opened.length, 0, 'browser never called');
        assert.equal(fx.counters.authorize + fx.counters.register + fx.counters.token, 0);
      });
    }

    for (const key of ['token_endpoint', 'registration_endpoint', 'revocation_endpoint', 'jwks_uri']) {
      it(`${key} "javascript:…" → refused at discovery`, async () => {
        const fx = await fixture();
        fx.setOption('asMetadata', { [key]: 'javascript:alert(1)' });
        const conn = connectTo(fx);
        try {
          await expectInspectorError(conn.session.connect(), 'url_scheme_refused', key);
        } finally {
          await conn.close();
        }
        assert.equal(conn.browser.opened.length, 0);
        assert.equal(fx.counters.authorize + fx.counters.register + fx.counters.token, 0);
      });
    }

    it('a resource_metadata URL with a javascript: scheme in the challenge is refused before any request', async () => {
      const fx = await fixture();
      fx.intercept = (server, req, res) => {
        if (server !== 'mcp' || req.path !== '/mcp') return false;
        res.writeHead(401, { 'www-authenticate': 'Bearer resource_metadata="javascript:alert(1)"' });
        res.end();
        return true;
      };
      const conn = connectTo(fx);
      try {
        await expectInspectorError(conn.session.connect(), 'url_scheme_refused');
      } finally {
        await conn.close();
      }
      assert.deepEqual(fx.requests.map((r) => r.path), ['/mcp']);
      assert.equal(conn.browser.opened.length, 0);
    });
  });
});
