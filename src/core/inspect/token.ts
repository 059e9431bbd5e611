/**
 * Access token inspection: what a token says about itself (a JWT access token, RFC 9068), what the
 * authorization server says about it (introspection, RFC 7662), or — for an opaque token the client
 * cannot introspect — what the token response said (RFC 6749 §5.1). Each check becomes a finding the
 * tree, the token panel and the CLI `token` command show as-is.
 *
 * Decoding and signature verification are jose's (`decodeJwt`, `decodeProtectedHeader`, `jwtVerify`,
 * `createRemoteJWKSet`); introspection is oauth4webapi's (`introspectionRequest`,
 * `processIntrospectionResponse`). Hand-written: only the checks (issuer, audience, lifetime, scopes,
 * DPoP binding; in claimChecks.ts) so each produces a finding with a stable code (src/shared/codes.ts
 * TokenFindingCode) and a plain-words message instead of one thrown error.
 *
 * The token value never appears in a finding, a thrown error or the returned object: every string
 * that leaves this module is scrubbed of it (docs/SECURITY.md "Tokens and credentials").
 *
 * @see https://www.rfc-editor.org/rfc/rfc9068 JWT Profile for OAuth 2.0 Access Tokens
 * @see https://www.rfc-editor.org/rfc/rfc7662 OAuth 2.0 Token Introspection
 * @see https://www.rfc-editor.org/rfc/rfc8707 Resource Indicators for OAuth 2.0
 */
import { createRemoteJWKSet, customFetch as joseCustomFetch, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import {
  allowInsecureRequests,
  customFetch as oauthCustomFetch,
  introspectionRequest,
  OperationProcessingError,
  processIntrospectionResponse,
  ResponseBodyError,
} from 'oauth4webapi';
import type { AuthorizationServer, Client, ClientAuth } from 'oauth4webapi';
import { InspectorError, isInspectorError } from '../errors';
import type { GuardedFetch } from '../http/guardedFetch';
import { STEP, type FindingLevel, type TokenFindingCode } from '../../shared/codes';
import { checkBinding, checkClaims, CLOCK_SKEW_SECONDS, readClaims, short, type CheckContext, type ClaimsView, type Scrub, type TokenFinding } from './claimChecks';

export type { FindingLevel, TokenFindingCode } from '../../shared/codes';
export type { TokenFinding } from './claimChecks';
export { CLOCK_SKEW_SECONDS } from './claimChecks';

export interface TokenInspection {
  format: 'jwt' | 'opaque';
  /** JWT protected header. */
  header?: Record<string, unknown>;
  /** JWT payload or introspection response (never the token itself). */
  claims?: Record<string, unknown>;
  /** Signature verified against the issuer's JWKS. Never true for an unsigned or opaque token. */
  verified: boolean;
  issuer?: string;
  subject?: string;
  audience?: string[];
  scopes: string[];
  /** Epoch seconds. */
  expiresAt?: number;
  issuedAt?: number;
  notBefore?: number;
  source: 'jwt' | 'introspection' | 'token-response';
  findings: TokenFinding[];
}

export interface InspectTokenOptions {
  token: string;
  /** The authorization server's issuer. */
  expectedIssuer?: string;
  /** The MCP server resource URL (RFC 8707 `resource` / RFC 9068 `aud`). */
  expectedAudience?: string;
  /** `jwks_uri` from the authorization server metadata. */
  jwksUri?: string;
  /** Scopes the caller needs, e.g. what a tool requires. */
  requiredScopes?: string[];
  /** `scope` from the token response; used when the token is opaque (or a JWT carries no scope claim). */
  grantedScopes?: string[];
  /** Epoch seconds from the token response (`expires_in` + time received); used when opaque. */
  expiresAt?: number;
  /** When the server offers introspection and the client can authenticate to it. */
  introspection?: { endpoint: string; issuer: string; client_id: string; clientAuth: ClientAuth };
  /** Without `introspection`: why it cannot be used, for the 'opaque' finding (default: a generic reason). */
  introspectionUnavailable?: string;
  /** `token_type` from the token response ("Bearer", "DPoP"): says whether the client presents it with DPoP proofs. */
  tokenType?: string;
  /** The JWK SHA-256 thumbprint of the client's DPoP key (RFC 7638), to compare with the token's `cnf.jkt`. */
  dpopThumbprint?: string;
  /** ALL network goes through it (purpose 'jwks' or 'introspection'). */
  fetch: GuardedFetch;
  /** Milliseconds clock, injectable. Default Date.now. */
  now?: () => number;
}

/** Longer tokens are not decoded nor sent anywhere: no real access token comes near this. */
export const MAX_TOKEN_CHARS = 64 * 1024;
/** JWS compact serialization: three base64url segments, the signature possibly empty (alg "none"). */
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const JWE_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Signature algorithms a client can check against a published JWKS (asymmetric only). */
const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** Keys dropped from decoded JSON: they would pollute a prototype when merged naively downstream. */
const DANGEROUS_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const REDACTED = '[REDACTED]';

/**
 * Cheap, offline: decode only (no verification) — for the tree/status bar.
 * Returns undefined for opaque, malformed or oversized tokens.
 */
export function decodeTokenClaims(token: string): Record<string, unknown> | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS || !JWS_COMPACT.test(token)) return undefined;
  try {
    decodeProtectedHeader(token);
    return sanitizeObject(decodeJwt(token), []);
  } catch {
    return undefined;
  }
}

