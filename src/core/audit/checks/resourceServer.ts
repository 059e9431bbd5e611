/**
 * [resource-server] Negative token probes: the MCP server must refuse a request without a token, and
 * with every token that is not a valid one for it — malformed, the real one with its signature
 * tampered, an `alg: none` copy, the same claims signed by a key the issuer never published (named by
 * `kid`, or embedded as `jwk`), one issued for another resource, an expired one, a revoked one — and
 * a token in the query string. A token lacking a needed scope must get 403 `insufficient_scope` with
 * the `scope` and `resource_metadata` a client steps up with.
 *
 * The probed request is the first one that needs a token (authProbes.ts): any request when the whole
 * server is protected, else a protected tool call (read-only, or with schema-failing arguments).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1 (invalid_token, insufficient_scope)
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4 (validating JWT access tokens)
 * @see https://www.rfc-editor.org/rfc/rfc8725 (JWT BCP)
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization (Token Handling, Scope Challenge Handling)
 */
import type { AuditCheckId, AuditSkipReason } from '../../../shared/audit';
import { canonicalResource } from '../../oauth/discovery';
import { splitScopes } from '../../oauth/challenge';
import { revokeToken } from '../../oauth/tokens';
import type { AuditContext, AuditPhase, ProbeAuth, ProbeResponse } from '../context';
import { algNoneCopy, decodeAccessToken, malformedToken, prepareForgery, signedByEmbeddedJwk, signedByUnknownKey, tamperedSignature } from '../forge';
import {
  bearer,
  callTarget,
  classify,
  describeRefusal,
  isReadOnly,
  mintToken,
  mintWithout,
  oauthScopes,
  schemesOf,
  toolName,
  type Outcome,
  type ProbeTarget,
  type RawTool,
} from '../authProbes';

type Id = Extract<AuditCheckId, `resource-server.${string}`>;

const IDS: readonly Id[] = [
  'resource-server.no-token',
  'resource-server.malformed-token',
  'resource-server.tampered-signature',
  'resource-server.alg-none',
  'resource-server.unknown-key',
  'resource-server.embedded-jwk',
  'resource-server.other-resource',
  'resource-server.expired-token',
  'resource-server.revoked-token',
  'resource-server.query-string-token',
  'resource-server.insufficient-scope',
];

/** Tokens that live at most this long are waited for (RFC 9068 §4 exp); longer ones only with waitExpiry. */
const EXPIRY_WAIT_LIMIT_S = 10;

const INVALID_TOKEN_FIX = 'Answer 401 with WWW-Authenticate: Bearer error="invalid_token" (and resource_metadata) for a token that is not valid, so a client knows to get a new one (RFC 6750 §3.1)';

/** What the server must verify, per probe, when it let a bad token through. */
const FIX: Record<string, string> = {
  'resource-server.malformed-token': 'Parse and verify every bearer token before serving the request; a value that is not a token the authorization server issued must get 401 invalid_token',
  'resource-server.tampered-signature': "Verify the token's signature against the issuer's published keys (its jwks_uri) on every request (RFC 9068 §4), or introspect opaque tokens (RFC 7662)",
  'resource-server.alg-none': 'Verify with an allow-list of algorithms (the ones the issuer signs with, e.g. RS256/ES256), never the alg the token names; alg "none" must never be accepted (RFC 8725 §3.1)',
  'resource-server.unknown-key': "Take verification keys only from the issuer's jwks_uri; a kid that is not published there is a refusal (RFC 9068 §4)",
  'resource-server.embedded-jwk': "Never verify with a key the token carries in its own header (jwk, jku, x5c, x5u); only the issuer's published keys count (RFC 8725 §3.10) — e.g. with jose, createRemoteJWKSet(jwks_uri), not EmbeddedJWK",
  'resource-server.other-resource': "Check the audience on every request: aud must be this server's resource URL exactly (RFC 8707 §2, RFC 9068 §4); a token the authorization server issued for another resource must be refused",
  'resource-server.expired-token': 'Check exp on every request (a small clock skew at most) and refuse an expired token with 401 invalid_token (RFC 9068 §4)',
  'resource-server.revoked-token': 'Check revocation: introspect tokens (RFC 7662) or keep the revocation state the authorization server publishes, so a revoked token stops working',
};

