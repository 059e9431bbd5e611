/**
 * The audit (docs/SECURITY.md "The audit's probes"): connect to an MCP server the way the inspector
 * does, prove with real requests whether its OAuth is set up right, and say what to fix.
 *
 * Order, each step feeding the facts the next reads:
 * 1. the first request, without a token — `server/discover` (2026-07-28), else `initialize`; a server
 *    that answers it anonymously (per-tool security) gets `tools/list` and a call of a tool it
 *    declares protected, whose refusal is the challenge;
 * 2. discovery (src/core/oauth/discovery.ts), from the challenge's `resource_metadata`;
 * 3. one sign-in (headless, or the browser) — a failure is the finding `authorization-server.sign-in`
 *    and every check that needs a token skips with that reason;
 * 4. the MCP session with that token, and `tools/list`;
 * 5. the check phases, category by category (`only` runs fewer), each reporting every check it owns.
 *
 * A server that cannot be reached at all is the one case that throws (the CLI's exit status 2).
 *
 * Over ~450 lines on purpose: steps 1–4 are one sequence writing the facts every phase reads; the
 * checks themselves live in checks/, one module per category.
 */
import { AUDIT_CATEGORIES, AUDIT_CHECKS, summarize, type AuditCategory, type AuditCheck, type AuditCheckId, type AuditReport } from '../../shared/audit';
import { createConnection, type Connection, type ConnectionOptions } from '../connection';
import { InspectorError, isInspectorError } from '../errors';
import { Redactor } from '../http/redact';
import { Trace } from '../http/trace';
import { MemorySecretStore } from '../memorySecretStore';
import { startLoopbackReceiver } from '../oauth/redirect/loopback';
import type { RedirectReceiverFactory } from '../oauth/redirect/redirectReceiver';
import type { ClientConfig } from '../oauth/registration';
import type { TokenSet } from '../oauth/tokens';
import { sampleArguments } from '../mcp/sampleArguments';
import { readSecuritySchemes } from '../mcp/toolSecurity';
import type { Tool } from '@modelcontextprotocol/client';
import type { Browser, Clock, Logger, SecretStore } from '../ports';
import { authorizationServerChecks } from './checks/authorizationServer';
import { clientsChecks } from './checks/clients';
import { discoveryChecks } from './checks/discovery';
import { registrationChecks } from './checks/registration';
import { resourceServerChecks } from './checks/resourceServer';
import { tokenChecks } from './checks/token';
import { toolSecurityChecks } from './checks/toolSecurity';
import { transportChecks } from './checks/transport';
import type { AuditContext, AuditFacts, AuditPhase, AuditRunOptions, ProbeResponse } from './context';
import { createProbe, sseProbe } from './probe';
import { invalidArguments, isReadOnly } from './support';

export interface RunAuditOptions extends Partial<AuditRunOptions> {
  serverUrl: string;
  /** Approve the sign-in without a person (servers that do); else `browser` is opened. */
  headless?: boolean;
  browser?: Browser;
  secrets?: SecretStore;
  /** Registration (default: automatic — pre-registered when `clientId` is given, else CIMD or DCR). */
  client?: ClientConfig;
  /** Speak exactly this protocol version (see ConnectionOptions.protocolVersion). */
  protocolVersion?: string;
  timeoutMs?: number;
  authorizationTimeoutMs?: number;
  logger?: Logger;
  clock?: Clock;
  /** Injected for tests (the expired-token wait). Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  trace?: Trace;
  redactor?: Redactor;
  fetchImpl?: typeof fetch;
  /** Anything else for the connection (allowHttpHosts, headlessDeliver, startReceiver, …). */
  connection?: Partial<ConnectionOptions>;
  /** Told about every check as it is reported (progress in a UI). */
  onCheck?: (check: AuditCheck) => void;
  /** Told about the connection once it exists (a front end shows its trace). */
  onConnection?: (conn: Connection) => void;
  /** Phases to use instead of the built-in ones of their categories (tests). */
  extraPhases?: Partial<Record<AuditCategory, AuditPhase>>;
  /**
   * Stops the audit: no request is sent after it aborts (each one checks it, one in flight is
   * aborted, a sign-in waiting for the browser ends), and runAudit rejects with `audit_cancelled`.
   */
  signal?: AbortSignal;
  /**
   * Use the sign-in `secrets` already holds for this server (a front end's connection signed in
   * with the same store) instead of signing in again, when its token is for this resource (with fewer
   * scopes than the audit would ask for, too: the finding says which). Its client's registration,
   * refresh and revocation are what the checks then see; the authorization response of that
   * sign-in was not seen, so the RFC 9207 `iss` check skips saying so. Without a usable stored
   * sign-in the audit signs in as usual.
   */
  reuseSignIn?: boolean;
}

