/**
 * The checks of an access token's claims, shared by a JWT access token (RFC 9068 §4) and an
 * introspection response (RFC 7662 §2.2): issuer, audience (RFC 8707 §2), lifetime, scopes, and the
 * DPoP binding (RFC 9449 §6). Each check adds a finding with a stable code (src/shared/codes.ts
 * TokenFindingCode) and a plain-words message; none throws. Decoding, signature verification and
 * introspection stay in token.ts.
 */
import type { FindingLevel, TokenFindingCode } from '../../shared/codes';

export interface TokenFinding {
  level: FindingLevel;
  /** Stable code callers switch on (the union in src/shared/codes.ts, with the check each belongs to). */
  code: TokenFindingCode;
  message: string;
}

export type Scrub = (s: string) => string;

/** What a check reads (what the caller expects) and where it writes (the findings, scrubbed of the token). */
export interface CheckContext {
  opts: {
    expectedIssuer?: string;
    expectedAudience?: string;
    requiredScopes?: string[];
    tokenType?: string;
    dpopThumbprint?: string;
  };
  scrub: Scrub;
  /** Now, in epoch seconds. */
  nowS: number;
  findings: TokenFinding[];
}

/** Clock skew tolerated on exp / nbf / iat, in seconds. */
export const CLOCK_SKEW_SECONDS = 30;
/** Below this remaining lifetime a token "expires soon" (info). */
const EXPIRES_SOON_SECONDS = 5 * 60;

// ---------------------------------------------------------------------------------------------
// Sender constraint: DPoP (RFC 9449 §6)

/**
 * Whether the token is bound to a DPoP key: `cnf.jkt` in the JWT or the introspection response
 * (RFC 9449 §6.1, §6.2), compared with the thumbprint of the key the client signs its proofs with.
 * Only said when there is something to say: a `cnf.jkt`, or a token_type "DPoP" without one.
 */
export function checkBinding(ctx: CheckContext, claims: Record<string, unknown>): void {
  const { opts } = ctx;
  const add = (level: FindingLevel, code: TokenFindingCode, message: string) => ctx.findings.push({ level, code, message: ctx.scrub(message) });
  const cnf = claims.cnf;
  const jkt = cnf && typeof cnf === 'object' && !Array.isArray(cnf) ? (cnf as Record<string, unknown>).jkt : undefined;
  const dpopType = typeof opts.tokenType === 'string' && opts.tokenType.toLowerCase() === 'dpop';
  if (typeof jkt === 'string') {
    if (opts.dpopThumbprint === undefined) {
      add('info', 'dpop_bound', `the token is DPoP-bound (cnf.jkt ${short(jkt)}): it is only accepted with a proof signed by that key`);
    } else if (jkt === opts.dpopThumbprint) {
      add('pass', 'dpop_bound', `the token is DPoP-bound to this client's key (cnf.jkt ${short(jkt)} is its thumbprint): a stolen copy is useless without the key`);
    } else {
      add('fail', 'dpop_key_mismatch', `the token is DPoP-bound to another key (cnf.jkt ${short(jkt)}, this client's key is ${short(opts.dpopThumbprint)}): the server will refuse every proof the client signs`);
    }
    if (!dpopType && opts.tokenType !== undefined) {
      add('warn', 'dpop_unbound', `the token carries cnf.jkt but the token response said token_type "${short(opts.tokenType)}", not "DPoP"`);
    }
  } else if (dpopType) {
    add('info', 'dpop_unbound', 'the token response said token_type "DPoP" but the token carries no cnf.jkt the client can read: the binding is known only to the servers');
  } else if (cnf !== undefined) {
    add('info', 'cnf_other', 'the token has a cnf claim without jkt: bound to something other than a DPoP key (an mTLS certificate, say), not checked here');
  }
}

// ---------------------------------------------------------------------------------------------
// Claims: read with type checks, then check against what the caller expects

export interface ClaimsView {
  issuer?: string;
  subject?: string;
  audience?: string[];
  scopes: string[];
  scopeClaimPresent: boolean;
  exp?: number;
  iat?: number;
  nbf?: number;
}