/**
 * Inspect an access token. Never throws for anything the token or a server sent: each problem is a
 * finding. Throws InspectorError only for a caller error ('invalid_arguments') or a bug ('internal').
 */
export async function inspectToken(opts: InspectTokenOptions): Promise<TokenInspection> {
  const token = opts?.token;
  if (typeof token !== 'string' || token.trim() === '') {
    throw new InspectorError('invalid_arguments', 'there is no token to inspect', { step: STEP.tokenInspection, hint: 'Sign in to the server first' });
  }
  const scrub = (s: string) => (token.length >= 8 && s.includes(token) ? s.split(token).join(REDACTED) : s);
  try {
    const result = await inspect(opts, scrub);
    return scrubDeep(result, scrub) as TokenInspection;
  } catch (err) {
    // Should not happen (every expected failure is a finding); make sure even a bug leaks nothing.
    if (isInspectorError(err)) {
      // The same error with each part scrubbed (its message composes them: scrubbing `message` and
      // passing the hint again would show the hint twice).
      const part = (v: string | undefined) => (v === undefined ? undefined : scrub(v));
      throw new InspectorError(err.code, scrub(err.detail), { step: err.step, url: part(err.url), hint: part(err.hint), field: err.field, scopes: err.scopes });
    }
    throw new InspectorError('internal', `token inspection failed unexpectedly: ${scrub(errorText(err))}`, { step: STEP.tokenInspection, hint: 'Please report this as a bug' });
  }
}

interface Ctx extends CheckContext {
  opts: InspectTokenOptions;
}

async function inspect(opts: InspectTokenOptions, scrub: Scrub): Promise<TokenInspection> {
  const { token } = opts;
  const ctx: Ctx = { opts, scrub, nowS: Math.floor((opts.now ?? Date.now)() / 1000), findings: [] };
  const add = (level: FindingLevel, code: TokenFindingCode, message: string) => ctx.findings.push({ level, code, message: scrub(message) });

  if (token.length > MAX_TOKEN_CHARS) {
    add('fail', 'token_too_large', `the token is ${token.length} characters long (limit ${MAX_TOKEN_CHARS}); it was not decoded, verified or sent anywhere`);
    return { format: looksLikeJws(token) ? 'jwt' : 'opaque', verified: false, scopes: [], source: 'token-response', findings: ctx.findings };
  }

  if (JWS_COMPACT.test(token)) {
    let header: Record<string, unknown> | undefined;
    try {
      header = decodeProtectedHeader(token) as Record<string, unknown>;
    } catch {
      add('info', 'malformed_jwt', 'the token has the three-part shape of a JWT but its header is not a JSON object; treated as opaque');
    }
    if (header) return inspectJwt(ctx, header);
  } else if (JWE_COMPACT.test(token)) {
    add('info', 'encrypted', 'the token is an encrypted JWT (JWE): only the server it is meant for can read it');
  }
  return inspectOpaque(ctx);
}