/** The categories whose checks run after a sign-in; discovery and clients run without a token of their own. */
const PHASE_ORDER: AuditCategory[] = ['discovery', 'authorization-server', 'registration', 'token', 'tool-security', 'transport', 'resource-server', 'clients'];

/** A finding or fix is plain words: capped, and scrubbed of every secret the connection knows. */
const MAX_TEXT = 2000;

export async function runAudit(opts: RunAuditOptions): Promise<AuditReport> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const options: AuditRunOptions = {
    callTools: opts.callTools ?? 'read-only',
    waitExpiry: opts.waitExpiry ?? false,
    only: opts.only?.length ? [...new Set(opts.only)] : undefined,
    clientId: opts.clientId,
    otherResource: opts.otherResource,
  };
  const selected = new Set<AuditCategory>(options.only ?? AUDIT_CATEGORIES);
  const trace = opts.trace ?? new Trace(20_000);
  const redactor = opts.redactor ?? new Redactor();
  let requests = 0;
  // The caller's trace outlives the audit (the editor passes the server's): the counter leaves with it.
  const stopCounting = trace.onEntry((e) => {
    if (e.kind === 'http' && (e.response || (e.error && !['address_refused', 'url_scheme_refused', 'url_invalid'].includes(e.error.code)))) requests++;
  });
  const signal = opts.signal;
  const cancelled = () => new InspectorError('audit_cancelled', `the audit of ${opts.serverUrl} was cancelled before it finished; no report was made`, { step: 'audit', hint: 'Run the audit again for a report' });
  const checkAborted = () => {
    if (signal?.aborted) throw cancelled();
  };
  try {
    checkAborted();

    const baseReceiver: RedirectReceiverFactory = opts.connection?.startReceiver ?? ((o) => startLoopbackReceiver(o));
    // The callback's `iss` (RFC 9207), as the authorization server sent it, for authorization-server.iss-parameter.
    const startReceiver: RedirectReceiverFactory = async (o) => {
      const r = await baseReceiver(o);
      return {
        redirectUri: r.redirectUri,
        close: () => r.close(),
        waitForCallback: async () => {
          const cb = await r.waitForCallback();
          facts.callbackIss = cb.params.getAll('iss');
          return cb;
        },
      };
    };

    const facts: AuditFacts = {};
    const client: ClientConfig = opts.client ?? { policy: 'auto', client_id: opts.clientId };
    const conn = createConnection({
      serverUrl: opts.serverUrl,
      secrets: opts.secrets ?? new MemorySecretStore(),
      headless: opts.headless,
      browser: opts.browser,
      client,
      timeoutMs: opts.timeoutMs,
      authorizationTimeoutMs: opts.authorizationTimeoutMs,
      protocolVersion: opts.protocolVersion,
      logger: opts.logger,
      clock: opts.clock,
      ...opts.connection,
      fetchImpl: signal ? abortable(opts.connection?.fetchImpl ?? opts.fetchImpl ?? ((i, init) => fetch(i, init)), signal) : (opts.connection?.fetchImpl ?? opts.fetchImpl),
      startReceiver,
      trace,
      redactor,
    });
    opts.onConnection?.(conn);

    const checks: AuditCheck[] = [];
    const seen = new Set<string>();
    const baseSleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    // The expired-token wait ends early when the audit is cancelled (the next request then refuses).
    const sleep = (ms: number) =>
      !signal
        ? baseSleep(ms)
        : new Promise<void>((resolve) => {
            const done = () => {
              signal.removeEventListener('abort', done);
              resolve();
            };
            signal.addEventListener('abort', done, { once: true });
            void baseSleep(ms).then(done);
          });
    const clean = (s: string | undefined) => (s === undefined ? undefined : redactor.text(s).slice(0, MAX_TEXT));
    const probe = createProbe({ conn, facts, transport: () => conn.session.transportKind });

    const ctx: AuditContext & { reported: readonly AuditCheck[] } = {
      serverUrl: conn.serverUrl,
      conn,
      options,
      facts,
      reported: checks,
      mcp: probe,
      sleep,
      report(c) {
        const spec = AUDIT_CHECKS[c.id];
        if (!spec) throw new InspectorError('internal', `the audit reported an unknown check id ${String(c.id)}`, { step: 'audit' });
        if (!selected.has(spec.category)) return;
        const key = `${c.id}\u0000${c.subject ?? ''}`;
        if (seen.has(key)) {
          conn.trace.note('audit', 'warn', `the check ${c.id}${c.subject ? ` (${c.subject})` : ''} was reported twice; the first report stands`);
          return;
        }
        seen.add(key);
        const check: AuditCheck = {
          id: c.id,
          category: spec.category,
          level: c.level,
          title: c.title ?? spec.title,
          ...(c.subject !== undefined ? { subject: clean(c.subject) } : {}),
          finding: clean(c.finding) ?? '',
        ...(c.level === 'skip' && c.reason ? { reason: c.reason } : {}),
          ...(c.fix !== undefined ? { fix: clean(c.fix) } : {}),
          spec: c.spec ?? [...spec.spec],
          exchanges: [...new Set(c.exchanges)].filter((n) => Number.isInteger(n) && n > 0),
        };
        checks.push(check);
        opts.onCheck?.(check);
      },
      skip(id, reason, subject, code) {
        this.report({ id, level: 'skip', finding: reason, subject, exchanges: [], ...(code ? { reason: code } : {}) });
      },
    };

    try {
      await firstContact(ctx, opts.protocolVersion);
      checkAborted();
      await discoverAndSignIn(ctx, selected, !!opts.headless, { signal, reuse: !!opts.reuseSignIn });
      checkAborted();
      const phases = { ...BUILT_IN_PHASES, ...opts.extraPhases };
      for (const category of PHASE_ORDER) {
        if (!selected.has(category)) continue;
        const phase = phases[category];
        const before = checks.length;
        if (!phase) continue;
        checkAborted();
        try {
          await phase(ctx);
        } catch (err) {
          checkAborted();
          if (isUnreachable(err) && checks.length === 0) throw err;
          const why = `the check could not run: ${redactor.text((err as Error)?.message ?? String(err)).slice(0, 300)}`;
          conn.trace.note('audit', 'warn', `${category}: ${why}`);
          for (const id of idsOf(category)) if (!checks.slice(before).some((c) => c.id === id)) ctx.skip(id, why);
        }
      }
      // Every check of a selected category is in the report: one a phase did not reach says so.
      for (const [id, spec] of Object.entries(AUDIT_CHECKS) as Array<[AuditCheckId, (typeof AUDIT_CHECKS)[AuditCheckId]]>) {
        if (!selected.has(spec.category) || checks.some((c) => c.id === id)) continue;
        const why =
          spec.category === 'tool-security'
            ? 'no tool this check applies to (it runs once per tool whose declaration it is about)'
            : 'the check did not run (its phase ended without reporting it)';
        ctx.skip(id, why);
      }
      checkAborted();
    } catch (err) {
      // Whatever a cancelled audit's last request threw (an aborted fetch reads as unreachable), the cause is the cancel.
      if (signal?.aborted) throw cancelled();
      throw err;
    } finally {
      await conn.close().catch(() => undefined);
    }

    const order = new Map((Object.keys(AUDIT_CHECKS) as AuditCheckId[]).map((id, i) => [id, i]));
    checks.sort((a, b) => order.get(a.id)! - order.get(b.id)! || (a.subject ?? '').localeCompare(b.subject ?? ''));
    return {
      server: conn.serverUrl.href,
      ...(facts.protocolVersion ? { protocolVersion: facts.protocolVersion } : {}),
      startedAt,
      durationMs: Date.now() - started,
      requests,
      summary: summarize(checks),
      checks,
    };
  } finally {
    stopCounting();
  }
}

