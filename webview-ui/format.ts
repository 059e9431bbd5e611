/**
 * Formatting helpers of the token and flow panels: times, sizes, spec references, HTTP bodies.
 * Everything returns text or nodes built with dom.ts; nothing here parses HTML.
 */
import type { Level } from '../src/shared/protocol';
import { h, icon, safeLink } from './dom';

/** "in 9 min 58 s", "12 s ago": a precise countdown for the token's expiry. */
export function countdown(epochSeconds: number, now = Date.now()): string {
  const d = Math.round(epochSeconds - now / 1000);
  const abs = Math.abs(d);
  const hours = Math.floor(abs / 3600);
  const min = Math.floor((abs % 3600) / 60);
  const sec = abs % 60;
  const text = hours ? `${hours} h ${min} min` : min ? `${min} min ${sec} s` : `${sec} s`;
  return d >= 0 ? `in ${text}` : `${text} ago`;
}

/** A local date and time, e.g. "22/11/2026, 14:05:09" in the user's locale. */
export function localDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return Number.isNaN(d.getTime()) ? String(epochSeconds) : d.toLocaleString(undefined, { hour12: false });
}

/** "14:05:09.123": when a trace entry happened (milliseconds matter in a flow). */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.toLocaleTimeString(undefined, { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function bytes(n: number | undefined): string {
  if (n === undefined) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export const LEVEL_ICON: Record<Level, string> = { pass: 'pass', info: 'info', warn: 'warning', fail: 'error' };

/** A small level icon with an accessible name (for rows where a full badge is too loud). */
export function levelIcon(level: Level): HTMLElement {
  return h('span', { class: `tf-level-icon level-text-${level}`, 'data-level': level }, icon(LEVEL_ICON[level], level));
}

/**
 * Where a spec reference of ours points. The references are the engine's own strings (never a
 * server's), but they still go through safeLink: https only.
 */
function specUrl(ref: string): string | undefined {
  const rfc = /^RFC (\d{4})(?: §(\d+(?:\.\d+)*))?/.exec(ref);
  if (rfc) return `https://www.rfc-editor.org/rfc/rfc${rfc[1]}${rfc[2] ? `#section-${rfc[2]}` : ''}`;
  const oauth21 = /^OAuth 2\.1(?: §(\d+(?:\.\d+)*))?/.exec(ref);
  if (oauth21) return `https://datatracker.ietf.org/doc/html/draft-ietf-oauth-v2-1${oauth21[1] ? `#section-${oauth21[1]}` : ''}`;
  if (/^MCP 2025-03-26/.test(ref)) return 'https://modelcontextprotocol.io/specification/2025-03-26/basic/authorization';
  if (/^MCP authorization/.test(ref)) return 'https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization';
  if (/^CIMD/.test(ref)) return 'https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/';
  return undefined;
}

/** "RFC 7636 §4.2; MCP authorization §PKCE" → links (https) separated by "; ". */
export function specRefs(spec: string | undefined): HTMLElement | null {
  if (!spec) return null;
  const parts = spec.split(/;\s*/).filter(Boolean);
  const out: Array<Node | string> = [];
  parts.forEach((p, i) => {
    if (i) out.push('; ');
    const url = specUrl(p);
    out.push(url ? safeLink(url, p) : p);
  });
  return h('span', { class: 'tf-spec' }, icon('book'), ' ', out);
}

/** A body for display: JSON pretty-printed, form bodies one parameter per line, else as it came. */
export function prettyBody(body: string, contentType = ''): string {
  const t = body.trim();
  if (/json/i.test(contentType) || t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.stringify(JSON.parse(t), null, 2);
    } catch {
      /* not JSON after all */
    }
  }
  if (/x-www-form-urlencoded/i.test(contentType)) {
    try {
      return [...new URLSearchParams(t)].map(([k, v]) => `${k}=${v}`).join('\n');
    } catch {
      /* shown as is */
    }
  }
  return body;
}

/** Case-insensitive header lookup. */
export function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const k = Object.keys(headers).find((x) => x.toLowerCase() === name);
  return k === undefined ? undefined : headers[k];
}
