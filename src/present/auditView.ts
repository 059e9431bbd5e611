/**
 * The audit report as the Audit panel and the Servers view show it (no vscode, no DOM): checks
 * grouped by category, the groups with failures first, each group's checks failures first, and
 * each spec section with the https page it names. The report itself (src/shared/audit.ts) stays
 * as the engine made it; this is only its order and its words.
 */
import { AUDIT_CATEGORIES, type AuditCategory, type AuditCheck, type AuditLevel, type AuditReport, type AuditSkipReason, type AuditSummary, summarize } from '../shared/audit';
import type { AuditExportFormat, AuditGroupView, AuditReportView, SpecLink } from '../shared/protocol';
import { oneLine } from './serverInfo';

/** Worst first: what a person should read first. */
export const LEVEL_ORDER: readonly AuditLevel[] = ['fail', 'warn', 'pass', 'skip'];
const RANK: Record<AuditLevel, number> = { fail: 0, warn: 1, pass: 2, skip: 3 };

/** The panel's headings for the report's categories. */
export const CATEGORY_LABELS: Record<AuditCategory, string> = {
  discovery: 'Discovery',
  'authorization-server': 'Authorization server',
  registration: 'Client registration',
  token: 'Access token',
  'resource-server': 'Resource server: token probes',
  'tool-security': 'Tool security',
  transport: 'Transport',
  clients: 'Client compatibility',
};

/** The button of the audit's question about tools with side effects (src/vscode/commands/audit.ts). */
export const CALL_ALL_TOOLS = 'Call All Tools';

/** The editor's words for the remedy of a skip whose reason is the person's choice (the CLI has its own, src/present/audit.ts). */
export const EDITOR_SKIP_REMEDY: Record<AuditSkipReason, string> = {
  'tools-with-side-effects': `run the audit again and choose "${CALL_ALL_TOOLS}" to call it`,
};

/** The worst level among checks (`skip` for none). */
export function worstLevel(checks: readonly Pick<AuditCheck, 'level'>[]): AuditLevel {
  return checks.reduce<AuditLevel>((w, c) => (RANK[c.level] < RANK[w] ? c.level : w), 'skip');
}

/**
 * Checks grouped by category. Groups: worst level first, then the catalog's category order
 * (discovery before tokens: the order a client meets them). Checks in a group: worst level first,
 * then the report's own order. Categories with no check are left out.
 */
export function groupChecks(checks: readonly AuditCheck[]): AuditGroupView[] {
  const byCategory = new Map<AuditCategory, AuditCheck[]>();
  for (const c of checks) {
    const list = byCategory.get(c.category) ?? [];
    list.push(c);
    byCategory.set(c.category, list);
  }
  const catRank = (c: AuditCategory) => {
    const i = AUDIT_CATEGORIES.indexOf(c);
    return i < 0 ? AUDIT_CATEGORIES.length : i;
  };
  return [...byCategory.entries()]
    .map(([category, list]): AuditGroupView => ({
      category,
      label: CATEGORY_LABELS[category] ?? category,
      level: worstLevel(list),
      summary: summarize(list),
      checks: list
        .map((c, i) => ({ c, i }))
        .sort((a, b) => RANK[a.c.level] - RANK[b.c.level] || a.i - b.i)
        .map(({ c }) => ({ ...c, ...(c.level === 'skip' && c.reason ? { finding: `${c.finding} (${EDITOR_SKIP_REMEDY[c.reason]})` } : {}), specLinks: c.spec.map(specLink) })),
    }))
    .sort((a, b) => RANK[a.level] - RANK[b.level] || catRank(a.category) - catRank(b.category));
}

export function auditReportView(r: AuditReport): AuditReportView {
  return {
    server: r.server,
    protocolVersion: r.protocolVersion,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    requests: r.requests,
    // counted again from the checks: the numbers on the bar are the rows below it
    summary: summarize(r.checks),
    groups: groupChecks(r.checks),
  };
}

/**
 * The Servers view's line for the last audit: "audit: 2 fail · 3 warn", "audit: 24 pass" when
 * nothing fails or warns. Skips are not counted here (the panel lists them with their reasons).
 */
export function auditTreeLine(s: AuditSummary): string {
  const parts = [s.fail ? `${s.fail} fail` : '', s.warn ? `${s.warn} warn` : ''].filter(Boolean);
  return `audit: ${parts.length ? parts.join(' · ') : `${s.pass} pass`}`;
}

