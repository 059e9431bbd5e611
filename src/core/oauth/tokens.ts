/**
 * Token sets (kept by credentialStore.ts behind the SecretStore port) and the token endpoint steps that are not
 * the authorization code exchange: refresh (RFC 6749 §6, with `resource` per RFC 8707) and
 * revocation (RFC 7009). Wire steps are oauth4webapi's.
 */
import * as oauth from 'oauth4webapi';
import { decodeJwt, type JWTPayload } from 'jose';
import { InspectorError } from '../errors';
import type { Redactor } from '../http/redact';
import { wire, type OAuthContext } from './context';
import { withDpopNonceRetry } from './dpop';
import { clientAuthentication, oauthErrorText, toOAuthClient, type RegisteredClient } from './registration';
import { STEP, type OAuthStep } from '../../shared/codes';

export interface TokenSet {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  /** Epoch seconds; undefined when the server did not say. */
  expires_at?: number;
  /** Granted scope (space-separated); the requested scope when the response omitted it (RFC 6749 §5.1). */
  scope?: string;
  issued_at: number;
  issuer: string;
  client_id: string;
  resource: string;
  /** How it was obtained: 'external' is a token the user pasted (AuthManager.useExternalTokens). */
  grant: 'authorization_code' | 'refresh_token' | 'client_credentials' | 'jwt-bearer' | 'external';
  /**
   * Only for grant 'external': the user was told the token's `aud` names another resource (RFC 8707
   * §2, RFC 9068 §4) and chose to use it anyway; every request carrying it is marked in the trace.
   */
  audienceMismatchAccepted?: boolean;
}

export function tokenSetFrom(
  r: oauth.TokenEndpointResponse,
  meta: { now: number; issuer: string; client_id: string; resource: string; requestedScope?: string; previous?: TokenSet; grant: TokenSet['grant'] },
): TokenSet {
  const now = Math.floor(meta.now / 1000);
  return {
    access_token: r.access_token,
    token_type: r.token_type,
    // RFC 6749 §6: when no new refresh token is issued, the old one stays valid.
    refresh_token: r.refresh_token ?? meta.previous?.refresh_token,
    expires_at: typeof r.expires_in === 'number' ? now + r.expires_in : undefined,
    scope: r.scope ?? meta.requestedScope ?? meta.previous?.scope,
    issued_at: now,
    issuer: meta.issuer,
    client_id: meta.client_id,
    resource: meta.resource,
    grant: meta.grant,
  };
}

/**
 * True when the token is expired or expires within the refresh margin: `skewSeconds`, but at most a
 * quarter of the token's lifetime — a token that lives less than the margin (a 5-second token from a
 * test server, say) would otherwise count as expiring the moment it arrives and be refreshed again
 * before every request.
 */
export function isExpiring(t: TokenSet, nowMs: number, skewSeconds = 30): boolean {
  if (t.expires_at === undefined) return false;
  const lifetime = t.expires_at - t.issued_at;
  const margin = lifetime > 0 ? Math.min(skewSeconds, Math.floor(lifetime / 4)) : skewSeconds;
  return t.expires_at - margin <= Math.floor(nowMs / 1000);
}

export async function refreshTokens(ctx: OAuthContext, as: oauth.AuthorizationServer, reg: RegisteredClient, current: TokenSet, dpop?: oauth.DPoPHandle): Promise<TokenSet> {
  const refreshToken = current.refresh_token;
  if (!refreshToken) throw new InspectorError('refresh_failed', 'there is no refresh token', { step: STEP.tokenRefresh, hint: 'Sign in again' });
  const step = STEP.tokenRefresh;
  try {
    // DPoP (RFC 9449 §5): a refresh for a DPoP-bound token carries a proof, answered nonce included.
    const r = await withDpopNonceRetry(
      ctx,
      step,
      dpop,
      async () =>
        oauth.refreshTokenGrantRequest(as, toOAuthClient(reg), await clientAuthentication(reg), refreshToken, {
          additionalParameters: { resource: current.resource },
          DPoP: dpop,
          ...wire(ctx, 'token', step),
        }),
      async (res) => oauth.processRefreshTokenResponse(as, toOAuthClient(reg), await idTokenAsOAuth2(ctx, step, as, reg.client_id, res, current.scope)),
    );
    rememberSecrets(ctx, r);
    const next = tokenSetFrom(r, { now: ctx.clock.now(), issuer: current.issuer, client_id: current.client_id, resource: current.resource, previous: current, grant: 'refresh_token' });
    ctx.trace.note(step, 'pass', `access token refreshed${r.refresh_token && r.refresh_token !== current.refresh_token ? '; the refresh token was rotated' : ''}`, 'RFC 6749 §6');
    tokenResponseFindings(ctx, step, r, current.scope);
    return next;
  } catch (err) {
    const e = tokenError(err, step, as.token_endpoint, ctx.redactor);
    ctx.trace.note(step, 'fail', `the refresh was refused: ${oauthErrorText(err, ctx.redactor)}`, 'RFC 6749 §5.2; RFC 6749 §6');
    throw e;
  }
}