/**
 * Every request of the audit (the session's, the probes', the sign-in's) goes through this fetch:
 * after `signal` aborts none is sent, and one in flight is aborted.
 */
function abortable(base: typeof fetch, signal: AbortSignal): typeof fetch {
  return (input, init) => {
    signal.throwIfAborted();
    const own = init?.signal;
    // AbortSignal.any keeps a composite per request until the signal goes (src/core/http/abortLink.ts
    // says why the session's fetch avoids it); an audit's signal lives for one audit of a few hundred
    // requests, and a response body read after the headers stays cancellable.
    return base(input, { ...init, signal: own ? AbortSignal.any([own, signal]) : signal });
  };
}

function idsOf(category: AuditCategory): AuditCheckId[] {
  return (Object.keys(AUDIT_CHECKS) as AuditCheckId[]).filter((id) => AUDIT_CHECKS[id].category === category);
}

function isUnreachable(err: unknown): boolean {
  return isInspectorError(err) && (err.code === 'network_error' || err.code === 'request_timeout');
}

/** Every category's checks, imported statically: the engine bundle has them all. */
const BUILT_IN_PHASES: Record<AuditCategory, AuditPhase> = {
  discovery: discoveryChecks,
  'authorization-server': authorizationServerChecks,
  registration: registrationChecks,
  token: tokenChecks,
  'resource-server': resourceServerChecks,
  'tool-security': toolSecurityChecks,
  transport: transportChecks,
  clients: clientsChecks,
};