// ---------------------------------------------------------------------------------------------
// JWT access tokens (RFC 9068)

/** @see https://www.rfc-editor.org/rfc/rfc9068#section-4 validating JWT access tokens */
async function inspectJwt(ctx: Ctx, rawHeader: Record<string, unknown>): Promise<TokenInspection> {
  const { opts, scrub } = ctx;
  const add = (level: FindingLevel, code: TokenFindingCode, message: string) => ctx.findings.push({ level, code, message: scrub(message) });
  const dropped: string[] = [];
  const header = sanitizeObject(rawHeader, dropped);

  let claims: Record<string, unknown> | undefined;
  try {
    claims = sanitizeObject(decodeJwt(opts.token), dropped);
  } catch (err) {
    add('fail', 'invalid_claims', `the JWT payload is not a JSON object (${errorText(err)}); nothing in it can be checked`);
  }
  if (dropped.length) {
    add('warn', 'suspicious_claims', `the token contains the key(s) ${[...new Set(dropped)].map((k) => `"${k}"`).join(', ')} (a prototype-pollution pattern); they were dropped`);
  }

  const result: TokenInspection = { format: 'jwt', header, claims, verified: false, scopes: [], source: 'jwt', findings: ctx.findings };

  // Signature: RFC 9068 §4 — the resource server validates the signature with the issuer's keys.
  const alg = header.alg;
  const signature = opts.token.slice(opts.token.lastIndexOf('.') + 1);
  if (typeof alg !== 'string' || alg === '' || alg.toLowerCase() === 'none' || signature === '') {
    add('fail', 'unsigned', `the token is not signed (alg ${typeof alg === 'string' ? `"${short(alg)}"` : 'missing'}): anyone could have written it; RFC 9068 access tokens must be signed`);
  } else if (/^HS/i.test(alg)) {
    add('warn', 'signature_unverifiable', `the token is signed with ${short(alg)}, a shared secret: only the authorization and resource servers can check it, not the client`);
  } else if (!opts.jwksUri) {
    add('info', 'signature_unchecked', 'the signature was not checked: the authorization server metadata has no jwks_uri');
  } else if (claims) {
    result.verified = await verifySignature(ctx, alg, header);
  }

  if (header.typ !== undefined && !(typeof header.typ === 'string' && /^(application\/)?at\+jwt$/i.test(header.typ))) {
    add('info', 'typ', `the header typ is ${short(JSON.stringify(header.typ))}, not "at+jwt": this is not an RFC 9068 access token, so its claims may follow another profile`);
  } else if (header.typ === undefined) {
    add('info', 'typ', 'the header has no typ; RFC 9068 access tokens carry typ "at+jwt"');
  }

  if (!claims) return result;
  const view = readClaims(ctx, claims);
  if (!view.scopeClaimPresent && opts.grantedScopes) {
    view.scopes = [...opts.grantedScopes];
    if (opts.requiredScopes?.length) add('info', 'scope_from_token_response', 'the token has no scope or scp claim; using the scope from the token response');
  }
  checkClaims(ctx, view, { strict: true, scopesKnown: view.scopeClaimPresent || opts.grantedScopes !== undefined });
  checkBinding(ctx, claims);
  return { ...result, issuer: view.issuer, subject: view.subject, audience: view.audience, scopes: view.scopes, expiresAt: view.exp, issuedAt: view.iat, notBefore: view.nbf };
}

/** JWKS resolvers per guarded fetch and jwks_uri, so a session does not refetch keys on every inspection. */
const jwksCache = new WeakMap<GuardedFetch, Map<string, JWTVerifyGetKey>>();

