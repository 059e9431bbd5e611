/**
 * What the CLI prints, as pure functions of the engine's results: every string that came from a
 * server goes through core/text/terminal on its way out (one line per line of ours, so a server
 * cannot forge one), and JSON goes out through `terminalJson`. Kept apart from main.ts (which runs
 * on import) so the rendering is unit-tested with hostile values.
 */
import type { TraceEntry } from '../core/http/trace';
import type { TokenInspection } from '../core/inspect/token';
import type { ToolInfo } from '../core/mcp/session';
import { terminalJson, terminalLine, terminalText } from '../core/text/terminal';
import { toolAccess, type AuthSummary } from '../present/summaries';
import type { ErrorCode } from '../shared/codes';

/**
 * Exit codes (documented in --help and the README):
 * 0 the command ran (for `token`: the inspection ran, whatever it found); 1 it failed, or `call` got a
 * tool error result; 2 usage error; 3 `token --fail-on <level>` found a finding at that level or worse.
 */
export const EXIT = { ok: 0, error: 1, usage: 2, findings: 3 } as const;

/** A list the CLI shows cut, with the limit that cut it and the flag that raises it. */
export interface Truncation {
  /** The limit that was reached, by its flag's name: 'max-pages', 'max-trace-entries'. */
  limit: string;
  /** Its value in this run. */
  max: number;
  /** How many items are shown. */
  shown: number;
  /** Items left out, when known. */
  dropped?: number;
  /** The flag that raises it, e.g. "--max-pages". */
  flag: string;
  message: string;
}

export type Truncated = Partial<Record<'tools' | 'trace', Truncation>>;

/** Lines of ours with server values inside: each made one safe line, joined, with a final newline. */
export function block(lines: readonly string[]): string {
  return `${lines.map(terminalLine).join('\n')}\n`;
}

/** Machine-readable output: pretty JSON with no raw terminal controls in it, and a final newline. */
export function jsonOut(value: unknown): string {
  return `${terminalJson(value, 2)}\n`;
}

export function toolsTruncation(maxPages: number, shown: number): Truncation {
  return {
    limit: 'max-pages',
    max: maxPages,
    shown,
    flag: '--max-pages',
    message: `the tool list is cut: the server still had a next page after ${maxPages} page${maxPages === 1 ? '' : 's'} (${shown} tools shown); raise --max-pages to see more`,
  };
}

export function traceTruncation(max: number, dropped: number): Truncation {
  return {
    limit: 'max-trace-entries',
    max,
    shown: max,
    dropped,
    flag: '--max-trace-entries',
    message: `the trace is cut: the first ${dropped} of ${max + dropped} entries were dropped to keep the last ${max}; raise --max-trace-entries to keep them`,
  };
}

export function securityText(t: ToolInfo): string {
  const s = t.security;
  const declared = !s.schemes ? 'server default' : s.schemes.map((x) => (x.type === 'noauth' ? 'public' : `oauth2${x.scopes.length ? `(${x.scopes.join(' ')})` : ''}`)).join(' | ');
  const access = toolAccess(s);
  const state = access === 'locked' ? `locked${s.missing.length ? `, missing ${s.missing.join(' ')}` : ''}` : access;
  return `${declared} — ${state}`;
}

export interface ToolsView {
  server: { name?: string; version?: string; url: string; transport?: string; protocolVersion?: string; era?: string; negotiatedBy?: string };
  /** Who is signed in where (src/present/summaries.ts): the same model the panels' server bar shows. */
  auth: AuthSummary;
  tools: readonly ToolInfo[];
  truncated?: Truncation;
}

/** The sign-in line of `connect` / `tools`, from the summary the panels show too. */
export function signedInLine(a: AuthSummary): string {
  return a.signedIn
    ? `Signed in at ${a.issuer} as client ${a.registration?.client_id} (${a.registration?.mode}); scopes: ${a.scopes.length ? a.scopes.join(' ') : '(none granted)'}${a.expiresAt ? `; expires ${new Date(a.expiresAt * 1000).toISOString()}` : ''}`
    : 'Not signed in (no operation needed a token yet)';
}

