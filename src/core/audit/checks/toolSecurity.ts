/**
 * [tool-security] Each tool's declared `securitySchemes` (top-level, `_meta.securitySchemes`, or the
 * server's default) against what the server does with it: a `noauth` tool works without a token; an
 * `oauth2` tool refuses a call without one (HTTP 401, or the tool-level `_meta["mcp/www_authenticate"]`
 * challenge — the finding says which), works with a token holding its scopes, and refuses (403 or a
 * challenge) a token lacking them — unless it also declares `noauth`.
 *
 * Side effects (docs/SECURITY.md "The audit's probes"): only tools annotated `readOnlyHint: true` are
 * called, unless `callTools` is 'all'; every other tool is called with arguments that fail its own
 * input schema, which shows the auth decision when the server makes it before reading the arguments
 * (checked: the same call without a token must be refused), else its checks are skipped.
 *
 * @see https://developers.openai.com/apps-sdk/build/auth (securitySchemes, mcp/www_authenticate)
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3.1
 */
import type { AuditCheckId, AuditSkipReason } from '../../../shared/audit';
import type { AuditContext, AuditPhase, ProbeAuth, ProbeResponse } from '../context';
import { decodeAccessToken, prepareForgery } from '../forge';
import { bearer, callTarget, classify, describeRefusal, heldScopes, isReadOnly, mintToken, mintWithout, oauthScopes, schemesOf, toolName, type MintedToken, type Outcome, type RawTool } from '../authProbes';

type Id = Extract<AuditCheckId, `tool-security.${string}`>;

/** Front-end neutral: each front end adds how to allow it (reason code `tools-with-side-effects`). */
const NOT_READ_ONLY = 'not read-only, and the audit was not told it may call every tool';

/** Tools checked at most (each costs a few requests; a server may list thousands). */
const MAX_TOOLS = 64;

const IDS: readonly Id[] = ['tool-security.noauth-works-anonymously', 'tool-security.oauth-refuses-anonymous', 'tool-security.oauth-works-with-scopes', 'tool-security.oauth-refuses-without-scopes'];

export const toolSecurityChecks: AuditPhase = async (ctx) => {
  // The resource-server phase, which runs later, re-signs the token with a fresh key (an RSA key
  // takes a while to make): it is made while these probes are on the wire.
  if (ctx.facts.tokens && (!ctx.options.only || ctx.options.only.includes('resource-server'))) prepareForgery(ctx.facts.tokens.access_token);
  // Whether the server refuses anonymous requests as a whole (then undeclared tools need a token).
  const anon = await ctx.mcp('tools/list', {}, { kind: 'none' });
  const wholeServer = anon.status === 401 || anon.status === 403;
  const listed = (anon.message?.result as { tools?: unknown } | undefined)?.tools;
  const tools: RawTool[] = ctx.facts.tools ?? (Array.isArray(listed) ? (listed.filter((t) => t && typeof t === 'object') as RawTool[]) : []);
  if (!tools.length) {
    const why = ctx.facts.tools ? 'the server lists no tools' : 'the tools could not be listed';
    for (const id of IDS) ctx.skip(id, why);
    return;
  }
  const minted = new Map<string, Promise<MintedToken | { reason: string }>>();
  const tokenFor = (key: string, make: () => Promise<MintedToken | { reason: string }>) => {
    let p = minted.get(key);
    if (!p) minted.set(key, (p = make()));
    return p;
  };
  const done = new Set<Id>();
  try {
    for (const tool of tools.slice(0, MAX_TOOLS)) await checkTool(ctx, tool, wholeServer, tokenFor, done);
  } catch (err) {
    // A probe that could not be sent: what was judged stands, the rest says why it was not.
    const why = `the probes stopped: ${ctx.conn.redactor.text(err instanceof Error ? err.message : String(err))}`;
    for (const id of IDS) if (!done.has(id)) ctx.skip(id, why);
    return;
  }
  // A check no tool called for is in the report too, saying so.
  const none: Record<Id, string> = {
    'tool-security.noauth-works-anonymously': 'no tool declares noauth',
    'tool-security.oauth-refuses-anonymous': 'no tool is declared oauth2 only (or needs a token by the server default)',
    'tool-security.oauth-works-with-scopes': 'no tool is declared oauth2 (or needs a token by the server default)',
    'tool-security.oauth-refuses-without-scopes': 'no tool is declared oauth2',
  };
  for (const id of IDS) if (!done.has(id)) ctx.skip(id, none[id]);
  if (tools.length > MAX_TOOLS) {
    const rest = `${tools.length - MAX_TOOLS} more tools were not checked (the audit checks the first ${MAX_TOOLS} the server lists)`;
    for (const id of IDS) if (done.has(id)) ctx.skip(id, rest, `(${tools.length - MAX_TOOLS} more tools)`);
  }
};