/**
 * The first request, made without a token: `server/discover` (2026-07-28), else `initialize`. A
 * refusal is the challenge discovery starts from. A server that answers anonymously gets
 * `tools/list` and one call of a tool it declares protected (a read-only one, or with arguments that
 * fail its schema, unless every tool may be called), whose refusal is the challenge.
 */
async function firstContact(ctx: AuditContext, pinnedVersion: string | undefined): Promise<void> {
  const { facts, conn } = ctx;
  const pinned = pinnedVersion;
  let anonymous: ProbeResponse | undefined;
  let refusal: ProbeResponse | undefined;
  if (!pinned || pinned >= '2026-07-28') {
    facts.era = 'stateless';
    facts.protocolVersion = pinned ?? '2026-07-28';
    const r = await ctx.mcp('server/discover', {}, { kind: 'none' });
    if (r.status === 401 || r.status === 403) refusal = r;
    else if (r.status >= 200 && r.status < 300 && r.message?.result) anonymous = r;
    else {
      facts.era = undefined;
      facts.protocolVersion = undefined;
    }
    if (!anonymous && !refusal && pinned) facts.era = 'stateless';
  }
  if (!anonymous && !refusal && !facts.era) {
    facts.era = 'legacy';
    facts.protocolVersion = pinned;
    const r = await ctx.mcp('tools/list', undefined, { kind: 'none' });
    if (r.status === 401 || r.status === 403) refusal = r;
    else if (r.status >= 200 && r.status < 300) anonymous = r;
    else if (r.status === 404 || r.status === 405) {
      // MCP Transports §Backwards Compatibility: a POST refused with 404/405 is the HTTP+SSE transport,
      // whose stream is opened with a GET.
      const g = await sseProbe(conn, { kind: 'none' }, 'audit probe: HTTP+SSE stream');
      if (g.status === 401 || g.status === 403) refusal = g;
      else if (g.status >= 200 && g.status < 300) facts.tools = []; // answered anonymously; the session lists the tools
      else refusal = g;
    } else refusal = r; // neither served nor refused (a server error, say): discovery.unauthenticated-challenge says which status
  }
  if (refusal) {
    facts.challenge = { exchange: refusal.exchange, status: refusal.status, ...(refusal.challenge ? { challenge: refusal.challenge } : {}) };
    if (facts.era === 'stateless' && !pinned) facts.era = undefined;
    return;
  }
  if (!anonymous) return;
  // Anyone may initialize and list tools (per-tool security): the 401 is checked on a protected tool.
  const listed = anonymous.message?.result && facts.era === 'legacy' ? anonymous : await ctx.mcp('tools/list', {}, { kind: 'none' });
  const tools = ((listed.message?.result as { tools?: unknown } | undefined)?.tools ?? []) as Array<Record<string, unknown>>;
  if (Array.isArray(tools)) facts.tools = tools.filter((t) => t && typeof t === 'object' && typeof t.name === 'string');
  const protectedTool = (facts.tools ?? []).find((t) => {
    const schemes = readSecuritySchemes(t).schemes;
    return !!schemes?.some((s) => s.type === 'oauth2') && !schemes.some((s) => s.type === 'noauth');
  });
  if (!protectedTool) return;
  const callable = ctx.options.callTools === 'all' || isReadOnly(protectedTool);
  const args = callable ? sampleArguments(protectedTool as unknown as Tool) : invalidArguments(protectedTool);
  if (!args) return;
  const r = await ctx.mcp('tools/call', { name: protectedTool.name, arguments: args }, { kind: 'none' });
  const refused = r.status === 401 || r.status === 403;
  const tool = String(protectedTool.name);
  if (refused || r.toolChallenge) {
    facts.challenge = { exchange: r.exchange, status: r.status, ...((refused ? r.challenge : r.toolChallenge) ? { challenge: (refused ? r.challenge : r.toolChallenge)! } : {}) };
    facts.protectedCall = { tool, via: refused ? 'http' : 'tool-result', exchange: r.exchange };
  } else {
    // Served: a result that is not an error. An error result or a JSON-RPC error without a challenge
    // says nothing about authorization (the tool's input check may have come first).
    const served = r.status >= 200 && r.status < 300 && !!r.message?.result && (r.message.result as { isError?: unknown }).isError !== true;
    facts.protectedCall = { tool, via: served ? 'none' : 'unclear', exchange: r.exchange };
  }
}

