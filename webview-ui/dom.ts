/**
 * The only way the webview builds DOM. Everything a server sent is set as text (`textContent`,
 * attribute values through `setAttribute` on an allow-list); no `innerHTML`, no event-handler
 * attributes, no `href` except https links (docs/SECURITY.md: server text is rendered as text).
 */

import { httpsHref } from './links';

type Child = Node | string | number | false | null | undefined | Child[];

/** Attributes a caller may set. Event handlers (`on*`), `style`, `href`, `src` are not among them. */
const ALLOWED_ATTRS = new Set([
  'class', 'id', 'role', 'title', 'type', 'name', 'value', 'placeholder', 'for', 'tabindex', 'colspan',
  'min', 'max', 'step', 'rows', 'cols', 'spellcheck', 'autocomplete', 'open',
  'aria-label', 'aria-live', 'aria-expanded', 'aria-selected', 'aria-controls', 'aria-describedby', 'aria-invalid', 'aria-hidden', 'aria-pressed',
  'aria-current', 'aria-labelledby', 'data-level', 'data-kind', 'data-tool', 'data-testid', 'data-step', 'datetime',
]);

export interface Props {
  [attr: string]: string | number | boolean | undefined | ((ev: Event) => void);
}

/** `h('div', { class: 'x', onclick: fn }, 'text', child)`: elements with text children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') {
      if (!/^on[a-z]+$/.test(k)) throw new Error(`bad event prop ${k}`);
      el.addEventListener(k.slice(2), v);
    } else if (k === 'checked' || k === 'disabled' || k === 'required' || k === 'multiple' || k === 'readonly' || k === 'hidden') {
      (el as unknown as Record<string, boolean>)[k === 'readonly' ? 'readOnly' : k] = Boolean(v);
    } else if (ALLOWED_ATTRS.has(k)) {
      el.setAttribute(k, v === true ? '' : String(v));
    } else {
      throw new Error(`attribute ${k} is not allowed`);
    }
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (typeof c === 'string' || typeof c === 'number') el.appendChild(document.createTextNode(String(c)));
    else el.appendChild(c);
  }
}

/** A codicon (`<span class="codicon codicon-lock">`); the name is ours, never a server's. */
export function icon(name: string, label?: string): HTMLSpanElement {
  const el = h('span', { class: `codicon codicon-${name.replace(/[^a-z0-9-]/g, '')}`, 'aria-hidden': label ? undefined : 'true', role: label ? 'img' : undefined, 'aria-label': label });
  return el;
}

/**
 * A link only for an absolute `https:` URL (after parsing, so `javascript:`, `data:`, `http:` and
 * look-alikes fall through); it opens in the user's browser through VS Code's link handling.
 * Anything else is shown as plain text.
 */
export function safeLink(url: unknown, text?: string): HTMLElement {
  const s = typeof url === 'string' ? url : String(url);
  const href = httpsHref(s);
  if (href) {
    const a = document.createElement('a');
    a.href = href; // the parsed form: no whitespace or control-character tricks survive
    a.rel = 'noreferrer noopener';
    a.textContent = text ?? href;
    return a;
  }
  return h('span', { class: 'plain-url' }, text ? `${text} (${s})` : s);
}

/** Replace the children of `el`. */
export function mount(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** "in 4 min", "3 h ago": relative time for an epoch-seconds value. */
export function relativeTime(epochSeconds: number, now = Date.now()): string {
  const d = Math.round(epochSeconds - now / 1000);
  const abs = Math.abs(d);
  const unit = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 86400 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} d`;
  return d >= 0 ? `in ${unit}` : `${unit} ago`;
}

/** Text capped for display, with the rest counted (huge results must not freeze the UI). */
export function capText(t: string, max = 100_000): string {
  return t.length > max ? `${t.slice(0, max)}\n… (${t.length - max} more characters not shown)` : t;
}

/** What `media()` accepts: a base64 data: URI of an image type we show, or of audio (content.ts builds them). */
const MEDIA_URI = /^data:(image\/(?:png|jpeg|gif|webp)|audio\/[a-z0-9][a-z0-9.+-]{0,60});base64,[A-Za-z0-9+/]+={0,2}$/;

/**
 * An `<img>` or `<audio controls>` for a data: URI from a tool result — the only place the webview
 * sets a `src`. Anything but a base64 data: URI of an allowed type is shown as text instead.
 */
export function media(kind: 'img' | 'audio', src: string, label: string): HTMLElement {
  const m = MEDIA_URI.exec(src);
  if (!m || (kind === 'img') !== m[1].startsWith('image/')) return h('span', { class: 'muted' }, `(${label}: not shown)`);
  if (kind === 'img') {
    const img = document.createElement('img');
    img.alt = label;
    img.src = src;
    img.className = 'result-image';
    return img;
  }
  const audio = document.createElement('audio');
  audio.controls = true;
  audio.src = src;
  audio.setAttribute('aria-label', label);
  return audio;
}
