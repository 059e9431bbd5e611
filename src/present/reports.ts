import type { CallToolResult } from '@modelcontextprotocol/client';
import type { Connection } from '../core/connection';
import type { FlowExchange, FlowStep } from '../shared/protocol';
import { flowCounts, flowSteps } from './flowSteps';

/** What a report reads of a server: its name and URL, and the engine connection once built. */
export interface ReportSource {
  entry: { name: string; url: string };
  conn?: { auth: Pick<Connection['auth'], 'tokens' | 'discovery'>; trace: Pick<Connection['trace'], 'all'> };
}

/** Largest body per exchange in the Markdown export. */
const EXPORT_BODY_CHARS = 20_000;

/**
 * Markdown reports shown in read-only editors (no vscode, no DOM): a tool's result, the OAuth flow as
 * a bug report. Everything a server sent goes inside fenced code blocks, so it is shown as text,
 * never as markup.
 */

function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text}\n${f}`;
}

function cap(text: string, max = 200_000): string {
  return text.length > max ? `${text.slice(0, max)}\n… [${text.length - max} more characters]` : text;
}

export function resultMarkdown(c: ReportSource, tool: string, args: Record<string, unknown>, r: CallToolResult, ms: number): string {
  const lines = [`# ${r.isError ? '❌ Error from' : 'Result of'} ${tool.replace(/[`#*_[\]]/g, '')} — ${c.entry.name}`, '', `${ms} ms`, '', '## Arguments', '', fence(JSON.stringify(args, null, 2), 'json'), '', '## Content', ''];
  for (const part of r.content ?? []) {
    if (part.type === 'text') lines.push(fence(cap(part.text)));
    else if (part.type === 'resource_link') lines.push(`Resource link (shown as text): ${fence(`${part.name} ${part.uri}`)}`);
    else lines.push(`[${part.type}]`, fence(cap(JSON.stringify(part, (k, v) => (k === 'data' && typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}… (${v.length} chars)` : v), 2)), 'json'));
    lines.push('');
  }
  if (r.structuredContent) lines.push('## Structured content', '', fence(cap(JSON.stringify(r.structuredContent, null, 2)), 'json'), '');
  const auth = c.conn?.auth;
  lines.push('## Authorization', '', auth?.tokens ? `Called with a token for ${auth.discovery?.resource} (scopes: ${auth.tokens.scope ?? '—'})` : 'Called anonymously', '');
  return lines.join('\n');
}

const LEVEL_ICON: Record<string, string> = { pass: '✅', info: 'ℹ️', warn: '⚠️', fail: '❌' };

/** Text outside a fence that came from the trace: one line, no Markdown or HTML syntax characters. */
function plain(text: string, max = 200): string {
  const one = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/[\\`*_{}[\]()#+!<>|~&]/g, (c) => `\\${c}`);
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

function headerLines(h: Record<string, string> | undefined): string {
  return Object.entries(h ?? {}).map(([k, v]) => `${k}: ${v}`).join('\n');
}

/** A body for the report: JSON pretty-printed, anything else as it came (capped). */
function prettyBody(body: string): string {
  const t = body.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.stringify(JSON.parse(t), null, 2);
    } catch {
      /* not JSON after all */
    }
  }
  return body;
}

/**
 * The OAuth flow as a Markdown bug report: a summary line, then every step with its spec section,
 * its findings and its HTTP exchanges (secrets are redacted in the trace already). Everything a
 * server could have influenced (messages, URLs, headers, bodies) is inside fenced code blocks, so a
 * Markdown renderer shows it as text.
 */
export function flowMarkdown(c: ReportSource): string {
  const entries = c.conn?.trace.all() ?? [];
  const steps = flowSteps(entries, { bodyChars: EXPORT_BODY_CHARS, budget: Number.MAX_SAFE_INTEGER });
  const counts = flowCounts(steps);
  const lines = [
    `# OAuth flow — ${plain(c.entry.name)}`,
    '',
    fence(`Server: ${c.entry.url}`, 'text'),
    '',
    `Exported ${new Date().toISOString()} by MCP OAuth Inspector. Secrets (tokens, codes, verifiers, client secrets, Authorization headers) are redacted.`,
    '',
    `**Summary:** ${steps.length} steps: ${counts.pass} pass · ${counts.warn} warn · ${counts.fail} fail · ${counts.info} info (${entries.length} trace entries).`,
    '',
  ];
  if (entries.length === 0) lines.push('_Nothing recorded yet: connect first._');
  steps.forEach((s, n) => lines.push(...stepMarkdown(s, n + 1), ''));
  return lines.join('\n');
}

function stepMarkdown(s: FlowStep, n: number): string[] {
  const out = [`## ${n}. ${LEVEL_ICON[s.level] ?? ''} ${plain(s.step)}`, ''];
  if (s.spec) out.push(`Spec: ${plain(s.spec)}`, '');
  out.push(`Started ${new Date(s.at).toISOString()}${s.exchanges.length ? `, ${s.exchanges.length} HTTP exchange${s.exchanges.length > 1 ? 's' : ''}, ${s.durationMs} ms` : ''}.`, '');
  if (s.findings.length) {
    out.push('Findings:', '', fence(s.findings.map((f) => `[${f.level.toUpperCase()}] ${f.message}${f.spec ? `  (${f.spec})` : ''}`).join('\n'), 'text'), '');
  }
  for (const x of s.exchanges) out.push(...exchangeMarkdown(x), '');
  return out;
}

function exchangeMarkdown(x: FlowExchange): string[] {
  const out = [`### ${LEVEL_ICON[x.level] ?? ''} ${plain(x.method, 10)} ${x.status ?? 'no response'} — ${x.durationMs} ms`, ''];
  out.push(fence(`[${x.level.toUpperCase()}] ${x.finding}`, 'text'), '');
  const omitted = (n?: number) => (n ? `\n… [${n} more characters]` : '');
  out.push(fence(`${x.method} ${x.url}\n${headerLines(x.requestHeaders)}${x.requestBody ? `\n\n${prettyBody(x.requestBody)}${omitted(x.requestBodyOmitted)}` : ''}`, 'http'), '');
  if (x.status !== undefined) out.push(fence(`HTTP ${x.status}\n${headerLines(x.responseHeaders)}${x.responseBody ? `\n\n${prettyBody(x.responseBody)}${omitted(x.responseBodyOmitted)}` : ''}`, 'http'), '');
  if (x.error) out.push(fence(`Error: ${x.error}`, 'text'), '');
  return out;
}