type TokenFor = (key: string, make: () => Promise<MintedToken | { reason: string }>) => Promise<MintedToken | { reason: string }>;

async function checkTool(ctx: AuditContext, tool: RawTool, wholeServer: boolean, tokenFor: TokenFor, done: Set<Id>): Promise<void> {
  const name = toolName(tool);
  const declared = schemesOf(tool);
  const report = (id: Id, level: 'pass' | 'warn' | 'fail', finding: string, exchanges: number[], fix?: string) => {
    done.add(id);
    ctx.report({ id, level, subject: name, finding, exchanges, ...(fix && level !== 'pass' ? { fix } : {}) });
  };
  const skip = (id: Id, reason: string, code?: AuditSkipReason) => {
    done.add(id);
    ctx.skip(id, reason, name, code);
  };

  // Undeclared: the server's default — a token when the whole server wants one, else nothing to compare.
  const noauth = declared ? declared.some((s) => s.type === 'noauth') : !wholeServer;
  const oauth = declared ? declared.some((s) => s.type === 'oauth2') : wholeServer;
  if (!declared && !wholeServer) return skip('tool-security.oauth-refuses-anonymous', 'declares no securitySchemes and the server serves without a token: nothing declared to check');
  const scopes = oauthScopes(declared);
  const ids: Id[] = [];
  if (noauth) ids.push('tool-security.noauth-works-anonymously');
  if (oauth && !noauth) ids.push('tool-security.oauth-refuses-anonymous');
  if (oauth) ids.push('tool-security.oauth-works-with-scopes', 'tool-security.oauth-refuses-without-scopes');

  const callable = isReadOnly(tool) || ctx.options.callTools === 'all';
  const target = callTarget(tool, !callable, scopes);
  if (!target) {
    for (const id of ids) skip(id, NOT_READ_ONLY, 'tools-with-side-effects');
    return;
  }
  const send = (auth: ProbeAuth): Promise<ProbeResponse> => ctx.mcp(target.method, target.params, auth);
  const how = target.kind === 'invalid-call' ? ' (called with arguments that fail its input schema: it is not read-only)' : '';

  // Without a token.
  const anon = await send({ kind: 'none' });
  const a = classify(anon, target, false);
  if (target.kind === 'invalid-call' && a.kind !== 'refused' && !noauth) {
    // The answer is about the arguments, not the token: the auth decision is not visible this way.
    for (const id of ids) skip(id, `${NOT_READ_ONLY} (without a token, arguments that fail its input schema got ${a.detail}: the token decision is not visible that way)`, 'tools-with-side-effects');
    return;
  }
  if (noauth) {
    const id = 'tool-security.noauth-works-anonymously';
    if (a.kind === 'accepted') report(id, 'pass', `declared noauth; a call without a token went through (${a.detail})${how}`, [anon.exchange]);
    else if (a.kind === 'refused' && wholeServer) {
      // The whole endpoint wants a token (tools/list included): no client reaches the tool anonymously,
      // so the declaration misleads rather than breaks a flow.
      report(id, 'warn', `declared noauth, but the whole server requires a token (tools/list is refused without one), and a call without a token got ${describeRefusal(a)}${how}`, [anon.exchange], `Drop noauth from ${name}'s securitySchemes on this endpoint, or serve it without a token (per-tool protection: initialize and tools/list open, protected tools challenged)`);
    } else if (a.kind === 'refused') report(id, 'fail', `declared noauth, but a call without a token got ${describeRefusal(a)}${how}`, [anon.exchange], `Either serve ${name} without a token, or declare it oauth2 in its securitySchemes (and _meta.securitySchemes) so clients sign in first`);
    else report(id, 'warn', `declared noauth; a call without a token got ${a.detail}${how}`, [anon.exchange], `Serve ${name} without a token as declared`);
  } else if (oauth) {
    const id = 'tool-security.oauth-refuses-anonymous';
    if (a.kind === 'refused' && a.status === 401) {
      const note = a.via === 'tool-result' ? '; clients that react only to HTTP challenges will not sign in from it (see clients.meta-challenge-only)' : '';
      report(id, 'pass', `a call without a token got ${describeRefusal(a)}${note}${how}`, [anon.exchange]);
    } else if (a.kind === 'refused') {
      report(id, 'warn', `a call without a token got ${describeRefusal(a)}; without a token it should be 401${how}`, [anon.exchange], 'Answer a call without a token with 401 and WWW-Authenticate: Bearer resource_metadata="…" (RFC 6750 §3.1)');
    } else if (a.kind === 'accepted') {
      report(id, 'fail', `declared oauth2, but a call without a token went through (${a.detail})${how}`, [anon.exchange], `Require a token for ${name}: answer 401 with WWW-Authenticate (or the tool-level _meta["mcp/www_authenticate"] challenge), or declare it noauth if it is public`);
    } else {
      report(id, 'warn', `a call without a token got ${a.detail}, not 401${how}`, [anon.exchange], 'Answer a call without a token with 401 and WWW-Authenticate: Bearer resource_metadata="…" (RFC 6750 §3.1)');
    }
  }
  if (!oauth) return;

  // With a token holding its scopes.
  {
    const id = 'tool-security.oauth-works-with-scopes';
    const real = ctx.facts.tokens;
    let token: string | undefined;
    let reason: string | undefined;
    if (!real) reason = ctx.facts.signInFailure ? `sign-in failed (${ctx.facts.signInFailure.message})` : 'the audit has no token';
    else {
      const held = heldScopes(real, decodeAccessToken(real.access_token)?.claims as Record<string, unknown> | undefined);
      const missing = held ? scopes.filter((s) => !held.includes(s)) : [];
      if (!missing.length) token = real.access_token;
      else {
        const want = [...new Set([...(held ?? []), ...scopes])].join(' ');
        const m = await tokenFor(`with:${want}`, () => mintToken(ctx, { scope: want, purpose: `a token with ${want}` }));
        if ('reason' in m) reason = `the audit's token lacks ${missing.join(' ')} and no token with ${missing.length > 1 ? 'them' : 'it'} was had: ${m.reason}`;
        else token = m.tokens.access_token;
      }
    }
    if (!token) skip(id, reason ?? 'no token');
    else {
      const r = await send(bearer(ctx, token));
      const o = classify(r, target, true);
      const holding = scopes.length ? `a token holding ${scopes.join(' ')}` : 'a token';
      if (o.kind === 'accepted') report(id, 'pass', `a call with ${holding} went through (${o.detail})${how}`, [r.exchange]);
      else if (o.kind === 'refused') report(id, 'fail', `a call with ${holding} got ${describeRefusal(o)}${how}`, [r.exchange], `Make the scopes ${name} declares (${scopes.join(' ') || 'none'}) enough for it: the server's check and the securitySchemes declaration must agree`);
      else report(id, 'warn', `a call with ${holding} got ${o.detail}${how}`, [r.exchange], `Serve ${name} to a token holding its declared scopes`);
    }
  }

  // With a token lacking them.
  {
    const id = 'tool-security.oauth-refuses-without-scopes';
    if (noauth) return skip(id, 'also declares noauth: a token lacking its scopes may be served as anonymous');
    if (!scopes.length) return skip(id, 'declares no scopes, so no token can lack them');
    const m = await tokenFor(`without:${scopes.join(' ')}`, () => mintWithout(ctx, scopes));
    if ('reason' in m) return skip(id, `no token without ${scopes.join(' ')}: ${m.reason}`);
    const r = await send(bearer(ctx, m.tokens.access_token));
    judgeLacking(report, id, name, scopes, classify(r, target, true), [r.exchange], how);
  }
}

function judgeLacking(report: (id: Id, level: 'pass' | 'warn' | 'fail', finding: string, exchanges: number[], fix?: string) => void, id: Id, name: string, scopes: string[], o: Outcome, exchanges: number[], how: string): void {
  const what = `a call with a token lacking ${scopes.join(' ')}`;
  const fix = `Check ${name}'s scopes on every call: answer 403 with WWW-Authenticate: Bearer error="insufficient_scope", scope="${scopes.join(' ')}" (or the same tool-level challenge), so a client steps up`;
  if (o.kind === 'accepted') return report(id, 'fail', `${what} went through (${o.detail}): the declared scopes are not checked${how}`, exchanges, fix);
  if (o.kind === 'refused' && o.status === 403) return report(id, 'pass', `${what} got ${describeRefusal(o)}${how}`, exchanges);
  if (o.kind === 'refused') return report(id, 'warn', `${what} got ${describeRefusal(o)}; a valid token lacking scopes is a 403 insufficient_scope, so the client steps up instead of signing in again${how}`, exchanges, fix);
  return report(id, 'warn', `${what} got ${o.detail}${how}`, exchanges, fix);
}

