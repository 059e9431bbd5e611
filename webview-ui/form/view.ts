/**
 * Renders a form model (schema.ts) and its draft (draft.ts) with dom.ts only: every label, description, option and hint is
 * text; every input has a label; messages are linked with aria-describedby and flagged with
 * aria-invalid. The draft is edited in place, so the host's state pushes never lose what was typed.
 */
import { h, icon } from '../dom';
import { childPointer, collect, constraintHint, initialDraft, newItem, type Collected, type Draft } from './draft';
import { MAX_ARRAY_ITEMS, type ArrayField, type Field, type FormModel } from './schema';

export interface FormView {
  readonly element: HTMLElement;
  /** The arguments and messages; with `show`, messages are shown now and kept up to date while typing. */
  validate(show: boolean): Collected;
  /** Focus the first field with a message (after a failed Send). */
  focusFirstError(): void;
  /**
   * Focus the field that needs input first: the first required field left empty (or a value the
   * schema refuses), else the first field. False when the form has no field (nothing focused).
   */
  focusFirstNeeded(): boolean;
}

interface Slot {
  control: HTMLElement;
  message: HTMLElement;
}

export function renderForm(model: FormModel, draft: Draft, idPrefix: string): FormView {
  const slots = new Map<string, Slot>();
  let ids = 0;
  let showing = false;
  const nextId = () => `${idPrefix}-${++ids}`;

  const changed = () => {
    if (showing) validate(true);
  };

  function validate(show: boolean): Collected {
    const r = collect(model, draft);
    if (show) showing = true;
    if (showing) {
      for (const [ptr, slot] of slots) {
        const msg = r.errors.get(ptr);
        slot.message.textContent = msg ?? '';
        slot.message.hidden = !msg;
        if (msg) slot.control.setAttribute('aria-invalid', 'true');
        else slot.control.removeAttribute('aria-invalid');
      }
    }
    return r;
  }

  function focusFirstError(): void {
    for (const slot of slots.values()) {
      if (slot.control.getAttribute('aria-invalid') === 'true') {
        slot.control.focus();
        return;
      }
    }
  }

  function focusFirstNeeded(): boolean {
    // slots are added as controls are built, not in page order (an array's Add button comes before its items)
    const inOrder = [...slots.entries()].sort(([, a], [, b]) => (a.control.compareDocumentPosition(b.control) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    const { errors } = collect(model, draft);
    const target = inOrder.find(([ptr]) => errors.has(ptr))?.[1].control ?? inOrder[0]?.[1].control;
    target?.focus();
    return !!target;
  }

  /** Label, description, constraint hint and message around a control. */
  function row(f: Field, ptr: string, id: string, control: (describedBy: string) => HTMLElement, opts: { inline?: boolean } = {}): HTMLElement {
    const descId = `${id}-desc`;
    const msgId = `${id}-msg`;
    const hint = constraintHint(f);
    const described = [f.description ? descId : '', hint ? `${id}-hint` : '', msgId].filter(Boolean).join(' ');
    const el = control(described);
    const message = h('div', { class: 'field-msg', id: msgId, role: 'alert', hidden: true });
    slots.set(ptr, { control: el, message });
    const label = h(
      'label',
      { for: id, class: 'field-label' },
      f.label,
      f.required ? h('span', { class: 'required', title: 'required' }, ' *') : null,
      f.name !== undefined && f.label !== f.name ? h('span', { class: 'muted mono field-name' }, ` ${f.name}`) : null,
    );
    return h(
      'div',
      { class: `field field-${f.kind}${opts.inline ? ' inline' : ''}` },
      opts.inline ? [el, ' ', label] : [label, el],
      f.description ? h('div', { class: 'field-desc', id: descId }, f.description) : null,
      hint ? h('div', { class: 'field-hint muted', id: `${id}-hint` }, hint) : null,
      message,
    );
  }

  function render(f: Field, d: Draft, ptr: string): HTMLElement {
    const id = nextId();
    switch (f.kind) {
      case 'string':
      case 'number':
      case 'integer': {
        const text = d as Extract<Draft, { t: 'text' }>;
        const type = f.kind === 'string' ? (f.input === 'textarea' ? 'textarea' : f.input) : 'text';
        return row(f, ptr, id, (describedBy) => {
          const common = {
            id,
            'aria-describedby': describedBy,
            required: f.required,
            spellcheck: 'false',
            autocomplete: 'off',
            oninput: (ev: Event) => {
              text.text = (ev.target as HTMLInputElement | HTMLTextAreaElement).value;
              changed();
            },
          };
          if (type === 'textarea') {
            const ta = h('textarea', { ...common, rows: 3 });
            ta.value = text.text;
            return ta;
          }
          const input = h('input', {
            ...common,
            type,
            step: type === 'datetime-local' || type === 'time' ? 1 : undefined,
            placeholder: f.kind === 'integer' ? 'whole number' : f.kind === 'number' ? 'number' : type === 'url' ? 'https://…' : type === 'email' ? 'name@example.com' : undefined,
          });
          input.value = text.text;
          return input;
        });
      }
      case 'boolean': {
        const b = d as Extract<Draft, { t: 'bool' }>;
        return row(
          f,
          ptr,
          id,
          (describedBy) => {
            const cb = h('input', {
              id,
              type: 'checkbox',
              'aria-describedby': describedBy,
              checked: b.value === true,
              onchange: (ev: Event) => {
                const el = ev.target as HTMLInputElement;
                b.value = el.checked;
                el.indeterminate = false;
                changed();
              },
            });
            // an optional boolean nobody touched is left out of the arguments: show it as "not set"
            cb.indeterminate = b.value === undefined && !f.required;
            return cb;
          },
          { inline: true },
        );
      }
      case 'enum': {
        const text = d as Extract<Draft, { t: 'text' }>;
        return row(f, ptr, id, (describedBy) => {
          const sel = h(
            'select',
            {
              id,
              'aria-describedby': describedBy,
              required: f.required,
              onchange: (ev: Event) => {
                text.text = (ev.target as HTMLSelectElement).value;
                changed();
              },
            },
            h('option', { value: '' }, f.nullable && f.required ? '(null)' : f.required ? 'Choose…' : '(not set)'),
            f.options.map((o, i) => h('option', { value: String(i) }, o.label)),
          );
          sel.value = text.text;
          return sel;
        });
      }
      case 'json': {
        const text = d as Extract<Draft, { t: 'text' }>;
        return row(f, ptr, id, (describedBy) => {
          const ta = h('textarea', {
            id,
            class: 'json-input',
            rows: 3,
            spellcheck: 'false',
            'aria-describedby': describedBy,
            required: f.required,
            placeholder: 'JSON',
            oninput: (ev: Event) => {
              text.text = (ev.target as HTMLTextAreaElement).value;
              changed();
            },
          });
          ta.value = text.text;
          return ta;
        });
      }
      case 'object': {
        const o = d as Extract<Draft, { t: 'object' }>;
        const children = f.properties.map((p) => {
          let child = o.props.get(p.name!);
          if (!child) {
            child = initialDraft(p);
            o.props.set(p.name!, child);
          }
          return render(p, child, childPointer(ptr, p.name!));
        });
        if (ptr === '') return h('div', { class: 'form-root' }, children.length ? children : h('p', { class: 'muted' }, 'This tool takes no arguments.'));
        return h(
          'fieldset',
          { class: 'field-object' },
          h('legend', null, f.label, f.required ? h('span', { class: 'required', title: 'required' }, ' *') : null, f.name !== undefined && f.label !== f.name ? h('span', { class: 'muted mono field-name' }, ` ${f.name}`) : null),
          f.description ? h('div', { class: 'field-desc' }, f.description) : null,
          children,
        );
      }
      case 'array':
        return renderArray(f, d as Extract<Draft, { t: 'array' }>, ptr, id);
    }
  }

  function renderArray(f: ArrayField, d: Extract<Draft, { t: 'array' }>, ptr: string, id: string): HTMLElement {
    const list = h('ol', { class: 'array-items' });
    const message = h('div', { class: 'field-msg', id: `${id}-msg`, role: 'alert', hidden: true });
    const hint = constraintHint(f);
    const add: HTMLButtonElement = h(
      'button',
      {
        type: 'button',
        class: 'secondary small',
        id,
        'aria-describedby': `${id}-msg`,
        onclick: () => {
          if (d.items.length >= MAX_ARRAY_ITEMS) return;
          d.items.push(newItem(f));
          fill();
          changed();
          // focus the new item's first control
          list.lastElementChild?.querySelector<HTMLElement>('input, select, textarea')?.focus();
        },
      },
      icon('add'),
      ' Add item',
    );
    slots.set(ptr, { control: add, message });

    const fill = () => {
      // forget the slots of the items shown before (their pointers shift on removal)
      for (const k of [...slots.keys()]) if (k.startsWith(`${ptr}/`)) slots.delete(k);
      list.replaceChildren(
        ...d.items.map((item, i) =>
          h(
            'li',
            { class: 'array-item' },
            render({ ...f.items, label: `${f.label} ${i + 1}` } as Field, item, childPointer(ptr, i)),
            h(
              'button',
              {
                type: 'button',
                class: 'icon-button',
                title: `Remove ${f.label} ${i + 1}`,
                'aria-label': `Remove ${f.label} ${i + 1}`,
                onclick: () => {
                  d.items.splice(i, 1);
                  fill();
                  changed();
                  add.focus();
                },
              },
              icon('trash'),
            ),
          ),
        ),
      );
      add.disabled = d.items.length >= Math.min(MAX_ARRAY_ITEMS, f.maxItems ?? MAX_ARRAY_ITEMS);
    };
    fill();
    return h(
      'fieldset',
      { class: 'field-array' },
      h('legend', null, f.label, f.required ? h('span', { class: 'required', title: 'required' }, ' *') : null, f.name !== undefined && f.label !== f.name ? h('span', { class: 'muted mono field-name' }, ` ${f.name}`) : null),
      f.description ? h('div', { class: 'field-desc' }, f.description) : null,
      hint ? h('div', { class: 'field-hint muted' }, hint) : null,
      list,
      add,
      message,
    );
  }

  const element = render(model.root, draft, '');
  return { element, validate, focusFirstError, focusFirstNeeded };
}
