/**
 * The OAuth flow as steps (pure: no vscode, no DOM): consecutive trace entries of one step grouped,
 * a verdict per HTTP exchange, the spec section per step (src/shared/codes.ts OAUTH_STEP_SPEC),
 * counts by level. The flow panel and the Markdown export (reports.ts) both build on it.
 */
import type { TraceEntry, TraceExchange } from '../core/http/trace';
import { isOAuthStep, OAUTH_STEP_SPEC, type TraceStep } from '../shared/codes';
import type { FlowCounts, FlowExchange, FlowStep, Level } from '../shared/protocol';

/** The spec section of an MCP request: a 401/403 starts discovery, anything else carries the token. */
function mcpSpec(exchanges: readonly TraceExchange[]): string {
  const challenged = exchanges.some((e) => e.response?.status === 401 || e.response?.status === 403);
  return challenged ? 'MCP authorization §Authorization Server Discovery; RFC 9728 §5.1; RFC 6750 §3' : 'MCP authorization §Access Token Usage; RFC 6750 §2.1';
}

/**
 * The spec section a step implements when its notes do not name one (every note the engine writes
 * carries its own `spec`; exchanges do not): OAUTH_STEP_SPEC for an OAuth step, the answer's for an
 * MCP request.
 */
export function defaultSpec(step: TraceStep, exchanges: readonly TraceExchange[] = []): string | undefined {
  if (isOAuthStep(step)) return OAUTH_STEP_SPEC[step];
  if (exchanges.length && exchanges.every((e) => e.purpose === 'mcp')) return mcpSpec(exchanges);
  return undefined;
}

/** Largest request/response body sent to the panel per exchange (the Markdown export keeps 20 000). */
export const PANEL_BODY_CHARS = 8_000;
/** Largest total of bodies in one state message: older bodies are left out first. */
export const PANEL_BODY_BUDGET = 1_500_000;

/** A step's level is its most serious entry; "info" (a note, a redirect, a 404 on the way) yields to a pass. */
const RANK: Record<Level, number> = { info: 0, pass: 1, warn: 2, fail: 3 };
const worst = (levels: Level[]): Level => levels.reduce<Level>((w, l) => (RANK[l] > RANK[w] ? l : w), 'info');

/** `error` and `error_description` of an OAuth error body (RFC 6749 §5.2), when the body is one. */
function oauthErrorBody(body: string | undefined): string | undefined {
  if (!body || body.length > 64 * 1024 || !body.trimStart().startsWith('{')) return undefined;
  try {
    const j = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    if (typeof j.error !== 'string') return undefined;
    const desc = typeof j.error_description === 'string' ? `: ${j.error_description.slice(0, 300)}` : '';
    return `${j.error.slice(0, 100)}${desc}`;
  } catch {
    return undefined;
  }
}

/** A plain-words verdict for one HTTP exchange of the flow (notes carry their own). */
export function exchangeVerdict(e: TraceExchange): { level: Level; finding: string } {
  const status = e.response?.status;
  if (e.error) return { level: 'fail', finding: `${e.request.method} ${e.request.url} failed: ${e.error.message}` };
  if (status === undefined) return { level: 'info', finding: 'no response recorded' };
  const challenge = e.response?.headers['www-authenticate'];
  if (status === 401 && e.purpose === 'mcp') {
    return challenge
      ? { level: 'info', finding: 'the MCP server asks for a token (401 with a WWW-Authenticate challenge): authorization starts here' }
      : { level: 'warn', finding: 'the MCP server answered 401 without a WWW-Authenticate challenge (RFC 6750 §3 requires one); the client falls back to the well-known metadata URLs' };
  }
  if (status === 403 && e.purpose === 'mcp') return { level: 'warn', finding: 'the MCP server refuses the token (403): more scope is needed' };
  if (status === 404 && (e.purpose === 'resource-metadata' || e.purpose === 'as-metadata')) return { level: 'info', finding: 'not at this location; the next well-known URL is tried' };
  if (status >= 200 && status < 300) return { level: 'pass', finding: `${status} in ${e.durationMs} ms` };
  if (status >= 300 && status < 400) return { level: 'info', finding: `redirect (${status})${e.purpose === 'authorization' ? ': the authorization server sends the browser on' : ''}` };
  if (status === 401 && e.purpose === 'jwks') return { level: 'fail', finding: 'the JWKS endpoint demands authentication; token signatures cannot be checked' };
  const oauthError = oauthErrorBody(e.response?.body);
  const who = e.purpose === 'mcp' || e.purpose === 'resource-metadata' ? 'the MCP server' : 'the authorization server';
  return { level: 'fail', finding: oauthError ? `${who} refused (HTTP ${status}): ${oauthError}` : `${who} answered HTTP ${status}` };
}