export function toolsHuman(v: ToolsView): string {
  const s = v.server;
  return block([
    `Connected to ${s.name ?? 'server'} ${s.version ?? ''} at ${s.url} (${s.transport}${s.protocolVersion ? `, protocol ${s.protocolVersion}` : ''}${s.era ? `, ${s.era} era by ${s.negotiatedBy === 'discover' ? 'server/discover' : 'initialize'}` : ''})`,
    signedInLine(v.auth),
    `${v.tools.length} tool${v.tools.length === 1 ? '' : 's'}${v.truncated ? ' (list cut)' : ''}:`,
    ...v.tools.map((t) => `  ${t.tool.name} — ${securityText(t)}`),
    ...(v.truncated ? [`… ${v.truncated.message}`] : []),
  ]);
}

/** A tool in --json: its declaration as declared, and what the current token covers. */
export function toolRow(t: ToolInfo): Record<string, unknown> {
  const s = t.security;
  return {
    name: t.tool.name,
    title: t.tool.title ?? t.tool.annotations?.title,
    description: t.tool.description,
    security: {
      declared: s.schemes ?? null,
      source: s.source,
      anonymous: s.anonymous,
      requiresAuth: s.requiresAuth,
      scopesNeeded: s.scopesNeeded,
      scopesHeld: s.scopesHeld,
      missing: s.missing,
      covered: s.covered,
    },
  };
}

interface CallResultLike {
  content?: ReadonlyArray<{ type: string; text?: unknown }>;
  structuredContent?: unknown;
  isError?: boolean;
}

/** A tool's result: text content as a block (its own newlines kept, controls escaped), other content by type. */
export function callHuman(result: CallResultLike): string {
  const text = (result.content ?? []).map((c) => (c.type === 'text' ? terminalText(c.text) : `[${terminalLine(c.type)}]`)).join('\n');
  const structured = result.structuredContent ? `\n${terminalJson(result.structuredContent, 2)}` : '';
  return `${result.isError ? 'Tool error:\n' : ''}${text}${structured}\n`;
}

export interface TokenView {
  resource: string;
  issuer: string;
  hasRefreshToken: boolean;
  inspection: TokenInspection;
}

export function tokenHuman(v: TokenView): string {
  const i = v.inspection;
  return block([
    `Token for ${v.resource} from ${v.issuer} (${i.format}${i.verified ? ', signature verified' : ''})`,
    `  subject: ${i.subject ?? '-'}; audience: ${(i.audience ?? []).join(' ') || '-'}; scopes: ${i.scopes.join(' ') || '-'}`,
    `  expires: ${i.expiresAt ? new Date(i.expiresAt * 1000).toISOString() : 'unknown'}; refresh token: ${v.hasRefreshToken ? 'yes' : 'no'}`,
    ...i.findings.map((f) => `  [${f.level}] ${f.message}`),
  ]);
}

export type FailOn = 'fail' | 'warn';
const RANK = { pass: 0, info: 1, warn: 2, fail: 3 } as const;

/** The exit code of `token`: 0 whatever was found, unless --fail-on names a level that a finding reaches. */
export function tokenExitCode(findings: TokenInspection['findings'], failOn: FailOn | undefined): number {
  if (!failOn) return EXIT.ok;
  return findings.some((f) => (RANK[f.level] ?? 0) >= RANK[failOn]) ? EXIT.findings : EXIT.ok;
}

/** What `refresh` prints: where the token came from, what it holds now, whether the refresh token rotated. */
export function refreshHuman(v: { resource: string; issuer: string; scope?: string; expiresAt?: number; refreshToken: 'rotated' | 'kept' | 'none'; store: string }): string {
  return block([
    `Refreshed the token for ${v.resource} at ${v.issuer}`,
    `  scopes: ${v.scope ?? '(none granted)'}; expires: ${v.expiresAt ? new Date(v.expiresAt * 1000).toISOString() : 'unknown'}; refresh token: ${v.refreshToken}`,
    `  stored in ${v.store}`,
  ]);
}

export function traceLine(e: TraceEntry): string {
  return terminalLine(
    e.kind === 'note'
      ? `  [${e.level}] ${e.step}: ${e.message}${e.spec ? ` (${e.spec})` : ''}`
      : `  ${e.request.method} ${e.request.url} → ${e.response ? e.response.status : e.error?.code} (${e.durationMs} ms)`,
  );
}

export function traceText(entries: readonly TraceEntry[]): string {
  return entries.map(traceLine).join('\n');
}

/** The one line an error gets on stderr. */
export function errorLine(code: ErrorCode, message: string): string {
  return `error [${terminalLine(code)}]: ${terminalLine(message)}\n`;
}