/** The tooltip line: every count, and when it ran. */
export function auditTreeTooltip(r: Pick<AuditReport, 'summary' | 'startedAt' | 'durationMs'>): string {
  const s = r.summary;
  return `Last audit (${r.startedAt}, ${(r.durationMs / 1000).toFixed(1)} s): ${s.fail} fail, ${s.warn} warn, ${s.pass} pass, ${s.skip} skip`;
}

/** GitHub-style heading anchor: "Token Audience Binding and Validation" → "token-audience-binding-and-validation". */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ +/g, '-');
}

/** The MCP specification version the links point into (the latest the docs publish with these sections). */
const MCP_SPEC = 'https://modelcontextprotocol.io/specification/2025-11-25';

/**
 * Where a catalog spec reference points (src/shared/audit.ts names them). Our own strings, never a
 * server's; the webview still links only https URLs (webview-ui/dom.ts safeLink).
 */
export function specLink(text: string): SpecLink {
  let m: RegExpExecArray | null;
  if ((m = /^RFC (\d{3,5})(?: §(\d+(?:\.\d+)*))?/.exec(text))) return { text, url: `https://www.rfc-editor.org/rfc/rfc${m[1]}${m[2] ? `#section-${m[2]}` : ''}` };
  if ((m = /^OAuth 2\.1(?: §(\d+(?:\.\d+)*))?/.exec(text))) return { text, url: `https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1${m[1] ? `#section-${m[1]}` : ''}` };
  if ((m = /^MCP (Authorization|Lifecycle|Transports)(?: §(.+))?$/i.exec(text))) {
    const page = m[1].toLowerCase() === 'authorization' ? 'basic/authorization' : m[1].toLowerCase() === 'lifecycle' ? 'basic/lifecycle' : 'basic/transports';
    return { text, url: `${MCP_SPEC}/${page}${m[2] ? `#${anchor(m[2])}` : ''}` };
  }
  if (/^draft-ietf-oauth-client-id-metadata-document/.test(text)) return { text, url: 'https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/' };
  if (/^OpenID Connect Discovery 1\.0/.test(text)) return { text, url: 'https://openid.net/specs/openid-connect-discovery-1_0.html' };
  if (/^OpenID Connect Core 1\.0 §11/.test(text)) return { text, url: 'https://openid.net/specs/openid-connect-core-1_0.html#OfflineAccess' };
  if (/^OpenID Connect Core 1\.0/.test(text)) return { text, url: 'https://openid.net/specs/openid-connect-core-1_0.html' };
  if ((m = /^SEP-(\d+)$/.exec(text))) return { text, url: `https://github.com/modelcontextprotocol/modelcontextprotocol/issues/${m[1]}` };
  if (/^OpenAI Apps SDK/.test(text)) return { text, url: 'https://developers.openai.com/apps-sdk/build/auth' };
  if (/^Fetch Standard §CORS/.test(text)) return { text, url: 'https://fetch.spec.whatwg.org/#http-cors-protocol' };
  return { text };
}

/** The tools a read-only audit does not call: those not annotated `readOnlyHint: true` (MCP tool annotations). */
export function toolsWithSideEffects(tools: ReadonlyArray<{ tool: { name: string; annotations?: { readOnlyHint?: unknown } } }>): string[] {
  return tools.filter((t) => t.tool.annotations?.readOnlyHint !== true).map((t) => t.tool.name);
}

/** The modal's text naming the tools (server text, one line each, capped). */
export function callToolsQuestion(server: string, names: readonly string[]): { message: string; detail: string } {
  const shown = names.slice(0, 12).map((n) => oneLine(n, 60));
  const more = names.length > shown.length ? ` and ${names.length - shown.length} more` : '';
  return {
    message: `Call all tools of ${oneLine(server, 80)}?`,
    detail:
      `The audit calls the tools annotated read-only. ${names.length === 1 ? 'This tool is' : `These ${names.length} tools are`} not, and calling ${names.length === 1 ? 'it' : 'them'} may change data: ${shown.join(', ')}${more}.\n\n` +
      'Read-only: the audit checks them with arguments their input schema refuses, which is often enough to see whether the server asks for a token; what that cannot show is skipped, with the reason.',
  };
}

const EXPORT_EXTENSIONS: Record<AuditExportFormat, string> = { markdown: 'md', json: 'json', junit: 'xml' };

/** "mcp-audit-localhost-5080-mcp-misconfigured.md": the server's host and path, file-safe. */
export function exportFileName(serverUrl: string, format: AuditExportFormat): string {
  let base = 'server';
  try {
    const u = new URL(serverUrl);
    base = `${u.host}${u.pathname}`;
  } catch {
    /* the default name */
  }
  const safe = base.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'server';
  return `mcp-audit-${safe}.${EXPORT_EXTENSIONS[format]}`;
}