export const resourceServerChecks: AuditPhase = async (ctx) => {
  const reported = new Set<Id>();
  const report = (id: Id, level: 'pass' | 'warn' | 'fail', finding: string, exchanges: number[], fix?: string) => {
    if (reported.has(id)) return;
    reported.add(id);
    ctx.report({ id, level, finding, exchanges, ...(fix && level !== 'pass' ? { fix } : {}) });
  };
  const skip = (id: Id, reason: string, code?: AuditSkipReason) => {
    if (reported.has(id)) return;
    reported.add(id);
    ctx.skip(id, reason, undefined, code);
  };
  const skipRest = (reason: string, code?: AuditSkipReason) => {
    for (const id of IDS) skip(id, reason, code);
  };

  try {
    await run(ctx, report, skip, skipRest);
  } catch (err) {
    // A probe that could not be sent (the server went away, a timeout): what was judged stands, the
    // rest says why it was not.
    skipRest(`the probes stopped: ${ctx.conn.redactor.text(err instanceof Error ? err.message : String(err))}`);
  }
  // Every id exactly once.
  skipRest('not reached');
};

type Report = (id: Id, level: 'pass' | 'warn' | 'fail', finding: string, exchanges: number[], fix?: string) => void;
type Skip = (id: Id, reason: string) => void;

async function run(ctx: AuditContext, report: Report, skip: Skip, skipRest: (reason: string, code?: AuditSkipReason) => void): Promise<void> {
  if (ctx.facts.noOAuth) return skipRest(ctx.facts.noOAuth);
  // The re-signing key is made while the first probes are on the wire.
  if (ctx.facts.tokens) prepareForgery(ctx.facts.tokens.access_token);
  const found = await findTarget(ctx);
  if ('reason' in found) return skipRest(found.reason, found.code);
  const { target, noToken } = found;
  const send = (auth: ProbeAuth): Promise<ProbeResponse> => ctx.mcp(target.method, target.params, auth);

  // No token.
  {
    const o = classify(noToken, target, false);
    if (o.kind === 'refused' && o.status === 401) {
      report('resource-server.no-token', o.via === 'http' && !o.challenge ? 'warn' : 'pass', `${target.label} without a token: ${describeRefusal(o)}`, [noToken.exchange], 'Send WWW-Authenticate: Bearer resource_metadata="…" with the 401 (RFC 6750 §3, RFC 9728 §5.1), so a client can find where to sign in');
    } else if (o.kind === 'refused') {
      report('resource-server.no-token', 'warn', `${target.label} without a token: ${describeRefusal(o)}; a request without a token is a 401, not a 403`, [noToken.exchange], 'Answer a request without a token with 401 and WWW-Authenticate: Bearer resource_metadata="…" (RFC 6750 §3.1)');
    } else if (o.kind === 'accepted') {
      report('resource-server.no-token', 'fail', `${target.label} without a token was served (${o.detail})`, [noToken.exchange], `Require a valid token for ${target.label}: answer 401 with WWW-Authenticate: Bearer resource_metadata="…" (MCP Authorization §Token Handling)`);
    } else {
      report('resource-server.no-token', 'warn', `${target.label} without a token: ${o.detail}, not 401`, [noToken.exchange], 'Answer a request without a token with 401 and WWW-Authenticate: Bearer resource_metadata="…" (RFC 6750 §3.1)');
    }
  }

  // Malformed needs no real token.
  const malformed = await send(bearer(ctx, malformedToken(ctx.conn.redactor)));
  judgeBadToken(report, 'resource-server.malformed-token', classify(malformed, target, true), [malformed.exchange], 'a malformed token');

  const tokens = ctx.facts.tokens;
  if (!tokens) {
    const why = ctx.facts.signInFailure ? `sign-in failed (${ctx.facts.signInFailure.message})` : 'the audit has no token';
    return skipRest(`${why}, so there is no real token to derive probes from`);
  }
  const real = tokens.access_token;
  ctx.conn.redactor.addSecret(real);

  // The real token must work, or refusing a forged one proves nothing.
  const baseline = await send(bearer(ctx, real));
  const base = classify(baseline, target, true);
  if (base.kind !== 'accepted') {
    const seen = base.kind === 'refused' ? describeRefusal(base) : base.detail;
    return skipRest(`the audit's own token gets no result for ${target.label} either (${seen}), so a refusal of a derived token proves nothing`);
  }

  const jwt = decodeAccessToken(real);
  const opaque = 'the access token is opaque (not a JWT), so there are no claims to re-sign';

  const tampered = await send(bearer(ctx, tamperedSignature(real, ctx.conn.redactor)));
  judgeBadToken(report, 'resource-server.tampered-signature', classify(tampered, target, true), [tampered.exchange], `the real token with ${jwt ? 'its signature' : 'two characters'} changed`);

  const forged: Array<[Id, () => Promise<string | undefined>, string]> = [
    ['resource-server.alg-none', async () => algNoneCopy(real, ctx.conn.redactor), 'an alg "none" copy of the token'],
    ['resource-server.unknown-key', () => signedByUnknownKey(real, ctx.conn.redactor), 'the same claims signed by a key the issuer never published (named by kid)'],
    ['resource-server.embedded-jwk', () => signedByEmbeddedJwk(real, ctx.conn.redactor), 'the same claims signed by a key embedded in the header as jwk'],
  ];
  for (const [id, make, what] of forged) {
    const token = jwt ? await make() : undefined;
    if (!token) {
      skip(id, opaque);
      continue;
    }
    const r = await send(bearer(ctx, token));
    judgeBadToken(report, id, classify(r, target, true), [r.exchange], what);
  }

  // The token in the query string (OAuth 2.1 §5.2: never in a URL). When the request is served
  // without any token, being served with one in the URL proves nothing.
  if (classify(noToken, target, false).kind === 'accepted') {
    skip('resource-server.query-string-token', `${target.label} is served without a token, so a token in the query string cannot be told apart`);
  } else {
    const r = await send({ kind: 'query', token: real });
    const o = classify(r, target, false);
    if (o.kind === 'accepted') {
      report('resource-server.query-string-token', 'fail', `${target.label} with the token in ?access_token= was served (${o.detail})`, [r.exchange], 'Read the token only from the Authorization header; refuse access_token in the query string (OAuth 2.1 §5.2: URLs end up in logs and referrers)');
    } else {
      report('resource-server.query-string-token', 'pass', `the token in ?access_token= was not accepted: ${o.kind === 'refused' ? describeRefusal(o) : o.detail}`, [r.exchange]);
    }
  }

  await insufficientScope(ctx, target, send, report, skip);
  await otherResource(ctx, target, send, report, skip);
  await revoked(ctx, target, send, report, skip);
  await expired(ctx, target, send, report, skip);
}

