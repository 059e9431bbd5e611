/**
 * The form for a template's URI variables or a prompt's arguments: one text field each, with the
 * server's completion suggestions (completion/complete, asked as the user types) as buttons under the
 * field. Suggestions are server text: set as text, and a click only copies one into the field.
 */
import type { CompletionView } from '../../src/shared/resources';
import { h, mount } from '../dom';

export interface ArgField {
  name: string;
  description?: string;
  required?: boolean;
}

export interface ArgFormOptions {
  fields: ArgField[];
  values: Record<string, string>;
  /** Asks the server for completions of one field (undefined when the server offers none). */
  complete?: (name: string, value: string, context: Record<string, string>) => Promise<CompletionView>;
  onChange: () => void;
  /** Enter in a field. */
  onSubmit: () => void;
  idPrefix: string;
}

export function argForm(o: ArgFormOptions): HTMLElement {
  const rows = o.fields.map((f, i) => {
    const id = `${o.idPrefix}-${i}`;
    const hints = h('div', { class: 'suggestions', role: 'listbox', 'aria-label': `Suggestions for ${f.name}` });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let asked = 0;
    const ask = () => {
      if (!o.complete) return;
      const mine = ++asked;
      const context = Object.fromEntries(Object.entries(o.values).filter(([k, v]) => k !== f.name && v));
      o.complete(f.name, input.value, context).then(
        (r) => {
          if (mine !== asked) return;
          mount(
            hints,
            r.unsupported ? h('span', { class: 'muted' }, r.unsupported) : null,
            r.values.slice(0, 20).map((v) =>
              h('button', { type: 'button', class: 'suggestion', role: 'option', 'data-testid': 'suggestion', onclick: () => {
                input.value = v;
                o.values[f.name] = v;
                mount(hints);
                o.onChange();
              } }, v),
            ),
            r.hasMore || (r.total ?? 0) > r.values.length ? h('span', { class: 'muted' }, ` … ${r.total ?? 'more'} in all`) : null,
          );
        },
        () => mount(hints),
      );
    };
    const input = h('input', {
      id,
      type: 'text',
      name: f.name,
      value: o.values[f.name] ?? '',
      spellcheck: 'false',
      autocomplete: 'off',
      'aria-label': f.name,
      oninput: () => {
        o.values[f.name] = input.value;
        o.onChange();
        clearTimeout(timer);
        timer = setTimeout(ask, 200);
      },
      onfocus: () => ask(),
      onkeydown: (ev: Event) => {
        if ((ev as KeyboardEvent).key === 'Enter') o.onSubmit();
      },
    });
    return h(
      'div',
      { class: 'arg-row' },
      h('label', { for: id }, h('code', null, f.name), f.required ? h('span', { class: 'required', title: 'required' }, ' *') : null),
      f.description ? h('div', { class: 'muted' }, f.description) : null,
      input,
      hints,
    );
  });
  return h('div', { class: 'arg-form' }, rows);
}
