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
    ...serverIcons(init.icons),
  };
}

/** Largest `data:` icon shown (characters of the URI); a bigger one is listed, not shown. */
export const MAX_ICON_URI_CHARS = 64 * 1024;
const MAX_ICONS = 10;
/** Raster image types whose bytes are checked below; SVG is never shown (see serverIcons). */
const RASTER: Record<string, (b: Uint8Array) => boolean> = {
  'image/png': (b) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47,
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38,
  'image/webp': (b) => b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50,
};

/**
 * The server's `icons` (MCP 2025-11-25 Implementation.icons: `src`, `mimeType`, `sizes`), listed as
 * text, and the one shown: the first `data:` URI of a raster type whose bytes are that type, capped.
 * Never shown: an https (or any other remote) icon — the editor would fetch it from a host the server
 * chose, telling that host the user's address and when they looked, outside the inspector's
 * address policy; and SVG, a document that can carry scripts and references to remote resources
 * (the spec asks clients to treat it with care). Those are listed as text only.
 */
export function serverIcons(icons: unknown): { icons?: string[]; iconDataUri?: string } {
  if (!Array.isArray(icons) || icons.length === 0) return {};
  const rows: string[] = [];
  let shown: string | undefined;
  for (const icon of icons.slice(0, MAX_ICONS)) {
    if (!icon || typeof icon !== 'object') continue;
    const { src, mimeType, sizes } = icon as { src?: unknown; mimeType?: unknown; sizes?: unknown };
    if (typeof src !== 'string') continue;
    const size = Array.isArray(sizes) ? sizes.filter((x) => typeof x === 'string').slice(0, 4).map((x) => oneLine(x, 20)).join(' ') : '';
    const data = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)(;[^,]*)?,/i.exec(src.slice(0, 200));
    const type = (data?.[1] ?? (typeof mimeType === 'string' ? mimeType : '')).toLowerCase();
    const where = data ? `data: (${Math.ceil(src.length / 1024)} KB)` : oneLine(src, 100);
    let note = '';
    if (!data) note = /^https:/i.test(src) ? 'not fetched: a remote image' : 'not shown: not an https or data: URI';
    else if (type === 'image/svg+xml') note = 'not shown: SVG';
    else if (!RASTER[type]) note = 'not shown: not a PNG, JPEG, GIF or WebP image';
    else if (src.length > MAX_ICON_URI_CHARS) note = 'not shown: too large';
    else if (!shown && isRaster(src, data[2] ?? '', type)) shown = src;
    else if (!shown) note = `not shown: the bytes are not ${type}`;
    rows.push([oneLine(type || 'unknown type', 40), size, where, note].filter(Boolean).join(', '));
  }
  return { icons: rows.length ? rows : undefined, ...(shown ? { iconDataUri: shown } : {}) };
}

/** A base64 `data:` URI whose decoded bytes start like `type` (its magic number). */
function isRaster(src: string, params: string, type: string): boolean {
  if (!/;base64$/i.test(params)) return false;
  const b64 = src.slice(src.indexOf(',') + 1);
  if (!/^[A-Za-z0-9+/]+=*$/.test(b64)) return false;
  const head = Uint8Array.from(atob(b64.slice(0, 24)), (c) => c.charCodeAt(0));
  return RASTER[type]!(head);
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

/** A timed round trip (McpSession.ping): "3.2 ms (ping)". */
export function pingText(p: { ms: number; method: string }): string {
  return `${p.ms} ms (${p.method})`;
}

/**
 * The children of the tree's "Server" node, in order: Protocol version, Name, Capabilities,
 * Instructions, then Icons when the server sent any, and the last ping when there was one.
 */
export function serverInfoRows(v: InitializeView, extra: { ping?: { ms: number; method: string; at: number } } = {}): InfoRow[] {
  const caps = v.capabilities.length ? v.capabilities.join(', ') : '(none)';
  const more: InfoRow[] = [];
  if (v.icons?.length) more.push({ label: 'Icons', value: oneLine(v.icons.join('; ')), tooltip: v.icons.join('\n'), icon: 'file-media' });
  if (extra.ping) more.push({ label: 'Ping', value: pingText(extra.ping), tooltip: `Round trip ${pingText(extra.ping)} at ${new Date(extra.ping.at).toLocaleTimeString()}`, icon: 'pulse' });
  return [
    { label: 'Protocol version', value: `${v.protocolVersion ?? '(not negotiated)'}${v.negotiation ? ` · ${v.negotiation}` : ''}`, icon: 'versions' },
    { label: 'Name', value: serverLabel(v), tooltip: v.serverTitle ? `${v.serverTitle} — ${serverLabel(v)}` : undefined, icon: 'server' },
    { label: 'Capabilities', value: oneLine(caps), tooltip: v.capabilities.join('\n') || undefined, icon: 'symbol-misc' },
    { label: 'Instructions', value: v.instructions ? oneLine(v.instructions) : '(none)', tooltip: v.instructions, icon: 'book' },
    ...more,
  ];
}