function capBody(body: string | undefined, budget: { left: number; per: number }): { body?: string; omitted?: number } {
  if (body === undefined) return {};
  const allowed = Math.max(0, Math.min(budget.per, budget.left));
  budget.left -= Math.min(body.length, allowed);
  return body.length > allowed ? { body: body.slice(0, allowed), omitted: body.length - allowed } : { body };
}

function exchangeView(e: TraceExchange, budget: { left: number; per: number }): FlowExchange {
  const v = exchangeVerdict(e);
  const req = capBody(e.request.body, budget);
  const res = capBody(e.response?.body, budget);
  return {
    id: e.id,
    at: e.startedAt,
    durationMs: e.durationMs,
    purpose: e.purpose,
    method: e.request.method,
    url: e.request.url,
    requestHeaders: e.request.headers,
    requestBody: req.body,
    requestBodyOmitted: req.omitted,
    status: e.response?.status,
    responseHeaders: e.response?.headers,
    responseBody: res.body,
    responseBodyOmitted: res.omitted,
    bytes: e.response?.bytes,
    error: e.error ? `${e.error.code}: ${e.error.message}` : undefined,
    level: v.level,
    finding: v.finding,
  };
}

/** Consecutive entries of the same step, in trace order. */
export function groupEntries(entries: readonly TraceEntry[]): Array<{ step: TraceStep; entries: TraceEntry[] }> {
  const groups: Array<{ step: TraceStep; entries: TraceEntry[] }> = [];
  for (const e of entries) {
    const last = groups[groups.length - 1];
    if (last && last.step === e.step) last.entries.push(e);
    else groups.push({ step: e.step, entries: [e] });
  }
  return groups;
}

/**
 * The flow as steps: notes and exchanges of the same step together, each with its spec section and a
 * verdict. Bodies are capped per exchange and in total, newest first, so a long trace stays a small
 * message and renders fast.
 */
export function flowSteps(entries: readonly TraceEntry[], opts: { bodyChars?: number; budget?: number } = {}): FlowStep[] {
  const budget = { left: opts.budget ?? PANEL_BODY_BUDGET, per: opts.bodyChars ?? PANEL_BODY_CHARS };
  const groups = groupEntries(entries);
  const steps: FlowStep[] = new Array(groups.length);
  // Newest first for the body budget; the result keeps trace order.
  for (let gi = groups.length - 1; gi >= 0; gi--) {
    const g = groups[gi];
    const raw = g.entries.filter((e): e is TraceExchange => e.kind === 'http');
    const exchanges: FlowExchange[] = new Array(raw.length);
    for (let i = raw.length - 1; i >= 0; i--) exchanges[i] = exchangeView(raw[i], budget);
    const findings = g.entries.flatMap((e) => (e.kind === 'note' ? [{ id: e.id, at: e.at, level: e.level, message: e.message, spec: e.spec }] : []));
    const levels = [...findings.map((f) => f.level), ...exchanges.map((x) => x.level)];
    const level = worst(levels);
    const specs = [...new Set(findings.map((f) => f.spec).filter((s): s is string => !!s))];
    const headline =
      [...findings].reverse().find((f) => f.level === level) ??
      [...exchanges].reverse().find((x) => x.level === level) ??
      findings[findings.length - 1] ??
      exchanges[exchanges.length - 1];
    const first = g.entries[0];
    steps[gi] = {
      id: first.id,
      step: g.step,
      at: first.kind === 'note' ? first.at : first.startedAt,
      durationMs: raw.reduce((n, e) => n + e.durationMs, 0),
      level,
      finding: headline ? ('message' in headline ? headline.message : headline.finding) : '',
      spec: specs.length ? specs.join('; ') : defaultSpec(g.step, raw),
      findings,
      exchanges,
    };
  }
  return steps;
}

/** Steps by level (a step is as serious as its worst entry), as the summary line counts them. */
export function flowCounts(steps: readonly FlowStep[]): FlowCounts {
  const counts: FlowCounts = { pass: 0, info: 0, warn: 0, fail: 0 };
  for (const s of steps) counts[s.level]++;
  return counts;
}

