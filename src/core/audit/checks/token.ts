/**
 * [token] — the access token the audit signed in with, as the engine's token inspection reads it
 * (src/core/inspect/token.ts: a JWT access token per RFC 9068 verified against the issuer's JWKS, or
 * introspection per RFC 7662): audience = this resource (RFC 8707 §2), issuer, lifetime (a warning
 * over 24 h), scopes, signature.
 */
import { inspectConnectionToken } from '../../inspect/connectionToken';
import type { TokenFinding, TokenInspection } from '../../inspect/token';
import type { AuditCheckId } from '../../../shared/audit';
import type { AuditContext } from '../context';
import { exchangesSince, lastExchange, noTokenReason } from '../support';

const DAY_SECONDS = 24 * 3600;
const IDS = ['token.audience', 'token.issuer', 'token.lifetime', 'token.scopes', 'token.signature'] as const;

export async function tokenChecks(ctx: AuditContext): Promise<void> {
  const { facts, conn } = ctx;
  if (!facts.tokens) {
    const why = noTokenReason(facts);
    for (const id of IDS) ctx.skip(id, why);
    return;
  }
  const since = lastExchange(conn);
  const inspection = await inspectConnectionToken(conn);
  const ids = exchangesSince(conn, since);
  if (!inspection) {
    for (const id of IDS) ctx.skip(id, 'the token could not be inspected');
    return;
  }
  const has = (...codes: string[]) => inspection.findings.find((f) => codes.includes(f.code));
  const opaque = inspection.format === 'opaque' && inspection.source !== 'introspection';
  const opaqueWhy = `the token is opaque and cannot be introspected (${textOf(has('opaque')) ?? 'no introspection'}); only the server that issued it can read it`;
  const resource = facts.discovery?.resource ?? ctx.serverUrl.href;
  const issuer = facts.discovery?.as.issuer ?? '?';
  const source = inspection.source === 'introspection' ? 'introspection says' : 'the JWT says';

  // audience
  const aud = has('audience_match', 'audience_mismatch', 'audience_missing');
  if (aud?.code === 'audience_match') ctx.report({ id: 'token.audience', level: 'pass', finding: `The token's audience is ${resource} (${source}).`, exchanges: ids });
  else if (aud) ctx.report({ id: 'token.audience', level: 'fail', finding: `${cap(aud.message)} (expected ${resource}).`, fix: `Issue access tokens with aud = ${resource} when the client sends resource=${resource} (RFC 8707 §2); without an audience, a token for any service of this issuer works here.`, exchanges: ids });
  else ctx.skip('token.audience', opaque ? opaqueWhy : 'the token says nothing about its audience the audit can read');

  // issuer
  const iss = has('issuer_match', 'issuer_mismatch', 'issuer_missing');
  if (iss?.code === 'issuer_match') ctx.report({ id: 'token.issuer', level: 'pass', finding: `The token's issuer is ${issuer}.`, exchanges: ids });
  else if (iss) ctx.report({ id: 'token.issuer', level: 'fail', finding: cap(iss.message), fix: `Issue access tokens with iss = ${issuer}, the issuer in the authorization server metadata (RFC 9068 §2.2).`, exchanges: ids });
  else ctx.skip('token.issuer', opaque ? opaqueWhy : 'the token names no issuer the audit can read');

  // lifetime
  lifetime(ctx, inspection, ids);

  // scopes
  const sc = has('scope_present', 'scope_from_token_response', 'scope_missing', 'scope_unknown');
  if (sc?.code === 'scope_present' || sc?.code === 'scope_from_token_response')
    ctx.report({ id: 'token.scopes', level: 'pass', finding: `Scopes: ${inspection.scopes.join(' ') || '(none)'}${sc.code === 'scope_from_token_response' ? ' (from the token response)' : ''}.`, exchanges: ids });
  else if (!sc && inspection.scopes.length) ctx.report({ id: 'token.scopes', level: 'pass', finding: `Scopes: ${inspection.scopes.join(' ')}.`, exchanges: ids });
  else if (sc?.code === 'scope_missing') ctx.report({ id: 'token.scopes', level: 'fail', finding: cap(sc.message), fix: 'Grant the scopes the server asks for, and put them in the token ("scope" claim, RFC 9068 §2.2.3).', exchanges: ids });
  else ctx.report({ id: 'token.scopes', level: 'warn', finding: 'Neither the token nor the token response says which scopes were granted.', fix: 'Return "scope" in the token response (RFC 6749 §5.1) and in the token (RFC 9068 §2.2.3).', exchanges: ids });

  // signature
  const sig = has('signature_valid', 'signature_invalid', 'unsigned', 'jwks_unavailable', 'signature_unverifiable', 'signature_unchecked');
  if (sig?.code === 'signature_valid') ctx.report({ id: 'token.signature', level: 'pass', finding: `The signature verifies against the issuer's JWKS (${String(inspection.header?.alg ?? '?')}).`, exchanges: ids });
  else if (sig?.code === 'signature_invalid' || sig?.code === 'unsigned') ctx.report({ id: 'token.signature', level: 'fail', finding: cap(sig.message), fix: 'Sign access tokens with a key published at jwks_uri, with an asymmetric algorithm (RS256, ES256, …), never "none".', exchanges: ids });
  else if (sig) ctx.report({ id: 'token.signature', level: 'warn', finding: cap(sig.message), fix: 'Publish the signing keys at jwks_uri and sign with an asymmetric algorithm, so resource servers can verify tokens.', exchanges: ids });
  else ctx.skip('token.signature', opaque || inspection.format === 'opaque' ? 'the token is opaque (not a JWT): there is no signature to verify' : 'the signature could not be checked');
}

function lifetime(ctx: AuditContext, inspection: TokenInspection, ids: number[]): void {
  const t = ctx.facts.tokens!;
  const expiresAt = inspection.expiresAt ?? t.expires_at;
  const issuedAt = inspection.issuedAt ?? t.issued_at;
  const expired = inspection.findings.find((f) => f.code === 'expired' || f.code === 'not_yet_valid');
  if (expired) {
    ctx.report({ id: 'token.lifetime', level: 'fail', finding: cap(expired.message), fix: 'Check the authorization server clock and the exp/nbf it puts in tokens.', exchanges: ids });
    return;
  }
  if (expiresAt === undefined) {
    ctx.report({ id: 'token.lifetime', level: 'warn', finding: 'The token has no expiry (no exp claim, no expires_in): a stolen token works forever.', fix: 'Give access tokens a short lifetime (minutes to hours) and return expires_in.', exchanges: ids });
    return;
  }
  const life = expiresAt - issuedAt;
  const text = life >= 3600 ? `${(life / 3600).toFixed(life % 3600 ? 1 : 0)} h` : `${life} s`;
  const id: AuditCheckId = 'token.lifetime';
  if (life > DAY_SECONDS) ctx.report({ id, level: 'warn', finding: `The token lives ${text}, more than 24 h.`, fix: 'Issue access tokens that live at most hours, and refresh tokens for longer sessions (RFC 9700 §2.2.2).', exchanges: ids });
  else ctx.report({ id, level: 'pass', finding: `The token lives ${text}.`, exchanges: ids });
}

function textOf(f: TokenFinding | undefined): string | undefined {
  return f?.message;
}

function cap(s: string): string {
  const t = s.trim();
  return t ? `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}` : t;
}
