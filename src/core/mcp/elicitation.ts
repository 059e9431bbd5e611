/**
 * Form-mode elicitation (MCP 2025-06-18 §elicitation): a server asks the user for a few values
 * described by a flat `requestedSchema` of primitive properties. This turns that schema into
 * fields a front end can ask for one by one (the editor with input boxes and quick picks, the CLI
 * with a terminal prompt), each with the checks the schema states and a parser from typed text.
 *
 * The SDK validates the shape of the request and, with `applyDefaults`, fills defaults into an
 * accepted answer; it does not ask anybody. Everything here is data from the server: labels and
 * descriptions are returned as plain text for the front end to show as text.
 */
import type { ElicitRequest, ElicitResult } from '@modelcontextprotocol/client';

export type ElicitFieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'choice' | 'multi';

export interface ElicitOption {
  value: string;
  label: string;
}

export interface ElicitField {
  name: string;
  /** The schema's title, else the property name. */
  label: string;
  description?: string;
  required: boolean;
  kind: ElicitFieldKind;
  /** choice / multi: the allowed values with their display names. */
  options?: ElicitOption[];
  default?: string | number | boolean | string[];
  /** multi: how many may be chosen. */
  minItems?: number;
  maxItems?: number;
  /** string / number / integer: what is wrong with typed text, or undefined when it fits. */
  check(text: string): string | undefined;
  /** string / number / integer: the value of typed text that passed `check`. */
  parse(text: string): string | number;
}

/** Longest label or description taken from a server (the rest is cut): they end up in notifications. */
const MAX_TEXT = 300;
const MAX_FIELDS = 50;
const MAX_OPTIONS = 500;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v.slice(0, MAX_TEXT) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The fields of a form-mode request, in the schema's order. Properties of shapes the spec does not
 * allow (nested objects, arrays of free text) are returned in `unsupported` by name, so the front
 * end can say why it declines instead of sending an incomplete answer.
 */
