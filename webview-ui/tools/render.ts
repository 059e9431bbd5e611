/**
 * DOM helpers the tools panel's views share: a badge from its model, nodes cloned from prototypes,
 * children placed in order without detaching the ones already in place, text set only when it
 * differs. All nodes come from dom.ts's h() (server text as text).
 */
import { h, icon } from '../dom';
import type { BadgeModel } from './list';

/** A badge `<span>` from its model (list.ts). */
export function badge(b: BadgeModel): HTMLElement;
export function badge(b: BadgeModel | null): HTMLElement | null;
export function badge(b: BadgeModel | null): HTMLElement | null {
  if (!b) return null;
  const { icon: glyph, text, ...attrs } = b;
  return h('span', attrs, icon(glyph), text);
}

/**
 * Nodes built once per distinct key, then deep-cloned: a thousand list items repeat a handful of
 * badge rows, and cloning copies our own nodes (their text stays text) for a fraction of building
 * them. Bounded: a server with endless distinct scopes just rebuilds.
 */
export class Protos {
  private readonly protos = new Map<string, Element>();

  clone<T extends Element>(key: string, build: () => T): T {
    let p = this.protos.get(key);
    if (!p) {
      if (this.protos.size >= 200) this.protos.clear();
      this.protos.set(key, (p = build()));
    }
    return p.cloneNode(true) as T;
  }
}

/**
 * Makes `want` the children of `parent`, in order, moving only what is out of place: nodes not
 * wanted are removed, nodes already in order stay untouched (no detach, so no lost focus), runs of
 * new or moved nodes go in as one fragment.
 */
export function placeChildren(parent: Element, want: readonly Element[]): void {
  if (parent.firstChild) {
    const keep = new Set<Node>(want);
    let c: ChildNode | null = parent.firstChild;
    while (c) {
      const next: ChildNode | null = c.nextSibling;
      if (!keep.has(c)) c.remove();
      c = next;
    }
  }
  let cursor = parent.firstChild;
  let run: DocumentFragment | undefined;
  for (const el of want) {
    if (el === cursor) {
      if (run) parent.insertBefore(run, cursor);
      run = undefined;
      cursor = cursor.nextSibling;
    } else (run ??= document.createDocumentFragment()).appendChild(el);
  }
  if (run) parent.insertBefore(run, cursor);
}

/** Sets text only when it differs (a live region is not re-announced, no needless mutation). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
