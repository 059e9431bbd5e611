import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { TraceEntry } from '../core/http/trace';
import type { ServerConnection } from './connections';

/**
 * Markdown reports shown in read-only editors (until the webview panels take over). Everything a
 * server sent goes inside fenced code blocks, so it is shown as text, never as markup.
 */

function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text}\n${f}`;
}

function cap(text: string, max = 200_000): string {
  return text.length > max ? `${text.slice(0, max)}\n… [${text.length - max} more characters]` : text;
}

export function resultMarkdown(c: ServerConnection, tool: string, args: Record<string, unknown>, r: CallToolResult, ms: number): string {
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

export function flowMarkdown(c: ServerConnection): string {
  const entries = c.conn?.trace.all() ?? [];
  const lines = [`# OAuth flow — ${c.entry.name}`, '', `Server: ${c.entry.url}`, '', 'Every request and response is shown with secrets redacted.', ''];
  if (entries.length === 0) lines.push('_Nothing recorded yet: connect first._');
  for (const e of entries) lines.push(...entryMarkdown(e), '');
  return lines.join('\n');
}

function entryMarkdown(e: TraceEntry): string[] {
  if (e.kind === 'note') {
    const icon = e.level === 'pass' ? '✅' : e.level === 'fail' ? '❌' : e.level === 'warn' ? '⚠️' : 'ℹ️';
    return [`${icon} **${e.step}** — ${e.message.replace(/[\r\n]+/g, ' ')}${e.spec ? ` _(${e.spec})_` : ''}`];
  }
  const out = [`### ${e.step}: ${e.request.method} ${e.response?.status ?? e.error?.code ?? ''} (${e.durationMs} ms)`, '', fence(`${e.request.method} ${e.request.url}\n${Object.entries(e.request.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}${e.request.body ? `\n\n${e.request.body}` : ''}`, 'http')];
  if (e.response) out.push(fence(cap(`HTTP ${e.response.status}\n${Object.entries(e.response.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}${e.response.body ? `\n\n${e.response.body}` : ''}`, 20_000), 'http'));
  if (e.error) out.push(`Error: ${e.error.code} — ${e.error.message}`);
  return out;
}