/** Scopes a token response's `scope` need not list (tokenResponseFindings). */
const NOT_ACCESS_TOKEN_SCOPES = new Set(['offline_access', 'openid', 'profile', 'email', 'address', 'phone']);

/**
 * What a successful token response says beyond "a token was issued" (RFC 6749 §5.1): a granted
 * scope narrower than the requested one, and a missing expires_in. Findings only, never a refusal.
 * `offline_access` is left out of the comparison: servers grant it by issuing a refresh token. So
 * are `openid` and the OpenID Connect claim scopes (OpenID Connect Core §5.4): they are granted as
 * id_token and userinfo claims, and an OpenID Provider that issues the access token for a resource
 * (RFC 8707) lists only that resource's scopes in it — oidc-provider does.
 */
export function tokenResponseFindings(ctx: OAuthContext, step: OAuthStep, r: { scope?: string; expires_in?: number }, requestedScope: string | undefined): void {
  const requested = (requestedScope ?? '').split(/\s+/).filter((x) => x && !NOT_ACCESS_TOKEN_SCOPES.has(x));
  if (typeof r.scope === 'string') {
    const granted = new Set(r.scope.split(/\s+/).filter(Boolean));
    const missing = requested.filter((x) => !granted.has(x));
    if (missing.length) {
      ctx.trace.note(
        step,
        'warn',
        `granted fewer scopes than requested: ${missing.join(' ')} ${missing.length > 1 ? 'were' : 'was'} left out (requested "${requested.join(' ')}", granted "${r.scope}"); tools that need ${missing.length > 1 ? 'them' : 'it'} will ask to step up`,
        'RFC 6749 §3.3; RFC 6749 §5.1',
      );
    }
  } else if (requested.length) {
    ctx.trace.note(step, 'info', `the token response has no scope, which means the requested scope ("${requested.join(' ')}") was granted as asked`, 'RFC 6749 §5.1');
  }
  if (typeof r.expires_in !== 'number') {
    ctx.trace.note(step, 'info', 'the token response has no expires_in (RECOMMENDED): the client only learns that the token expired when the server refuses it', 'RFC 6749 §5.1');
  }
}

/** Revoke a token (RFC 7009) when the server offers revocation. Returns false when it does not. */
export async function revokeToken(ctx: OAuthContext, as: oauth.AuthorizationServer, reg: RegisteredClient, token: string, hint: 'access_token' | 'refresh_token'): Promise<boolean> {
  if (!as.revocation_endpoint) return false;
  const step = STEP.tokenRevocation;
  try {
    const res = await oauth.revocationRequest(as, toOAuthClient(reg), await clientAuthentication(reg), token, {
      additionalParameters: { token_type_hint: hint },
      ...wire(ctx, 'revocation', step),
    });
    await oauth.processRevocationResponse(res);
    ctx.trace.note(step, 'pass', `${hint.replace('_', ' ')} revoked`, 'RFC 7009 §2');
    return true;
  } catch (err) {
    throw new InspectorError('revocation_failed', `the server did not revoke the ${hint.replace('_', ' ')}: ${oauthErrorText(err, ctx.redactor)}`, { step, url: as.revocation_endpoint, cause: err, hint: 'The local copy is deleted anyway' });
  }
}

/**
 * The id_token of a token response, judged before oauth4webapi processes the response. An MCP client
 * needs the access token; an id_token only matters when `openid` was asked for. oauth4webapi
 * validates any id_token it is handed (issuer, audience, signature) and fails the whole response
 * when one check fails — a proxy that forwards its upstream provider's token response (id_token
 * issued by the upstream, for the upstream's client) would then cost the user their sign-in.
 *
 * So: when `openid` was requested and the id_token names this authorization server as issuer and
 * this client as audience, the response goes to oauth4webapi as it came (validated as OpenID
 * Connect). Otherwise the response is processed as OAuth 2.0 without its id_token, which is not
 * used, and what was wrong with it is a finding.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation (§3.1.3.7)
 */
