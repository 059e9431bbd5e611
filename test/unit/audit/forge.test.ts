/**
 * The audit's derived tokens (src/core/audit/forge.ts): each is what it claims to be — checked with
 * jose against the real token's claims — and each is handed to the redactor before it is returned.
 */
import { strict as assert } from 'node:assert';
import { base64url, decodeJwt, decodeProtectedHeader, EmbeddedJWK, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { algNoneCopy, decodeAccessToken, malformedToken, signedByEmbeddedJwk, signedByUnknownKey, tamperedSignature } from '../../../src/core/audit/forge';
import { Redactor } from '../../../src/core/http/redact';

async function realToken(): Promise<{ token: string; verify: (t: string) => Promise<unknown> }> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const token = await new SignJWT({ scope: 'a b', client_id: 'c1' })
    .setProtectedHeader({ alg: 'RS256', kid: 'issuer-key', typ: 'at+jwt' })
    .setIssuer('https://as.example')
    .setAudience('https://mcp.example/mcp')
    .setExpirationTime('1h')
    .sign(privateKey);
  const jwk = await exportJWK(publicKey);
  return { token, verify: (t) => jwtVerify(t, async () => (await import('jose')).importJWK(jwk, 'RS256')) };
}

describe('audit: forged tokens', () => {
  it('tampered: same header and claims, same length, another signature that no longer verifies', async () => {
    const { token, verify } = await realToken();
    const r = new Redactor();
    const t = tamperedSignature(token, r);
    assert.notEqual(t, token);
    assert.equal(t.length, token.length);
    assert.deepEqual(t.split('.').slice(0, 2), token.split('.').slice(0, 2));
    await verify(token);
    await assert.rejects(verify(t));
    assert.equal(r.text(`x ${t} y`).includes(t), false, 'redacted');
  });

  it('tampered opaque token: two characters changed, still in the same alphabet', () => {
    const r = new Redactor();
    const opaque = 'at_' + 'Zk3q9vB0'.repeat(4);
    const t = tamperedSignature(opaque, r);
    assert.equal(t.length, opaque.length);
    assert.notEqual(t, opaque);
    assert.match(t, /^[A-Za-z0-9_-]+$/);
    assert.equal([...t].filter((c, i) => c !== opaque[i]).length, 2);
    assert.equal(decodeAccessToken(opaque), undefined);
    assert.equal(algNoneCopy(opaque, r), undefined);
  });

  it('alg none: the header keeps typ, drops kid, says none; the claims are the real ones; no signature', async () => {
    const { token } = await realToken();
    const t = algNoneCopy(token, new Redactor())!;
    const [h, p, s] = t.split('.');
    assert.equal(s, '');
    assert.deepEqual(JSON.parse(new TextDecoder().decode(base64url.decode(h))), { typ: 'at+jwt', alg: 'none' });
    assert.deepEqual(decodeJwt(t), decodeJwt(token));
    assert.equal(p, token.split('.')[1]);
  });

  it('unknown key: the same claims, signed by a fresh key named only by a kid that is not the issuer’s', async () => {
    const { token, verify } = await realToken();
    const t = (await signedByUnknownKey(token, new Redactor()))!;
    const h = decodeProtectedHeader(t);
    assert.equal(h.alg, 'RS256');
    assert.equal(h.typ, 'at+jwt');
    assert.ok(h.kid && h.kid !== 'issuer-key');
    assert.equal(h.jwk, undefined);
    assert.deepEqual(decodeJwt(t), decodeJwt(token));
    await assert.rejects(verify(t));
  });

  it('embedded jwk: the same claims, verifiable only with the key in its own header', async () => {
    const { token, verify } = await realToken();
    const t = (await signedByEmbeddedJwk(token, new Redactor()))!;
    const h = decodeProtectedHeader(t);
    assert.ok(h.jwk);
    assert.equal(h.kid, undefined);
    assert.equal((h.jwk as Record<string, unknown>).d, undefined, 'only the public key travels');
    const { payload } = await jwtVerify(t, EmbeddedJWK);
    assert.deepEqual(payload, decodeJwt(token));
    await assert.rejects(verify(t));
  });

  it('malformed: not a JWT, different every time, redacted', () => {
    const r = new Redactor();
    const a = malformedToken(r);
    const b = malformedToken(r);
    assert.notEqual(a, b);
    assert.equal(decodeAccessToken(a), undefined);
    assert.equal(r.text(a).includes(a), false);
  });
});
