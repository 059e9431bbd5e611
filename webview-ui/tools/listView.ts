/**
 * The tool list's DOM, keyed by tool name: a push re-renders only the items whose view changed
 * (title, security, coverage) and flips aria-selected / tabindex on the ones whose selection or tab
 * stop moved; the rest keep their nodes (and the keyboard focus stays where it is). Every item is
 * kept while its tool is listed, so clearing the filter brings items back without building them
 * again. What to show comes from list.ts.
 */
import type { ToolView } from '../../src/shared/protocol';
import { h, icon, mount } from '../dom';
import { coverageBadge, itemGlyph, itemSignature, listModel, mismatchBadge, securityBadge, securityKey, toolKeys } from './list';
import { badge, placeChildren, Protos, setText } from './render';
import type { PanelState } from './state';
import { clip } from './text';

interface Item {
  el: HTMLLIElement;
  /** itemSignature() of what the item shows now; '' before it is filled. */
  sig: string;
  /** The tool object (and signedIn) it was last checked against: the same → nothing to compare. */
  from?: ToolView;
  signedIn?: boolean;
  selected?: boolean;
  focusable?: boolean;
}

export class ListView {
  private readonly items = new Map<string, Item>();
  /** The item keys of `keysFor`, in order. */
  private keysFor: ToolView[] | undefined;
  private keys: string[] = [];
  private readonly protos = new Protos();

  constructor(
    readonly list: HTMLUListElement,
    private readonly countEl: HTMLElement,
  ) {}

  /** The items shown, in order. */
  options(): HTMLElement[] {
    return [...this.list.children] as HTMLElement[];
  }

  private keysOf(tools: ToolView[]): string[] {
    if (this.keysFor === tools) return this.keys;
    this.keys = toolKeys(tools);
    this.keysFor = tools;
    // forget the items of tools the server no longer lists
    const listed = new Set(this.keys);
    for (const k of this.items.keys()) if (!listed.has(k)) this.items.delete(k);
    return this.keys;
  }

  render(s: PanelState): void {
    if (!s.st) return;
    const list = this.list;
    const hadFocus = list.contains(document.activeElement);
    const tools = s.st.tools;
    const ks = this.keysOf(tools);
    const m = listModel(tools, s.filter, s.selected, s.st.server.state === 'connected');
    setText(this.countEl, m.count);
    const signedIn = s.st.server.signedIn;
    const want: HTMLLIElement[] = [];
    let selEl: HTMLLIElement | undefined;
    for (const i of m.visible) {
      const t = tools[i];
      let it = this.items.get(ks[i]);
      if (!it) this.items.set(ks[i], (it = { el: h('li', { role: 'option', class: 'tool-item', 'data-tool': t.name }), sig: '' }));
      if (it.from !== t || it.signedIn !== signedIn) {
        const secKey = securityKey(t.security, signedIn);
        const sig = itemSignature(t, secKey);
        if (it.sig !== sig) {
          fillItem(it.el, t, secKey, signedIn, this.protos);
          it.sig = sig;
        }
        it.from = t;
        it.signedIn = signedIn;
      }
      const sel = t.name === s.selected;
      if (it.selected !== sel) it.el.setAttribute('aria-selected', (it.selected = sel) ? 'true' : 'false');
      if (sel) selEl ??= it.el;
      const tab = t.name === m.focusable;
      if (it.focusable !== tab) it.el.tabIndex = (it.focusable = tab) ? 0 : -1;
      want.push(it.el);
    }
    placeChildren(list, want);
    // the focus follows the selected item (it stays put when that item kept its node)
    if (hadFocus && selEl && document.activeElement !== selEl) selEl.focus();
  }
}

/** A list item's content (server text as text: the name and title through h(), badges cloned). */
function fillItem(el: HTMLLIElement, t: ToolView, secKey: string, signedIn: boolean, protos: Protos): void {
  const s = t.security;
  const glyph = itemGlyph(s);
  const name = protos.clone(`name ${glyph}`, () => h('div', { class: 'tool-item-name' }, icon(glyph), ' ', h('span', { class: 'mono' })));
  name.lastChild!.textContent = clip(t.name, 80);
  const mismatch = mismatchBadge(s);
  mount(
    el,
    name,
    t.title ? h('div', { class: 'tool-item-title muted' }, clip(t.title, 120)) : null,
    protos.clone(`badges ${secKey}`, () => h('div', { class: 'tool-item-badges' }, badge(securityBadge(s, true)), ' ', badge(coverageBadge(s, signedIn)), mismatch ? [' ', badge(mismatch)] : null)),
  );
}
