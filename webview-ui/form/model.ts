/**
 * A tool's input JSON Schema as a form model, the form's draft state, and the arguments collected
 * from it with validation messages. No DOM here (unit-tested in plain Node: test/unit/webview/);
 * form/view.ts renders it.
 *
 * Everything in a schema comes from the server and may be hostile: it is read through own
 * properties only, strings are capped, nesting depth and field count are capped (beyond them the
 * form offers "edit as JSON"), and argument objects are built with own data properties so a
 * property named `__proto__` is just a name. What the form cannot express — oneOf/anyOf with
 * several real branches, tuples, free-form objects, several types — becomes a JSON field.
 * `pattern` is shown as a hint, never run: a server's regular expression could backtrack for
 * minutes (the server validates its own arguments anyway).
 */

export const MAX_DEPTH = 8;
export const MAX_FIELDS = 200;
export const MAX_ENUM = 500;
export const MAX_ARRAY_ITEMS = 200;
const MAX_LABEL = 200;
const MAX_DESCRIPTION = 4000;

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface FieldBase {
  /** The property name in the parent object; undefined for the root and array items. */
  name?: string;
  /** The schema's title, else the property name (capped). */
  label: string;
  description?: string;
  required: boolean;
  /** `null` is allowed (type [T, "null"], or anyOf with a null branch). */
  nullable: boolean;
  hasDefault: boolean;
  default?: unknown;
}

export type StringInput = 'text' | 'email' | 'url' | 'date' | 'datetime-local' | 'time' | 'textarea';

export interface StringField extends FieldBase {
  kind: 'string';
  format?: string;
  input: StringInput;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}
export interface NumberField extends FieldBase {
  kind: 'number' | 'integer';
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
}
export interface BooleanField extends FieldBase {
  kind: 'boolean';
}
export interface EnumField extends FieldBase {
  kind: 'enum';
  options: Array<{ value: Json; label: string }>;
}
export interface ArrayField extends FieldBase {
  kind: 'array';
  items: Field;
  minItems?: number;
  maxItems?: number;
  uniqueItems: boolean;
}
export interface ObjectField extends FieldBase {
  kind: 'object';
  properties: Field[];
}
export interface JsonField extends FieldBase {
  kind: 'json';
  /** Why the form shows JSON here, e.g. "oneOf: edit as JSON". */
  reason: string;
}
export type Field = StringField | NumberField | BooleanField | EnumField | ArrayField | ObjectField | JsonField;

export interface FormModel {
  root: Field;
  /** Fields built (the array item template counts once). */
  fieldCount: number;
  /** Set when the whole form is better edited as JSON (too big, root not an object with properties). */
  fallback?: string;
}

export interface BuildOptions {
  maxDepth?: number;
  maxFields?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const own = (o: Obj, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.length > 0 ? (v.length > max ? `${v.slice(0, max)}…` : v) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);

class TooManyFields extends Error {}

/** The form for a tool's `inputSchema`. Never throws: what it cannot show becomes JSON. */
export function buildForm(schema: unknown, opts: BuildOptions = {}): FormModel {
  const ctx = { root: schema, fields: 0, maxDepth: opts.maxDepth ?? MAX_DEPTH, maxFields: opts.maxFields ?? MAX_FIELDS };
  try {
    const root = fieldFor(schema, ctx, { required: true, depth: 0, refs: [] });
    if (root.kind !== 'object') return { root, fieldCount: ctx.fields, fallback: root.kind === 'json' ? root.reason : 'the arguments are not an object with properties' };
    return { root, fieldCount: ctx.fields };
  } catch (err) {
    if (!(err instanceof TooManyFields)) throw err;
    const root: JsonField = { kind: 'json', label: 'arguments', required: true, nullable: false, hasDefault: false, reason: `the schema has more than ${ctx.maxFields} fields` };
    return { root, fieldCount: ctx.fields, fallback: root.reason };
  }
}

interface Ctx {
  root: unknown;
  fields: number;
  maxDepth: number;
  maxFields: number;
}
interface At {
  name?: string;
  required: boolean;
  depth: number;
  /** $refs being expanded on this path (a cycle becomes JSON). */
  refs: string[];
}

function base(s: Obj, at: At): FieldBase {
  const hasDefault = Object.hasOwn(s, 'default');
  return {
    name: at.name,
    label: str(own(s, 'title'), MAX_LABEL) ?? (at.name !== undefined ? (at.name.length > MAX_LABEL ? `${at.name.slice(0, MAX_LABEL)}…` : at.name) : 'arguments'),
    description: str(own(s, 'description'), MAX_DESCRIPTION),
    required: at.required,
    nullable: false,
    hasDefault,
    default: hasDefault ? s.default : undefined,
  };
}

function json(s: Obj, at: At, reason: string): JsonField {
  return { ...base(s, at), kind: 'json', reason };
}

/** A local `$ref` ("#/$defs/x", "#/definitions/x", any JSON pointer into the root schema). */
function resolveRef(root: unknown, ref: string): Obj | undefined {
  if (!ref.startsWith('#')) return undefined;
  const parts = ref === '#' ? [] : ref.slice(1).split('/').slice(1);
  if (ref !== '#' && !ref.startsWith('#/')) return undefined;
  let cur: unknown = root;
  for (const raw of parts.slice(0, 32)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObj(cur) || !Object.hasOwn(cur, key)) return undefined;
    cur = cur[key];
  }
  return isObj(cur) ? cur : undefined;
}

