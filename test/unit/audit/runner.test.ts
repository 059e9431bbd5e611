/**
 * The audit runner against the local OAuth fixture (test/fixtures/oauthFixture.ts): a correct server
 * has no `fail` and every check of the catalog in its report; each defect of the discovery,
 * authorization-server, registration and transport categories, planted alone, is caught by its check
 * while the others stay as they were; the report, the trace and the JSON hold none of the tokens.
 */
import { strict as assert } from 'node:assert';
import type { ServerResponse } from 'node:http';
import { AUDIT_CHECKS, type AuditCheckId, type AuditReport } from '../../../src/shared/audit';
import { runAudit, type RunAuditOptions } from '../../../src/core/audit/runner';
import { Trace } from '../../../src/core/http/trace';
import { auditJson, auditJunit, auditMarkdown, auditText } from '../../../src/present/audit';
import { startMcpServer } from '../../fixtures/mcpServers';
import { startMcpServerV2 } from '../../fixtures/mcpServerV2';
import { findLeaks, knownSecrets, useOAuthFixtures, type Fixture, type FixtureOptions } from '../../fixtures/oauthFixture';

type Levels = Partial<Record<AuditCheckId, string>>;

/** id → level (per-tool checks: the worst level over the tools). */
function levels(r: AuditReport): Levels {
  const rank = { fail: 0, warn: 1, pass: 2, skip: 3 } as const;
  const out: Levels = {};
  for (const c of r.checks) {
    const prev = out[c.id] as keyof typeof rank | undefined;
    if (!prev || rank[c.level] < rank[prev]) out[c.id] = c.level;
  }
  return out;
}

function fails(r: AuditReport): string[] {
  return [...new Set(r.checks.filter((c) => c.level === 'fail').map((c) => c.id))].sort();
}

