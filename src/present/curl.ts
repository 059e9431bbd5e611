/**
 * "Copy as curl" and "Copy as fetch": one recorded request (a message of the message log, or an
 * exchange of the OAuth flow) as a POSIX shell command and as a JavaScript `fetch()` snippet.
 *
 * Nothing here ever holds a token: the entries are redacted before they get here, and the
 * Authorization header is written as `$MCP_TOKEN` (a DPoP proof as `$MCP_DPOP_PROOF`), read from the
 * environment when the command runs. Every other value — URL, header values, the JSON body — is
 * single-quoted for the shell (POSIX sh §2.2.2: nothing inside single quotes is special, so `$(…)`,
 * backquotes, `!` and newlines are inert), and a JSON string literal in the snippet. Header lines
 * are cut at control characters (a header cannot carry them on the wire anyway).
 * @see https://pubs.opengroup.org/onlinepubs/9699919799/utilities/V3_chap02.html#tag_02_02_02
 */
import type { MessageEntry } from '../shared/messages';
import type { FlowExchange } from '../shared/protocol';

/** A request to copy: as the log or the trace recorded it (redacted). */
export interface CopyableRequest {
  method: string;
  url: string;
  /** Request headers by name (any case); `authorization` may be a redacted label. */
  headers: Record<string, string>;
  body?: string;
  /** Characters of the body the record did not keep (the copy is then incomplete, and says so). */
  bodyOmitted?: number;
  /** Words for the first comment line, e.g. "MCP tools/call (id 3)". Our text, not the server's. */
  title?: string;
}

export type CopyFormat = 'curl' | 'fetch';

/** Environment variables the copies read the credentials from. */
export const TOKEN_VARIABLE = 'MCP_TOKEN';
export const DPOP_VARIABLE = 'MCP_DPOP_PROOF';

