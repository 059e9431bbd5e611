/**
 * Tool result content parts, classified for display (no DOM here; unit-tested in plain Node).
 * A part is whatever the server sent: every field is checked for its type before use, and media
 * become `data:` URIs only from base64 and only for the image types the brief allows
 * (png, jpeg, gif, webp — no SVG, which can carry script) and for `audio/*`. The CSP allows
 * `img-src data:` and `media-src data:`, nothing from the network.
 *
 * @see https://modelcontextprotocol.io/specification/2025-06-18/server/tools#tool-result
 */

export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
/** Largest base64 payload turned into a data: URI (about 12 MB decoded). */
export const MAX_MEDIA_BASE64 = 16 * 1024 * 1024;

export type PartView =
  | { kind: 'text'; text: string }
  | { kind: 'image' | 'audio'; mimeType: string; bytes: number; src?: string; refused?: string }
  | { kind: 'resource-text'; uri: string; mimeType?: string; text: string }
  | { kind: 'resource-blob'; uri: string; mimeType?: string; bytes: number }
  | { kind: 'resource-link'; uri: string; name?: string; title?: string; description?: string; mimeType?: string }
  | { kind: 'unknown'; type: string; json: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const s = (o: Obj, k: string): string | undefined => (Object.hasOwn(o, k) && typeof o[k] === 'string' ? (o[k] as string) : undefined);

/** Strict base64 (RFC 4648 §4, whitespace tolerated): what goes after `;base64,` is nothing else. */
export function cleanBase64(data: unknown): string | undefined {
  if (typeof data !== 'string') return undefined;
  const t = data.replace(/[\r\n\t ]+/g, '');
  if (t.length === 0 || t.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return undefined;
  return t;
}

/** Decoded size of a base64 string. */
export function base64Bytes(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.max(0, (b64.length / 4) * 3 - pad);
}

/** The MIME type to use in a data: URI, or undefined when the type is not one we show. */
export function mediaType(kind: 'image' | 'audio', mimeType: unknown): string | undefined {
  if (typeof mimeType !== 'string') return undefined;
  const m = mimeType.trim().toLowerCase();
  if (kind === 'image') return (IMAGE_TYPES as readonly string[]).includes(m) ? m : undefined;
  return /^audio\/[a-z0-9][a-z0-9.+-]{0,60}$/.test(m) ? m : undefined;
}

/** `data:<type>;base64,<data>` for an allowed type and valid base64, else a reason it is not shown. */
export function mediaDataUri(kind: 'image' | 'audio', mimeType: unknown, data: unknown): { src: string } | { refused: string } {
  const type = mediaType(kind, mimeType);
  if (!type) return { refused: `${kind} of type ${JSON.stringify(typeof mimeType === 'string' ? mimeType.slice(0, 60) : mimeType) ?? 'unknown'} is not shown (${kind === 'image' ? IMAGE_TYPES.join(', ') : 'audio/*'} only)` };
  const b64 = cleanBase64(data);
  if (!b64) return { refused: 'the data is not valid base64' };
  if (b64.length > MAX_MEDIA_BASE64) return { refused: `too large to show (${base64Bytes(b64)} bytes)` };
  return { src: `data:${type};base64,${b64}` };
}

export function classifyPart(part: unknown): PartView {
  if (!isObj(part)) return { kind: 'unknown', type: typeof part, json: safeJson(part) };
  const type = s(part, 'type') ?? '(no type)';
  switch (type) {
    case 'text':
      return { kind: 'text', text: s(part, 'text') ?? '' };
    case 'image':
    case 'audio': {
      const mimeType = s(part, 'mimeType') ?? '(none)';
      const b64 = cleanBase64(part.data);
      const r = mediaDataUri(type, part.mimeType, part.data);
      return { kind: type, mimeType, bytes: b64 ? base64Bytes(b64) : 0, ...r };
    }
    case 'resource': {
      const r = isObj(part.resource) ? part.resource : {};
      const uri = s(r, 'uri') ?? '(no uri)';
      const mimeType = s(r, 'mimeType');
      const text = s(r, 'text');
      if (text !== undefined) return { kind: 'resource-text', uri, mimeType, text };
      const b64 = cleanBase64(r.blob);
      // blobBytes: the size the host noted when it kept only a prefix of a large blob (callRecords.ts)
      const noted = typeof r.blobBytes === 'number' && Number.isSafeInteger(r.blobBytes) && r.blobBytes >= 0 ? r.blobBytes : undefined;
      return { kind: 'resource-blob', uri, mimeType, bytes: noted ?? (b64 ? base64Bytes(b64) : typeof r.blob === 'string' ? r.blob.length : 0) };
    }
    case 'resource_link':
      return { kind: 'resource-link', uri: s(part, 'uri') ?? '(no uri)', name: s(part, 'name'), title: s(part, 'title'), description: s(part, 'description'), mimeType: s(part, 'mimeType') };
    default:
      return { kind: 'unknown', type, json: safeJson(part) };
  }
}

export function safeJson(v: unknown, indent = 2): string {
  try {
    return JSON.stringify(v, null, indent) ?? String(v);
  } catch {
    return String(v);
  }
}

/** "1.2 KB" */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