export function readClaims(ctx: CheckContext, c: Record<string, unknown>): ClaimsView {
  const invalid = (name: string, want: string) =>
    ctx.findings.push({ level: 'fail', code: 'invalid_claim', message: ctx.scrub(`the "${name}" claim is ${describe(c[name])}, not ${want}; it is ignored`) });
  const view: ClaimsView = { scopes: [], scopeClaimPresent: false };

  if (typeof c.iss === 'string') view.issuer = c.iss;
  else if (c.iss !== undefined) invalid('iss', 'a string');
  if (typeof c.sub === 'string') view.subject = c.sub;
  else if (c.sub !== undefined) invalid('sub', 'a string');

  if (typeof c.aud === 'string') view.audience = [c.aud];
  else if (Array.isArray(c.aud) && c.aud.every((a) => typeof a === 'string')) view.audience = [...(c.aud as string[])];
  else if (c.aud !== undefined) invalid('aud', 'a string or an array of strings');

  for (const name of ['exp', 'iat', 'nbf'] as const) {
    const v = c[name];
    if (typeof v === 'number' && Number.isFinite(v)) view[name] = v;
    else if (v !== undefined) invalid(name, 'a number of seconds');
  }

  // RFC 9068 §2.2.3 / RFC 8693 §4.2: `scope` is space-separated; some servers use `scp` (array or string).
  const scopes = new Set<string>();
  if (typeof c.scope === 'string') {
    view.scopeClaimPresent = true;
    for (const s of c.scope.split(/\s+/)) if (s) scopes.add(s);
  } else if (c.scope !== undefined) invalid('scope', 'a space-separated string');
  if (typeof c.scp === 'string') {
    view.scopeClaimPresent = true;
    for (const s of c.scp.split(/\s+/)) if (s) scopes.add(s);
  } else if (Array.isArray(c.scp) && c.scp.every((s) => typeof s === 'string')) {
    view.scopeClaimPresent = true;
    for (const s of c.scp as string[]) if (s) scopes.add(s);
  } else if (c.scp !== undefined) invalid('scp', 'a string or an array of strings');
  view.scopes = [...scopes];
  return view;
}

