/**
 * The Messages panel as data, no DOM (tested in plain Node): the entries the panel holds (bounded
 * like the engine's log), the filter (method, direction, level, search text), pause and follow, and
 * what a row says. The view (index.ts) only draws what this returns.
 */
import { LOG_LEVELS, type MessageEntry, type MessagesState } from '../../src/shared/messages';

export type DirectionFilter = 'all' | 'out' | 'in';

export interface MessageFilter {
  /** '' for every method. */
  method: string;
  direction: DirectionFilter;
  /** '' for every message; otherwise log entries at this level or more severe (RFC 5424 order), and nothing else. */
  level: string;
  /** Case-insensitive substring of the method, id, payload, headers or URL. */
  text: string;
}

export const NO_FILTER: MessageFilter = { method: '', direction: 'all', level: '', text: '' };

/** Rows drawn at most: the newest of the filtered entries (a narrower filter shows older ones). */
export const MAX_ROWS = 500;

/** Lower-cased text a search looks in, per entry, built once (entries never change). */
const haystacks = new WeakMap<MessageEntry, string>();

function haystack(e: MessageEntry): string {
  let s = haystacks.get(e);
  if (s === undefined) {
    // One concatenation and one toLowerCase per entry: the first search over 10,000 entries builds them all.
    let t = `${e.method ?? ''}\n${e.id ?? ''}\n${e.kind}\n${e.level ?? ''}\n${e.payload}`;
    const http = e.http;
    if (http) {
      t += `\n${http.url}\n${http.status ?? ''}`;
      for (const k in http.requestHeaders) t += `\n${k}: ${http.requestHeaders[k]}`;
      if (http.responseHeaders) for (const k in http.responseHeaders) t += `\n${k}: ${http.responseHeaders[k]}`;
    }
    s = t.toLowerCase();
    haystacks.set(e, s);
  }
  return s;
}

/** Builds the search text of entries ahead of the first search (the panel calls it when idle after a push). */
export function prepareSearch(entries: readonly MessageEntry[]): void {
  for (const e of entries) haystack(e);
}

/** The severity rank of a log level (debug 0 … emergency 7); an unknown level ranks lowest. */
export function levelRank(level: string | undefined): number {
  const i = (LOG_LEVELS as readonly string[]).indexOf(level ?? '');
  return i < 0 ? -1 : i;
}

export function filterEntries(entries: readonly MessageEntry[], f: MessageFilter): MessageEntry[] {
  const text = f.text.trim().toLowerCase();
  const minLevel = f.level ? levelRank(f.level) : -1;
  const out: MessageEntry[] = [];
  for (const e of entries) {
    if (f.direction !== 'all' && e.direction !== f.direction) continue;
    if (f.method && e.method !== f.method) continue;
    if (f.level && (e.level === undefined || levelRank(e.level) < minLevel)) continue;
    if (text && !haystack(e).includes(text)) continue;
    out.push(e);
  }
  return out;
}

/** The methods present, sorted, for the method filter. */
export function methodsOf(entries: readonly MessageEntry[]): string[] {
  const set = new Set<string>();
  for (const e of entries) if (e.method) set.add(e.method);
  return [...set].sort();
}

/**
 * What the panel holds: the entries of one log generation, bounded by the log's size, and what came
 * while paused (shown on resume).
 */
export class MessagesModel {
  entries: MessageEntry[] = [];
  dropped = 0;
  maxEntries = 2000;
  generation = -1;
  paused = false;
  /** Entries that arrived while paused. */
  held: MessageEntry[] = [];
  /** Entries this view let go beyond those the log dropped (its own bound). */
  private localDropped = 0;

  /** A full state push: replaces everything. */
  reset(s: Pick<MessagesState, 'entries' | 'dropped' | 'maxEntries' | 'generation'>): void {
    this.generation = s.generation;
    this.maxEntries = s.maxEntries;
    this.entries = s.entries.slice(-s.maxEntries);
    this.dropped = s.dropped;
    this.held = [];
    this.localDropped = 0;
  }

  /** New entries; false when they belong to another generation (the caller asks for the state). */
  append(generation: number, entries: MessageEntry[], dropped: number): boolean {
    if (generation !== this.generation) return false;
    this.dropped = dropped;
    const last = (this.held.at(-1) ?? this.entries.at(-1))?.seq ?? 0;
    const fresh = entries.filter((e) => e.seq > last);
    if (this.paused) this.held.push(...fresh);
    else this.push(fresh);
    return true;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused && this.held.length) {
      this.push(this.held);
      this.held = [];
    }
  }

  private push(fresh: MessageEntry[]): void {
    if (!fresh.length) return;
    this.entries.push(...fresh);
    const over = this.entries.length - this.maxEntries;
    if (over > 0) {
      this.entries.splice(0, over);
      this.localDropped += over;
    }
  }

  find(seq: number): MessageEntry | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i].seq === seq) return this.entries[i];
    return undefined;
  }
}

/** The row's words: direction arrow, kind, method, id, level, status, token label, timing. All text. */
export function rowParts(e: MessageEntry): { arrow: string; kind: string; method: string; id?: string; level?: string; origin?: string; status?: string; token?: string; timing?: string; cut?: string } {
  return {
    arrow: e.direction === 'out' ? '→' : '←',
    kind: e.kind,
    method: cap(e.method ?? '(unknown method)', 120),
    id: e.id === undefined ? undefined : `#${cap(String(e.id), 40)}`,
    level: e.level ? cap(e.level, 20) : undefined,
    status: e.http?.status !== undefined ? `HTTP ${e.http.status}${e.http.attempts && e.http.attempts > 1 ? ` (${e.http.attempts} attempts)` : ''}` : e.transport === 'stdio' ? 'stdio' : undefined,
    token: e.direction === 'out' ? e.http?.requestHeaders.authorization : undefined,
    timing: e.durationMs !== undefined ? `${e.durationMs} ms` : undefined,
    cut: e.truncatedFrom !== undefined ? `cut at ${e.payload.length} of ${e.truncatedFrom} characters` : undefined,
    // only when set, so a row of the inspector's own message has the same parts as before
    ...(e.origin === 'app-view' ? { origin: 'from view' } : {}),
  };
}

/** The status line: counts, dropped, what the filter shows, its time. */
export function statusText(m: { total: number; shown: number; rows: number; dropped: number; ms?: number; held: number }): string {
  const parts = [`${m.total} message${m.total === 1 ? '' : 's'}`];
  if (m.shown !== m.total) parts.push(`${m.shown} match`);
  if (m.rows < m.shown) parts.push(`newest ${m.rows} drawn`);
  parts.push(`${m.dropped} dropped`);
  if (m.held) parts.push(`${m.held} new while paused`);
  if (m.ms !== undefined) parts.push(`filtered in ${m.ms.toFixed(1)} ms`);
  return parts.join(' · ');
}

/** Text capped for a row (control characters shown as spaces: a row is one line). */
export function cap(s: string, n: number): string {
  const one = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  return one.length > n ? `${one.slice(0, n)}…` : one;
}

/** The payload as shown in the detail: pretty JSON when whole, capped either way. */
export function detailPayload(e: MessageEntry, max = 100_000): string {
  let text = e.payload;
  if (e.truncatedFrom === undefined) {
    try {
      text = JSON.stringify(JSON.parse(e.payload), null, 2);
    } catch {
      /* shown as kept */
    }
  }
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters not shown)` : text;
}
