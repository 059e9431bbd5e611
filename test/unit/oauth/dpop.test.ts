/**
 * DPoP (RFC 9449) against the OAuth fixture turned into a DPoP-demanding pair of servers by its
 * `intercept` hook: the authorization server advertises DPoP, checks a proof on every token request
 * (optionally demanding a nonce first) and answers token_type "DPoP"; the MCP server takes only
 * `Authorization: DPoP` with a fresh proof bound to the token (`ath`) and the key the token was
 * issued to (optionally demanding its own nonce). Proofs are verified with jose, as a real server
 * would; nothing is mocked.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { findLeaks, leakWatch, type Fixture, type FixtureRequest, useOAuthFixtures } from '../../fixtures/oauthFixture';

interface Proof {
  server: 'as' | 'mcp';
  jkt: string;
  jti: string;
  htm: string;
  htu: string;
  nonce?: string;
  ath?: string;
  raw: string;
}

interface DpopServers {
  proofs: Proof[];
  /** Access token → thumbprint of the key it was bound to at the token endpoint. */
  boundTo: Map<string, string>;
  /** Requests the servers refused, and why. */
  refusals: string[];
  schemes: string[];
}

/**
 * Make `fx` demand DPoP. `asNonce` / `rsNonce`: the nonce each server requires (undefined: none);
 * `asNonceEveryTime`: the AS asks for a fresh nonce on every request (a client must not loop).
 * `resourceSignal`: how the MCP server says it takes DPoP-bound tokens — its protected resource
 * metadata (`dpop_signing_alg_values_supported`, default) or only its 401 challenge's `DPoP` scheme.
 */
function demandDpop(fx: Fixture, o: { asNonce?: string; rsNonce?: string; asNonceEveryTime?: boolean; resourceSignal?: 'metadata' | 'challenge' } = {}): DpopServers {
  const s: DpopServers = { proofs: [], boundTo: new Map(), refusals: [], schemes: [] };
  fx.setOption('asMetadata', { dpop_signing_alg_values_supported: ['ES256'] });
  if ((o.resourceSignal ?? 'metadata') === 'metadata') fx.setOption('prm', { dpop_signing_alg_values_supported: ['ES256'] });
  let asNonceCount = 0;

  async function verifyProof(server: 'as' | 'mcp', req: FixtureRequest, htu: string, accessToken?: string): Promise<Proof | string> {
    const raw = req.headers.dpop;
    if (!raw || raw.includes(',')) return 'missing or repeated DPoP header';
    const header = decodeProtectedHeader(raw);
    if (header.typ !== 'dpop+jwt' || header.alg !== 'ES256' || !header.jwk) return 'bad proof header';
    if ((header.jwk as JWK).d !== undefined) return 'private key in the proof';
    const { payload } = await jwtVerify(raw, await importJWK(header.jwk as JWK, 'ES256'), { typ: 'dpop+jwt' });
    if (payload.htm !== req.method || payload.htu !== htu || typeof payload.jti !== 'string') return `htm/htu/jti wrong (${String(payload.htm)} ${String(payload.htu)})`;
    if (Math.abs(Date.now() / 1000 - (payload.iat ?? 0)) > 60) return 'iat outside the window';
    if (accessToken !== undefined && payload.ath !== createHash('sha256').update(accessToken).digest('base64url')) return 'ath does not match the token';
    const proof: Proof = { server, jkt: await calculateJwkThumbprint(header.jwk as JWK), jti: payload.jti, htm: String(payload.htm), htu: String(payload.htu), nonce: payload.nonce as string | undefined, ath: payload.ath as string | undefined, raw };
    s.proofs.push(proof);
    return proof;
  }

  const refuse = (res: ServerResponse, status: number, body: Record<string, string>, headers: Record<string, string> = {}) => {
    s.refusals.push(body.error ?? String(status));
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
    return true;
  };

  fx.intercept = async (server, req, res) => {
    if (server === 'as' && req.path === '/token') {
      const proof = await verifyProof('as', req, `${fx.issuer}/token`);
      if (typeof proof === 'string') return refuse(res, 400, { error: 'invalid_dpop_proof', error_description: proof });
      const wanted = o.asNonceEveryTime ? `as-nonce-${++asNonceCount}` : o.asNonce;
      if (wanted !== undefined && (o.asNonceEveryTime || proof.nonce !== wanted)) {
        return refuse(res, 400, { error: 'use_dpop_nonce', error_description: 'a nonce is required' }, { 'dpop-nonce': wanted });
      }
      // The default token endpoint answers; its Bearer response becomes a DPoP-bound one.
      const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
      (res as { end: (chunk?: unknown) => ServerResponse }).end = (chunk?: unknown) => {
        if (typeof chunk === 'string' && chunk.startsWith('{')) {
          const body = JSON.parse(chunk) as Record<string, unknown>;
          if (typeof body.access_token === 'string') {
            body.token_type = 'DPoP';
            s.boundTo.set(body.access_token, proof.jkt);
          }
          chunk = JSON.stringify(body);
        }
        return end(chunk);
      };
      return false;
    }
    if (server === 'mcp' && req.path === '/mcp') {
      const auth = req.headers.authorization;
      if (!auth && o.resourceSignal === 'challenge') {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `DPoP resource_metadata="${fx.resourceMetadataUrl}"` });
        res.end(JSON.stringify({ error: 'unauthorized' }));
        return true;
      }
      if (!auth) return false; // the default 401 challenge
      const [scheme, token] = auth.split(' ');
      s.schemes.push(scheme);
      if (scheme !== 'DPoP' || !token) return refuse(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'DPoP error="invalid_token", error_description="DPoP-bound token presented as Bearer"' });
      const proof = await verifyProof('mcp', req, fx.mcpUrl, token);
      if (typeof proof === 'string') return refuse(res, 401, { error: 'invalid_dpop_proof', error_description: proof }, { 'www-authenticate': `DPoP error="invalid_dpop_proof"` });
      if (s.boundTo.get(token) !== proof.jkt) return refuse(res, 401, { error: 'invalid_token' }, { 'www-authenticate': 'DPoP error="invalid_token", error_description="proof key differs from cnf.jkt"' });
      if (o.rsNonce !== undefined && proof.nonce !== o.rsNonce) {
        return refuse(res, 401, { error: 'use_dpop_nonce' }, { 'www-authenticate': 'DPoP error="use_dpop_nonce", error_description="nonce required"', 'dpop-nonce': o.rsNonce });
      }
      req.headers.authorization = `Bearer ${token}`; // the default MCP handler checks the token itself
      return false;
    }
    return false;
  };
  return s;
}

