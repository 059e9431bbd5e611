/**
 * What the user typed into a form (form/schema.ts builds the fields), and the `tools/call`
 * arguments collected from it with a validation message per field. No DOM here (unit-tested in
 * plain Node: test/unit/webview/form/). Arguments are built from own data properties only, so a
 * property named `__proto__` is just a name; `pattern` is never run (see form/schema.ts).
 */
import { isObj, MAX_ARRAY_ITEMS, type ArrayField, type Field, type FormModel, type Json, type NumberField, type StringField } from './schema';

/* ----------------------------------------------------------------------------------------- drafts */

/** What the user typed, per field: text for strings, numbers, enums (the option index) and JSON. */
export type Draft =
  | { t: 'text'; text: string }
  | { t: 'bool'; value: boolean | undefined }
  | { t: 'array'; items: Draft[] }
  | { t: 'object'; props: Map<string, Draft> };

/** The draft for a field, from `value` (e.g. arguments of an earlier call) or else the schema's default. */
export function initialDraft(f: Field, value?: unknown): Draft {
  const v = value !== undefined ? value : f.hasDefault ? f.default : undefined;
  switch (f.kind) {
    case 'string':
      return { t: 'text', text: typeof v === 'string' ? (f.input === 'datetime-local' ? toLocalDateTime(v) : v) : '' };
    case 'number':
    case 'integer':
      return { t: 'text', text: typeof v === 'number' && Number.isFinite(v) ? String(v) : '' };
    case 'enum': {
      const key = v === undefined ? undefined : JSON.stringify(v);
      const i = key === undefined ? -1 : f.options.findIndex((o) => JSON.stringify(o.value) === key);
      return { t: 'text', text: i >= 0 ? String(i) : f.required && !f.nullable && f.options.length === 1 ? '0' : '' };
    }
    case 'boolean':
      return { t: 'bool', value: typeof v === 'boolean' ? v : undefined };
    case 'array':
      return { t: 'array', items: Array.isArray(v) ? v.slice(0, MAX_ARRAY_ITEMS).map((x) => initialDraft(f.items, x)) : [] };
    case 'object': {
      const props = new Map<string, Draft>();
      const obj = isObj(v) ? v : undefined;
      for (const p of f.properties) props.set(p.name!, initialDraft(p, obj && Object.hasOwn(obj, p.name!) ? obj[p.name!] : undefined));
      return { t: 'object', props };
    }
    case 'json':
      return { t: 'text', text: v === undefined ? '' : (JSON.stringify(v, null, 2) ?? '') };
  }
}

/** A new (empty or default) array item. */
export function newItem(f: ArrayField): Draft {
  return initialDraft(f.items);
}

/* ----------------------------------------------------------------------------------- collection */

