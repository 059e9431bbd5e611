/**
 * [token] checks on JWT access tokens (RFC 9068): a correct token passes all five; each defect —
 * another audience, another issuer, a lifetime over 24 h, no scopes, a key the issuer never
 * published — is caught by its one check while the others stay pass. The JWKS is served by a local
 * server; the token never appears in a finding.
 */
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import type { AuditCheck, AuditCheckId } from '../../../src/shared/audit';
import { AUDIT_CHECKS } from '../../../src/shared/audit';
import { tokenChecks } from '../../../src/core/audit/checks/token';
import type { AuditContext, AuditFacts } from '../../../src/core/audit/context';
import { createConnection } from '../../../src/core/connection';
import { MemorySecretStore } from '../../../src/core/memorySecretStore';
import type { TokenSet } from '../../../src/core/oauth/tokens';

describe('audit [token] checks (JWT access tokens)', () => {
  let server: Server;
  let origin: string;
  let key: Awaited<ReturnType<typeof generateKeyPair>>;
  let stranger: Awaited<ReturnType<typeof generateKeyPair>>;

  before(async () => {
    key = await generateKeyPair('ES256');
    stranger = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    server = createServer((req, res) => {
      if (req.url === '/jwks') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  async function run(claims: JWTPayload, o: { signWith?: 'issuer' | 'stranger'; scope?: string } = {}): Promise<{ checks: AuditCheck[]; token: string }> {
    const resource = `${origin}/mcp`;
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ iss: origin, aud: resource, iat: now, exp: now + 600, sub: 'u1', client_id: 'c1', ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'at+jwt' })
      .sign((o.signWith === 'stranger' ? stranger : key).privateKey);
    const conn = createConnection({ serverUrl: resource, secrets: new MemorySecretStore(), client: { policy: 'auto' }, timeoutMs: 5000 });
    const tokens: TokenSet = { access_token: token, token_type: 'Bearer', expires_at: typeof claims.exp === 'number' ? claims.exp : now + 600, issued_at: now, scope: o.scope, issuer: origin, client_id: 'c1', resource, grant: 'authorization_code' };
    conn.redactor.addSecret(token);
    await conn.auth.load();
    conn.auth.tokens = tokens;
    conn.auth.discovery = { resource, as: { issuer: origin, jwks_uri: `${origin}/jwks` }, backCompat: false };
    conn.auth.client = { mode: 'dcr', issuer: origin, client_id: 'c1', token_endpoint_auth_method: 'none', registered_at: now };
    const facts: AuditFacts = { tokens, discovery: conn.auth.discovery };
    const checks: AuditCheck[] = [];
    const ctx: AuditContext = {
      serverUrl: new URL(resource),
      conn,
      options: { callTools: 'read-only', waitExpiry: false },
      facts,
      mcp: async () => {
        throw new Error('no MCP requests in token checks');
      },
      report: (c) => checks.push({ ...c, category: AUDIT_CHECKS[c.id].category, title: AUDIT_CHECKS[c.id].title, spec: c.spec ?? [...AUDIT_CHECKS[c.id].spec] }),
      skip: (id, reason, subject) => checks.push({ id, subject, level: 'skip', finding: reason, exchanges: [], category: AUDIT_CHECKS[id].category, title: '', spec: [] }),
      sleep: async () => {},
    };
    await tokenChecks(ctx);
    await conn.close();
    return { checks, token };
  }

  const level = (checks: AuditCheck[], id: AuditCheckId) => checks.find((c) => c.id === id)?.level;
  const ALL: AuditCheckId[] = ['token.audience', 'token.issuer', 'token.lifetime', 'token.scopes', 'token.signature'];
  function only(checks: AuditCheck[], expected: Partial<Record<AuditCheckId, string>>): void {
    for (const id of ALL) assert.equal(level(checks, id), expected[id] ?? 'pass', `${id}: ${checks.find((c) => c.id === id)?.finding}`);
    assert.equal(checks.length, ALL.length, 'each check once');
  }

  it('a correct token: all five pass, and the token is in no finding', async () => {
    const { checks, token } = await run({ scope: 'mcp:read' });
    only(checks, {});
    assert.ok(!JSON.stringify(checks).includes(token));
  });
  it('defect: another audience → token.audience', async () => only((await run({ scope: 'mcp:read', aud: 'https://other.example/api' })).checks, { 'token.audience': 'fail' }));
  it('defect: another issuer → token.issuer', async () => only((await run({ scope: 'mcp:read', iss: 'https://other-issuer.example' })).checks, { 'token.issuer': 'fail' }));
  it('defect: a token living 48 h → token.lifetime warns', async () => {
    const now = Math.floor(Date.now() / 1000);
    only((await run({ scope: 'mcp:read', exp: now + 48 * 3600 })).checks, { 'token.lifetime': 'warn' });
  });
  it('defect: no scope in the token nor the response → token.scopes warns', async () => only((await run({})).checks, { 'token.scopes': 'warn' }));
  it('defect: signed by a key the issuer never published → token.signature', async () => only((await run({ scope: 'mcp:read' }, { signWith: 'stranger' })).checks, { 'token.signature': 'fail' }));
});