/** Discovery, then one sign-in, then the MCP session and its tools. */
async function discoverAndSignIn(ctx: AuditContext, selected: Set<AuditCategory>, headless: boolean, o: { signal?: AbortSignal; reuse: boolean }): Promise<void> {
  const { conn, facts } = ctx;
  // A server that answered without a token and declares no protected tool may not use OAuth at all:
  // then the absence of protected resource metadata (discovery's 2025-03-26 fallback) says so.
  const anonymous = !facts.challenge && !facts.protectedCall && !!facts.tools;
  const notOAuth = 'the server does not use OAuth: it answered every request without a token, declares no tool that needs one, and publishes no protected resource metadata';
  try {
    const found = await conn.auth.ensureDiscovery(facts.challenge?.challenge?.resource_metadata);
    if (anonymous && found.backCompat) facts.noOAuth = notOAuth;
    else facts.discovery = found;
  } catch (err) {
    if (isUnreachable(err) && !facts.challenge && !facts.tools) throw err;
    if (anonymous) facts.noOAuth = notOAuth;
    else facts.discoveryFailure = { code: isInspectorError(err) ? err.code : 'internal', message: conn.redactor.text((err as Error)?.message ?? String(err)), hint: isInspectorError(err) ? err.hint : undefined };
  }
  const needsToken = [...selected].some((c) => c !== 'discovery');
  if (facts.noOAuth) {
    if (needsToken) ctx.skip('authorization-server.sign-in', facts.noOAuth);
  } else if (facts.discovery && needsToken) {
    const disc = facts.discovery;
    // One token for every check: the resource's scopes_supported (every tool's), else the challenge's.
    const all = disc.resourceMetadata?.scopes_supported?.length ? undefined : facts.challenge?.challenge?.scope;
    const scope = conn.auth.selectScope(disc, all, false);
    const since = lastId(conn);
    const held = o.reuse ? await storedSignIn(conn, disc, scope) : undefined;
    if (held) {
      facts.tokens = held.tokens;
      facts.signInReused = true;
      const c = conn.auth.client;
      const t = held.tokens;
      ctx.report({
        id: 'authorization-server.sign-in',
        level: 'pass',
        finding: `Reused the sign-in this server already has (client ${c?.client_id ?? '?'}, ${c?.mode ?? '?'}) instead of signing in again; its token (${t.token_type}) was issued for ${t.resource} with scope "${t.scope ?? ''}".${held.missing.length ? ` It lacks ${held.missing.join(' ')}, which the audit would ask for: the checks that need ${held.missing.length > 1 ? 'them' : 'it'} get a token headless or skip saying why.` : ''}`,
        exchanges: idsSince(conn, since),
      });
    } else try {
      facts.tokens = await conn.auth.authorize(scope, o.signal);
      const c = conn.auth.client;
      ctx.report({
        id: 'authorization-server.sign-in',
        level: 'pass',
        finding: `Signed in ${headless ? 'headless' : 'in the browser'} as client ${c?.client_id ?? '?'} (${c?.mode ?? '?'}); the token (${facts.tokens.token_type}) was issued for ${facts.tokens.resource} with scope "${facts.tokens.scope ?? ''}".`,
        exchanges: idsSince(conn, since),
      });
    } catch (err) {
      const code = isInspectorError(err) ? err.code : 'internal';
      const message = conn.redactor.text((err as Error)?.message ?? String(err));
      facts.signInFailure = { code, message };
      ctx.report({
        id: 'authorization-server.sign-in',
        level: 'fail',
        finding: `Sign-in did not complete: ${message}`,
        fix: (isInspectorError(err) && err.hint ? conn.redactor.text(err.hint) : undefined) ?? 'Fix the step the finding names (see the exchanges), then run the audit again.',
        exchanges: idsSince(conn, since),
      });
    }
  } else if (needsToken) {
    facts.signInFailure = { code: facts.discoveryFailure?.code ?? 'as_metadata_not_found', message: `discovery did not complete${facts.discoveryFailure ? `: ${facts.discoveryFailure.message}` : ''}` };
    ctx.report({
      id: 'authorization-server.sign-in',
      level: 'fail',
      finding: `Sign-in could not start because discovery did not complete${facts.discoveryFailure ? `: ${facts.discoveryFailure.message}` : ''}.`,
      fix: facts.discoveryFailure?.hint ?? 'Publish protected resource metadata naming the authorization server, and authorization server metadata at its well-known URL.',
      exchanges: facts.challenge ? [facts.challenge.exchange] : [],
    });
  }
  // The MCP session: with the token, or anonymously when the server allows that. Never a second sign-in.
  if (facts.tokens || (facts.tools && !facts.challenge) || (facts.tools && facts.protectedCall)) {
    try {
      await conn.auth.withoutAuthorization('server/discover', () =>
        conn.auth.withoutAuthorization('initialize', () => conn.auth.withoutAuthorization('tools/list', async () => {
          await conn.session.connect();
          const listed = await conn.session.listToolsPaged();
          facts.tools = listed.tools.map((t) => t.tool as unknown as Record<string, unknown>);
        })),
      );
      // A refresh on the way (a 401 answered by the refresh token) replaced the tokens.
      if (conn.auth.tokens && facts.tokens) facts.tokens = conn.auth.tokens;
      const n = conn.session.negotiation;
      if (n) {
        facts.era = n.era === 'stateless-2026' ? 'stateless' : 'legacy';
        facts.protocolVersion = n.protocolVersion;
      }
    } catch (err) {
      facts.connectFailure = { code: isInspectorError(err) ? err.code : 'internal', message: conn.redactor.text((err as Error)?.message ?? String(err)) };
      if (!facts.tools?.length && facts.tokens) {
        // The session failed: list the tools with a probe carrying the token.
        const r = await ctx.mcp('tools/list', {}, { kind: 'bearer', token: facts.tokens.access_token, dpop: true }).catch(() => undefined);
        const tools = (r?.message?.result as { tools?: unknown } | undefined)?.tools;
        if (Array.isArray(tools)) facts.tools = tools as Array<Record<string, unknown>>;
      }
    }
  }
  if (facts.tokens) conn.redactor.addSecret(facts.tokens.access_token);
}