/** Headers a copy leaves out: the client sets them itself, or they describe this one connection. */
const SKIPPED = new Set(['content-length', 'host', 'connection', 'accept-encoding', 'user-agent']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/; // RFC 9110 §5.1 token

/** The request a message of the log went out in; undefined for messages that came in, or over stdio. */
export function requestOfMessage(e: MessageEntry): CopyableRequest | undefined {
  if (e.direction !== 'out' || !e.http) return undefined;
  return {
    method: e.http.method,
    url: e.http.url,
    headers: e.http.requestHeaders,
    body: e.http.method === 'GET' || e.http.method === 'DELETE' ? undefined : e.payload,
    bodyOmitted: e.truncatedFrom !== undefined ? e.truncatedFrom - e.payload.length : undefined,
    title: `MCP ${e.method ?? e.kind}${e.id !== undefined ? ` (id ${typeof e.id === 'number' ? e.id : 'string'})` : ''}`,
  };
}

/** The request of an exchange in the OAuth flow panel. */
export function requestOfExchange(x: FlowExchange): CopyableRequest {
  return { method: x.method, url: x.url, headers: x.requestHeaders, body: x.requestBody, bodyOmitted: x.requestBodyOmitted, title: `${x.purpose} request` };
}

export function copyRequest(r: CopyableRequest, format: CopyFormat): string {
  return format === 'curl' ? asCurl(r) : asFetch(r);
}

/** A header as it may go in a copy: a token name, a value without control characters. */
interface CopyHeader {
  name: string;
  value: string;
  /** 'token' / 'dpop': written as the environment variable, never as the recorded value. */
  secret?: 'token' | 'dpop';
  scheme?: string;
}

function copyHeaders(h: Record<string, string>): { headers: CopyHeader[]; redacted: boolean; dropped: number } {
  const headers: CopyHeader[] = [];
  let redacted = false;
  let dropped = 0;
  for (const [rawName, rawValue] of Object.entries(h)) {
    const name = rawName.toLowerCase();
    if (SKIPPED.has(name)) continue;
    if (!HEADER_NAME.test(rawName)) {
      dropped++;
      continue;
    }
    const value = String(rawValue);
    if (name === 'authorization') {
      const scheme = /^([A-Za-z][\w.-]{0,30})\s/.exec(value)?.[1] ?? 'Bearer';
      headers.push({ name: 'Authorization', value: '', secret: 'token', scheme: scheme === 'credential' ? 'Bearer' : scheme });
      continue;
    }
    if (name === 'dpop') {
      headers.push({ name: 'DPoP', value: '', secret: 'dpop' });
      continue;
    }
    const clean = value.replace(/[\u0000-\u001f\u007f]+/g, ' ');
    if (clean.includes('[REDACTED]')) redacted = true;
    headers.push({ name: rawName, value: clean });
  }
  return { headers, redacted, dropped };
}

/** POSIX single quoting: `'` ends the quote, an escaped quote, and a new quote. */
export function shellQuote(s: string): string {
  return `'${s.replace(/\u0000/g, '').split("'").join(`'\\''`)}'`;
}

function notes(r: CopyableRequest, c: ReturnType<typeof copyHeaders>, comment: string): string[] {
  const out: string[] = [];
  const title = (r.title ?? 'request').replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 200);
  out.push(`${comment} ${title}, as recorded by MCP OAuth Inspector`);
  if (c.headers.some((h) => h.secret === 'token')) out.push(`${comment} The access token is read from $${TOKEN_VARIABLE}: it was never recorded. Set it first.`);
  if (c.headers.some((h) => h.secret === 'dpop')) out.push(`${comment} A DPoP proof is made per request (RFC 9449 §4): put a fresh one in $${DPOP_VARIABLE}.`);
  if (c.redacted || r.body?.includes('[REDACTED]')) out.push(`${comment} Values shown as [REDACTED] were secrets: put the real values in before sending.`);
  if (r.bodyOmitted) out.push(`${comment} INCOMPLETE: the record cut the body (${r.bodyOmitted} characters missing).`);
  if (c.dropped) out.push(`${comment} ${c.dropped} header${c.dropped === 1 ? '' : 's'} with an invalid name left out.`);
  return out;
}

export function asCurl(r: CopyableRequest): string {
  const c = copyHeaders(r.headers);
  const lines = notes(r, c, '#');
  const method = /^[A-Z]{1,10}$/.test(r.method) ? r.method : 'POST';
  const parts: string[] = [`curl -sS -N -X ${method} ${shellQuote(r.url)}`];
  for (const h of c.headers) {
    // Double quotes only around our own text and a variable name: the shell expands the variable, nothing else.
    if (h.secret === 'token') parts.push(`-H "Authorization: ${h.scheme} $${TOKEN_VARIABLE}"`);
    else if (h.secret === 'dpop') parts.push(`-H "DPoP: $${DPOP_VARIABLE}"`);
    else parts.push(`-H ${shellQuote(`${h.name}: ${h.value}`)}`);
  }
  if (r.body !== undefined && r.body !== '') parts.push(`--data-raw ${shellQuote(r.body)}`);
  lines.push(parts.join(' \\\n  '));
  return `${lines.join('\n')}\n`;
}

export function asFetch(r: CopyableRequest): string {
  const c = copyHeaders(r.headers);
  const lines = notes(r, c, '//');
  const method = /^[A-Z]{1,10}$/.test(r.method) ? r.method : 'POST';
  const headerLines = c.headers.map((h) => {
    if (h.secret === 'token') return `    Authorization: ${JSON.stringify(`${h.scheme} `)} + process.env.${TOKEN_VARIABLE},`;
    if (h.secret === 'dpop') return `    DPoP: process.env.${DPOP_VARIABLE},`;
    return `    ${js(h.name)}: ${js(h.value)},`;
  });
  lines.push(`const response = await fetch(${js(r.url)}, {`);
  lines.push(`  method: ${js(method)},`);
  lines.push('  headers: {', ...headerLines, '  },');
  if (r.body !== undefined && r.body !== '') lines.push(`  body: ${js(r.body)},`);
  lines.push('});');
  lines.push('console.log(response.status, await response.text());');
  return `${lines.join('\n')}\n`;
}

/** A JavaScript string literal (JSON's, with the two line separators JSON leaves bare escaped too). */
function js(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
