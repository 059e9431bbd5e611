/**
 * The message log as text (no vscode, no DOM): one line per message for the CLI and the panel's
 * rows, and the exports — JSON Lines (one entry per line, as the engine keeps it) and Markdown
 * (everything a server sent inside fenced code blocks, so it is shown as text, never as markup).
 * Entries are already redacted (src/core/mcp/messageLog.ts); nothing here adds a secret.
 */
import type { MessageEntry, MessageLogSnapshot } from '../shared/messages';

/** "→" for client → server, "←" for server → client. */
export function arrow(e: Pick<MessageEntry, 'direction'>): string {
  return e.direction === 'out' ? '→' : '←';
}

/** HH:MM:SS.mmm (UTC) of an entry. */
export function clockTime(at: number): string {
  return new Date(at).toISOString().slice(11, 23);
}

/**
 * One line for an entry: time, direction, kind, method, id, level, status, the token label and the
 * time to answer; "(from view)" for a message an MCP App view's call sent or got. Server text in it
 * (method, id, level) may hold anything: callers writing to a terminal escape the line
 * (core/text/terminal.ts `terminalLine`).
 */
export function messageLine(e: MessageEntry): string {
  const parts = [clockTime(e.at), arrow(e), e.kind, e.method ?? '(unknown method)'];
  if (e.id !== undefined) parts.push(`#${String(e.id)}`);
  if (e.level) parts.push(`[${e.level}]`);
  if (e.origin === 'app-view') parts.push('(from view)');
  if (e.errorCode !== undefined) parts.push(`code ${e.errorCode}`);
  const meta: string[] = [];
  if (e.http?.status !== undefined) meta.push(`HTTP ${e.http.status}${e.http.attempts && e.http.attempts > 1 ? ` after ${e.http.attempts} attempts` : ''}`);
  if (e.http?.requestHeaders.authorization && e.direction === 'out') meta.push(e.http.requestHeaders.authorization);
  if (e.durationMs !== undefined) meta.push(`${e.durationMs} ms`);
  if (e.truncatedFrom !== undefined) meta.push(`cut at ${e.payload.length} of ${e.truncatedFrom} characters`);
  return meta.length ? `${parts.join(' ')} · ${meta.join(' · ')}` : parts.join(' ');
}

/** JSON Lines: one entry per line, oldest first. */
export function messagesJsonl(entries: readonly MessageEntry[]): string {
  return entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : '');
}

function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text}\n${f}`;
}

/** The payload pretty-printed when it is whole JSON; as kept otherwise. */
export function prettyPayload(e: Pick<MessageEntry, 'payload' | 'truncatedFrom'>): string {
  if (e.truncatedFrom !== undefined) return e.payload;
  try {
    return JSON.stringify(JSON.parse(e.payload), null, 2);
  } catch {
    return e.payload;
  }
}

/** The Markdown export: a header with the counts, then each message with its exchange and payload. */
export function messagesMarkdown(server: { name: string; url: string }, snap: Pick<MessageLogSnapshot, 'entries' | 'dropped'>, exportedAt = Date.now()): string {
  const plain = (s: string) => s.replace(/[\u0000-\u001f\u007f`#*_[\]<>|\\]/g, ' ');
  const lines = [`# MCP messages — ${plain(server.name)}`, '', fence(server.url), '', `Exported ${new Date(exportedAt).toISOString()}: ${snap.entries.length} message${snap.entries.length === 1 ? '' : 's'}${snap.dropped ? `, ${snap.dropped} older ones dropped (the log was full)` : ''}.`, ''];
  for (const e of snap.entries) {
    lines.push(`## ${e.seq}. ${arrow(e)} ${e.kind} ${fenceInline(e.method ?? '(unknown method)')}${e.id !== undefined ? ` id ${fenceInline(String(e.id))}` : ''}`, '');
    const facts = [`- at ${new Date(e.at).toISOString()}`];
    if (e.level) facts.push(`- level ${fenceInline(e.level)}${e.logger ? `, logger ${fenceInline(e.logger)}` : ''}`);
    if (e.durationMs !== undefined) facts.push(`- answered in ${e.durationMs} ms${e.replyTo ? ` (request ${e.replyTo})` : ''}`);
    if (e.protocol) facts.push(`- protocol ${fenceInline(e.protocol.version ?? '?')}${e.protocol.era ? `, ${e.protocol.era === 'stateless-2026' ? 'stateless era' : 'session era'}` : ''}`);
    if (e.transport) facts.push(`- transport ${e.transport}`);
    if (e.origin === 'app-view') facts.push('- sent for an MCP App view (its call through this connection)');
    if (e.truncatedFrom !== undefined) facts.push(`- payload cut at ${e.payload.length} of ${e.truncatedFrom} characters`);
    lines.push(...facts, '');
    if (e.http) {
      const h = e.http;
      const head = [`${h.method} ${h.url}${h.status !== undefined ? ` → HTTP ${h.status}` : ''}${h.exchange ? ` (trace exchange ${h.exchange})` : ''}${h.attempts && h.attempts > 1 ? `, ${h.attempts} attempts` : ''}`];
      for (const [k, v] of Object.entries(h.requestHeaders)) head.push(`> ${k}: ${v}`);
      for (const [k, v] of Object.entries(h.responseHeaders ?? {})) head.push(`< ${k}: ${v}`);
      if (h.error) head.push(`error: ${h.error}`);
      lines.push(fence(head.join('\n'), 'http'), '');
    }
    lines.push(fence(prettyPayload(e), e.truncatedFrom === undefined ? 'json' : ''), '');
  }
  return lines.join('\n');
}

/** Server text inline in a heading: inside a code span as long as needed. */
function fenceInline(s: string): string {
  const text = s.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 200);
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f} ${text} ${f}`;
}
