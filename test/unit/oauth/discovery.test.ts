/**
 * Discovery (RFC 9728 + RFC 8414 / OIDC, MCP order, 2025-03-26 back-compat) against the OAuth
 * fixture and small hostile servers, through the real guarded fetch. Every refusal is asserted to
 * be a clear InspectorError and to happen before anything was opened or sent onwards.
 */
import { strict as assert } from 'node:assert';
import type { ServerResponse } from 'node:http';
import { createGuardedFetch } from '../../../src/core/http/guardedFetch';
import { Redactor } from '../../../src/core/http/redact';
import { Trace } from '../../../src/core/http/trace';
import { MemorySecretStore } from '../../../src/core/memorySecretStore';
import { AuthManager } from '../../../src/core/oauth/authManager';
import { discover } from '../../../src/core/oauth/discovery';
import { CredentialKeys } from '../../../src/core/oauth/credentialStore';
import { systemClock } from '../../../src/core/ports';
import { connectTo, expectInspectorError, findLeaks, knownSecrets, leakWatch, makeContext, recordingBrowser, recordingLogger, startOAuthFixture, type Fixture } from '../../fixtures/oauthFixture';
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
    it('without a resource_metadata pointer: path-inserted, then root; then the 2025-03-26 fallback with default endpoints, labelled', async () => {
      const srv = await tableServer(() => ({}));
      servers.push(srv);
      const ctx = makeContext(`${srv.origin}/mcp`);
      const d = await discover(ctx, new URL(`${srv.origin}/mcp`));
      assert.deepEqual(paths(srv), [
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

    it('the resource_metadata URL the server advertised answers 404: discovery stops there, naming URL, status and what to publish (no well-known, no 2025-03-26 fallback)', async () => {
      // Well-known PRM and AS metadata are there, so any fallback would "succeed" and hide the cause.
      const srv = await tableServer((o) => ({
        '/.well-known/oauth-protected-resource/mcp': { resource: `${o}/mcp`, authorization_servers: [o] },
        '/.well-known/oauth-authorization-server': { issuer: o, authorization_endpoint: `${o}/a`, token_endpoint: `${o}/t`, registration_endpoint: `${o}/register`, response_types_supported: ['code'], code_challenge_methods_supported: ['S256'] },
      }));
      servers.push(srv);
      const ctx = makeContext(`${srv.origin}/mcp`);
      const err = await expectInspectorError(discover(ctx, new URL(`${srv.origin}/mcp`), `${srv.origin}/custom/prm?x=1`), 'resource_metadata_unavailable', 'HTTP 404', `${srv.origin}/custom/prm`, 'resource', 'authorization_servers');
      assert.equal(err.step, 'protected resource metadata');
      assert.equal(err.field, 'resource_metadata (WWW-Authenticate)');
      assert.equal(err.url, `${srv.origin}/custom/prm`);
      assert.doesNotMatch(err.message, /Dynamic Client Registration|2025-03-26 layout \(/);
      assert.deepEqual(paths(srv), ['/custom/prm'], 'nothing but the advertised URL was requested');
      const notes = ctx.trace.all().filter((e) => e.kind === 'note') as Array<{ level: string; message: string }>;
      assert.ok(notes.some((n) => n.level === 'fail' && /advertised/.test(n.message) && /HTTP 404/.test(n.message)));
      assert.ok(!notes.some((n) => /falling back to the 2025-03-26 layout/.test(n.message)));
    });

    it('the advertised resource_metadata URL cannot be reached: the same stop, saying so', async () => {
      const srv = await tableServer(() => ({}));
      servers.push(srv);
      const gone = await tableServer(() => ({}));
      const goneUrl = `${gone.origin}/.well-known/oauth-protected-resource/mcp`;
      await gone.close();
      const err = await expectInspectorError(discover(makeContext(`${srv.origin}/mcp`), new URL(`${srv.origin}/mcp`), goneUrl), 'resource_metadata_unavailable', 'could not be fetched', goneUrl);
      assert.equal(err.field, 'resource_metadata (WWW-Authenticate)');
      assert.deepEqual(paths(srv), [], 'no fallback request to the server');
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

  it('connect: the server advertises a resource_metadata URL that answers 404 → resource_metadata_unavailable; no AS contacted, nothing registered or opened', async () => {
    const fx = await fixture();
    fx.intercept = (server, req, res) => {
      if (server !== 'mcp' || !req.path.startsWith('/.well-known/oauth-protected-resource')) return false;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return true;
    };
    const conn = connectTo(fx);
    try {
      const err = await expectInspectorError(conn.session.connect(), 'resource_metadata_unavailable', fx.resourceMetadataUrl, 'HTTP 404');
      assert.equal(err.field, 'resource_metadata (WWW-Authenticate)');
      assert.doesNotMatch(`${err.message} ${err.hint}`, /Dynamic Client Registration|registration_endpoint/);
    } finally {
      await conn.close();
    }
    assert.equal(fx.requests.filter((r) => r.server === 'as').length, 0, 'the authorization server was never contacted');
    assert.deepEqual(fx.requests.filter((r) => r.server === 'mcp' && r.path.startsWith('/.well-known/')).map((r) => r.path), [new URL(fx.resourceMetadataUrl).pathname]);
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

/**
 * "Public" hosts without the internet: names (`*.public.example`) that the injected resolver maps to
 * public addresses, served by local servers (fetchImpl sends them to 127.0.0.1) — the same mechanism
 * as test/unit/http/address.test.ts. The MCP server itself is on loopback: the common developer setup.
 */
describe('oauth/discovery: the address policy judges the document that named a URL', () => {
  const servers: LocalServer[] = [];
  afterEach(async () => {
    while (servers.length) await servers.pop()!.close();
  });
  const PUBLIC: Record<string, string[]> = { 'as.public.example': ['104.16.0.1'], 'prm.public.example': ['104.16.0.2'] };

  async function serve(table: (origin: string) => Record<string, unknown>, name?: string): Promise<LocalServer & { named: string }> {
    let named = '';
    const srv = await startServer((req, res) => {
      const t = table(named);
      const path = new URL(req.url, 'http://x').pathname;
      if (path in t) return json(res, t[path]);
      notFound(res);
    });
    named = name ? `http://${name}:${srv.port}` : srv.origin;
    servers.push(srv);
    return Object.assign(srv, { named });
  }

  /** A context whose guarded fetch trusts the loopback MCP server and resolves *.public.example as public. */
  function publicWorldContext(mcpUrl: string) {
    const sent: string[] = [];
    const trace = new Trace();
    const redactor = new Redactor();
    const fetch = createGuardedFetch({
      policy: {
        trustedOrigin: new URL(mcpUrl),
        allowHttpHosts: Object.keys(PUBLIC),
        lookup: async (h) => PUBLIC[h] ?? (h === 'localhost' ? ['127.0.0.1'] : Promise.reject(Object.assign(new Error(`ENOTFOUND ${h}`), { code: 'ENOTFOUND' }))),
      },
      trace,
      redactor,
      fetchImpl: (url, init) => {
        sent.push(String(url));
        return globalThis.fetch(String(url).replace(/[a-z]+\.public\.example/, '127.0.0.1'), init);
      },
    });
    return { ctx: { fetch, trace, redactor, logger: recordingLogger(), clock: systemClock }, sent };
  }

  const asMetadata = (issuer: string, endpoints: Record<string, string>) => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    ...endpoints,
  });

  /** Loopback MCP server → public AS (as.public.example) whose metadata says `endpoints`. */
  async function world(endpoints: (canary: string) => Record<string, string>) {
    const canary = await serve(() => ({}));
    const as = await serve((o) => ({ '/.well-known/oauth-authorization-server': asMetadata(o, endpoints(canary.origin)) }), 'as.public.example');
    const mcp = await serve((o) => ({ '/.well-known/oauth-protected-resource/mcp': { resource: `${o}/mcp`, authorization_servers: [as.named] } }));
    return { canary, as, mcp, ...publicWorldContext(`${mcp.origin}/mcp`) };
  }

  const cases: Array<[field: string, target: (canary: string) => string, cls: string]> = [
    ['token_endpoint', (c) => `${c}/token`, 'loopback'],
    ['authorization_endpoint', (c) => `${c.replace('127.0.0.1', 'localhost')}/authorize`, 'loopback'],
    ['registration_endpoint', () => 'https://10.0.0.5/register', 'private'],
    ['revocation_endpoint', (c) => `${c.replace('127.0.0.1', '[::ffff:127.0.0.1]')}/revoke`, 'loopback'],
    ['introspection_endpoint', () => 'https://192.168.1.20/introspect', 'private'],
    ['jwks_uri', () => 'https://169.254.169.254/latest/meta-data/', 'link-local'],
  ];
  for (const [field, target, cls] of cases) {
    it(`public AS metadata naming a ${cls} ${field} is refused (MCP server on loopback): code, step, field, URL; nothing fetched there`, async () => {
      const w = await world((c) => ({ [field]: target(c) }));
      const err = await expectInspectorError(discover(w.ctx, new URL(`${w.mcp.origin}/mcp`)), 'address_refused', field, `a ${cls} address`, cls === 'link-local' ? 'link-local' : 'public address (as.public.example');
      assert.equal(err.step, 'authorization server metadata');
      assert.equal(err.field, field);
      assert.equal(err.url, new URL(target(w.canary.origin)).origin);
      assert.match(err.message, new RegExp(`${field} in http://as\\.public\\.example:${w.as.port}/\\.well-known/oauth-authorization-server is refused`));
      assert.ok(err.hint && /nothing was fetched/.test(err.hint));
      assert.equal(w.canary.requests.length, 0, 'nothing reached this machine\'s other service');
      assert.deepEqual(w.sent.map((u) => new URL(u).pathname), ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-authorization-server']);
    });
  }

  it('loopback metadata may point to loopback: a local AS naming loopback endpoints is accepted', async () => {
    const canary = await serve(() => ({}));
    const as = await serve((o) => ({ '/.well-known/oauth-authorization-server': asMetadata(o, { jwks_uri: `${canary.origin.replace('127.0.0.1', 'localhost')}/jwks`, registration_endpoint: `${canary.origin}/register` }) }));
    const mcp = await serve((o) => ({ '/.well-known/oauth-protected-resource/mcp': { resource: `${o}/mcp`, authorization_servers: [as.origin] } }));
    const { ctx } = publicWorldContext(`${mcp.origin}/mcp`);
    const d = await discover(ctx, new URL(`${mcp.origin}/mcp`));
    assert.equal(d.as.registration_endpoint, `${canary.origin}/register`);
  });

  it('a public AS naming public endpoints on its own host is accepted', async () => {
    const w = await world(() => ({}));
    const d = await discover(w.ctx, new URL(`${w.mcp.origin}/mcp`));
    assert.equal(d.as.token_endpoint, `${w.as.named}/token`);
  });

  it('PRM served from a public host (the advertised resource_metadata) may not name a loopback authorization server', async () => {
    const canary = await serve(() => ({}));
    let mcpUrl = '';
    const prm = await serve(() => ({ '/prm': { resource: mcpUrl, authorization_servers: [canary.origin] } }), 'prm.public.example');
    const mcp = await serve(() => ({}));
    mcpUrl = `${mcp.origin}/mcp`;
    const { ctx, sent } = publicWorldContext(mcpUrl);
    const err = await expectInspectorError(discover(ctx, new URL(mcpUrl), `${prm.named}/prm`), 'address_refused', 'authorization_servers', 'a loopback address', 'prm.public.example');
    assert.equal(err.step, 'authorization server metadata');
    assert.equal(err.field, 'authorization_servers');
    assert.equal(canary.requests.length, 0);
    assert.deepEqual(sent, [`${prm.named}/prm`]);
  });

  it('a resource_metadata URL pointing a loopback server\'s client at link-local is refused naming the field; nothing fetched', async () => {
    const mcp = await serve(() => ({}));
    const { ctx, sent } = publicWorldContext(`${mcp.origin}/mcp`);
    const err = await expectInspectorError(discover(ctx, new URL(`${mcp.origin}/mcp`), 'https://169.254.169.254/latest/meta-data/'), 'address_refused', 'resource_metadata (WWW-Authenticate)', 'a link-local address');
    assert.equal(err.step, 'protected resource metadata');
    assert.equal(err.field, 'resource_metadata (WWW-Authenticate)');
    assert.deepEqual(sent, []);
  });
});

describe('oauth/authManager: a stored discovery passes the address policy again on load', () => {
  const servers: LocalServer[] = [];
  afterEach(async () => {
    while (servers.length) await servers.pop()!.close();
  });

  /** A session as an older version would have stored it: a public AS (literal public address) naming `tokenEndpoint`. */
  async function storedSession(mcpUrl: string, tokenEndpoint: string) {
    const secrets = new MemorySecretStore();
    const issuer = 'https://93.184.216.34';
    const keys = new CredentialKeys(mcpUrl);
    const discovery = {
      resource: mcpUrl,
      as: { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: tokenEndpoint, code_challenge_methods_supported: ['S256'] },
      asMetadataUrl: `${issuer}/.well-known/oauth-authorization-server`,
      backCompat: false,
    };
    await secrets.store(`${keys.prefix}session`, JSON.stringify({ discovery, client_id: 'c1' }));
    await secrets.store(keys.client(issuer), JSON.stringify({ mode: 'dcr', issuer, client_id: 'c1', token_endpoint_auth_method: 'none', registered_at: 1 }));
    await secrets.store(keys.tokens(issuer, 'c1'), JSON.stringify({ access_token: 'stored-access-token-0123456789', refresh_token: 'stored-refresh-token-0123456789', token_type: 'bearer', expires_at: 1, issued_at: 0, issuer, client_id: 'c1', resource: mcpUrl, grant: 'authorization_code' }));
    return secrets;
  }

  it('a stored public AS whose token_endpoint is on this machine is not restored: no refresh is sent there', async () => {
    const canary = await startServer((_q, r) => r.end('{}'));
    servers.push(canary);
    const mcpUrl = 'http://127.0.0.1:1/mcp';
    const secrets = await storedSession(mcpUrl, `${canary.origin}/token`);
    const ctx = makeContext(mcpUrl);
    const auth = new AuthManager({ ctx, serverUrl: new URL(mcpUrl), secrets, browser: recordingBrowser(), client: { policy: 'auto' } });
    assert.equal(await auth.accessToken(), undefined, 'the stored (expired) token is not used or refreshed');
    assert.equal(auth.discovery, undefined);
    assert.equal(canary.requests.length, 0);
    const notes = ctx.trace.all().filter((e) => e.kind === 'note') as Array<{ level: string; message: string }>;
    assert.ok(notes.some((n) => n.level === 'warn' && /stored discovery is not used/.test(n.message) && /token_endpoint/.test(n.message)), JSON.stringify(notes));
  });

  it('a stored public AS with public endpoints is restored as before', async () => {
    const mcpUrl = 'http://127.0.0.1:1/mcp';
    const secrets = await storedSession(mcpUrl, 'https://93.184.216.34/token');
    const auth = new AuthManager({ ctx: makeContext(mcpUrl), serverUrl: new URL(mcpUrl), secrets, browser: recordingBrowser(), client: { policy: 'auto' } });
    await auth.load();
    assert.equal(auth.discovery?.as.token_endpoint, 'https://93.184.216.34/token');
    assert.equal(auth.state, 'signed-in');
  });
});
