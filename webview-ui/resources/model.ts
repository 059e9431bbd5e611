/**
 * The Resources and Prompts panels as data (no DOM; unit-tested in plain Node): a resource's content
 * by MIME type, a template's URI variables and their expansion, prompt messages by role and content
 * type. Whatever the server sent is text to show: control and bidi characters become visible escapes,
 * text that looks binary is said to be so, long text is cut and says so, images become data: URIs only
 * for png, jpeg, gif and webp from strict base64 (content.ts), and nothing here is ever markup.
 */
import type { PromptGetView, ResourceContentView } from '../../src/shared/resources';
import { classifyPart, formatBytes, mediaDataUri, type PartView } from '../content';

/** Characters of text put into the page; the host already cut at 512 KiB (present/resourceView.ts). */
export const MAX_SHOWN = 200_000;

/** A class for the text's syntax, by MIME type (the stylesheet colours a few; the rest is plain). */
export type Syntax = 'json' | 'markdown' | 'html' | 'xml' | 'yaml' | 'csv' | 'javascript' | 'plain';

export function syntaxOf(mimeType: string | undefined): Syntax {
  const m = (mimeType ?? '').toLowerCase().split(';')[0].trim();
  if (m === 'application/json' || m.endsWith('+json')) return 'json';
  if (m === 'text/markdown' || m === 'text/x-markdown') return 'markdown';
  if (m === 'text/html' || m === 'application/xhtml+xml') return 'html';
  if (m === 'application/xml' || m === 'text/xml' || m.endsWith('+xml')) return 'xml';
  if (m === 'application/yaml' || m === 'text/yaml' || m === 'application/x-yaml') return 'yaml';
  if (m === 'text/csv') return 'csv';
  if (m === 'text/javascript' || m === 'application/javascript' || m === 'text/typescript') return 'javascript';
  return 'plain';
}

/** C0 (but TAB and LF), DEL, C1, bidi controls and the line/paragraph separators. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const n = c.charCodeAt(0);
  if (c === '\r') return '\\r';
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** Text as shown: CRLF → LF, every other control and bidi character a visible escape. */
export function visibleText(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(UNSAFE, escapeChar);
}

/** Binary data sent as text: a NUL, or more than 10% control characters in the first 4 KiB. */
export function looksBinary(text: string): boolean {
  const head = text.slice(0, 4096);
  if (head.includes('\u0000')) return true;
  const controls = head.match(/[\u0001-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0;
  return head.length > 0 && controls / head.length > 0.1;
}

export type ContentModel =
  | { kind: 'text'; uri: string; mimeType: string; syntax: Syntax; text: string; notes: string[] }
  | { kind: 'image'; uri: string; mimeType: string; src: string; size: string }
  | { kind: 'binary'; uri: string; mimeType: string; size: string; index: number; note?: string };

/** One item of a read as the panel shows it. */
export function contentModel(c: ResourceContentView): ContentModel {
  const mimeType = c.mimeType ?? '(no MIME type)';
  if (c.kind === 'blob') {
    if (c.data) {
      const r = mediaDataUri('image', c.mimeType, c.data);
      if ('src' in r) return { kind: 'image', uri: c.uri, mimeType, src: r.src, size: formatBytes(c.bytes) };
      return { kind: 'binary', uri: c.uri, mimeType, size: formatBytes(c.bytes), index: c.index, note: r.refused };
    }
    return { kind: 'binary', uri: c.uri, mimeType, size: formatBytes(c.bytes), index: c.index };
  }
  const notes: string[] = [];
  let text = c.text;
  const binary = looksBinary(text);
  if (binary) notes.push('This looks like binary data sent as text: shown with its control characters escaped.');
  let syntax = binary ? 'plain' : syntaxOf(c.mimeType);
  if (syntax === 'json' && text.length <= MAX_SHOWN) {
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      notes.push(`Declared ${mimeType}, but the text is not valid JSON.`);
      syntax = 'plain';
    }
  }
  if (text.length > MAX_SHOWN) text = text.slice(0, MAX_SHOWN);
  if (c.truncated || c.text.length > MAX_SHOWN) notes.push(`Cut: ${Math.min(MAX_SHOWN, c.text.length).toLocaleString('en')} of ${c.totalChars.toLocaleString('en')} characters shown.`);
  return { kind: 'text', uri: c.uri, mimeType, syntax, text: visibleText(text), notes };
}

/* ---------------------------------------------------------------- URI templates (RFC 6570) */

const EXPRESSION = /\{([+#./;?&]?)([^{}]*)\}/g;

/** The variable names of a URI template (RFC 6570 §2.3; modifiers :n and * dropped), in order, once each. */
export function templateVariables(template: string): string[] {
  const out: string[] = [];
  for (const m of template.matchAll(EXPRESSION)) {
    for (const spec of m[2].split(',')) {
      const name = spec.replace(/\*$/, '').replace(/:\d+$/, '').trim();
      if (/^[A-Za-z0-9_.%]{1,64}$/.test(name) && !out.includes(name)) out.push(name);
    }
  }
  return out.slice(0, 32);
}

/** RFC 6570 §3.2.1: unreserved characters stay, everything else is percent-encoded (reserved too unless + or #). */
function encode(value: string, allowReserved: boolean): string {
  return allowReserved ? encodeURI(value).replace(/%25([0-9A-Fa-f]{2})/g, '%$1') : encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A URI template filled in (RFC 6570 level 3 operators for string values; an empty value of a simple
 * expression stays empty, an undefined one is left out as §3.2.1 says).
 */
export function expandTemplate(template: string, values: Record<string, string>): string {
  return template.replace(EXPRESSION, (_all, op: string, list: string) => {
    const names = list.split(',').map((s) => s.replace(/\*$/, '').replace(/:\d+$/, '').trim());
    const defined = names.filter((n) => values[n] !== undefined && values[n] !== '');
    const reserved = op === '+' || op === '#';
    const first: Record<string, string> = { '': '', '+': '', '#': '#', '.': '.', '/': '/', ';': ';', '?': '?', '&': '&' };
    const sep: Record<string, string> = { '': ',', '+': ',', '#': ',', '.': '.', '/': '/', ';': ';', '?': '&', '&': '&' };
    if (defined.length === 0) return '';
    const parts = defined.map((n) => {
      const v = encode(values[n], reserved);
      return op === ';' || op === '?' || op === '&' ? `${n}=${v}` : v;
    });
    return `${first[op] ?? ''}${parts.join(sep[op] ?? ',')}`;
  });
}

/* -------------------------------------------------------------------------------------- prompts */

export interface MessageModel {
  role: string;
  part: PartView;
}

/** prompts/get messages by role, each part classified (content.ts) with its text made visible. */
export function promptMessages(view: PromptGetView): MessageModel[] {
  return view.messages.map((m) => {
    const part = classifyPart(m.content);
    if (part.kind === 'text' || part.kind === 'resource-text') {
      const cut = part.text.length > MAX_SHOWN ? `${part.text.slice(0, MAX_SHOWN)}\n… (cut)` : part.text;
      return { role: m.role, part: { ...part, text: visibleText(cut) } };
    }
    return { role: m.role, part };
  });
}

/** The arguments a Get needs and lacks (required ones left empty). */
export function missingArguments(args: ReadonlyArray<{ name: string; required: boolean }>, values: Record<string, string>): string[] {
  return args.filter((a) => a.required && !(values[a.name] ?? '').trim()).map((a) => a.name);
}