describe('audit runner (oauth fixture)', function () {
  this.timeout(60_000);
  const { fixture, track } = useOAuthFixtures();
  const audit = (fx: Fixture, o: Partial<RunAuditOptions> = {}) => runAudit({ serverUrl: fx.mcpUrl, headless: true, timeoutMs: 5000, ...o });

  let baseline: Levels;
  const correct: FixtureOptions = { requiredScopes: ['mcp'], asMetadata: { scopes_supported: ['mcp', 'offline_access'] } };

  it('a correct server: no fail, every catalog check reported, the non-per-tool ones exactly once', async () => {
    const fx = await fixture(correct);
    const trace = new Trace(20_000);
    const r = await audit(fx, { trace });
    assert.deepEqual(fails(r), [], auditText(r));
    for (const id of Object.keys(AUDIT_CHECKS) as AuditCheckId[]) {
      const n = r.checks.filter((c) => c.id === id).length;
      if (AUDIT_CHECKS[id].category === 'tool-security') assert.ok(n >= 1, `${id} reported`);
      else assert.equal(n, 1, `${id} reported ${n} times`);
    }
    assert.ok(!r.checks.some((c) => /did not run|does not run this check/.test(c.finding)), auditText(r));
    assert.equal(r.summary.pass + r.summary.warn + r.summary.fail + r.summary.skip, r.checks.length);
    assert.ok(r.requests > 10 && r.requests === trace.all().filter((e) => e.kind === 'http' && e.response).length, `${r.requests} requests`);
    for (const c of r.checks) if (c.level === 'fail' || c.level === 'warn') assert.ok(c.fix, `${c.id} has a fix`);
    for (const c of r.checks) if (c.level === 'skip') assert.ok(c.finding.length > 5, `${c.id} says why it skipped`);
    baseline = levels(r);
    // the runner's one sign-in is reported once (further authorizations are the resource-server probes' own)
    assert.equal(r.checks.filter((c) => c.id === 'authorization-server.sign-in' && c.level === 'pass').length, 1);
    // no secret the fixture issued is in the report, any rendering of it, or the trace
    const everything = [JSON.stringify(r), auditJson(r), auditText(r), auditMarkdown(r), auditJunit(r), JSON.stringify(trace.all())].join('\n');
    assert.deepEqual(findLeaks(everything, knownSecrets()), []);
    assert.ok(fx.issued.accessTokens.length >= 1);
    // An access token goes only to the MCP server — at the authorization server only to revoke or introspect it (RFC 7009, RFC 7662).
    for (const q of fx.requests.filter((x) => x.server === 'as' && !/^\/(revoke|introspect)/.test(x.path))) {
      assert.deepEqual(findLeaks(`${q.path}\n${JSON.stringify(q.headers)}\n${q.body}`, fx.issued.accessTokens), [], `${q.method} ${q.path}`);
    }
  });

  it('only: runs the named categories and nothing else', async () => {
    const fx = await fixture(correct);
    const r = await audit(fx, { only: ['discovery'] });
    assert.ok(r.checks.length > 0 && r.checks.every((c) => c.category === 'discovery'));
    assert.equal(fx.counters.authorize, 0, 'discovery alone needs no sign-in');
  });

  it('unreachable server: the audit throws (the CLI exits 2)', async () => {
    await assert.rejects(runAudit({ serverUrl: 'http://127.0.0.1:1/mcp', headless: true, timeoutMs: 2000 }), (e: Error & { code?: string }) => e.code === 'network_error');
  });

  /** Plants one defect, audits, and checks that exactly `expect` changed to the given levels (others as in the baseline). */
  async function planted(opts: FixtureOptions, setup: (fx: Fixture) => void, expect: Levels, also: Partial<RunAuditOptions> = {}, allowChanged: AuditCheckId[] = []): Promise<AuditReport> {
    const fx = await fixture({ ...correct, ...opts, asMetadata: { ...correct.asMetadata, ...(opts.asMetadata ?? {}) } });
    setup(fx);
    const r = await audit(fx, also);
    const got = levels(r);
    for (const [id, level] of Object.entries(expect)) assert.equal(got[id as AuditCheckId], level, `${id}: ${r.checks.find((c) => c.id === id)?.finding}`);
    const unexpected = fails(r).filter((id) => !(id in expect) && !allowChanged.includes(id as AuditCheckId));
    assert.deepEqual(unexpected, [], auditText(r));
    return r;
  }

  const mcpIntercept = (fx: Fixture, fn: (req: { method: string; path: string; headers: Record<string, string>; body: string }, res: ServerResponse) => boolean) => {
    fx.intercept = (server, req, res) => (server === 'mcp' ? fn(req, res) : false);
  };

  it('defect: the 401 challenge has no resource_metadata → discovery.resource-metadata-in-challenge', async () => {
    await planted({}, (fx) =>
      mcpIntercept(fx, (req, res) => {
        if (req.path !== '/mcp' || req.headers.authorization) return false;
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer scope="mcp"' }).end('{}');
        return true;
      }),
      { 'discovery.resource-metadata-in-challenge': 'fail', 'discovery.metadata-at-advertised-url': 'skip', 'discovery.metadata-at-well-known': 'pass', 'authorization-server.sign-in': 'pass' },
    );
  });

  it('defect: 403 instead of 401 without a token → discovery.unauthenticated-challenge', async () => {
    await planted({}, (fx) =>
      mcpIntercept(fx, (req, res) => {
        if (req.path !== '/mcp' || req.headers.authorization) return false;
        res.writeHead(403, { 'content-type': 'application/json', 'www-authenticate': `Bearer resource_metadata="${fx.resourceMetadataUrl}"` }).end('{}');
        return true;
      }),
      { 'discovery.unauthenticated-challenge': 'fail', 'authorization-server.sign-in': 'pass' },
      {},
      ['resource-server.no-token', 'resource-server.query-string-token'],
    );
  });

  it('defect: a request without a token gets HTTP 500 → discovery.unauthenticated-challenge names the status', async () => {
    const fx = await fixture(correct);
    mcpIntercept(fx, (req, res) => {
      if (req.path !== '/mcp' || req.headers.authorization) return false;
      res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
      return true;
    });
    const r = await audit(fx, { only: ['discovery'] });
    const c = r.checks.find((x) => x.id === 'discovery.unauthenticated-challenge')!;
    assert.equal(c.level, 'fail');
    assert.match(c.finding, /HTTP 500 instead of 401/);
    assert.equal(levels(r)['discovery.metadata-at-well-known'], 'pass', 'discovery still finds the metadata at the well-known URL');
  });

  it('defect: the metadata is served as text/plain → discovery.metadata-served-as-json', async () => {
    await planted({}, (fx) =>
      mcpIntercept(fx, (req, res) => {
        if (!req.path.startsWith('/.well-known/oauth-protected-resource')) return false;
        res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify({ resource: fx.mcpUrl, authorization_servers: [fx.issuer], scopes_supported: ['mcp'] }));
        return true;
      }),
      { 'discovery.metadata-served-as-json': 'fail', 'discovery.metadata-resource-matches': 'pass' },
    );
  });

  it('defect: the metadata names another resource → discovery.metadata-resource-matches (sign-in cannot start)', async () => {
    const r = await planted({ prm: { resource: 'http://127.0.0.1:9/mcp' } }, () => {}, { 'discovery.metadata-resource-matches': 'fail', 'authorization-server.sign-in': 'fail' });
    const skipped = r.checks.filter((c) => c.category === 'token');
    assert.ok(skipped.every((c) => c.level === 'skip' && /sign-in failed/.test(c.finding)));
  });

  it('defect: authorization_servers names a URL with no metadata → discovery.authorization-servers-resolve and authorization-server.metadata-found (sign-in cannot start)', async () => {
    await planted({}, (fx) =>
      mcpIntercept(fx, (req, res) => {
        if (!req.path.startsWith('/.well-known/oauth-protected-resource')) return false;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ resource: fx.mcpUrl, authorization_servers: [`${fx.issuer}/nowhere`], scopes_supported: ['mcp'] }));
        return true;
      }),
      { 'discovery.authorization-servers-resolve': 'fail', 'authorization-server.metadata-found': 'fail', 'authorization-server.sign-in': 'fail', 'discovery.metadata-resource-matches': 'pass' },
    );
  });

  it('defect: the challenge asks for a scope scopes_supported lacks → discovery.challenge-scope-supported', async () => {
    await planted({}, (fx) =>
      mcpIntercept(fx, (req, res) => {
        if (req.path !== '/mcp' || req.headers.authorization) return false;
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Bearer resource_metadata="${fx.resourceMetadataUrl}", scope="mcp admin"` }).end('{}');
        return true;
      }),
      { 'discovery.challenge-scope-supported': 'fail' },
    );
  });

  it('defect: issuer differs from where the metadata is → authorization-server.issuer-matches', async () => {
    await planted({}, (fx) => fx.setOption('asMetadata', { ...correct.asMetadata, issuer: 'http://127.0.0.1:9' }), { 'authorization-server.issuer-matches': 'fail', 'authorization-server.sign-in': 'fail' });
  });

  it('issuer differs only by a trailing slash → issuer-matches warns; the iss the server sends then disagrees with it (iss-parameter)', async () => {
    await planted({}, (fx) => fx.setOption('asMetadata', { ...correct.asMetadata, issuer: `${fx.issuer}/` }), { 'authorization-server.issuer-matches': 'warn', 'authorization-server.iss-parameter': 'fail', 'authorization-server.sign-in': 'fail' });
  });

  it('defect: no S256 → authorization-server.pkce-s256', async () => {
    await planted({ asMetadata: { code_challenge_methods_supported: ['plain'] } }, () => {}, { 'authorization-server.pkce-s256': 'fail', 'authorization-server.sign-in': 'fail' });
  });

  it('defect: a wrong iss in the authorization response → authorization-server.iss-parameter', async () => {
    await planted({ issParameter: 'wrong' }, () => {}, { 'authorization-server.iss-parameter': 'fail', 'authorization-server.sign-in': 'fail' });
  });

  it('no iss and none advertised → authorization-server.iss-parameter warns', async () => {
    await planted({ issParameter: 'none' }, () => {}, { 'authorization-server.iss-parameter': 'warn', 'authorization-server.sign-in': 'pass' });
  });

  it('defect: token responses without Cache-Control: no-store → authorization-server.token-no-store', async () => {
    const fetchImpl: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!String(input).endsWith('/token')) return res;
      const headers = new Headers(res.headers);
      headers.delete('cache-control');
      return new Response(await res.arrayBuffer(), { status: res.status, headers });
    };
    await planted({}, () => {}, { 'authorization-server.token-no-store': 'fail', 'authorization-server.refresh-rotation': 'pass' }, { fetchImpl });
  });

  it('defect: jwks_uri publishes a private key → authorization-server.jwks-usable', async () => {
    await planted({}, (fx) => {
      fx.setOption('asMetadata', { ...correct.asMetadata, jwks_uri: `${fx.issuer}/jwks` });
      fx.intercept = (server, req, res) => {
        if (server !== 'as' || req.path !== '/jwks') return false;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI' }] }));
        return true;
      };
    }, { 'authorization-server.jwks-usable': 'fail' });
  });

  it('defect: offline_access offered but no refresh token → authorization-server.refresh-offline-access', async () => {
    await planted({ issueRefreshTokens: false }, () => {}, { 'authorization-server.refresh-offline-access': 'fail', 'authorization-server.refresh-rotation': 'skip', 'clients.offline-refresh': 'warn' });
  });

  it('defect: the refresh token is refused → authorization-server.refresh-rotation', async () => {
    await planted({}, (fx) => {
      fx.intercept = (server, req, res) => {
        if (server !== 'as' || req.path !== '/token' || !/grant_type=refresh_token/.test(req.body)) return false;
        res.writeHead(400, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ error: 'invalid_grant' }));
        return true;
      };
    }, { 'authorization-server.refresh-rotation': 'fail', 'clients.offline-refresh': 'warn' });
  });

  it('defect: DCR accepts a non-loopback http: redirect → registration.dcr-refuses-http-redirect', async () => {
    await planted({}, (fx) => {
      fx.intercept = (server, req, res) => {
        if (server !== 'as' || req.path !== '/register' || !req.body.includes('http://mcp-audit.example.com')) return false;
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ client_id: 'accepted-http', redirect_uris: ['http://mcp-audit.example.com/callback'], token_endpoint_auth_method: 'none' }));
        return true;
      };
    }, { 'registration.dcr-refuses-http-redirect': 'fail', 'registration.dcr-refuses-javascript-redirect': 'pass' });
  });

  it('defect: DCR accepts a javascript: redirect → registration.dcr-refuses-javascript-redirect', async () => {
    await planted({}, (fx) => {
      fx.intercept = (server, req, res) => {
        if (server !== 'as' || req.path !== '/register' || !req.body.includes('javascript:')) return false;
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ client_id: 'accepted-js', token_endpoint_auth_method: 'none' }));
        return true;
      };
    }, { 'registration.dcr-refuses-javascript-redirect': 'fail', 'registration.dcr-refuses-http-redirect': 'pass' });
  });

  it('defect: the authorization endpoint redirects to an unregistered redirect URI → registration.authorize-refuses-unregistered-redirect', async () => {
    await planted({}, (fx) => {
      fx.intercept = (server, req, res) => {
        if (server !== 'as' || !req.path.startsWith('/authorize')) return false;
        const p = new URL(req.path, fx.issuer).searchParams;
        const client = fx.clients.get(p.get('client_id') ?? '');
        const uri = p.get('redirect_uri') ?? '';
        if (!client || client.redirect_uris?.some((r) => new URL(r).pathname === new URL(uri).pathname && new URL(r).hostname === new URL(uri).hostname)) return false;
        res.writeHead(302, { location: `${uri}?error=invalid_request` }).end();
        return true;
      };
    }, { 'registration.authorize-refuses-unregistered-redirect': 'fail', 'registration.authorize-refuses-unknown-client': 'pass' });
  });

  it('defect: an unknown client_id is redirected to its redirect_uri → registration.authorize-refuses-unknown-client', async () => {
    await planted({}, (fx) => {
      fx.intercept = (server, req, res) => {
        if (server !== 'as' || !req.path.startsWith('/authorize')) return false;
        const p = new URL(req.path, fx.issuer).searchParams;
        if (fx.clients.has(p.get('client_id') ?? '')) return false;
        res.writeHead(302, { location: `${p.get('redirect_uri')}?error=invalid_client` }).end();
        return true;
      };
    }, { 'registration.authorize-refuses-unknown-client': 'fail', 'registration.authorize-refuses-unregistered-redirect': 'pass' });
  });

  it('no registration option advertised: a warning, and the registration matrix says why it skipped', async () => {
    const fx = await fixture({ ...correct, asMetadata: { ...correct.asMetadata, registration_endpoint: undefined } });
    fx.addClient({ client_id: 'pre-registered-audit', token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/callback'] });
    const r = await audit(fx, { clientId: 'pre-registered-audit' });
    const got = levels(r);
    assert.equal(got['authorization-server.registration-advertised'], 'warn');
    assert.equal(got['registration.pre-registered'], 'pass');
    assert.equal(got['registration.dynamic-client-registration'], 'skip');
    assert.equal(got['clients.loopback-registration'], 'warn');
    assert.deepEqual(fails(r), [], auditText(r));
  });

  describe('per-tool servers (anyone may connect)', () => {
    const perTool: FixtureOptions = { ...correct, requiredScopes: [], anonymousTools: true, toolScopes: { echo: ['mcp'] }, tools: [{ name: 'echo', securitySchemes: [{ type: 'oauth2', scopes: ['mcp'] }] }] };

    it('the 401 is checked on a protected tool call; clients that act only on the tool-level challenge are warned about', async () => {
      const fx = await fixture(perTool);
      const r = await audit(fx, { callTools: 'all' });
      const got = levels(r);
      assert.equal(got['discovery.unauthenticated-challenge'], 'pass', r.checks.find((c) => c.id === 'discovery.unauthenticated-challenge')?.finding);
      assert.match(r.checks.find((c) => c.id === 'discovery.unauthenticated-challenge')!.finding, /echo/);
      assert.equal(got['clients.http-challenge-only'], 'pass');
      assert.equal(got['clients.meta-challenge-only'], 'warn');
      assert.deepEqual(fails(r), [], auditText(r));
    });

    it('refused only with a tool-level _meta challenge: discovery and clients.http-challenge-only warn, clients.meta-challenge-only passes', async () => {
      const fx = await fixture(perTool);
      mcpIntercept(fx, (req, res) => {
        if (req.path !== '/mcp' || req.headers.authorization || !req.body.includes('"tools/call"')) return false;
        const id = (JSON.parse(req.body) as { id: number }).id;
        const challenge = `Bearer resource_metadata="${fx.resourceMetadataUrl}", error="invalid_token", scope="mcp"`;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, result: { isError: true, content: [{ type: 'text', text: 'sign in' }], _meta: { 'mcp/www_authenticate': [challenge] } } }));
        return true;
      });
      const r = await audit(fx, { callTools: 'all', only: ['discovery', 'clients'] });
      const got = levels(r);
      assert.equal(got['discovery.unauthenticated-challenge'], 'warn');
      assert.equal(got['discovery.resource-metadata-in-challenge'], 'pass');
      assert.equal(got['clients.http-challenge-only'], 'warn');
      assert.equal(got['clients.meta-challenge-only'], 'pass');
    });

    it('defect: a tool declared oauth2 answers without a token → discovery.unauthenticated-challenge', async () => {
      const fx = await fixture({ ...perTool, toolScopes: {} });
      const r = await audit(fx, { callTools: 'all', only: ['discovery'] });
      assert.equal(levels(r)['discovery.unauthenticated-challenge'], 'fail');
    });

    it('an error without a challenge (the input check ran first) is inconclusive, not a fail', async () => {
      const fx = await fixture(perTool);
      mcpIntercept(fx, (req, res) => {
        if (req.path !== '/mcp' || req.headers.authorization || !req.body.includes('"tools/call"')) return false;
        const id = (JSON.parse(req.body) as { id: number }).id;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32602, message: 'Invalid params' } }));
        return true;
      });
      const r = await audit(fx, { callTools: 'all', only: ['discovery', 'clients'] });
      const c = r.checks.find((x) => x.id === 'discovery.unauthenticated-challenge')!;
      assert.equal(c.level, 'skip', c.finding);
      assert.match(c.finding, /input check/);
      assert.deepEqual(fails(r), [], auditText(r));
    });

    it('the anonymous probe never calls a tool that is not read-only unless asked: it sends arguments that fail the schema, or nothing', async () => {
      const fx = await fixture(perTool);
      await audit(fx, { only: ['discovery'] });
      const calls = fx.requests.filter((q) => q.server === 'mcp' && q.body.includes('"tools/call"'));
      assert.deepEqual(calls, [], 'echo has no input properties to get wrong, so it is not called');
    });
  });

  it('a server without OAuth (SDK v2, 2026-07-28): no fail; the OAuth checks skip saying so; the stateless transport is checked', async () => {
    const v2 = await startMcpServerV2();
    track(v2);
    const r = await runAudit({ serverUrl: v2.url.href, headless: true, timeoutMs: 5000 });
    assert.deepEqual(fails(r), [], auditText(r));
    for (const c of r.checks.filter((x) => x.category === 'discovery' || x.category === 'authorization-server' || x.category === 'registration' || x.category === 'token')) {
      assert.equal(c.level, 'skip', c.id);
      assert.match(c.finding, /does not use OAuth/, c.id);
    }
    const got = levels(r);
    assert.equal(got['transport.protocol-version'], 'pass');
    assert.equal(got['transport.session-behaviour'], 'pass');
    assert.equal(r.protocolVersion, '2026-07-28');
    assert.ok(!v2.requests.some((q) => q.headers.authorization), 'no token was sent to a server that asked for none');
  });

  describe('older versions a 2026-07-28 server claims (server/discover supportedVersions)', () => {
    /** Adds 2025-06-18 to every server/discover answer, as a server that claims it would. */
    const claimOlder: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!/"server\/discover"/.test(String(init?.body ?? '')) || !(res.headers.get('content-type') ?? '').includes('json')) return res;
      const body = (await res.json()) as { result?: { supportedVersions?: string[] } };
      if (body.result?.supportedVersions) body.result.supportedVersions = [...body.result.supportedVersions, '2025-06-18'];
      return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
    };

    it('claimed and served (the SDK answers initialize for it): pass', async () => {
      const v2 = await startMcpServerV2({ legacy: 'stateless' });
      track(v2);
      const r = await runAudit({ serverUrl: v2.url.href, headless: true, timeoutMs: 5000, fetchImpl: claimOlder, only: ['transport'] });
      const c = r.checks.find((x) => x.id === 'transport.older-versions')!;
      assert.equal(c.level, 'pass', c.finding);
      assert.match(c.finding, /2025-06-18/);
    });

    it('defect: claimed but initialize is refused → transport.older-versions', async () => {
      const v2 = await startMcpServerV2({ legacy: 'reject' });
      track(v2);
      const r = await runAudit({ serverUrl: v2.url.href, headless: true, timeoutMs: 5000, fetchImpl: claimOlder, only: ['transport'] });
      const c = r.checks.find((x) => x.id === 'transport.older-versions')!;
      assert.equal(c.level, 'fail', c.finding);
      assert.deepEqual(fails(r), ['transport.older-versions'], auditText(r));
    });
  });

  it('defect: a session id is handed out but an unknown one is served anyway → transport.session-behaviour warns', async () => {
    const fx = await fixture(correct);
    const fetchImpl: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!/"initialize"/.test(String(init?.body ?? ''))) return res;
      const headers = new Headers(res.headers);
      headers.set('mcp-session-id', 'fixture-session-1');
      return new Response(await res.arrayBuffer(), { status: res.status, headers });
    };
    const r = await audit(fx, { fetchImpl, only: ['transport'] });
    const c = r.checks.find((x) => x.id === 'transport.session-behaviour')!;
    assert.equal(c.level, 'warn', c.finding);
    assert.match(c.finding, /unknown session id was answered HTTP 200/);
  });

  it('the legacy HTTP+SSE transport (no OAuth): found by its stream, no fail, no stream left hanging', async () => {
    const sse = await startMcpServer({ transport: 'sse-only' });
    track(sse);
    const started = Date.now();
    const r = await runAudit({ serverUrl: sse.url.href, headless: true, timeoutMs: 5000 });
    assert.deepEqual(fails(r), [], auditText(r));
    assert.match(r.checks.find((c) => c.id === 'transport.protocol-version')!.finding, /HTTP\+SSE/);
    assert.ok(r.checks.find((c) => c.id === 'authorization-server.sign-in')?.finding.includes('does not use OAuth'));
    assert.ok(Date.now() - started < 10_000, 'no probe waited for a stream to end');
  });

  it('CORS on the MCP endpoint and the metadata: a server that allows browser clients passes both', async () => {
    const fx = await fixture(correct);
    mcpIntercept(fx, (req, res) => {
      if (req.method !== 'OPTIONS') return false;
      res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, POST, DELETE', 'access-control-allow-headers': 'authorization, content-type, mcp-protocol-version, mcp-session-id' }).end();
      return true;
    });
    const r = await audit(fx, { only: ['transport'] });
    const got = levels(r);
    assert.equal(got['transport.cors-mcp'], 'pass');
    assert.equal(got['transport.cors-metadata'], 'warn', 'the fixture serves metadata without CORS');
    assert.equal(got['transport.protocol-version'], 'pass');
    assert.equal(got['transport.session-behaviour'], 'pass');
  });

  it('the registration matrix in order: pre-registered (the sign-in), then CIMD and DCR each tried on their own', async () => {
    const fx = await fixture({ ...correct, asMetadata: { ...correct.asMetadata, client_id_metadata_document_supported: true } });
    fx.addClient({ client_id: 'pre-registered-audit', token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/callback'] });
    const r = await audit(fx, { clientId: 'pre-registered-audit', only: ['registration', 'clients'] });
    const got = levels(r);
    assert.equal(got['registration.pre-registered'], 'pass');
    assert.equal(got['registration.client-id-metadata-document'], 'pass', r.checks.find((c) => c.id === 'registration.client-id-metadata-document')?.finding);
    assert.equal(got['registration.dynamic-client-registration'], 'pass');
    assert.equal(got['clients.loopback-registration'], 'pass');
    // the CIMD probe's authorization request was sent and read, never completed: no code was exchanged for it
    const exchanged = fx.requests.filter((q) => q.server === 'as' && q.path === '/token' && /grant_type=authorization_code/.test(q.body));
    assert.ok(exchanged.every((q) => q.body.includes('client_id=pre-registered-audit')), 'only the sign-in exchanged a code');
  });

  it('a sign-in that cannot complete is a finding: the checks that need a token skip with the reason', async () => {
    const fx = await fixture(correct);
    fx.intercept = (server, req, res) => {
      if (server !== 'as' || !req.path.startsWith('/authorize')) return false;
      res.writeHead(500, { 'content-type': 'text/plain' }).end('down');
      return true;
    };
    const r = await audit(fx);
    const got = levels(r);
    assert.equal(got['authorization-server.sign-in'], 'fail');
    for (const c of r.checks.filter((x) => x.category === 'token' || x.id === 'authorization-server.refresh-rotation')) assert.equal(c.level, 'skip', c.id);
    assert.ok(r.checks.find((c) => c.id === 'token.audience')!.finding.includes('sign-in failed'));
  });
});