/** A schema object with the referencing schema's own keywords over the target's (null prototype). */
function merged(...layers: Obj[]): Obj {
  const out: Obj = Object.create(null) as Obj;
  for (const l of layers) for (const k of Object.keys(l)) Object.defineProperty(out, k, { value: l[k], enumerable: true, writable: true, configurable: true });
  return out;
}

function fieldFor(schema: unknown, ctx: Ctx, at: At): Field {
  if (++ctx.fields > ctx.maxFields) throw new TooManyFields();
  if (schema === true || (isObj(schema) && Object.keys(schema).every((k) => ['title', 'description', 'default', '$schema', 'examples', '$comment'].includes(k)))) {
    return json(isObj(schema) ? schema : {}, at, 'any JSON value');
  }
  if (!isObj(schema)) return json({}, at, schema === false ? 'the schema accepts no value' : 'the schema is not an object');
  let s: Obj = schema;

  const ref = own(s, '$ref');
  if (typeof ref === 'string') {
    if (at.refs.includes(ref) || at.refs.length >= 16) return json(s, at, `$ref ${ref.slice(0, 80)} refers to itself: edit as JSON`);
    const target = resolveRef(ctx.root, ref);
    if (!target) return json(s, at, `$ref ${ref.slice(0, 80)} is not a local definition: edit as JSON`);
    const siblings: Obj = Object.create(null) as Obj;
    for (const k of Object.keys(s)) if (k !== '$ref') Object.defineProperty(siblings, k, { value: s[k], enumerable: true });
    return fieldFor(merged(target, siblings), withCount(ctx), { ...at, refs: [...at.refs, ref] });
  }

  let nullable = false;
  // allOf with one member: that member (with our own keywords on top).
  const allOf = own(s, 'allOf');
  if (Array.isArray(allOf)) {
    if (allOf.length !== 1 || !isObj(allOf[0])) return json(s, at, 'allOf: edit as JSON');
    const rest = Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'allOf'));
    return fieldFor(merged(allOf[0], rest), withCount(ctx), at);
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const alts = own(s, key);
    if (alts === undefined) continue;
    if (!Array.isArray(alts) || alts.length === 0) return json(s, at, `${key}: edit as JSON`);
    const nonNull = alts.filter((a) => !(isObj(a) && own(a, 'type') === 'null'));
    // Every branch a constant: a choice ("oneOf": [{ "const": "a", "title": "A" }, …]).
    if (nonNull.length > 0 && nonNull.length <= MAX_ENUM && nonNull.every((a) => isObj(a) && Object.hasOwn(a, 'const'))) {
      const options = nonNull.map((a) => ({ value: (a as Obj).const as Json, label: str(own(a as Obj, 'title'), MAX_LABEL) ?? optionLabel((a as Obj).const) }));
      return { ...base(s, at), nullable: nonNull.length < alts.length, kind: 'enum', options };
    }
    if (nonNull.length !== 1 || !isObj(nonNull[0])) return json(s, at, `${key} with ${nonNull.length} alternatives: edit as JSON`);
    const rest = Object.fromEntries(Object.entries(s).filter(([k]) => k !== key));
    const inner = fieldFor(merged(nonNull[0], rest), withCount(ctx), at);
    return { ...inner, nullable: inner.nullable || nonNull.length < alts.length };
  }

  let type = own(s, 'type');
  if (Array.isArray(type)) {
    const types = type.filter((t) => t !== 'null');
    nullable = types.length < type.length;
    if (types.length !== 1) return json(s, at, types.length === 0 ? 'only null is allowed' : `several types (${types.map(String).join(', ').slice(0, 80)}): edit as JSON`);
    type = types[0];
  }

  const b = { ...base(s, at), nullable };
  if (Object.hasOwn(s, 'const')) return { ...b, kind: 'enum', options: [{ value: s.const as Json, label: optionLabel(s.const) }] };
  const en = own(s, 'enum');
  if (Array.isArray(en)) {
    if (en.length === 0) return json(s, at, 'the enum is empty');
    if (en.length > MAX_ENUM) return json(s, at, `the enum has ${en.length} values: edit as JSON`);
    if (en.every((v) => v === null)) return json(s, at, 'only null is allowed');
    // null among the values is offered as "may be null", not as an option
    return { ...b, nullable: nullable || en.includes(null), kind: 'enum', options: en.filter((v) => v !== null).map((v) => ({ value: v as Json, label: optionLabel(v) })) };
  }
  if (type === undefined) {
    if (isObj(own(s, 'properties'))) type = 'object';
    else if (Object.hasOwn(s, 'items')) type = 'array';
    else return json(s, at, 'any JSON value');
  }

  switch (type) {
    case 'string': {
      const format = str(own(s, 'format'), 40);
      return { ...b, kind: 'string', format, input: inputFor(format), minLength: count(own(s, 'minLength')), maxLength: count(own(s, 'maxLength')), pattern: str(own(s, 'pattern'), 500) };
    }
    case 'number':
    case 'integer':
      return {
        ...b,
        kind: type,
        minimum: num(own(s, 'minimum')),
        maximum: num(own(s, 'maximum')),
        // draft 4 booleans are read as the bound itself
        exclusiveMinimum: own(s, 'exclusiveMinimum') === true ? num(own(s, 'minimum')) : num(own(s, 'exclusiveMinimum')),
        exclusiveMaximum: own(s, 'exclusiveMaximum') === true ? num(own(s, 'maximum')) : num(own(s, 'exclusiveMaximum')),
        multipleOf: (num(own(s, 'multipleOf')) ?? 0) > 0 ? num(own(s, 'multipleOf')) : undefined,
      };
    case 'boolean':
      return { ...b, kind: 'boolean' };
    case 'array': {
      const items = own(s, 'items');
      if (!isObj(items)) return json(s, at, Array.isArray(items) ? 'a tuple: edit as JSON' : 'items of any type: edit as JSON');
      if (at.depth + 1 > ctx.maxDepth) return json(s, at, `nested deeper than ${ctx.maxDepth} levels: edit as JSON`);
      const item = fieldFor(items, ctx, { required: true, depth: at.depth + 1, refs: at.refs });
      return { ...b, kind: 'array', items: item, minItems: count(own(s, 'minItems')), maxItems: count(own(s, 'maxItems')), uniqueItems: own(s, 'uniqueItems') === true };
    }
    case 'object': {
      const props = own(s, 'properties');
      const hasProps = isObj(props) && Object.keys(props).length > 0;
      if (!hasProps) {
        // The arguments object itself (depth 0) with an empty or absent `properties` is a tool that
        // takes no arguments — MCP tools without parameters declare just { "type": "object" }. Only
        // keys described by an additionalProperties / patternProperties schema make it a map to edit
        // as JSON. Deeper down, an object without properties is free-form (any keys).
        const extra = own(s, 'additionalProperties');
        const patterns = own(s, 'patternProperties');
        const describesKeys = (isObj(extra) && Object.keys(extra).length > 0) || (isObj(patterns) && Object.keys(patterns).length > 0);
        if (extra === false || (at.depth === 0 && !describesKeys)) return { ...b, kind: 'object', properties: [] };
        return json(s, at, 'a free-form object: edit as JSON');
      }
      if (at.depth + 1 > ctx.maxDepth) return json(s, at, `nested deeper than ${ctx.maxDepth} levels: edit as JSON`);
      const req = own(s, 'required');
      const required = new Set(Array.isArray(req) ? req.filter((x): x is string => typeof x === 'string') : []);
      const properties = Object.keys(props).map((k) => fieldFor(props[k], ctx, { name: k, required: required.has(k), depth: at.depth + 1, refs: at.refs }));
      return { ...b, kind: 'object', properties };
    }
    default:
      return json(s, at, `type ${JSON.stringify(type)?.slice(0, 40)}: edit as JSON`);
  }
}

/** Re-entering fieldFor for the same field (a $ref, allOf, anyOf wrapper) does not count twice. */
function withCount(ctx: Ctx): Ctx {
  ctx.fields--;
  return ctx;
}

function inputFor(format: string | undefined): StringInput {
  switch (format) {
    case 'email':
    case 'idn-email':
      return 'email';
    case 'uri':
    case 'url':
    case 'iri':
      return 'url';
    case 'date':
      return 'date';
    case 'date-time':
      return 'datetime-local';
    case 'time':
      return 'time';
    case 'textarea':
    case 'multiline':
      return 'textarea';
    default:
      return 'text';
  }
}

export function optionLabel(v: unknown): string {
  const t = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return t.length > MAX_LABEL ? `${t.slice(0, MAX_LABEL)}…` : t;
}

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
