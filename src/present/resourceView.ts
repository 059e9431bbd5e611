/**
 * Resources, templates and prompts as the panels receive them (no vscode, no DOM): the server's
 * listings and results made into the shapes of src/shared/resources.ts, with every string capped and
 * every field checked for its type, so a hostile server's huge or malformed answer crosses to the
 * webview bounded. The webview still renders all of it as text (webview-ui/resources/model.ts).
 */
import type { PromptGetView, PromptItemView, PromptMessageView, ResourceContentView, ResourceItemView, ResourceReadView, TemplateItemView } from '../shared/resources';

/** Characters of a text resource sent to the panel; the rest is counted, not sent. */
export const MAX_TEXT_CHARS = 512 * 1024;
/** Largest image (base64 characters) sent to be shown inline; a larger one is size + Save. */
export const MAX_INLINE_IMAGE_BASE64 = 4 * 1024 * 1024;
/** Items of one read / messages of one prompt sent to the panel. */
export const MAX_ITEMS = 100;
/** Items of a listing shown. */
export const MAX_LISTED = 2000;
const MAX_FIELD = 2048;
const MAX_DESCRIPTION = 4000;

export const INLINE_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (o: Obj, k: string, max = MAX_FIELD): string | undefined => (typeof o[k] === 'string' ? (o[k] as string).slice(0, max) : undefined);

function cleanMime(v: unknown): string | undefined {
  return typeof v === 'string' ? v.trim().toLowerCase().slice(0, 100) : undefined;
}

export function resourceItems(list: readonly unknown[]): ResourceItemView[] {
  return list.filter(isObj).slice(0, MAX_LISTED).map((r) => ({
    uri: str(r, 'uri') ?? '',
    name: str(r, 'name') ?? str(r, 'uri') ?? '',
    title: str(r, 'title'),
    description: str(r, 'description', MAX_DESCRIPTION),
    mimeType: cleanMime(r.mimeType),
  }));
}

export function templateItems(list: readonly unknown[]): TemplateItemView[] {
  return list.filter(isObj).slice(0, MAX_LISTED).map((t) => ({
    uriTemplate: str(t, 'uriTemplate') ?? '',
    name: str(t, 'name') ?? str(t, 'uriTemplate') ?? '',
    title: str(t, 'title'),
    description: str(t, 'description', MAX_DESCRIPTION),
    mimeType: cleanMime(t.mimeType),
  }));
}

export function promptItems(list: readonly unknown[]): PromptItemView[] {
  return list.filter(isObj).slice(0, MAX_LISTED).map((p) => ({
    name: str(p, 'name', 256) ?? '',
    title: str(p, 'title'),
    description: str(p, 'description', MAX_DESCRIPTION),
    arguments: (Array.isArray(p.arguments) ? p.arguments : [])
      .filter(isObj)
      .slice(0, 32)
      .map((a) => ({ name: str(a, 'name', 256) ?? '', description: str(a, 'description', MAX_DESCRIPTION), required: a.required === true }))
      .filter((a) => a.name),
  }));
}

/** Strict base64 (RFC 4648 §4; whitespace dropped), or undefined. */
function base64(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.replace(/[\r\n\t ]+/g, '');
  return t.length > 0 && t.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(t) ? t : undefined;
}

export function base64Bytes(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.max(0, (b64.length / 4) * 3 - pad);
}

/** resources/read → what the panel shows: text capped at MAX_TEXT_CHARS; a blob inline only for the image types within the cap. */
export function readView(uri: string, result: unknown, at: number): ResourceReadView {
  const contents = isObj(result) && Array.isArray(result.contents) ? result.contents : [];
  const out: ResourceContentView[] = contents.slice(0, MAX_ITEMS).map((c, index): ResourceContentView => {
    const o = isObj(c) ? c : {};
    const itemUri = str(o, 'uri') ?? uri;
    const mimeType = cleanMime(o.mimeType);
    if (typeof o.text === 'string') {
      const total = o.text.length;
      return { kind: 'text', uri: itemUri, mimeType, text: total > MAX_TEXT_CHARS ? o.text.slice(0, MAX_TEXT_CHARS) : o.text, totalChars: total, truncated: total > MAX_TEXT_CHARS };
    }
    const b64 = base64(o.blob);
    const bytes = b64 ? base64Bytes(b64) : typeof o.blob === 'string' ? o.blob.length : 0;
    const inline = b64 && mimeType && (INLINE_IMAGE_TYPES as readonly string[]).includes(mimeType) && b64.length <= MAX_INLINE_IMAGE_BASE64;
    return { kind: 'blob', uri: itemUri, mimeType, bytes, data: inline ? b64 : undefined, index };
  });
  return { uri, at, contents: out, droppedItems: Math.max(0, contents.length - MAX_ITEMS) };
}

/** The decoded bytes of item `index` of a read, for Save (undefined when it is not a valid blob). */
export function blobOf(result: unknown, index: number): { bytes: Uint8Array; mimeType?: string; uri?: string } | undefined {
  const c = isObj(result) && Array.isArray(result.contents) ? result.contents[index] : undefined;
  if (!isObj(c)) return undefined;
  const b64 = base64(c.blob);
  if (!b64) return undefined;
  return { bytes: Uint8Array.from(Buffer.from(b64, 'base64')), mimeType: cleanMime(c.mimeType), uri: str(c, 'uri') };
}

/** A content part with its strings capped (text at MAX_TEXT_CHARS, media over the inline cap without data). */
function capPart(part: unknown): unknown {
  if (!isObj(part)) return part;
  const out: Obj = { ...part };
  if (typeof out.text === 'string' && out.text.length > MAX_TEXT_CHARS) out.text = `${out.text.slice(0, MAX_TEXT_CHARS)}\n… (cut: ${out.text.length} characters)`;
  if (typeof out.data === 'string' && out.data.length > MAX_INLINE_IMAGE_BASE64) out.data = '';
  if (isObj(out.resource)) {
    const r: Obj = { ...out.resource };
    if (typeof r.text === 'string' && r.text.length > MAX_TEXT_CHARS) r.text = `${r.text.slice(0, MAX_TEXT_CHARS)}\n… (cut: ${r.text.length} characters)`;
    if (typeof r.blob === 'string') {
      r.blobBytes = base64(r.blob) ? base64Bytes(base64(r.blob)!) : r.blob.length;
      r.blob = '';
    }
    out.resource = r;
  }
  return out;
}

/** prompts/get → messages by role, each part capped; the webview classifies the parts (content.ts). */
export function promptView(name: string, result: unknown): PromptGetView {
  const o = isObj(result) ? result : {};
  const messages = Array.isArray(o.messages) ? o.messages : [];
  const out: PromptMessageView[] = messages.slice(0, MAX_ITEMS).map((m) => {
    const mo = isObj(m) ? m : {};
    return { role: str(mo, 'role', 40) ?? '(no role)', content: capPart(mo.content) };
  });
  return { name, description: str(o, 'description', MAX_DESCRIPTION), messages: out, droppedMessages: Math.max(0, messages.length - MAX_ITEMS) };
}
