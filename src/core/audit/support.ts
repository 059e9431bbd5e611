/**
 * Small helpers the audit's check modules share: which trace exchanges a step made (the proof a
 * finding links to), one raw GET of a document as the server serves it (no redirect followed, so a
 * check sees a redirect), and arguments that fail a tool's own input schema.
 */
import type { Connection } from '../connection';
import { bufferedText } from '../http/guardedFetch';
import type { RequestPurpose } from '../http/trace';
import type { AuditContext, AuditFacts } from './context';
import type { TraceStep } from '../../shared/codes';

/** The id of the newest exchange in the trace (0 when none). */
export function lastExchange(conn: Connection): number {
  const all = conn.trace.all();
  for (let i = all.length - 1; i >= 0; i--) if (all[i].kind === 'http') return all[i].id;
  return 0;
}

/** Ids of the exchanges recorded after `since` (optionally only those of one purpose). */
export function exchangesSince(conn: Connection, since: number, purpose?: RequestPurpose): number[] {
  const out: number[] = [];
  for (const e of conn.trace.all()) if (e.kind === 'http' && e.id > since && (!purpose || e.purpose === purpose)) out.push(e.id);
  return out;
}

/** Runs `fn` and returns its value with the ids of the exchanges it made. */
export async function withExchanges<T>(conn: Connection, fn: () => Promise<T>): Promise<{ value: T; exchanges: number[] }> {
  const since = lastExchange(conn);
  const value = await fn();
  return { value, exchanges: exchangesSince(conn, since) };
}

export interface RawDocument {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  text: string;
  /** The body as a JSON object, when it is one. */
  json?: Record<string, unknown>;
  exchange: number;
}

/**
 * One GET through the connection's guarded fetch (policy, trace, redaction) with redirects left
 * unfollowed: a check sees the status the server answered. Throws what the guarded fetch throws
 * (unreachable, refused by the URL policy).
 */
export async function rawGet(ctx: AuditContext, url: string | URL, purpose: RequestPurpose, step: TraceStep, headers: Record<string, string> = {}): Promise<RawDocument> {
  const since = lastExchange(ctx.conn);
  const res = await ctx.conn.fetch(url, { method: 'GET', purpose, step, redirect: 'manual', headers: { accept: 'application/json', ...headers } });
  const text = bufferedText(res) ?? (await res.text().catch(() => ''));
  const h: Record<string, string> = {};
  res.headers.forEach((v, k) => (h[k.toLowerCase()] = v));
  let json: Record<string, unknown> | undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) json = v as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  const ids = exchangesSince(ctx.conn, since);
  return { status: res.status, headers: h, text, json, exchange: ids[ids.length - 1] ?? since };
}

/** A media type without parameters, lower-cased (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** JSON media types: application/json and any `+json` suffix (RFC 6839 §3.1). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const t = mediaType(contentType);
  return t === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(t);
}

/**
 * Arguments that fail the tool's input schema (a required property of the wrong type), so a call
 * shows the server's authorization decision without running the tool; undefined when the schema
 * leaves nothing to get wrong (no properties).
 */
export function invalidArguments(tool: Record<string, unknown>): Record<string, unknown> | undefined {
  const schema = tool.inputSchema as { properties?: Record<string, { type?: unknown }>; required?: unknown } | undefined;
  const props = schema?.properties && typeof schema.properties === 'object' ? schema.properties : undefined;
  if (!props) return undefined;
  const names = Object.keys(props);
  const required = Array.isArray(schema?.required) ? (schema.required as unknown[]).filter((x): x is string => typeof x === 'string' && names.includes(x)) : [];
  const target = required[0] ?? names[0];
  if (!target) return undefined;
  const type = props[target]?.type;
  // A value no schema of that type accepts: an object for scalars, a string for objects and arrays.
  const wrong = type === 'object' || type === 'array' ? 'not-an-object' : { auditInvalidArgument: true };
  return { [target]: wrong };
}

/** Whether the tool is annotated read-only (MCP tools §annotations: readOnlyHint). */
export function isReadOnly(tool: Record<string, unknown>): boolean {
  return (tool.annotations as { readOnlyHint?: unknown } | undefined)?.readOnlyHint === true;
}

/** Why there is no token to check with: the server needs none, or the sign-in failed (and how). */
export function noTokenReason(facts: AuditFacts): string {
  if (facts.noOAuth) return facts.noOAuth;
  return facts.signInFailure ? `sign-in failed (${facts.signInFailure.code}), so there is no token` : 'there is no token';
}