describe('oauth/dpop: sender-constrained tokens (RFC 9449)', () => {
  const { fixture, connect } = useOAuthFixtures();

  it('an authorization server and an MCP server that advertise DPoP: a proof on the token request, then Authorization: DPoP with a fresh proof (ath, htm, htu) on every MCP request', async () => {
    const fx = await fixture();
    const s = demandDpop(fx);
    const conn = connect(fx);
    await conn.session.connect();
    await conn.session.listTools();
    await conn.session.callTool('echo', { text: 'hi' });

    assert.deepEqual(s.refusals, []);
    assert.equal(conn.auth.tokens?.token_type.toLowerCase(), 'dpop');
    const atAs = s.proofs.filter((p) => p.server === 'as');
    const atMcp = s.proofs.filter((p) => p.server === 'mcp');
    assert.equal(atAs.length, 1);
    assert.equal(atAs[0].ath, undefined, 'no ath on the token request');
    assert.ok(atMcp.length >= 2, `${atMcp.length} MCP requests with a proof`);
    assert.deepEqual([...new Set(s.schemes)], ['DPoP']);
    assert.equal(new Set(atMcp.map((p) => p.jti)).size, atMcp.length, 'a fresh proof (jti) per request');
    assert.ok(atMcp.every((p) => p.jkt === atAs[0].jkt), 'one key for the token request and every MCP request');
    assert.equal(await conn.auth.dpopKeys.thumbprint(), atAs[0].jkt);

    // The flow shows a proof was sent, never the proof itself.
    const withProof = conn.trace.all().flatMap((e) => (e.kind === 'http' && Object.keys(e.request.headers).some((h) => h.toLowerCase() === 'dpop') ? [e] : []));
    assert.ok(withProof.some((e) => e.purpose === 'token') && withProof.some((e) => e.purpose === 'mcp'), 'the trace shows a proof was sent at both servers');
    for (const e of withProof) {
      assert.equal(Object.entries(e.request.headers).find(([h]) => h.toLowerCase() === 'dpop')?.[1], '[REDACTED]');
      if (e.purpose === 'mcp') assert.equal(Object.entries(e.request.headers).find(([h]) => h.toLowerCase() === 'authorization')?.[1], 'DPoP [REDACTED]');
    }
    const everything = JSON.stringify(conn.trace.all()) + conn.logger.lines.join('\n');
    assert.deepEqual(findLeaks(everything, s.proofs.map((p) => p.raw)), []);
  });

  it('nonces at both servers: the token request and the MCP request are each sent once more with the nonce the server supplied', async () => {
    const fx = await fixture();
    const s = demandDpop(fx, { asNonce: 'as-nonce-1', rsNonce: 'rs-nonce-1' });
    const conn = connect(fx);
    await conn.session.connect();
    await conn.session.callTool('echo', { text: 'hi' });

    assert.equal(s.refusals.filter((r) => r === 'use_dpop_nonce').length, 2, 'one nonce challenge at each server');
    const atAs = s.proofs.filter((p) => p.server === 'as');
    assert.deepEqual(atAs.map((p) => p.nonce), [undefined, 'as-nonce-1']);
    const atMcp = s.proofs.filter((p) => p.server === 'mcp');
    assert.equal(atMcp[0].nonce, undefined);
    assert.ok(atMcp.slice(1).every((p) => p.nonce === 'rs-nonce-1'), 'later MCP proofs carry the resource nonce');
    const notes = conn.trace.all().filter((e) => e.kind === 'note').map((e) => (e.kind === 'note' ? e.message : ''));
    assert.ok(notes.some((m) => /authorization server asks for a DPoP nonce/.test(m)));
    assert.ok(notes.some((m) => /MCP server asks for a DPoP nonce/.test(m)));
  });

  it('an authorization server that asks for a new nonce every time: two token requests, then a clear failure (no loop)', async () => {
    const fx = await fixture();
    const s = demandDpop(fx, { asNonceEveryTime: true });
    const conn = connect(fx);
    await assert.rejects(conn.session.connect(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'token_request_failed');
      assert.match(err.message, /use_dpop_nonce/);
      return true;
    });
    assert.equal(s.proofs.filter((p) => p.server === 'as').length, 2);
  });

  it('refresh of a DPoP-bound token carries a proof of the same key, and the new token is presented with DPoP', async () => {
    const fx = await fixture();
    const s = demandDpop(fx);
    const conn = connect(fx);
    await conn.session.connect();
    fx.expireAllAccessTokens();
    await conn.session.callTool('echo', { text: 'again' });
    assert.equal(fx.counters.refresh, 1);
    const atAs = s.proofs.filter((p) => p.server === 'as');
    assert.equal(atAs.length, 2, 'code exchange and refresh both carry a proof');
    assert.equal(atAs[0].jkt, atAs[1].jkt);
    assert.equal(conn.auth.tokens?.grant, 'refresh_token');
    assert.equal(conn.auth.tokens?.token_type.toLowerCase(), 'dpop');
    assert.deepEqual([...new Set(s.schemes)], ['DPoP']);
  });

  it("an MCP server that only says so in its challenge (WWW-Authenticate: DPoP, no metadata): DPoP-bound tokens all the same", async () => {
    const fx = await fixture();
    const s = demandDpop(fx, { resourceSignal: 'challenge' });
    const conn = connect(fx);
    await conn.session.connect();
    await conn.session.callTool('echo', { text: 'hi' });
    assert.deepEqual(s.refusals, []);
    assert.equal(conn.auth.tokens?.token_type.toLowerCase(), 'dpop');
    assert.deepEqual([...new Set(s.schemes)], ['DPoP']);
  });

  it('an authorization server that advertises DPoP in front of an MCP server that does not (Bearer challenge, no DPoP metadata): Bearer tokens, no proof', async () => {
    const fx = await fixture({ asMetadata: { dpop_signing_alg_values_supported: ['ES256'] } });
    const conn = connect(fx);
    await conn.session.connect();
    await conn.session.callTool('echo', { text: 'hi' });
    assert.equal(conn.auth.tokens?.token_type.toLowerCase(), 'bearer');
    assert.ok(fx.requests.every((r) => r.headers.dpop === undefined));
    assert.ok(fx.requests.filter((r) => r.server === 'mcp' && r.headers.authorization).every((r) => r.headers.authorization.startsWith('Bearer ')));
  });

  it('an authorization server without DPoP metadata: Bearer tokens and no proof anywhere', async () => {
    const fx = await fixture();
    const conn = connect(fx);
    await conn.session.connect();
    await conn.session.callTool('echo', { text: 'hi' });
    assert.equal(conn.auth.tokens?.token_type.toLowerCase(), 'bearer');
    assert.ok(fx.requests.every((r) => r.headers.dpop === undefined));
    assert.ok(fx.requests.filter((r) => r.server === 'mcp' && r.headers.authorization).every((r) => r.headers.authorization.startsWith('Bearer ')));
    assert.equal(await conn.auth.dpopKeys.thumbprint(), undefined);
  });

  it('a DPoP-bound token stored by an earlier session is used with the key stored next to it: no new sign-in, proofs from the same key, the key redacted', async () => {
    const fx = await fixture();
    const s = demandDpop(fx);
    const first = connect(fx);
    await first.session.connect();
    const firstJkt = await first.auth.dpopKeys.thumbprint();
    await first.close();
    const keyName = (await first.secrets.keys('')).find((k) => k.includes('/dpop-key/'));
    assert.ok(keyName, 'the key pair is stored with the tokens');
    const stored = JSON.parse((await first.secrets.get(keyName))!) as { alg: string; privateJwk: { d?: string } };
    assert.equal(stored.alg, 'ES256');
    const second = connect(fx, { secrets: first.secrets });
    await second.session.connect();
    await second.session.callTool('echo', { text: 'hi' });
    assert.equal(fx.counters.authorize, 1, 'not signed in again');
    assert.equal(await second.auth.dpopKeys.thumbprint(), firstJkt, 'the same key');
    assert.ok(s.proofs.filter((p) => p.server === 'mcp').every((p) => p.jkt === firstJkt), 'every proof from the stored key');
    assert.deepEqual(s.refusals, []);
    // the private key is a secret like the tokens: not in the trace or any message
    assert.ok(stored.privateJwk.d && second.redactor.text(`x ${stored.privateJwk.d} y`) !== `x ${stored.privateJwk.d} y`, 'the private key is redacted');
    assert.deepEqual(findLeaks(JSON.stringify(second.trace.all()), [stored.privateJwk.d!]), []);
    leakWatch.extraSecrets.push(stored.privateJwk.d!); // and in nothing the suite checks afterwards
    // Sign Out deletes it with everything else
    await second.auth.signOut();
    assert.deepEqual((await first.secrets.keys('')).filter((k) => k.includes('/dpop-key/')), []);
    assert.equal(await second.auth.dpopKeys.thumbprint(), undefined);
  });

  it('a DPoP-bound token whose key is not stored with it is not presented: the client signs in again with a new key', async () => {
    const fx = await fixture();
    const s = demandDpop(fx);
    const first = connect(fx);
    await first.session.connect();
    await first.close();
    for (const k of await first.secrets.keys('')) if (k.includes('/dpop-key/')) await first.secrets.delete(k);
    const second = connect(fx, { secrets: first.secrets });
    await second.session.connect();
    await second.session.callTool('echo', { text: 'hi' });
    assert.equal(fx.counters.authorize, 2, 'signed in again');
    assert.ok(!s.refusals.includes('invalid_token'), 'the old token was never sent as Bearer or with another key');
    const decoded = s.proofs.filter((p) => p.server === 'as').map((p) => decodeJwt(p.raw).htu);
    assert.deepEqual(decoded, [`${fx.issuer}/token`, `${fx.issuer}/token`]);
  });
});