/** Judge the answer to a token that is not valid for this server. */
function judgeBadToken(report: Report, id: Id, o: Outcome, exchanges: number[], what: string): void {
  if (o.kind === 'accepted') {
    report(id, 'fail', `${what} was accepted (${o.detail})`, exchanges, FIX[id] ?? INVALID_TOKEN_FIX);
  } else if (o.kind === 'refused' && o.status === 401 && o.challenge?.error === 'invalid_token') {
    report(id, 'pass', `${what} was refused: ${describeRefusal(o)}`, exchanges);
  } else if (o.kind === 'refused' && o.status === 401) {
    report(id, 'warn', `${what} was refused, but ${describeRefusal(o)} — without error="invalid_token"`, exchanges, INVALID_TOKEN_FIX);
  } else if (o.kind === 'refused') {
    report(id, 'warn', `${what} was refused with ${describeRefusal(o)}; a 403 tells a client to step up its scopes, which cannot help with a bad token`, exchanges, INVALID_TOKEN_FIX);
  } else {
    report(id, 'warn', `${what} was answered with ${o.detail}, not 401 invalid_token`, exchanges, INVALID_TOKEN_FIX);
  }
}

/**
 * The first request that needs a token, and its answer without one: tools/list when the server
 * refuses it anonymously; else a tool declared oauth2-only — read-only ones first, called for real;
 * others only with `callTools: 'all'`, or with schema-failing arguments when the server refuses
 * those without a token (then it decides on the token before the arguments).
 */
export async function findTarget(ctx: AuditContext): Promise<{ target: ProbeTarget; noToken: ProbeResponse } | { reason: string; code?: AuditSkipReason }> {
  const list: ProbeTarget = { method: 'tools/list', params: {}, label: 'tools/list', kind: 'request', scopes: [] };
  const anon = await ctx.mcp(list.method, list.params, { kind: 'none' });
  const o = classify(anon, list, false);
  if (o.kind !== 'accepted') {
    const scopes = splitScopes(anon.challenge?.scope ?? ctx.facts.challenge?.challenge?.scope);
    return { target: { ...list, scopes }, noToken: anon };
  }
  const listed = (anon.message?.result as { tools?: unknown } | undefined)?.tools;
  const tools: RawTool[] = ctx.facts.tools ?? (Array.isArray(listed) ? (listed.filter((t) => t && typeof t === 'object') as RawTool[]) : []);
  const protectedTools = tools.filter((t) => {
    const s = schemesOf(t);
    return !!s && s.some((x) => x.type === 'oauth2') && !s.some((x) => x.type === 'noauth');
  });
  if (!protectedTools.length) return { reason: 'tools/list answered without a token and no tool is declared oauth2-only (securitySchemes), so no request is known to need a token' };
  const ordered = [...protectedTools.filter(isReadOnly), ...protectedTools.filter((t) => !isReadOnly(t))];
  const tried: string[] = [];
  for (const tool of ordered) {
    const callable = isReadOnly(tool) || ctx.options.callTools === 'all';
    const target = callTarget(tool, !callable, oauthScopes(schemesOf(tool)));
    if (!target) {
      tried.push(`${toolName(tool)} (its input schema has nothing to fail)`);
      continue;
    }
    const r = await ctx.mcp(target.method, target.params, { kind: 'none' });
    const out = classify(r, target, false);
    if (target.kind === 'invalid-call' && out.kind !== 'refused') {
      tried.push(`${toolName(tool)} (arguments that fail its schema were answered before any token check)`);
      continue;
    }
    return { target, noToken: r };
  }
  return { reason: `no protected tool can be probed without side effects (${tried.join('; ')}), and the audit was not told it may call every tool`, code: 'tools-with-side-effects' };
}

