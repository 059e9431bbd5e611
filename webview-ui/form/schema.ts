/**
 * A tool's input JSON Schema as a form model: which fields, of which kind, with which constraints.
 * The draft the user types into and the arguments collected from it are form/draft.ts; form/view.ts
 * renders both. No DOM here (unit-tested in plain Node: test/unit/webview/form/).
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

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
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
