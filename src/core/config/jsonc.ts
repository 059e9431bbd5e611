/**
 * A config file's JSONC (comments, trailing commas), read as untrusted input: never throws, caps the
 * nesting depth, and builds objects with a null prototype and without `__proto__` keys, so no key of
 * the file can reach Object.prototype. The file's own meaning (servers, entries) is parseConfig.ts's.
 * @see https://code.visualstudio.com/docs/languages/json#_json-with-comments
 */
// The ESM build on purpose: the package's `main` is a UMD wrapper whose inner `require('./impl/…')`
// calls esbuild cannot see, so a bundle built from it fails at runtime with "Cannot find module".
import { parseTree, printParseErrorCode } from 'jsonc-parser/lib/esm/main.js';
import type { Node as JsoncNode, ParseError } from 'jsonc-parser/lib/esm/main.js';

/** Deeper than any MCP config; deeper files are refused, not read in part. */
export const MAX_DEPTH = 32;

export type Json = null | boolean | number | string | Json[] | JsonObject;
/** Built with a null prototype: no key, `__proto__` included, can reach Object.prototype. */
export interface JsonObject {
  [key: string]: Json;
}

/** The text as plain values, or what is wrong with it (line and column of the first error). */
export function parseJsonc(text: string): { value: Json } | { error: string } {
  const errors: ParseError[] = [];
  let tree: JsoncNode | undefined;
  try {
    tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  } catch {
    return { error: 'the file is nested too deeply to read' }; // stack overflow on pathological nesting
  }
  if (errors.length > 0) {
    const e = errors[0];
    const { line, column } = lineColumn(text, e.offset);
    return { error: `the file is not valid JSON (with comments): ${printParseErrorCode(e.error)} at line ${line}, column ${column}` };
  }
  if (!tree) return { error: 'the file is empty' };
  const value = toJson(tree, 0);
  return value === undefined ? { error: `the file is nested deeper than ${MAX_DEPTH} levels` } : { value };
}

/** The tree as plain values, objects with a null prototype and no `__proto__` key; undefined when too deep. */
function toJson(node: JsoncNode, depth: number): Json | undefined {
  if (depth > MAX_DEPTH) return undefined;
  switch (node.type) {
    case 'object': {
      const out = Object.create(null) as JsonObject;
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        if (!keyNode || !valueNode || typeof keyNode.value !== 'string') continue;
        if (keyNode.value === '__proto__') continue;
        const v = toJson(valueNode, depth + 1);
        if (v === undefined) return undefined;
        out[keyNode.value] = v;
      }
      return out;
    }
    case 'array': {
      const out: Json[] = [];
      for (const child of node.children ?? []) {
        const v = toJson(child, depth + 1);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    case 'string':
      return String(node.value);
    case 'number':
      return typeof node.value === 'number' ? node.value : Number(node.value);
    case 'boolean':
      return node.value === true;
    default:
      return null;
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own property only (the objects have no prototype, but be explicit). */
export function own(obj: JsonObject, key: string): Json | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

export function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** What a value is, for a message: "missing", "null", "a list", "an object", "a number" … */
export function describe(v: Json | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}
