/**
 * A token the user brings: an access token (and maybe a refresh token) pasted for one MCP server
 * instead of signing in. What it says about its audience is read offline (jose's `decodeJwt`, via
 * inspect/token.ts `decodeTokenClaims`) so a front end can stop a token meant for another resource
 * before it is sent (RFC 8707 §2, RFC 9068 §4: the resource server MUST reject a token whose `aud`
 * does not name it). An opaque token says nothing offline: accepted, and inspected as opaque.
 *
 * The token value never appears in anything this module returns.
 */
import { InspectorError } from '../errors';
import { decodeTokenClaims, MAX_TOKEN_CHARS, type TokenInspection } from '../inspect/token';
import { resourceMatchesServer } from './discovery';
import type { TokenSet } from './tokens';
import { STEP } from '../../shared/codes';

/** What the pasted token says about whom it is for, against the resource it would be sent to. */
export interface ExternalTokenAudience {
  format: 'jwt' | 'opaque';
  /** The resource the token would be sent to (the discovered resource, else the server URL). */
  resource: string;
  /** The token's `aud` (JWT only; capped, one line each). Undefined: opaque, or no `aud` claim. */
  audience?: string[];
  /**
   * true: `aud` names the resource (exactly, or a resource URL that covers the server's URL);
   * false: it names only others — the case to ask the user about; undefined: nothing to compare.
   */
  matches?: boolean;
  /** Where `audience` came from: the JWT itself, or the authorization server's introspection (RFC 7662). */
  source?: 'jwt' | 'introspection';
}

/** The shape a pasted token must have to be stored at all (no whitespace, not empty, not huge). */
export function checkPastedToken(value: string, what: 'access token' | 'refresh token'): string {
  const t = value.trim();
  if (!t) throw new InspectorError('invalid_arguments', `the ${what} is empty`, { step: STEP.tokenInspection, hint: `Paste the ${what} itself (without "Bearer ")` });
  if (/\s/.test(t)) {
    throw new InspectorError('invalid_arguments', `the ${what} contains whitespace`, { step: STEP.tokenInspection, hint: `Paste the ${what} alone, without "Bearer " or line breaks` });
  }
  if (t.length > MAX_TOKEN_CHARS) throw new InspectorError('invalid_arguments', `the ${what} is longer than ${MAX_TOKEN_CHARS} characters`, { step: STEP.tokenInspection, hint: `Check that what was pasted is an ${what}` });
  return t;
}

/** Reads the pasted token's `aud` (no verification: this is only to warn before it is sent). */
export function externalTokenAudience(token: string, resource: string, serverUrl: URL): ExternalTokenAudience {
  const claims = decodeTokenClaims(token);
  if (!claims) return { format: 'opaque', resource };
  const aud = claims.aud;
  const list = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
  if (!list.length) return { format: 'jwt', resource };
  const audience = list.slice(0, 10).map((a) => (a.length > 200 ? `${a.slice(0, 199)}…` : a));
  const matches = list.some((a) => a === resource || resourceMatchesServer(a, serverUrl));
  return { format: 'jwt', resource, audience, matches, source: 'jwt' };
}

/**
 * What introspection (RFC 7662 §2.2 `aud`) said about an opaque pasted token's audience, from its
 * inspection (inspect/connectionToken.ts with the candidate token): a mismatch only when the
 * authorization server answered with an `aud` that names neither the resource nor a resource
 * covering the server URL. Undefined when the inspection did not come from introspection or has no `aud`.
 */
export function introspectedAudience(inspection: TokenInspection | undefined, resource: string, serverUrl: URL): ExternalTokenAudience | undefined {
  if (inspection?.source !== 'introspection' || !inspection.audience?.length) return undefined;
  const list = inspection.audience;
  const matches = list.some((a) => a === resource || resourceMatchesServer(a, serverUrl));
  return { format: 'opaque', resource, audience: list.slice(0, 10).map((a) => (a.length > 200 ? `${a.slice(0, 199)}…` : a)), matches, source: 'introspection' };
}

/** A pasted access token as a token set, with what the JWT says (expiry, scope, issuer) where it says it. */
export function externalTokenSet(
  input: { access_token: string; refresh_token?: string; audienceMismatchAccepted?: boolean },
  meta: { now: number; issuer?: string; client_id?: string; resource: string },
): TokenSet & { grant: 'external' } {
  const claims = decodeTokenClaims(input.access_token);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.floor(v) : undefined);
  const scope = typeof claims?.scope === 'string' ? claims.scope : Array.isArray(claims?.scp) ? (claims.scp as unknown[]).filter((x) => typeof x === 'string').join(' ') : typeof claims?.scp === 'string' ? claims.scp : undefined;
  const now = Math.floor(meta.now / 1000);
  return {
    access_token: input.access_token,
    token_type: 'Bearer',
    ...(input.refresh_token ? { refresh_token: input.refresh_token } : {}),
    expires_at: num(claims?.exp),
    scope: scope || undefined,
    issued_at: num(claims?.iat) ?? now,
    issuer: meta.issuer ?? (typeof claims?.iss === 'string' ? claims.iss : ''),
    client_id: meta.client_id ?? (typeof claims?.client_id === 'string' ? claims.client_id : ''),
    resource: meta.resource,
    grant: 'external',
    ...(input.audienceMismatchAccepted ? { audienceMismatchAccepted: true } : {}),
  };
}