function remoteJwks(fetch: GuardedFetch, jwksUri: string): JWTVerifyGetKey {
  let perFetch = jwksCache.get(fetch);
  if (!perFetch) jwksCache.set(fetch, (perFetch = new Map()));
  let jwks = perFetch.get(jwksUri);
  if (!jwks) {
    jwks = createRemoteJWKSet(new URL(jwksUri), {
      [joseCustomFetch]: (url, init) => fetch(url, { ...init, purpose: 'jwks', step: STEP.jwks }),
    });
    perFetch.set(jwksUri, jwks);
  }
  return jwks;
}

/** jose error codes thrown only after the signature was verified (claims-set validation). */
const AFTER_SIGNATURE = new Set(['ERR_JWT_EXPIRED', 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'ERR_JWT_INVALID']);

async function verifySignature(ctx: Ctx, alg: string, header: Record<string, unknown>): Promise<boolean> {
  const { opts, scrub } = ctx;
  const add = (level: FindingLevel, code: TokenFindingCode, message: string) => ctx.findings.push({ level, code, message: scrub(message) });
  const where = short(opts.jwksUri!);
  try {
    // Issuer, audience and lifetime are checked below on the decoded claims, each with its own finding;
    // jwtVerify's own claim checks can only fail after the signature has been verified.
    await jwtVerify(opts.token, remoteJwks(opts.fetch, opts.jwksUri!), {
      algorithms: ASYMMETRIC_ALGS,
      currentDate: new Date(ctx.nowS * 1000),
      clockTolerance: CLOCK_SKEW_SECONDS,
    });
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    if (typeof code === 'string' && AFTER_SIGNATURE.has(code)) {
      // fall through: the signature is good
    } else if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') {
      add('fail', 'signature_invalid', `the signature does not verify against the issuer's key (${where}): the token was altered or signed by someone else`);
      return false;
    } else if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
      const kid = typeof header.kid === 'string' ? `kid "${short(header.kid)}", ` : '';
      add('fail', 'signature_invalid', `no single key in the issuer's JWKS (${where}) matches the token (${kid}alg ${short(alg)}): it cannot have been signed by this issuer`);
      return false;
    } else if (code === 'ERR_JOSE_ALG_NOT_ALLOWED' || code === 'ERR_JOSE_NOT_SUPPORTED' || code === 'ERR_JWS_INVALID') {
      add('fail', 'signature_invalid', `the signature cannot be verified (${errorText(err)}; alg ${short(alg)})`);
      return false;
    } else {
      add('warn', 'jwks_unavailable', `the signature was not checked: the issuer's keys could not be fetched from ${where} (${errorText(err)}); the other checks use the unverified claims`);
      return false;
    }
  }
  add('pass', 'signature_valid', `the signature verifies against the issuer's key (${where})`);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Opaque tokens: introspection (RFC 7662) or the token response

async function inspectOpaque(ctx: Ctx): Promise<TokenInspection> {
  const { opts, scrub } = ctx;
  const add = (level: FindingLevel, code: TokenFindingCode, message: string) => ctx.findings.push({ level, code, message: scrub(message) });

  if (opts.introspection) {
    const response = await introspect(ctx, opts.introspection);
    if (response) {
      const dropped: string[] = [];
      const claims = sanitizeObject(response, dropped);
      if (dropped.length) add('warn', 'suspicious_claims', `the introspection response contains the key(s) ${[...new Set(dropped)].map((k) => `"${k}"`).join(', ')}; they were dropped`);
      const base: TokenInspection = { format: 'opaque', claims, verified: false, scopes: [], source: 'introspection', findings: ctx.findings };
      if (claims.active !== true) {
        // RFC 7662 §2.2: an inactive token's response need carry nothing else.
        add('fail', 'introspection_inactive', 'the authorization server says this token is not active (expired, revoked, or not issued by it)');
        return base;
      }
      add('pass', 'introspection_active', 'the authorization server says this token is active');
      const view = readClaims(ctx, claims);
      if (!view.scopeClaimPresent && opts.grantedScopes) view.scopes = [...opts.grantedScopes];
      if (view.exp === undefined && opts.expiresAt !== undefined) view.exp = opts.expiresAt;
      checkClaims(ctx, view, { strict: false, scopesKnown: view.scopeClaimPresent || opts.grantedScopes !== undefined });
      checkBinding(ctx, claims);
      return { ...base, issuer: view.issuer, subject: view.subject, audience: view.audience, scopes: view.scopes, expiresAt: view.exp, issuedAt: view.iat, notBefore: view.nbf };
    }
  } else {
    add('info', 'opaque', `opaque token: contents cannot be checked locally; ${opts.introspectionUnavailable ?? 'the server offers no introspection the client can use'}`);
  }

  const exp = typeof opts.expiresAt === 'number' && Number.isFinite(opts.expiresAt) ? opts.expiresAt : undefined;
  const view: ClaimsView = { scopes: opts.grantedScopes ? [...opts.grantedScopes] : [], scopeClaimPresent: false, exp };
  checkClaims(ctx, view, { strict: false, scopesKnown: opts.grantedScopes !== undefined, fromTokenResponse: true });
  return { format: 'opaque', verified: false, scopes: view.scopes, expiresAt: exp, source: 'token-response', findings: ctx.findings };
}

