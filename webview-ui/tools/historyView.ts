/**
 * The history list's DOM: rebuilt only when its model's key changes (so the focus and the arrow
 * position in it survive pushes); one tab stop for the whole list, arrows move within it. What to
 * show comes from history.ts.
 */
import type { CallRecord } from '../../src/shared/protocol';
import { h, icon, mount } from '../dom';
import type { HistoryModel } from './history';

export class HistoryView {
  private key = '';

  /** `pick`: an entry was clicked (with the record it was built from). */
  constructor(
    readonly slot: HTMLElement,
    private readonly pick: (rec: CallRecord) => void,
  ) {}

  render(m: HistoryModel | undefined): void {
    const slot = this.slot;
    const hadFocus = slot.contains(document.activeElement);
    if (!m) {
      if (slot.firstChild) mount(slot);
      this.key = '';
      return;
    }
    if (m.key === this.key) return;
    this.key = m.key;
    mount(
      slot,
      h('h3', { class: 'history-title' }, icon('history'), m.title),
      h(
        'ol',
        { class: 'history-list', 'aria-label': 'Calls to this server, newest first', onkeydown: (ev: Event) => this.onKey(ev) },
        m.entries.map((e) =>
          h(
            'li',
            null,
            h(
              'button',
              { type: 'button', class: 'history-item', tabindex: e.tabStop ? 0 : -1, 'aria-current': e.current ? 'true' : undefined, onclick: () => this.pick(e.record) },
              icon(e.icon),
              h('span', { class: 'sr-only' }, e.outcome),
              ' ',
              h('span', { class: 'mono' }, e.tool),
              h('span', { class: 'muted' }, e.meta),
            ),
          ),
        ),
      ),
    );
    if (hadFocus) slot.querySelector<HTMLElement>('.history-item[tabindex="0"]')?.focus();
  }

  /** After a pick: the current entry takes the focus. */
  focusCurrent(): void {
    this.slot.querySelector<HTMLElement>('.history-item[aria-current="true"]')?.focus();
  }

  private onKey(ev: Event): void {
    const e = ev as KeyboardEvent;
    const items = [...this.slot.querySelectorAll<HTMLElement>('.history-item')];
    const i = items.findIndex((x) => x === document.activeElement);
    const next = e.key === 'ArrowDown' ? items[i + 1] : e.key === 'ArrowUp' ? items[i - 1] : e.key === 'Home' ? items[0] : e.key === 'End' ? items[items.length - 1] : undefined;
    if (!next) return;
    e.preventDefault();
    for (const x of items) x.tabIndex = x === next ? 0 : -1;
    next.focus();
  }
}
