/**
 * Token inspection against real keys (jose) and LOCAL servers this test starts on 127.0.0.1: a JWKS
 * endpoint and an RFC 7662 introspection endpoint, reached through a real guarded fetch.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { ClientSecretBasic } from 'oauth4webapi';
import { InspectorError, isInspectorError } from '../../../src/core/errors';
import { createGuardedFetch } from '../../../src/core/http/guardedFetch';
import type { GuardedFetch } from '../../../src/core/http/guardedFetch';
import { Redactor } from '../../../src/core/http/redact';
import { Trace } from '../../../src/core/http/trace';
import { decodeTokenClaims, inspectToken, MAX_TOKEN_CHARS } from '../../../src/core/inspect/token';
import type { InspectTokenOptions, TokenInspection } from '../../../src/core/inspect/token';

const ISSUER = 'https://as.example';
const RESOURCE = 'https://mcp.example/mcp';
const CLIENT_ID = 'inspector-client';
const CLIENT_SECRET = 'client-secret-value-123';
const NOW_MS = Date.now();
const NOW_S = Math.floor(NOW_MS / 1000);

interface Seen {
  path: string;
  authorization?: string;
  body: string;
}

describe('core/inspect/token', () => {
  let server: http.Server;
  let base: string;
  let seen: Seen[];
  let signKey: CryptoKey;
  let otherKey: CryptoKey;
  let publicJwk: JWK;
  /** Introspection answers by token value (what the AS "knows"). */
  const introspectionDb = new Map<string, Record<string, unknown>>();
  let trace: Trace;
  let gfetch: GuardedFetch;

  before(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    signKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    otherKey = (await generateKeyPair('RS256')).privateKey;

    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        seen.push({ path: url.pathname, authorization: req.headers.authorization, body });
        const json = (status: number, value: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        switch (url.pathname) {
          case '/jwks':
            return json(200, { keys: [publicJwk] });
          case '/jwks-500':
            return json(500, { error: 'server_error' });
          case '/jwks-not-json':
            res.writeHead(200, { 'content-type': 'text/html' });
            return res.end('<html>nope</html>');
          case '/jwks-redirect':
            res.writeHead(302, { location: 'https://evil.example/jwks' });
            return res.end();
          case '/introspect': {
            // RFC 6749 §2.3.1: Basic credentials are form-urlencoded before base64.
            const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
            const [id, secret] = Buffer.from(basic, 'base64').toString().split(':').map((v) => decodeURIComponent(v.replace(/\+/g, ' ')));
            const token = new URLSearchParams(body).get('token') ?? '';
            if (id !== CLIENT_ID || secret !== CLIENT_SECRET) return json(401, { error: 'invalid_client', error_description: 'bad client credentials' });
            return json(200, introspectionDb.get(token) ?? { active: false });
          }
          case '/introspect-echo': {
            // A hostile server echoing the token back everywhere it can.
            const token = new URLSearchParams(body).get('token') ?? '';
            return json(400, { error: 'invalid_request', error_description: `bad token ${token}` });
          }
          case '/introspect-echo-ok': {
            const token = new URLSearchParams(body).get('token') ?? '';
            return json(200, { active: true, scope: 'read', token, note: `you sent ${token}` });
          }
          case '/introspect-echo-key': {
            const token = new URLSearchParams(body).get('token') ?? '';
            return json(200, { active: true, [token]: { [token]: token } });
          }
          default:
            res.writeHead(404);
            return res.end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    seen = [];
    trace = new Trace();
    gfetch = createGuardedFetch({ policy: { trustedOrigin: new URL(base) }, trace, redactor: new Redactor() });
  });

  async function jwt(claims: Record<string, unknown> = {}, opts: { key?: CryptoKey; kid?: string; typ?: string; alg?: string } = {}): Promise<string> {
    const defaults: Record<string, unknown> = {
      iss: ISSUER,
      sub: 'user-1',
      aud: RESOURCE,
      client_id: CLIENT_ID,
      iat: NOW_S - 60,
      exp: NOW_S + 3600,
      jti: 'jti-1',
      scope: 'tools:read tools:write',
    };
    const payload: Record<string, unknown> = { ...defaults, ...claims };
    for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
    return new SignJWT(payload)
      .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: opts.kid ?? 'k1', typ: opts.typ ?? 'at+jwt' })
      .sign(opts.key ?? signKey);
  }

  /** A JWS-shaped token with arbitrary header/payload text (the signature is junk). */
  function forged(payloadJson: string, header: unknown = { alg: 'RS256', kid: 'k1', typ: 'at+jwt' }): string {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    return `${b64(JSON.stringify(header))}.${b64(payloadJson)}.${b64('not-a-real-signature-bytes')}`;
  }

  function inspect(token: string, extra: Partial<InspectTokenOptions> = {}): Promise<TokenInspection> {
    return inspectToken({
      token,
      expectedIssuer: ISSUER,
      expectedAudience: RESOURCE,
      jwksUri: `${base}/jwks`,
      fetch: gfetch,
      now: () => NOW_MS,
      ...extra,
    });
  }

  function find(r: TokenInspection, code: string) {
    return r.findings.find((f) => f.code === code);
  }

  function assertNoLeak(token: string, r: unknown) {
    assert.ok(!JSON.stringify(r).includes(token), 'token value leaked into the result');
    assert.ok(!JSON.stringify(trace.all()).includes(token), 'token value leaked into the trace');
  }

  describe('JWT access tokens (RFC 9068)', () => {
    it('verifies a good token against the issuer JWKS fetched through the guarded fetch', async () => {
      const token = await jwt();
      const r = await inspect(token, { requiredScopes: ['tools:read'] });
      assert.equal(r.format, 'jwt');
      assert.equal(r.source, 'jwt');
      assert.equal(r.verified, true);
      assert.deepEqual(r.header, { alg: 'RS256', kid: 'k1', typ: 'at+jwt' });
      assert.equal(r.claims?.sub, 'user-1');
      assert.equal(r.issuer, ISSUER);
      assert.equal(r.subject, 'user-1');
      assert.deepEqual(r.audience, [RESOURCE]);
      assert.deepEqual(r.scopes, ['tools:read', 'tools:write']);
      assert.equal(r.expiresAt, NOW_S + 3600);
      assert.equal(r.issuedAt, NOW_S - 60);
      for (const code of ['signature_valid', 'issuer_match', 'audience_match', 'not_expired', 'scope_present']) {
        assert.equal(find(r, code)?.level, 'pass', code);
      }
      assert.ok(!r.findings.some((f) => f.level === 'fail' || f.level === 'warn'), JSON.stringify(r.findings));
      const jwksCalls = trace.all().filter((e) => e.kind === 'http' && e.purpose === 'jwks');
      assert.equal(jwksCalls.length, 1);
      assert.deepEqual(seen.map((s) => s.path), ['/jwks']);
      assertNoLeak(token, r);
    });

    it('reuses the fetched JWKS for the same guarded fetch', async () => {
      await inspect(await jwt());
      await inspect(await jwt({ sub: 'user-2' }));
      assert.equal(seen.filter((s) => s.path === '/jwks').length, 1);
    });

    it('reads scopes from scp as an array or a string', async () => {
      const a = await inspect(await jwt({ scope: undefined, scp: ['a', 'b'] }), { requiredScopes: ['a', 'b'] });
      assert.deepEqual(a.scopes, ['a', 'b']);
      assert.equal(find(a, 'scope_present')?.level, 'pass');
      const b = await inspect(await jwt({ scope: undefined, scp: 'x y' }));
      assert.deepEqual(b.scopes, ['x', 'y']);
    });

    it('fails a signature made with another key under the same kid', async () => {
      const token = await jwt({}, { key: otherKey });
      const r = await inspect(token);
      assert.equal(r.verified, false);
      assert.equal(find(r, 'signature_invalid')?.level, 'fail');
      assert.ok(!find(r, 'signature_valid'));
      // the other checks still run on the decoded claims
      assert.equal(find(r, 'audience_match')?.level, 'pass');
      assertNoLeak(token, r);
    });

    it('fails a token whose payload was altered after signing', async () => {
      const good = await jwt();
      const [h, , s] = good.split('.');
      const altered = `${h}.${Buffer.from(JSON.stringify({ iss: ISSUER, aud: RESOURCE, exp: NOW_S + 3600, scope: 'admin' })).toString('base64url')}.${s}`;
      const r = await inspect(altered);
      assert.equal(r.verified, false);
      assert.equal(find(r, 'signature_invalid')?.level, 'fail');
      assert.deepEqual(r.scopes, ['admin']);
    });

    it('fails when no key in the JWKS matches the kid', async () => {
      const r = await inspect(await jwt({}, { key: otherKey, kid: 'unknown-kid' }));
      assert.equal(r.verified, false);
      const f = find(r, 'signature_invalid');
      assert.equal(f?.level, 'fail');
      assert.match(f!.message, /kid "unknown-kid"/);
    });

    it('fails an unsigned (alg none) token, never verified, and fetches no keys', async () => {
      const token = new UnsecuredJWT({ iss: ISSUER, aud: RESOURCE, exp: NOW_S + 3600, scope: 'tools:read' }).encode();
      const r = await inspect(token);
      assert.equal(r.format, 'jwt');
      assert.equal(r.verified, false);
      assert.equal(find(r, 'unsigned')?.level, 'fail');
      assert.equal(seen.length, 0);
      assert.deepEqual(r.scopes, ['tools:read']);
    });

    it('fails an alg none token that nevertheless carries a signature segment', async () => {
      const r = await inspect(forged(JSON.stringify({ iss: ISSUER, aud: RESOURCE, exp: NOW_S + 60 }), { alg: 'none' }));
      assert.equal(r.verified, false);
      assert.equal(find(r, 'unsigned')?.level, 'fail');
      assert.equal(seen.length, 0);
    });

    it('warns for an HS256 token: the client cannot verify a shared-secret signature', async () => {
      const secret = new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!!');
      const token = await new SignJWT({ iss: ISSUER, aud: RESOURCE, exp: NOW_S + 3600 }).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).sign(secret);
      const r = await inspect(token);
      assert.equal(r.verified, false);
      assert.equal(find(r, 'signature_unverifiable')?.level, 'warn');
      assert.equal(seen.length, 0);
    });

    it('notes an unchecked signature when there is no jwks_uri', async () => {
      const r = await inspect(await jwt(), { jwksUri: undefined });
      assert.equal(r.verified, false);
      assert.equal(find(r, 'signature_unchecked')?.level, 'info');
      assert.equal(find(r, 'issuer_match')?.level, 'pass');
    });

    for (const [label, path] of [
      ['answers 500', '/jwks-500'],
      ['answers HTML', '/jwks-not-json'],
      ['redirects to another origin', '/jwks-redirect'],
    ] as const) {
      it(`warns jwks_unavailable when the JWKS endpoint ${label}, and still checks the claims`, async () => {
        const token = await jwt({ aud: 'https://other' });
        const r = await inspect(token, { jwksUri: `${base}${path}` });
        assert.equal(r.verified, false);
        assert.equal(find(r, 'jwks_unavailable')?.level, 'warn');
        assert.equal(find(r, 'audience_mismatch')?.level, 'fail');
        assert.equal(find(r, 'issuer_match')?.level, 'pass');
        assertNoLeak(token, r);
      });
    }

    it('warns jwks_unavailable when the JWKS server is down', async () => {
      const dead = http.createServer();
      await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
      const port = (dead.address() as AddressInfo).port;
      await new Promise<void>((resolve) => dead.close(() => resolve()));
      const r = await inspect(await jwt(), { jwksUri: `http://127.0.0.1:${port}/jwks` });
      assert.equal(r.verified, false);
      const f = find(r, 'jwks_unavailable');
      assert.equal(f?.level, 'warn');
      assert.match(f!.message, /could not be fetched/);
    });

    it('refuses a non-https jwks_uri without fetching it', async () => {
      for (const jwksUri of ['file:///etc/passwd', 'javascript:alert(1)', 'http://evil.example/jwks']) {
        const r = await inspect(await jwt(), { jwksUri });
        assert.equal(r.verified, false);
        assert.equal(find(r, 'jwks_unavailable')?.level, 'warn', jwksUri);
      }
      assert.equal(seen.length, 0);
    });

    it('fails an issuer mismatch and a missing issuer', async () => {
      const r = await inspect(await jwt({ iss: 'https://evil.example' }));
      const f = find(r, 'issuer_mismatch');
      assert.equal(f?.level, 'fail');
      assert.match(f!.message, /"https:\/\/evil\.example" but the authorization server is https:\/\/as\.example/);
      const m = await inspect(await jwt({ iss: undefined }));
      assert.equal(find(m, 'issuer_missing')?.level, 'fail');
    });

    it('fails an audience mismatch (RFC 8707) with a plain message', async () => {
      const r = await inspect(await jwt({ aud: 'https://other' }));
      const f = find(r, 'audience_mismatch');
      assert.equal(f?.level, 'fail');
      assert.equal(f?.message, 'audience is "https://other" but this token is used for https://mcp.example/mcp');
      assert.equal(r.verified, true);
    });

    it('passes an audience array that includes the resource; warns on a spelling-only difference; fails a missing aud', async () => {
      const a = await inspect(await jwt({ aud: ['https://api.example', RESOURCE] }));
      assert.equal(find(a, 'audience_match')?.level, 'pass');
      assert.deepEqual(a.audience, ['https://api.example', RESOURCE]);
      const b = await inspect(await jwt({ aud: 'https://MCP.example:443/mcp/' }));
      assert.equal(find(b, 'audience_mismatch')?.level, 'warn');
      const c = await inspect(await jwt({ aud: undefined }));
      assert.equal(find(c, 'audience_missing')?.level, 'fail');
    });

    it('fails an expired token, saying how long ago, yet reports the signature as valid', async () => {
      const r = await inspect(await jwt({ iat: NOW_S - 4000, exp: NOW_S - 600 }));
      const f = find(r, 'expired');
      assert.equal(f?.level, 'fail');
      assert.match(f!.message, /^expired 10 min ago/);
      assert.equal(r.verified, true);
      assert.equal(find(r, 'signature_valid')?.level, 'pass');
    });

    it('tolerates 30 s of clock skew on exp and nbf', async () => {
      const r = await inspect(await jwt({ exp: NOW_S - 10, nbf: NOW_S + 20 }));
      assert.ok(!find(r, 'expired'), JSON.stringify(r.findings));
      assert.ok(!find(r, 'not_yet_valid'));
      assert.equal(find(r, 'expires_soon')?.level, 'info');
      assert.equal(r.verified, true);
      const late = await inspect(await jwt({ exp: NOW_S - 31 }));
      assert.equal(find(late, 'expired')?.level, 'fail');
    });

    it('notes a token that expires soon', async () => {
      const r = await inspect(await jwt({ exp: NOW_S + 240 }));
      const f = find(r, 'expires_soon');
      assert.equal(f?.level, 'info');
      assert.match(f!.message, /^expires in 4 min/);
    });

    it('fails a token that is not yet valid', async () => {
      const r = await inspect(await jwt({ nbf: NOW_S + 600 }));
      const f = find(r, 'not_yet_valid');
      assert.equal(f?.level, 'fail');
      assert.match(f!.message, /in 10 min/);
      assert.equal(r.notBefore, NOW_S + 600);
      assert.equal(r.verified, true);
    });

    it('fails missing required scopes, listing each', async () => {
      const r = await inspect(await jwt({ scope: 'tools:read' }), { requiredScopes: ['tools:read', 'admin', 'files:write'] });
      const f = find(r, 'scope_missing');
      assert.equal(f?.level, 'fail');
      assert.match(f!.message, /missing scopes: admin, files:write/);
      assert.ok(!find(r, 'scope_present'));
    });

    it('falls back to the token response scope when the JWT has no scope claim', async () => {
      const r = await inspect(await jwt({ scope: undefined }), { requiredScopes: ['a'], grantedScopes: ['a', 'b'] });
      assert.deepEqual(r.scopes, ['a', 'b']);
      assert.equal(find(r, 'scope_from_token_response')?.level, 'info');
      assert.equal(find(r, 'scope_present')?.level, 'pass');
    });

    it('notes a typ other than at+jwt', async () => {
      const r = await inspect(await jwt({}, { typ: 'JWT' }));
      assert.equal(find(r, 'typ')?.level, 'info');
      assert.equal(r.verified, true);
    });
  });

  describe('DPoP binding (RFC 9449 §6)', () => {
    const JKT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

    it("a token bound to this client's key (cnf.jkt = its thumbprint): pass", async () => {
      const r = await inspect(await jwt({ cnf: { jkt: JKT } }), { tokenType: 'DPoP', dpopThumbprint: JKT });
      assert.equal(find(r, 'dpop_bound')?.level, 'pass');
      assert.match(find(r, 'dpop_bound')!.message, /this client's key/);
    });

    it('a token bound to another key: fail, naming both thumbprints', async () => {
      const r = await inspect(await jwt({ cnf: { jkt: 'another-thumbprint' } }), { tokenType: 'DPoP', dpopThumbprint: JKT });
      const f = find(r, 'dpop_key_mismatch');
      assert.equal(f?.level, 'fail');
      assert.match(f!.message, /another-thumbprint/);
      assert.match(f!.message, new RegExp(JKT));
      assert.equal(find(r, 'dpop_bound'), undefined);
    });

    it('cnf.jkt but the token response said Bearer: the binding is reported, and the mismatch with token_type warned', async () => {
      const r = await inspect(await jwt({ cnf: { jkt: JKT } }), { tokenType: 'Bearer' });
      assert.equal(find(r, 'dpop_bound')?.level, 'info');
      assert.equal(find(r, 'dpop_unbound')?.level, 'warn');
    });

    it('token_type DPoP without a readable cnf.jkt: info; a Bearer token without cnf: nothing about DPoP', async () => {
      const dpop = await inspect(await jwt(), { tokenType: 'DPoP', dpopThumbprint: JKT });
      assert.equal(find(dpop, 'dpop_unbound')?.level, 'info');
      const bearer = await inspect(await jwt(), { tokenType: 'Bearer' });
      assert.deepEqual(bearer.findings.filter((f) => /dpop|cnf/.test(f.code)), []);
    });

    it('a cnf that is not an object, or a jkt that is not a string, is not taken for a binding', async () => {
      for (const cnf of ['jkt', ['x'], { jkt: 42 }]) {
        const r = await inspect(await jwt({ cnf }), { dpopThumbprint: JKT });
        assert.equal(find(r, 'dpop_bound'), undefined, JSON.stringify(cnf));
        assert.equal(find(r, 'dpop_key_mismatch'), undefined, JSON.stringify(cnf));
      }
    });
  });

  describe('opaque tokens', () => {
    const opaque = 'opaque-access-token-0123456789abcdef';

    it('labels an opaque token and uses the token response when no introspection is offered', async () => {
      const r = await inspect(opaque, { grantedScopes: ['tools:read'], expiresAt: NOW_S + 1800, requiredScopes: ['tools:read', 'admin'] });
      assert.equal(r.format, 'opaque');
      assert.equal(r.source, 'token-response');
      assert.equal(r.verified, false);
      assert.equal(r.claims, undefined);
      assert.deepEqual(r.scopes, ['tools:read']);
      assert.equal(r.expiresAt, NOW_S + 1800);
      assert.deepEqual(find(r, 'opaque'), {
        level: 'info',
        code: 'opaque',
        message: 'opaque token: contents cannot be checked locally; the server offers no introspection the client can use',
      });
      assert.equal(find(r, 'not_expired')?.level, 'pass');
      assert.match(find(r, 'scope_missing')!.message, /admin/);
      assert.equal(seen.length, 0);
      assertNoLeak(opaque, r);
    });

    it('fails an opaque token the token response says has expired; scope unknown without grantedScopes', async () => {
      const r = await inspect(opaque, { expiresAt: NOW_S - 7200, requiredScopes: ['x'] });
      assert.match(find(r, 'expired')!.message, /^expired 2 h ago/);
      assert.equal(find(r, 'scope_unknown')?.level, 'info');
    });

    it('treats a compact JWE as opaque and says it is encrypted', async () => {
      const r = await inspect('eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn');
      assert.equal(r.format, 'opaque');
      assert.equal(find(r, 'encrypted')?.level, 'info');
    });

    it('introspects an active token (RFC 7662) with client_secret_basic through the guarded fetch', async () => {
      introspectionDb.set(opaque, { active: true, scope: 'tools:read tools:write', client_id: CLIENT_ID, sub: 'user-1', aud: RESOURCE, iss: ISSUER, exp: NOW_S + 900, iat: NOW_S - 10, token_type: 'Bearer' });
      const r = await inspect(opaque, {
        requiredScopes: ['tools:write'],
        introspection: { endpoint: `${base}/introspect`, issuer: ISSUER, client_id: CLIENT_ID, clientAuth: ClientSecretBasic(CLIENT_SECRET) },
      });
      assert.equal(r.format, 'opaque');
      assert.equal(r.source, 'introspection');
      assert.equal(r.verified, false);
      assert.equal(r.claims?.active, true);
      assert.equal(r.subject, 'user-1');
      assert.deepEqual(r.scopes, ['tools:read', 'tools:write']);
      assert.deepEqual(r.audience, [RESOURCE]);
      assert.equal(r.expiresAt, NOW_S + 900);
      for (const code of ['introspection_active', 'issuer_match', 'audience_match', 'not_expired', 'scope_present']) {
        assert.equal(find(r, code)?.level, 'pass', code);
      }
      // the request: POST, Basic client auth, token in the form body
      const req = seen.find((s) => s.path === '/introspect')!;
      assert.match(req.authorization ?? '', /^Basic /);
      assert.equal(new URLSearchParams(req.body).get('token'), opaque);
      const ex = trace.all().filter((e) => e.kind === 'http' && e.purpose === 'introspection');
      assert.equal(ex.length, 1);
      assertNoLeak(opaque, r);
      assert.ok(!JSON.stringify(trace.all()).includes(CLIENT_SECRET));
    });

    it('fails an inactive token and reports the audience mismatch of an active one', async () => {
      const intro = { endpoint: `${base}/introspect`, issuer: ISSUER, client_id: CLIENT_ID, clientAuth: ClientSecretBasic(CLIENT_SECRET) };
      const r = await inspect('revoked-token-abcdefgh', { introspection: intro });
      assert.equal(r.source, 'introspection');
      assert.equal(find(r, 'introspection_inactive')?.level, 'fail');
      assert.deepEqual(r.claims, { active: false });

      introspectionDb.set('other-aud-token-1234', { active: true, aud: 'https://other', exp: NOW_S + 100 });
      const o = await inspect('other-aud-token-1234', { introspection: intro });
      assert.equal(find(o, 'audience_mismatch')?.message, 'audience is "https://other" but this token is used for https://mcp.example/mcp');
      assert.equal(find(o, 'expires_soon')?.level, 'info');
    });

    it('warns and falls back to the token response when the client cannot authenticate', async () => {
      const r = await inspect(opaque, {
        grantedScopes: ['s1'],
        introspection: { endpoint: `${base}/introspect`, issuer: ISSUER, client_id: CLIENT_ID, clientAuth: ClientSecretBasic('wrong-secret') },
      });
      const f = find(r, 'introspection_failed');
      assert.equal(f?.level, 'warn');
      assert.match(f!.message, /invalid_client/);
      assert.equal(r.source, 'token-response');
      assert.deepEqual(r.scopes, ['s1']);
    });

    it('refuses a non-loopback http introspection endpoint without sending the token', async () => {
      const r = await inspect(opaque, {
        introspection: { endpoint: 'http://evil.example/introspect', issuer: ISSUER, client_id: CLIENT_ID, clientAuth: ClientSecretBasic(CLIENT_SECRET) },
      });
      assert.equal(find(r, 'introspection_failed')?.level, 'warn');
      assert.equal(seen.length, 0);
    });

    it('scrubs the token from a hostile introspection server that echoes it back', async () => {
      // The trace can only scrub an echoed token by value if the redactor knows it, as the token
      // store's redactor does in a real session; the request body is redacted by key (`token=`) regardless.
      const redactor = new Redactor();
      redactor.addSecret(opaque);
      gfetch = createGuardedFetch({ policy: { trustedOrigin: new URL(base) }, trace, redactor });
      const intro = (path: string) => ({ endpoint: `${base}${path}`, issuer: ISSUER, client_id: CLIENT_ID, clientAuth: ClientSecretBasic(CLIENT_SECRET) });
      const a = await inspect(opaque, { introspection: intro('/introspect-echo') });
      assert.equal(find(a, 'introspection_failed')?.level, 'warn');
      assert.match(find(a, 'introspection_failed')!.message, /\[REDACTED\]/);
      assertNoLeak(opaque, a);
      const b = await inspect(opaque, { introspection: intro('/introspect-echo-ok') });
      assert.equal(b.source, 'introspection');
      assert.equal(b.claims?.token, '[REDACTED]');
      assertNoLeak(opaque, b);
      // Echoed as an object key: the result is scrubbed (the trace's Redactor.json scrubs values, not keys).
      const c = await inspect(opaque, { introspection: intro('/introspect-echo-key') });
      assert.equal(c.source, 'introspection');
      assert.ok(!JSON.stringify(c).includes(opaque));
    });
  });

  describe('hostile input', () => {
    afterEach(() => {
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
    });

    for (const [label, payload] of [
      ['null', 'null'],
      ['an array', '[1,2,3]'],
      ['a number', '42'],
      ['not JSON', '{"iss":'],
    ] as const) {
      it(`reports a JWT whose payload is ${label} cleanly`, async () => {
        const token = forged(payload);
        const r = await inspect(token);
        assert.equal(r.format, 'jwt');
        assert.equal(r.claims, undefined);
        assert.equal(r.verified, false);
        assert.equal(find(r, 'invalid_claims')?.level, 'fail');
        assert.equal(seen.length, 0);
        assertNoLeak(token, r);
        assert.equal(decodeTokenClaims(token), undefined);
      });
    }

    it('drops __proto__ / constructor keys without polluting any prototype', async () => {
      const token = forged('{"__proto__":{"polluted":"yes","scope":"admin"},"constructor":{"prototype":{"polluted":"yes"}},"iss":"https://as.example","aud":"https://mcp.example/mcp","exp":' + (NOW_S + 600) + ',"scope":"a","nested":{"__proto__":{"polluted":1}}}');
      const r = await inspect(token, { requiredScopes: ['admin'] });
      assert.equal(find(r, 'suspicious_claims')?.level, 'warn');
      assert.ok(r.claims);
      assert.equal(Object.getPrototypeOf(r.claims), Object.prototype);
      assert.ok(!Object.keys(r.claims).includes('__proto__'));
      assert.ok(!Object.keys(r.claims).includes('constructor'));
      assert.deepEqual(r.scopes, ['a']);
      assert.equal(find(r, 'scope_missing')?.level, 'fail');
      assert.equal(find(r, 'signature_invalid')?.level, 'fail');
      const decoded = decodeTokenClaims(token)!;
      assert.equal((decoded as { polluted?: unknown }).polluted, undefined);
      assert.equal(Object.getPrototypeOf(decoded.nested), Object.prototype);
    });

    it('reports wrongly typed claims (non-string iss, object aud, string exp) as findings', async () => {
      const token = forged(JSON.stringify({ iss: 123, aud: { x: 1 }, exp: '9999999999', scope: ['a'], scp: 5, sub: null, nbf: 1e308 }));
      const r = await inspect(token, { requiredScopes: ['a'] });
      assert.equal(r.issuer, undefined);
      assert.equal(r.audience, undefined);
      assert.equal(r.expiresAt, undefined);
      const invalid = r.findings.filter((f) => f.code === 'invalid_claim').map((f) => f.message);
      assert.ok(invalid.some((m) => /"iss" claim is a number/.test(m)), invalid.join('\n'));
      assert.ok(invalid.some((m) => /"aud" claim is an object/.test(m)));
      assert.ok(invalid.some((m) => /"exp" claim is a string/.test(m)));
      assert.ok(invalid.some((m) => /"scope" claim is an array/.test(m)));
      assert.ok(invalid.some((m) => /"sub" claim is null/.test(m)));
      assert.equal(find(r, 'issuer_missing')?.level, 'fail');
      assert.equal(find(r, 'audience_missing')?.level, 'fail');
      assert.equal(find(r, 'no_expiry')?.level, 'warn');
      assert.equal(find(r, 'not_yet_valid')?.level, 'fail'); // 1e308 is finite: far future, no crash formatting it
    });

    it('treats a three-part token whose header is not a JSON object as opaque', async () => {
      const b64 = (s: string) => Buffer.from(s).toString('base64url');
      for (const header of ['null', '[]', '"x"', 'garbage']) {
        const token = `${b64(header)}.${b64('{"iss":"x"}')}.c2lnbmF0dXJl`;
        const r = await inspect(token);
        assert.equal(r.format, 'opaque', header);
        assert.equal(find(r, 'malformed_jwt')?.level, 'info');
        assertNoLeak(token, r);
      }
    });

    it('does not decode, verify or send a 1 MB token', async () => {
      const big = forged(JSON.stringify({ iss: ISSUER, pad: 'x'.repeat(1024 * 1024) }));
      assert.ok(big.length > MAX_TOKEN_CHARS);
      const r = await inspect(big, { introspection: { endpoint: `${base}/introspect`, issuer: ISSUER, client_id: CLIENT_ID, clientAuth: ClientSecretBasic(CLIENT_SECRET) } });
      assert.equal(r.format, 'jwt');
      assert.equal(r.claims, undefined);
      assert.equal(find(r, 'token_too_large')?.level, 'fail');
      assert.equal(seen.length, 0);
      assert.ok(JSON.stringify(r).length < 2000);
      assert.equal(decodeTokenClaims(big), undefined);
      const bigOpaque = 'o'.repeat(1024 * 1024);
      const o = await inspect(bigOpaque);
      assert.equal(o.format, 'opaque');
      assert.equal(find(o, 'token_too_large')?.level, 'fail');
    });

    it('throws InspectorError invalid_arguments for an empty token', async () => {
      await assert.rejects(inspect(''), (err: unknown) => isInspectorError(err, 'invalid_arguments') && err instanceof InspectorError);
      await assert.rejects(inspect(undefined as unknown as string), (err: unknown) => isInspectorError(err, 'invalid_arguments'));
    });

    it('never puts the token into any finding or error across every path', async () => {
      const tokens = [await jwt(), await jwt({}, { key: otherKey }), await jwt({ exp: NOW_S - 100, aud: 'https://x' }), 'opaque-token-value-xyz-123456'];
      for (const token of tokens) {
        for (const jwksUri of [`${base}/jwks`, `${base}/jwks-500`, 'file:///x']) {
          const r = await inspect(token, { jwksUri, requiredScopes: ['nope'] });
          assertNoLeak(token, r);
          for (const f of r.findings) assert.ok(!f.message.includes(token));
        }
      }
    });
  });

  describe('decodeTokenClaims', () => {
    it('decodes a JWT offline without verifying and returns undefined for opaque tokens', async () => {
      const claims = decodeTokenClaims(await jwt({}, { key: otherKey }));
      assert.equal(claims?.iss, ISSUER);
      assert.equal(claims?.scope, 'tools:read tools:write');
      assert.equal(seen.length, 0);
      assert.equal(decodeTokenClaims('opaque-token'), undefined);
      assert.equal(decodeTokenClaims('a.b.c'), undefined);
      assert.equal(decodeTokenClaims(''), undefined);
    });
  });
});
