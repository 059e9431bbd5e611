/**
 * Strict JSON reading for everything a server sends (docs/SECURITY.md "Fetching metadata"): the body
 * must be a JSON object — not null, not an array, not a string — and may not carry `__proto__`,
 * `constructor` or `prototype` keys anywhere (they are how merged metadata pollutes prototypes).
 * oauth4webapi parses its own responses; we run this over the text first (the copy a guarded fetch
 * decoded when it buffered the body, else a clone) so every body gets the same treatment and the
 * user gets one clear error.
 */
import { InspectorError } from '../errors';
import { bufferedText } from './guardedFetch';
import type { ErrorStep } from '../../shared/codes';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type JsonObject = Record<string, unknown>;

export function parseJsonObject(text: string, what: string, where: { step?: ErrorStep; url?: string } = {}): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InspectorError('invalid_json', `${what} is not valid JSON`, { ...where, hint: 'The server must answer with a JSON object' });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new InspectorError('invalid_json', `${what} is ${kind}, not a JSON object`, { ...where, hint: 'The server must answer with a JSON object' });
  }
  const bad = findForbiddenKey(value, 0);
  if (bad) {
    throw new InspectorError('invalid_json', `${what} contains the forbidden key "${bad}"`, { ...where, hint: 'The response was rejected to prevent prototype pollution' });
  }
  return value as JsonObject;
}

export async function readJsonObject(response: Response, what: string, where: { step?: ErrorStep; url?: string } = {}): Promise<JsonObject> {
  // A guarded fetch already decoded the body it buffered: no clone, and the body stays unread for oauth4webapi.
  return parseJsonObject(bufferedText(response) ?? (await response.clone().text()), what, where);
}

function findForbiddenKey(value: unknown, depth: number): string | undefined {
  if (depth > 64 || value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const bad = findForbiddenKey(v, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return key;
    const bad = findForbiddenKey((value as Record<string, unknown>)[key], depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

/** Typed field readers: wrong types are reported, never coerced. */
export function optionalString(obj: JsonObject, key: string, what: string, where: { step?: ErrorStep; url?: string } = {}): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new InspectorError('invalid_json', `${what}: "${key}" must be a string`, where);
  return v;
}

export function optionalStringArray(obj: JsonObject, key: string, what: string, where: { step?: ErrorStep; url?: string } = {}): string[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new InspectorError('invalid_json', `${what}: "${key}" must be an array of strings`, where);
  return v as string[];
}
