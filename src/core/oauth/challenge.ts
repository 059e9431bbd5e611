/**
 * WWW-Authenticate challenges (RFC 6750 §3, RFC 9728 §5.1) — from HTTP 401/403 responses and from
 * the tool-level form some servers use (OpenAI Apps SDK: a tool result with `isError` and
 * `_meta["mcp/www_authenticate"]`, one challenge string or an array of them).
 *
 * Parsing is oauth4webapi's RFC 7235 parser. It is only reachable through its protected-resource
 * request processing, which throws `WWWAuthenticateChallengeError` with the parsed challenges, so we
 * hand it a synthetic 401 response carrying the header we already have (nothing is sent anywhere).
 */
import * as oauth from 'oauth4webapi';

export interface BearerChallenge {
  /** Lower-cased auth scheme, e.g. "bearer". */
  scheme: string;
  error?: string;
  error_description?: string;
  scope?: string;
  resource_metadata?: string;
  realm?: string;
}

const PARSE_URL = new URL('http://challenge.invalid/');

export async function parseChallenges(header: string | null | undefined): Promise<BearerChallenge[]> {
  if (!header || header.length > 16 * 1024) return [];
  try {
    await oauth.protectedResourceRequest('parse-only', 'GET', PARSE_URL, undefined, undefined, {
      [oauth.customFetch]: async () => new Response(null, { status: 401, headers: { 'www-authenticate': header } }),
      [oauth.allowInsecureRequests]: true,
    });
  } catch (err) {
    if (err instanceof oauth.WWWAuthenticateChallengeError) {
      return err.cause.map((c) => {
        const p = c.parameters as Record<string, string | undefined>;
        return {
          scheme: c.scheme.toLowerCase(),
          error: p.error,
          error_description: p.error_description,
          scope: p.scope,
          resource_metadata: p.resource_metadata,
          realm: p.realm,
        };
      });
    }
  }
  return [];
}

/** The Bearer challenge (or the first one) from a list. */
export function bearerChallenge(challenges: BearerChallenge[]): BearerChallenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer') ?? challenges[0];
}

/** Challenge strings from a tool result's `_meta["mcp/www_authenticate"]`, if it carries any. */
export function toolLevelChallenges(result: unknown): string[] {
  if (!result || typeof result !== 'object') return [];
  const r = result as { isError?: unknown; _meta?: unknown };
  if (r.isError !== true || !r._meta || typeof r._meta !== 'object') return [];
  const v = (r._meta as Record<string, unknown>)['mcp/www_authenticate'];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string').slice(0, 8);
  return [];
}

/**
 * The HTTP status a tool-level challenge stands for, so it takes the same path as an HTTP one: without
 * a token a 401 (sign in); with one, `insufficient_scope` is a 403 (step up) and anything else —
 * `invalid_token`, another error or none — a 401 (refresh, else sign in; a 401 naming scopes the token
 * lacks is a step-up there too).
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
export function toolChallengeStatus(challenge: BearerChallenge | undefined, hadToken: boolean): 401 | 403 {
  return hadToken && challenge?.error === 'insufficient_scope' ? 403 : 401;
}

/** Space-separated scope strings → a de-duplicated list, order kept. */
export function splitScopes(scope: string | undefined | null): string[] {
  if (!scope) return [];
  return [...new Set(scope.split(/\s+/).filter(Boolean))];
}

export function unionScopes(...lists: Array<readonly string[] | undefined>): string[] {
  const out = new Set<string>();
  for (const l of lists) for (const s of l ?? []) out.add(s);
  return [...out];
}

/**
 * A protected resource's `scopes_supported` as scopes to ask for unprompted: without `openid`, which
 * asks for an id_token — a statement about the user for the client, not access to the resource
 * (OpenID Connect Core §3.1.2.1). An MCP client asks for it only when the user or the challenge does.
 * Servers that front an OpenID provider list it anyway (their upstream's defaults).
 */
export function scopesToSuggest(scopesSupported: readonly string[]): string[] {
  return scopesSupported.filter((s) => s !== 'openid');
}