export async function idTokenAsOAuth2(ctx: OAuthContext, step: OAuthStep, as: oauth.AuthorizationServer, clientId: string, res: Response, requestedScope: string | undefined): Promise<Response> {
  if (!res.ok || !/json/i.test(res.headers.get('content-type') ?? '')) return res;
  let body: unknown;
  try {
    body = await res.clone().json();
  } catch {
    return res; // oauth4webapi reports the unreadable body
  }
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('id_token' in body)) return res;
  const { id_token: idToken, ...rest } = body as Record<string, unknown>;
  if (typeof idToken === 'string') ctx.redactor.addSecret(idToken);
  const openidRequested = (requestedScope ?? '').split(/\s+/).includes('openid');
  let claims: JWTPayload | undefined;
  try {
    claims = typeof idToken === 'string' ? decodeJwt(idToken) : undefined;
  } catch {
    claims = undefined;
  }
  const audiences = claims ? (Array.isArray(claims.aud) ? claims.aud : [claims.aud]) : [];
  const foreignIssuer = claims !== undefined && claims.iss !== as.issuer;
  const foreignAudience = claims !== undefined && !audiences.includes(clientId);
  if (openidRequested && claims && !foreignIssuer && !foreignAudience) return res;
  const spec = 'OpenID Connect Core §3.1.3.7; RFC 6749 §5.1';
  const kept = 'the id_token is not used; the access token is kept';
  if (!claims) {
    ctx.trace.note(step, 'warn', `the token response carries an id_token that is not a readable JWT; ${kept}`, spec);
  } else if (foreignIssuer) {
    ctx.trace.note(
      step,
      'warn',
      `the token response carries an id_token issued by ${String(claims.iss)}, not by the authorization server ${as.issuer} (a proxy forwarding its upstream's token response does this)${openidRequested ? '' : ', and openid was not requested'}; ${kept}`,
      spec,
    );
  } else if (foreignAudience) {
    ctx.trace.note(step, 'warn', `the token response carries an id_token for another client (aud ${audiences.map(String).join(' ')}, not ${clientId})${openidRequested ? '' : ', and openid was not requested'}; ${kept}`, spec);
  } else {
    ctx.trace.note(step, 'info', `the token response carries an id_token although openid was not requested; ${kept}`, spec);
  }
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(JSON.stringify(rest), { status: res.status, statusText: res.statusText, headers });
}

export function rememberSecrets(ctx: OAuthContext, r: { access_token?: unknown; refresh_token?: unknown; id_token?: unknown }): void {
  for (const v of [r.access_token, r.refresh_token, r.id_token]) if (typeof v === 'string') ctx.redactor.addSecret(v);
}

/** Map an oauth4webapi token endpoint failure onto our error codes (invalid_grant / invalid_client drive recovery). */
export function tokenError(err: unknown, step: OAuthStep, url?: string, redactor?: Redactor): InspectorError {
  if (err instanceof InspectorError) return err;
  const text = oauthErrorText(err, redactor);
  if (err instanceof oauth.ResponseBodyError) {
    if (err.error === 'invalid_grant') return new InspectorError('invalid_grant', `the authorization server rejected the grant: ${text}`, { step, url, cause: err, hint: 'Sign in again' });
    if (err.error === 'invalid_client' || err.error === 'unauthorized_client') {
      return new InspectorError('invalid_client', `the authorization server rejected the client: ${text}`, { step, url, cause: err, hint: 'Forget the client registration and register again' });
    }
  }
  if (err instanceof oauth.WWWAuthenticateChallengeError && err.status === 401) {
    // RFC 6749 §5.2: a failed client authentication is a 401 that MUST carry WWW-Authenticate when the
    // client used the Authorization header; oauth4webapi reports it as a challenge, not as a body error.
    const scheme = err.cause[0]?.scheme ?? 'unknown';
    return new InspectorError('invalid_client', `the authorization server rejected the client's authentication (HTTP 401, ${scheme} challenge)`, { step, url, cause: err, hint: 'Forget the client registration and register again, or check the client secret / key' });
  }
  return new InspectorError('token_request_failed', `the token request failed: ${text}`, { step, url, cause: err, hint: 'See the OAuth flow trace for the exchange' });
}