async function insufficientScope(ctx: AuditContext, target: ProbeTarget, send: (a: ProbeAuth) => Promise<ProbeResponse>, report: Report, skip: Skip): Promise<void> {
  const id = 'resource-server.insufficient-scope';
  const needed = target.scopes.filter((s) => s !== 'openid' && s !== 'offline_access');
  if (!needed.length) return skip(id, `the server names no scope ${target.kind === 'request' ? 'in its 401 challenge' : `for tool ${target.tool}`}, so no token can lack one`);
  const minted = await mintWithout(ctx, needed);
  if ('reason' in minted) return skip(id, `no token without ${needed.join(' ')}: ${minted.reason}`);
  const r = await send(bearer(ctx, minted.tokens.access_token));
  const o = classify(r, target, true);
  const what = `${target.label} with a token lacking ${needed.join(' ')}`;
  const fix = `Answer with 403 and WWW-Authenticate: Bearer error="insufficient_scope", scope="${needed.join(' ')}", resource_metadata="…" in one challenge, so a client can step up (RFC 6750 §3.1, MCP Authorization §Scope Challenge Handling)`;
  if (o.kind === 'accepted') return report(id, 'fail', `${what} was served (${o.detail}): scopes are not checked`, [r.exchange], `Check the token's scopes on every request. ${fix}`);
  if (o.kind !== 'refused') return report(id, 'warn', `${what}: ${o.detail}, not 403 insufficient_scope`, [r.exchange], fix);
  const ch = o.challenge;
  if (!ch?.scope) return report(id, 'fail', `${what}: ${describeRefusal(o)} — without the scope needed, so no client can step up`, [r.exchange], fix);
  if (o.status !== 403 || ch.error !== 'insufficient_scope') return report(id, 'warn', `${what}: ${describeRefusal(o)}; expected 403 error="insufficient_scope"`, [r.exchange], fix);
  if (!ch.resource_metadata) return report(id, 'warn', `${what}: ${describeRefusal(o)} — without resource_metadata`, [r.exchange], fix);
  return report(id, 'pass', `${what}: ${describeRefusal(o)}`, [r.exchange]);
}

async function otherResource(ctx: AuditContext, target: ProbeTarget, send: (a: ProbeAuth) => Promise<ProbeResponse>, report: Report, skip: Skip): Promise<void> {
  const id = 'resource-server.other-resource';
  const own = canonicalResource(ctx.serverUrl);
  // This server's resource identifiers: its URL, and the resource its metadata names (RFC 9728 §2).
  const ours = new Set([own, ctx.serverUrl.href, (ctx.facts.discovery ?? ctx.conn.auth.discovery)?.resource].filter((x): x is string => !!x));
  // Another resource of the same authorization server: the one the user names, else a sibling path
  // of this server (an authorization server that accepts any resource URI issues for it).
  const candidates = [...new Set([ctx.options.otherResource, new URL(`${ctx.serverUrl.pathname.replace(/\/+$/, '')}-audit-other-resource`, ctx.serverUrl).href].filter((x): x is string => !!x && !ours.has(x)))];
  const refusals: string[] = [];
  for (const resource of candidates) {
    const minted = await mintToken(ctx, { resource, purpose: 'a token for another resource (resource-server.other-resource)' });
    if ('reason' in minted) {
      refusals.push(`${resource}: ${minted.reason}`);
      continue;
    }
    const claims = decodeAccessToken(minted.tokens.access_token)?.claims;
    const aud = claims ? (Array.isArray(claims.aud) ? claims.aud : claims.aud !== undefined ? [claims.aud] : []) : undefined;
    if (aud && aud.some((a) => typeof a === 'string' && ours.has(a))) {
      return skip(id, `the authorization server issued the token for ${resource} with this server in its aud (${aud.join(' ')}): it does not bind tokens to the requested resource (RFC 8707), so the probe proves nothing`);
    }
    const r = await send(bearer(ctx, minted.tokens.access_token));
    const o = classify(r, target, true);
    if (o.kind === 'accepted' && !aud) {
      return report(id, 'warn', `a token issued for ${resource} was accepted (${o.detail}); the token is opaque, so whether the authorization server bound it to that resource is not known`, [r.exchange], FIX[id]);
    }
    return judgeBadToken(report, id, o, [r.exchange], `a token issued for ${resource}${aud ? ` (aud ${aud.join(' ')})` : ''}`);
  }
  skip(id, `the authorization server issued no token for another resource (${refusals.join('; ') || 'no candidate'}); name another resource of this authorization server to probe with`);
}