/**
 * RFC 7662 §2 introspection request, authenticated as the client, through the guarded fetch.
 * Returns undefined (with an 'introspection_failed' finding) when the call does not succeed.
 * @see https://www.rfc-editor.org/rfc/rfc7662#section-2.1
 */
async function introspect(ctx: Ctx, intro: NonNullable<InspectTokenOptions['introspection']>): Promise<Record<string, unknown> | undefined> {
  const { opts, scrub } = ctx;
  const as: AuthorizationServer = { issuer: intro.issuer, introspection_endpoint: intro.endpoint };
  const client: Client = { client_id: intro.client_id };
  try {
    // http: is only ever allowed by the guarded fetch for loopback (or user-allowed) hosts.
    const insecure = new URL(intro.endpoint).protocol === 'http:';
    const response = await introspectionRequest(as, client, intro.clientAuth, opts.token, {
      [oauthCustomFetch]: (url, init) => opts.fetch(url, { ...init, purpose: 'introspection', step: STEP.tokenIntrospection }),
      [allowInsecureRequests]: insecure,
    });
    return (await processIntrospectionResponse(as, client, response)) as unknown as Record<string, unknown>;
  } catch (err) {
    let reason: string;
    if (err instanceof ResponseBodyError) {
      // Scrub before cutting: a cut through an echoed token would leave a piece the scrub cannot match.
      reason = `HTTP ${err.status}, error "${short(scrub(err.error))}"${err.error_description ? `: ${short(scrub(err.error_description))}` : ''}`;
    } else if (err instanceof OperationProcessingError || isInspectorError(err)) {
      reason = errorText(err);
    } else {
      reason = errorText(err);
    }
    ctx.findings.push({
      level: 'warn',
      code: 'introspection_failed',
      message: scrub(`token introspection at ${short(intro.endpoint)} failed (${reason}); falling back to what the token response said`),
    });
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// helpers

function looksLikeJws(token: string): boolean {
  return JWS_COMPACT.test(token);
}

/** A plain-object deep copy of decoded JSON without prototype-polluting keys, depth-capped. */
function sanitizeObject(value: Record<string, unknown>, dropped: string[]): Record<string, unknown> {
  return sanitize(value, dropped, 0) as Record<string, unknown>;
}

function sanitize(value: unknown, dropped: string[], depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 32) return '[…]';
  if (Array.isArray(value)) return value.map((v) => sanitize(v, dropped, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (DANGEROUS_KEYS.has(key)) {
      dropped.push(key);
      continue;
    }
    out[key] = sanitize((value as Record<string, unknown>)[key], dropped, depth + 1);
  }
  return out;
}

/** Replace the token value wherever it turns up (a hostile server may echo it back). */
function scrubDeep(value: unknown, scrub: Scrub, depth = 0): unknown {
  if (typeof value === 'string') return scrub(value);
  if (value === null || typeof value !== 'object' || depth > 40) return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    out[scrub(key)] = scrubDeep(v, scrub, depth + 1);
  }
  return out;
}






function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return short(msg, 300);
}