/**
 * The stored sign-in (the store the caller shares with its own connection) when it fits the audit:
 * a token for this resource, refreshed first when it is about to expire. Undefined otherwise (then
 * the audit signs in), with a trace note saying why. A token holding fewer scopes than the audit
 * would ask for is still used — a second sign-in in the browser is what reusing avoids; the checks
 * that need more get a headless token or skip saying so — and `missing` says which.
 */
async function storedSignIn(conn: Connection, disc: NonNullable<AuditFacts['discovery']>, scope: string | undefined): Promise<{ tokens: TokenSet; missing: string[] } | undefined> {
  await conn.auth.load();
  const held = conn.auth.tokens;
  const skip = (why: string) => {
    conn.trace.note('audit', 'info', `the stored sign-in is not reused: ${why}; signing in for the audit`);
    return undefined;
  };
  if (!held) return undefined;
  if (held.resource !== disc.resource) return skip(`its token was issued for ${held.resource}, not ${disc.resource}`);
  const granted = held.scope?.split(/\s+/).filter(Boolean);
  const missing = (scope?.split(/\s+/).filter(Boolean) ?? []).filter((s) => s !== 'openid' && s !== 'offline_access' && granted && !granted.includes(s));
  try {
    if (!(await conn.auth.accessToken())) return skip('its token could not be used');
  } catch (err) {
    return skip(`its token could not be refreshed (${conn.redactor.text((err as Error)?.message ?? String(err)).slice(0, 200)})`);
  }
  return conn.auth.tokens ? { tokens: conn.auth.tokens, missing } : undefined;
}

function lastId(conn: Connection): number {
  const all = conn.trace.all();
  for (let i = all.length - 1; i >= 0; i--) if (all[i].kind === 'http') return all[i].id;
  return 0;
}

function idsSince(conn: Connection, since: number): number[] {
  return conn.trace.all().filter((e) => e.kind === 'http' && e.id > since).map((e) => e.id);
}