/** JSON pointer of a child (RFC 6901): the key the view gives each input, and errors refer to. */
export function childPointer(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

export interface Collected {
  /** The arguments object (own data properties only). */
  value: Record<string, Json>;
  /** Messages by JSON pointer of the field ('' = the whole form). */
  errors: Map<string, string>;
}

/** The arguments for `tools/call` from the form, and every validation message. */
export function collect(model: FormModel, draft: Draft): Collected {
  const errors = new Map<string, string>();
  const r = collectField(model.root, draft, '', errors, true);
  const value = r.present && isObj(r.value) ? (r.value as Record<string, Json>) : {};
  return { value, errors };
}

type Out = { present: false } | { present: true; value: Json };
const absent: Out = { present: false };

function setOwn(o: Record<string, Json>, k: string, v: Json): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function collectField(f: Field, d: Draft, ptr: string, errors: Map<string, string>, forceRequired = false): Out {
  const required = forceRequired || f.required;
  const missing = (): Out => {
    if (f.nullable && required) return { present: true, value: null };
    if (required) errors.set(ptr, 'Required');
    return absent;
  };
  switch (f.kind) {
    case 'string': {
      const text = d.t === 'text' ? d.text : '';
      if (text === '') return missing();
      const msg = checkString(f, text);
      if (msg) {
        errors.set(ptr, msg);
        return absent;
      }
      if (f.input === 'datetime-local') {
        const iso = fromLocalDateTime(text);
        if (!iso) {
          errors.set(ptr, 'Enter a date and time');
          return absent;
        }
        return { present: true, value: iso };
      }
      return { present: true, value: text };
    }
    case 'number':
    case 'integer': {
      const text = d.t === 'text' ? d.text.trim() : '';
      if (text === '') return missing();
      const n = Number(text);
      if (!Number.isFinite(n) || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) {
        errors.set(ptr, f.kind === 'integer' ? 'Enter a whole number' : 'Enter a number');
        return absent;
      }
      const msg = checkNumber(f, n);
      if (msg) {
        errors.set(ptr, msg);
        return absent;
      }
      return { present: true, value: n };
    }
    case 'enum': {
      const text = d.t === 'text' ? d.text : '';
      const i = text === '' ? -1 : Number(text);
      if (!(Number.isInteger(i) && i >= 0 && i < f.options.length)) {
        if (f.nullable && required) return { present: true, value: null };
        if (required) errors.set(ptr, 'Choose a value');
        return absent;
      }
      return { present: true, value: f.options[i].value };
    }
    case 'boolean': {
      const v = d.t === 'bool' ? d.value : undefined;
      if (v === undefined) return required ? { present: true, value: false } : absent;
      return { present: true, value: v };
    }
    case 'json': {
      const text = d.t === 'text' ? d.text.trim() : '';
      if (text === '') return missing();
      try {
        return { present: true, value: JSON.parse(text) as Json };
      } catch (err) {
        errors.set(ptr, `Not valid JSON: ${(err as Error).message.slice(0, 200)}`);
        return absent;
      }
    }
    case 'array': {
      const items = d.t === 'array' ? d.items : [];
      if (items.length === 0 && !required) return absent;
      const out: Json[] = [];
      items.forEach((item, i) => {
        const r = collectField(f.items, item, childPointer(ptr, i), errors, true);
        if (r.present) out.push(r.value);
      });
      if (f.minItems !== undefined && items.length < f.minItems) errors.set(ptr, `Add at least ${f.minItems} item${f.minItems === 1 ? '' : 's'}`);
      else if (f.maxItems !== undefined && items.length > f.maxItems) errors.set(ptr, `At most ${f.maxItems} item${f.maxItems === 1 ? '' : 's'}`);
      else if (f.uniqueItems && new Set(out.map((x) => JSON.stringify(x))).size < out.length) errors.set(ptr, 'The items must be different from each other');
      return { present: true, value: out };
    }
    case 'object': {
      const props = d.t === 'object' ? d.props : new Map<string, Draft>();
      const o: Record<string, Json> = {};
      let any = false;
      const sub = new Map<string, string>();
      for (const p of f.properties) {
        const r = collectField(p, props.get(p.name!) ?? initialDraft(p), childPointer(ptr, p.name!), sub);
        if (r.present) {
          setOwn(o, p.name!, r.value);
          any = true;
        }
      }
      // An optional object left entirely empty is left out, and its required fields are not demanded.
      if (!any && !required) {
        const onlyMissing = [...sub.values()].every((m) => m === 'Required' || m === 'Choose a value');
        if (onlyMissing) return absent;
      }
      for (const [k, v] of sub) errors.set(k, v);
      return { present: true, value: o };
    }
  }
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

function checkString(f: StringField, text: string): string | undefined {
  const len = [...text].length;
  if (f.minLength !== undefined && len < f.minLength) return `At least ${f.minLength} character${f.minLength === 1 ? '' : 's'}`;
  if (f.maxLength !== undefined && len > f.maxLength) return `At most ${f.maxLength} character${f.maxLength === 1 ? '' : 's'}`;
  switch (f.input) {
    case 'email':
      return EMAIL.test(text) ? undefined : 'Enter an email address';
    case 'url':
      try {
        new URL(text);
        return undefined;
      } catch {
        return 'Enter an absolute URL';
      }
    case 'date': {
      const m = DATE.exec(text);
      return m && validDate(+m[1], +m[2], +m[3]) ? undefined : 'Enter a date (YYYY-MM-DD)';
    }
    case 'time':
      return TIME.test(text) ? undefined : 'Enter a time (HH:MM)';
    default:
      return undefined;
  }
}

function validDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

function checkNumber(f: NumberField, n: number): string | undefined {
  if (f.kind === 'integer' && !Number.isInteger(n)) return 'Enter a whole number';
  if (f.minimum !== undefined && n < f.minimum) return `Must be ≥ ${f.minimum}`;
  if (f.maximum !== undefined && n > f.maximum) return `Must be ≤ ${f.maximum}`;
  if (f.exclusiveMinimum !== undefined && n <= f.exclusiveMinimum) return `Must be > ${f.exclusiveMinimum}`;
  if (f.exclusiveMaximum !== undefined && n >= f.exclusiveMaximum) return `Must be < ${f.exclusiveMaximum}`;
  if (f.multipleOf !== undefined) {
    const q = n / f.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) return `Must be a multiple of ${f.multipleOf}`;
  }
  return undefined;
}

/** The constraints of a field in words ("1–200 characters", "format: email"), for the hint under it. */
export function constraintHint(f: Field): string | undefined {
  const parts: string[] = [];
  if (f.kind === 'string') {
    if (f.minLength !== undefined && f.maxLength !== undefined) parts.push(`${f.minLength}–${f.maxLength} characters`);
    else if (f.minLength !== undefined) parts.push(`at least ${f.minLength} characters`);
    else if (f.maxLength !== undefined) parts.push(`at most ${f.maxLength} characters`);
    if (f.format) parts.push(`format: ${f.format}`);
    if (f.pattern) parts.push(`pattern: ${f.pattern.length > 80 ? `${f.pattern.slice(0, 80)}…` : f.pattern}`);
  } else if (f.kind === 'number' || f.kind === 'integer') {
    if (f.kind === 'integer') parts.push('whole number');
    if (f.minimum !== undefined) parts.push(`≥ ${f.minimum}`);
    if (f.exclusiveMinimum !== undefined) parts.push(`> ${f.exclusiveMinimum}`);
    if (f.maximum !== undefined) parts.push(`≤ ${f.maximum}`);
    if (f.exclusiveMaximum !== undefined) parts.push(`< ${f.exclusiveMaximum}`);
    if (f.multipleOf !== undefined) parts.push(`multiple of ${f.multipleOf}`);
  } else if (f.kind === 'array') {
    if (f.minItems !== undefined) parts.push(`at least ${f.minItems} items`);
    if (f.maxItems !== undefined) parts.push(`at most ${f.maxItems} items`);
    if (f.uniqueItems) parts.push('no duplicates');
  } else if (f.kind === 'json') parts.push(f.reason);
  if (f.nullable) parts.push('may be null');
  return parts.length ? parts.join(' · ') : undefined;
}

/** Top-level keys of `args` the form has no field for (they would be lost switching JSON → form). */
export function extraKeys(model: FormModel, args: unknown): string[] {
  if (model.root.kind !== 'object' || !isObj(args)) return [];
  const known = new Set(model.root.properties.map((p) => p.name));
  return Object.keys(args).filter((k) => !known.has(k));
}

/* ------------------------------------------------------------------------------------ date-time */

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** RFC 3339 date-time → the value of an `<input type="datetime-local">` (local time); '' if unreadable. */
export function toLocalDateTime(iso: string): string {
  const d = new Date(iso);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso) || Number.isNaN(d.getTime())) return '';
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `<input type="datetime-local">` value (local time) → RFC 3339 with the local offset; undefined if unreadable. */
export function fromLocalDateTime(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [+m[1], +m[2], +m[3], +m[4], +m[5], +(m[6] ?? 0)];
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  const local = new Date(y, mo - 1, d, h, mi, s);
  const off = -local.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${sign}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}
