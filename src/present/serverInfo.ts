/**
 * The server's `initialize` result as the editor shows it (no vscode, no DOM): the "Server" node of
 * the tree and the flow panel's server section read the same view. Every value is the server's own
 * text: kept as text, one line where a line is shown, capped; controls, bidi and zero-width
 * characters, which could hide or reorder what is shown, go (core/text/scrub.ts).
 */
import type { InitializeInfo } from '../core/mcp/session';
import type { InitializeView } from '../shared/protocol';
import { stripInvisible, stripInvisibleKeepingLines } from '../core/text/scrub';

/** Longest one-line value (tree descriptions); the full text stays in the tooltip / panel. */
const LINE_CHARS = 120;
/** Longest instructions kept at all (a hostile server could send megabytes). */
const MAX_INSTRUCTIONS = 8_000;
const MAX_CAPABILITIES = 50;

/** Server text on one line: line breaks become " ⏎ ", controls go, capped with "…". */
export function oneLine(text: string, max = LINE_CHARS): string {
  const flat = stripInvisible(text.replace(/\r\n|\r|\n|\t/g, (m) => (m === '\t' ? ' ' : ' ⏎ '))).trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Server text kept multi-line (the panel, a tooltip): controls other than line breaks go, capped. */
export function plainText(text: string, max = MAX_INSTRUCTIONS): string {
  const clean = stripInvisibleKeepingLines(text.replace(/\r\n|\r/g, '\n'));
  return clean.length > max ? `${clean.slice(0, max)}… [${clean.length - max} more characters]` : clean;
}

/**
 * Capabilities as "name (sub-flag, …)": `tools (listChanged)`, `resources (subscribe, listChanged)`,
 * `logging`. Only keys whose value is an object count (the spec's shape); names are capped.
 */
export function capabilityList(caps: Record<string, unknown> | undefined): string[] {
  if (!caps || typeof caps !== 'object') return [];
  const out: string[] = [];
  for (const [name, value] of Object.entries(caps).slice(0, MAX_CAPABILITIES)) {
    if (!value || typeof value !== 'object') continue;
    const flags = Array.isArray(value) ? [] : Object.entries(value as Record<string, unknown>).filter(([, v]) => v === true || (v && typeof v === 'object')).map(([k]) => oneLine(k, 40));
    out.push(`${oneLine(name, 60)}${flags.length ? ` (${flags.slice(0, 10).join(', ')})` : ''}`);
  }
  return out;
}

/** The initialize result as it crosses to the webview and into the tree. */
export function initializeView(init: InitializeInfo | undefined): InitializeView | undefined {
  if (!init) return undefined;
  const info = init.serverInfo;
  const str = (v: unknown, max: number) => (typeof v === 'string' && v ? oneLine(v, max) : undefined);
  return {
    protocolVersion: str(init.protocolVersion, 40),
    negotiation: negotiationText(init),
    serverName: str(info?.name, 200),
    serverVersion: str(info?.version, 100),
    serverTitle: str(info?.title, 200),
    capabilities: capabilityList(init.capabilities),
    instructions: typeof init.instructions === 'string' && init.instructions.trim() ? plainText(init.instructions) : undefined,
  };
}

/** Which era and how, in our words: "stateless (2026-07-28 era), by server/discover" / "session, by initialize". */
export function negotiationText(init: Pick<InitializeInfo, 'era' | 'negotiatedBy'>): string | undefined {
  if (!init.era) return undefined;
  const era = init.era === 'stateless-2026' ? 'stateless (2026-07-28 era)' : 'session (initialize era)';
  return `${era}, by ${init.negotiatedBy === 'discover' ? 'server/discover' : 'initialize'}`;
}

/** "todo-server 1.2.3", or what there is of it. */
export function serverLabel(v: InitializeView): string {
  return [v.serverName, v.serverVersion].filter(Boolean).join(' ') || '(not given)';
}

export interface InfoRow {
  label: string;
  /** One line (a tree item's description). */
  value: string;
  /** The whole value (a tooltip), when `value` is shortened. */
  tooltip?: string;
  /** A codicon name. */
  icon: string;
}

/** The children of the tree's "Server" node, in order: Protocol version, Name, Capabilities, Instructions. */
export function serverInfoRows(v: InitializeView): InfoRow[] {
  const caps = v.capabilities.length ? v.capabilities.join(', ') : '(none)';
  return [
    { label: 'Protocol version', value: `${v.protocolVersion ?? '(not negotiated)'}${v.negotiation ? ` · ${v.negotiation}` : ''}`, icon: 'versions' },
    { label: 'Name', value: serverLabel(v), tooltip: v.serverTitle ? `${v.serverTitle} — ${serverLabel(v)}` : undefined, icon: 'server' },
    { label: 'Capabilities', value: oneLine(caps), tooltip: v.capabilities.join('\n') || undefined, icon: 'symbol-misc' },
    { label: 'Instructions', value: v.instructions ? oneLine(v.instructions) : '(none)', tooltip: v.instructions, icon: 'book' },
  ];
}