async function revoked(ctx: AuditContext, target: ProbeTarget, send: (a: ProbeAuth) => Promise<ProbeResponse>, report: Report, skip: Skip): Promise<void> {
  const id = 'resource-server.revoked-token';
  const as = (ctx.facts.discovery ?? ctx.conn.auth.discovery)?.as;
  if (!as) return skip(id, 'the authorization server was not discovered');
  if (!as.revocation_endpoint) return skip(id, 'the authorization server advertises no revocation_endpoint (RFC 7009)');
  if (!as.introspection_endpoint) return skip(id, 'the authorization server advertises no introspection_endpoint (RFC 7662), so a resource server that validates tokens locally cannot learn of a revocation');
  const minted = await mintToken(ctx, { purpose: 'a second token to revoke (resource-server.revoked-token)' });
  if ('reason' in minted) return skip(id, `no second token to revoke: ${minted.reason}`);
  const token = minted.tokens.access_token;
  const before = await send(bearer(ctx, token));
  if (classify(before, target, true).kind !== 'accepted') return skip(id, 'the second token was not accepted before revocation either, so its refusal after proves nothing');
  try {
    await revokeToken(ctx.conn.ctx, as, minted.client, token, 'access_token');
  } catch (err) {
    return skip(id, `the authorization server did not revoke the second token: ${ctx.conn.redactor.text(err instanceof Error ? err.message : String(err))}`);
  }
  const r = await send(bearer(ctx, token));
  judgeBadToken(report, id, classify(r, target, true), [before.exchange, r.exchange], 'a token revoked at the authorization server (RFC 7009)');
}

async function expired(ctx: AuditContext, target: ProbeTarget, send: (a: ProbeAuth) => Promise<ProbeResponse>, report: Report, skip: Skip): Promise<void> {
  const id = 'resource-server.expired-token';
  const real = ctx.facts.tokens!;
  const lifetimeOf = (t: typeof real): number | undefined => {
    if (t.expires_at !== undefined) return t.expires_at - t.issued_at;
    const c = decodeAccessToken(t.access_token)?.claims;
    return typeof c?.exp === 'number' && typeof c.iat === 'number' ? c.exp - c.iat : undefined;
  };
  const lifetime = lifetimeOf(real);
  if (lifetime === undefined) return skip(id, 'the token response has no expires_in and the token carries no exp, so when it expires is not known');
  if (lifetime > EXPIRY_WAIT_LIMIT_S && !ctx.options.waitExpiry) {
    return skip(id, `the access token lives ${lifetime} s; the audit waits for expiry only when a token lives ${EXPIRY_WAIT_LIMIT_S} s or less — run with --wait-expiry to wait`);
  }
  // A second token when one can be had, so the audit's own token stays usable for later checks.
  const minted = await mintToken(ctx, { purpose: 'a second token to let expire (resource-server.expired-token)' });
  const t = 'reason' in minted ? real : minted.tokens;
  const claims = decodeAccessToken(t.access_token)?.claims;
  const expiresAt = t.expires_at ?? (typeof claims?.exp === 'number' ? claims.exp : undefined);
  if (expiresAt === undefined) return skip(id, 'when the token expires is not known');
  const wait = expiresAt * 1000 + 1500 - Date.now();
  if (wait > 0) await ctx.sleep(wait);
  // The server judges by the real clock: an injected sleep that did not reach the expiry proves nothing.
  if (Date.now() < expiresAt * 1000) return skip(id, 'the wait ended before the token expired');
  const r = await send(bearer(ctx, t.access_token));
  judgeBadToken(report, id, classify(r, target, true), [r.exchange], `the token once expired (lifetime ${lifetime} s; waited ${Math.max(0, Math.round(wait / 1000))} s)`);
}