export function checkClaims(ctx: CheckContext, v: ClaimsView, mode: { strict: boolean; scopesKnown: boolean; fromTokenResponse?: boolean }): void {
  const { opts, nowS } = ctx;
  const add = (level: FindingLevel, code: TokenFindingCode, message: string) => ctx.findings.push({ level, code, message: ctx.scrub(message) });

  // Issuer: RFC 9068 §4 — must exactly match the authorization server's issuer.
  if (opts.expectedIssuer !== undefined && !mode.fromTokenResponse) {
    if (v.issuer === undefined) {
      if (mode.strict) add('fail', 'issuer_missing', `the token has no iss claim; expected ${short(opts.expectedIssuer)}`);
    } else if (v.issuer === opts.expectedIssuer) {
      add('pass', 'issuer_match', `issued by ${short(v.issuer)}`);
    } else {
      add('fail', 'issuer_mismatch', `issuer is "${short(v.issuer)}" but the authorization server is ${short(opts.expectedIssuer)}`);
    }
  }

  // Audience: RFC 8707 §2 / RFC 9068 §4 — the token must be meant for this resource.
  if (opts.expectedAudience !== undefined && !mode.fromTokenResponse) {
    const expected = opts.expectedAudience;
    if (v.audience === undefined || v.audience.length === 0) {
      if (mode.strict) add('fail', 'audience_missing', `the token has no aud claim, so nothing says it is meant for ${short(expected)} (RFC 9068 requires aud)`);
      else add('info', 'audience_unknown', `the introspection response has no aud, so it does not say the token is meant for ${short(expected)}`);
    } else if (v.audience.includes(expected)) {
      add('pass', 'audience_match', `audience includes ${short(expected)}`);
    } else {
      const shown = v.audience.length === 1 ? `"${short(v.audience[0])}"` : `[${v.audience.slice(0, 5).map((a) => `"${short(a)}"`).join(', ')}${v.audience.length > 5 ? ', …' : ''}]`;
      const near = v.audience.some((a) => sameResource(a, expected));
      add(
        near ? 'warn' : 'fail',
        'audience_mismatch',
        near
          ? `audience is ${shown}, which differs from ${short(expected)} only in spelling (case, default port or trailing slash); a strict server will reject it`
          : `audience is ${shown} but this token is used for ${short(expected)}`,
      );
    }
  }

  // Lifetime, with CLOCK_SKEW_SECONDS tolerance.
  const src = mode.fromTokenResponse ? 'the token response' : 'the token';
  if (v.exp === undefined) {
    if (mode.strict) add('warn', 'no_expiry', 'the token has no exp claim: it never expires (RFC 9068 requires exp)');
    else add('info', 'expiry_unknown', `${src === 'the token' ? 'the introspection response' : src} gives no expiry time`);
  } else if (v.exp + CLOCK_SKEW_SECONDS <= nowS) {
    add('fail', 'expired', `expired ${duration(nowS - v.exp)} ago (${iso(v.exp)})`);
  } else if (v.exp - nowS <= EXPIRES_SOON_SECONDS) {
    add('info', 'expires_soon', v.exp > nowS ? `expires in ${duration(v.exp - nowS)} (${iso(v.exp)})` : `expires now (${iso(v.exp)}, within the ${CLOCK_SKEW_SECONDS} s clock skew allowance)`);
  } else {
    add('pass', 'not_expired', `valid for another ${duration(v.exp - nowS)} (until ${iso(v.exp)})`);
  }
  if (v.nbf !== undefined && v.nbf - CLOCK_SKEW_SECONDS > nowS) {
    add('fail', 'not_yet_valid', `not valid until ${iso(v.nbf)} (in ${duration(v.nbf - nowS)}); check the clocks of this machine and the server`);
  }
  if (v.iat !== undefined && v.iat - CLOCK_SKEW_SECONDS > nowS) {
    add('warn', 'issued_in_future', `issued in the future (${iso(v.iat)}, ${duration(v.iat - nowS)} from now); check the clocks of this machine and the server`);
  }

  // Scopes.
  const required = (opts.requiredScopes ?? []).filter((s) => typeof s === 'string' && s !== '');
  if (required.length) {
    if (!mode.scopesKnown) {
      add('info', 'scope_unknown', `the granted scopes are unknown, so ${required.map((s) => short(s)).join(', ')} cannot be checked`);
    } else {
      const have = new Set(v.scopes);
      const missing = required.filter((s) => !have.has(s));
      if (missing.length) add('fail', 'scope_missing', `missing scope${missing.length > 1 ? 's' : ''}: ${missing.map((s) => short(s)).join(', ')} (granted: ${v.scopes.length ? v.scopes.map((s) => short(s)).join(' ') : 'none'})`);
      else add('pass', 'scope_present', `has the required scope${required.length > 1 ? 's' : ''}: ${required.map((s) => short(s)).join(', ')}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// helpers

/** Same resource except for URL spelling (case of scheme/host, default port, trailing slash). */
function sameResource(a: string, b: string): boolean {
  try {
    const norm = (s: string) => new URL(s).href.replace(/\/+$/, '');
    return norm(a) === norm(b);
  } catch {
    return false;
  }
}

export function short(s: string, max = 200): string {
  const clean = String(s).replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a${/^[aeiou]/.test(typeof v) ? 'n' : ''} ${typeof v}`;
}

function iso(epochS: number): string {
  const d = new Date(epochS * 1000);
  return Number.isNaN(d.getTime()) ? `${epochS}` : d.toISOString();
}

/** "45 s", "4 min", "2 h 5 min", "3 d". */
function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) {
    const m = Math.floor((s % 3600) / 60);
    return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ''}`;
  }
  return `${Math.floor(s / 86_400)} d`;
}