export function elicitationFields(requestedSchema: unknown): { fields: ElicitField[]; unsupported: string[] } {
  const fields: ElicitField[] = [];
  const unsupported: string[] = [];
  const schema = isRecord(requestedSchema) ? requestedSchema : {};
  const props = isRecord(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  for (const name of Object.keys(props).slice(0, MAX_FIELDS)) {
    const p = props[name];
    const field = isRecord(p) ? fieldOf(name, p, required.has(name)) : undefined;
    if (field) fields.push(field);
    else unsupported.push(name.slice(0, 100));
  }
  return { fields, unsupported };
}

function fieldOf(name: string, p: Record<string, unknown>, required: boolean): ElicitField | undefined {
  const base = { name, label: str(p.title) || name, description: str(p.description), required };
  const noText = { check: () => undefined, parse: (t: string) => t };
  // single choice: enum (+ enumNames), or oneOf [{ const, title }]
  const choice = choicesOf(p);
  if (p.type === 'string' && choice) return { ...base, ...noText, kind: 'choice', options: choice, default: str(p.default) };
  if (p.type === 'array' && isRecord(p.items)) {
    const options = choicesOf({ ...p.items, type: 'string', enum: p.items.enum, oneOf: p.items.anyOf ?? p.items.oneOf });
    if (!options) return undefined;
    const def = Array.isArray(p.default) ? p.default.filter((d): d is string => typeof d === 'string') : undefined;
    return { ...base, ...noText, kind: 'multi', options, default: def, minItems: num(p.minItems), maxItems: num(p.maxItems) };
  }
  if (p.type === 'boolean') return { ...base, ...noText, kind: 'boolean', default: typeof p.default === 'boolean' ? p.default : undefined };
  if (p.type === 'string') {
    const min = num(p.minLength);
    const max = num(p.maxLength);
    const format = typeof p.format === 'string' ? p.format : undefined;
    return {
      ...base,
      kind: 'string',
      default: str(p.default),
      check: (t) => {
        if (min !== undefined && t.length < min) return `At least ${min} character${min === 1 ? '' : 's'}`;
        if (max !== undefined && t.length > max) return `At most ${max} character${max === 1 ? '' : 's'}`;
        return format ? formatProblem(format, t) : undefined;
      },
      parse: (t) => t,
    };
  }
  if (p.type === 'number' || p.type === 'integer') {
    const min = num(p.minimum);
    const max = num(p.maximum);
    const integer = p.type === 'integer';
    return {
      ...base,
      kind: integer ? 'integer' : 'number',
      default: num(p.default),
      check: (t) => {
        const n = Number(t.trim());
        if (t.trim() === '' || !Number.isFinite(n)) return 'Enter a number';
        if (integer && !Number.isInteger(n)) return 'Enter a whole number';
        if (min !== undefined && n < min) return `At least ${min}`;
        if (max !== undefined && n > max) return `At most ${max}`;
        return undefined;
      },
      parse: (t) => Number(t.trim()),
    };
  }
  return undefined;
}

function choicesOf(p: Record<string, unknown>): ElicitOption[] | undefined {
  if (Array.isArray(p.enum)) {
    const names = Array.isArray(p.enumNames) ? p.enumNames : [];
    const out = p.enum.slice(0, MAX_OPTIONS).flatMap((v, i): ElicitOption[] => (typeof v === 'string' ? [{ value: v, label: str(names[i]) || v.slice(0, MAX_TEXT) }] : []));
    return out.length ? out : undefined;
  }
  if (Array.isArray(p.oneOf)) {
    const out = p.oneOf.slice(0, MAX_OPTIONS).flatMap((o): ElicitOption[] => (isRecord(o) && typeof o.const === 'string' ? [{ value: o.const, label: str(o.title) || o.const.slice(0, MAX_TEXT) }] : []));
    return out.length ? out : undefined;
  }
  return undefined;
}

function formatProblem(format: string, t: string): string | undefined {
  switch (format) {
    case 'email':
      return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(t) ? undefined : 'Enter an email address';
    case 'uri':
      return URL.canParse(t) ? undefined : 'Enter an absolute URI';
    case 'date':
      return /^\d{4}-\d\d-\d\d$/.test(t) && !Number.isNaN(Date.parse(`${t}T00:00:00Z`)) ? undefined : 'Enter a date as YYYY-MM-DD';
    case 'date-time':
      return /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(t) && !Number.isNaN(Date.parse(t)) ? undefined : 'Enter a date and time as YYYY-MM-DDTHH:MM:SSZ';
    default:
      return undefined;
  }
}

/**
 * What a front end provides to answer one request: `intro` says what the server asks and returns
 * whether the user wants to answer ('accept'), refuses ('decline') or dismisses it ('cancel');
 * `ask` asks for one field and returns its value, `undefined` to leave an optional field empty, or
 * `null` when the user gave up (the whole request is then cancelled).
 */
export interface ElicitationUi {
  intro(message: string, fields: ElicitField[]): Promise<'accept' | 'decline' | 'cancel'>;
  ask(field: ElicitField): Promise<string | number | boolean | string[] | undefined | null>;
  /** A request the client cannot answer (URL mode, unsupported fields): told why, then declined. */
  unsupported(why: string): void;
}

/** Answers `elicitation/create` through a front end's UI, field by field. */
export function elicitationHandler(ui: ElicitationUi): (request: ElicitRequest['params']) => Promise<ElicitResult> {
  return async (request) => {
    if ((request as { mode?: unknown }).mode === 'url') {
      ui.unsupported('the server asked to open a URL (URL-mode elicitation), which this client does not do');
      return { action: 'decline' };
    }
    const { fields, unsupported } = elicitationFields((request as { requestedSchema?: unknown }).requestedSchema);
    if (unsupported.length) {
      ui.unsupported(`the requested form has fields this client cannot ask for: ${unsupported.join(', ')}`);
      return { action: 'decline' };
    }
    const message = String((request as { message?: unknown }).message ?? '').slice(0, 1000);
    const choice = await ui.intro(message, fields);
    if (choice !== 'accept') return { action: choice };
    const content: Record<string, string | number | boolean | string[]> = {};
    for (const f of fields) {
      const v = await ui.ask(f);
      if (v === null) return { action: 'cancel' };
      if (v !== undefined) content[f.name] = v;
    }
    return { action: 'accept', content };
  };
}
