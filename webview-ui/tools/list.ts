/**
 * The tool list as data: which tools the filter shows (in the server's order: the list is never
 * re-sorted), the count line, the single tab stop, each item's key and signature, and the security
 * and coverage badges as models. No DOM here (unit-tested in plain Node:
 * test/unit/webview/tools/list.test.ts); tools/listView.ts renders it, keyed by tool name.
 */
import type { SecurityView, ToolView } from '../../src/shared/protocol';
import { clip } from './text';

/**
 * The item key of each tool, in order: its name, or `name\u0000n` for the nth repeat of a name (a
 * server may list a name twice; each gets its own item).
 */
export function toolKeys(tools: readonly ToolView[]): string[] {
  const seen = new Set<string>();
  return tools.map((t) => {
    let k = t.name;
    for (let n = 1; seen.has(k); n++) k = `${t.name}\u0000${n}`;
    seen.add(k);
    return k;
  });
}

/** Whether a tool matches the filter: `q` (trimmed, lower case) in its name, title or description. */
export function matches(t: ToolView, q: string): boolean {
  if (!q) return true;
  return t.name.toLowerCase().includes(q) || (t.title ?? '').toLowerCase().includes(q) || (t.description ?? '').toLowerCase().includes(q);
}

export interface ListModel {
  /** Indexes into `tools` of the items shown, in order. */
  readonly visible: number[];
  /** The count line ("6 tools", "1 of 6 tools", "No tools."). */
  readonly count: string;
  /** The tool whose item is the list's one tab stop: the selected one when shown, else the first shown. */
  readonly focusable?: string;
}

export function listModel(tools: readonly ToolView[], filter: string, selected: string | undefined, connected: boolean): ListModel {
  const q = filter.trim().toLowerCase();
  const visible: number[] = [];
  for (let i = 0; i < tools.length; i++) if (matches(tools[i], q)) visible.push(i);
  const n = tools.length;
  const count = n === 0 ? (connected ? 'No tools.' : 'Connect to list the tools.') : visible.length === n ? `${n} tool${n === 1 ? '' : 's'}` : `${visible.length} of ${n} tools`;
  const focusable = visible.some((i) => tools[i].name === selected) ? selected : tools[visible[0]]?.name;
  return { visible, count, focusable };
}

/**
 * All that a list item's icon and badges depend on (signedIn matters only to coverageBadge's 'both'
 * case). With the title this is the item's signature: equal → the item is left alone (the name is
 * its key).
 */
export function securityKey(s: SecurityView, signedIn: boolean): string {
  return JSON.stringify([s.kind, s.requiresAuth, s.covered, s.scopesNeeded, s.missing, s.kind === 'both' && signedIn, s.mismatch?.message ?? null]);
}

/** The signature of what a list item shows: unchanged → its nodes are left alone. */
export function itemSignature(t: ToolView, secKey: string): string {
  return `${secKey}\u0000${t.title ?? ''}`;
}

/** The codicon before an item's name: open lock (covered), lock (not covered), globe (no sign-in needed). */
export function itemGlyph(s: SecurityView): string {
  return s.requiresAuth ? (s.covered ? 'unlock' : 'lock') : 'globe';
}

/** A badge as data: a `<span>` with these attributes (in this order), a codicon, then the text. */
export interface BadgeModel {
  readonly class: string;
  readonly 'data-kind'?: string;
  readonly 'data-level'?: string;
  readonly title?: string;
  readonly icon: string;
  readonly text: string;
}

/** public / OAuth + scopes / public or OAuth / server default. (securityKey() names every field this and coverageBadge read.) */
export function securityBadge(s: SecurityView, short: boolean): BadgeModel {
  const scopes = s.scopesNeeded.length ? ` · ${clip(s.scopesNeeded.join(' '), short ? 40 : 120)}` : '';
  switch (s.kind) {
    case 'public':
      return { class: 'badge sec-public', 'data-kind': 'public', title: 'securitySchemes: noauth', icon: 'globe', text: ' public' };
    case 'oauth':
      return { class: 'badge sec-oauth', 'data-kind': 'oauth', title: 'securitySchemes: oauth2', icon: 'lock', text: ` OAuth${scopes}` };
    case 'both':
      return { class: 'badge sec-both', 'data-kind': 'both', title: 'securitySchemes: noauth and oauth2', icon: 'unlock', text: ` public or OAuth${scopes}` };
    default:
      return { class: 'badge sec-default', 'data-kind': 'default', title: 'no securitySchemes: the server decides', icon: 'server', text: s.requiresAuth ? ' server default · sign-in' : ' server default' };
  }
}

const COVERED: BadgeModel = { class: 'badge level-pass', 'data-level': 'pass', icon: 'pass', text: ' covered' };

/** Whether the current token covers the tool: covered / missing X / sign-in needed; null when there is nothing to say. */
export function coverageBadge(s: SecurityView, signedIn: boolean): BadgeModel | null {
  if (!s.requiresAuth) return s.kind === 'both' && signedIn && s.covered && s.scopesNeeded.length && s.missing.length === 0 ? COVERED : null;
  if (s.covered) return COVERED;
  return { class: 'badge level-warn', 'data-level': 'warn', icon: 'warning', text: s.missing.length ? ` missing ${clip(s.missing.join(' '), 60)}` : ' sign-in needed' };
}

/** A tool declared public that the server refused without a token: the list item's warning. */
export function mismatchBadge(s: SecurityView): BadgeModel | null {
  if (!s.mismatch) return null;
  return { class: 'badge level-warn sec-mismatch', 'data-level': 'warn', title: s.mismatch.message, icon: 'warning', text: ` refused without a token (${s.mismatch.status})` };
}
