/**
 * The audit's probe (`AuditContext.mcp`): one raw MCP JSON-RPC request to the server under audit,
 * carrying exactly the credentials a check chooses — none, a bearer token (presented with a DPoP
 * proof when the token is DPoP-bound and the check asks for it, RFC 9449 §7.1), or the token in the
 * query string (RFC 6750 §2.3, which the MCP authorization spec forbids) — and nothing else. No
 * challenge is answered, nothing is refreshed, nobody signs in: the check sees the server's answer
 * as it came.
 *
 * Hand-written rather than the SDK's transport, because the SDK's transport adds the connection's own
 * token and answers challenges; the wire format is the SDK's (its `_meta` envelope keys, the header
 * names its Streamable HTTP transport sends):
 * - 2026-07-28 (stateless): every request carries the envelope in `params._meta` (protocol version,
 *   client info, client capabilities) and the standard headers `MCP-Protocol-Version`, `Mcp-Method`,
 *   `Mcp-Name` (tools/call, prompts/get, resources/read) and the `Mcp-Param-*` headers a tool's
 *   `x-mcp-header` declarations ask for (SEP-2243);
 * - the session era (2025-11-25 and before): an `initialize` (and `notifications/initialized`) with the
 *   same credentials first, then the request with `Mcp-Session-Id` and `MCP-Protocol-Version`. When
 *   the server refuses the initialize, that refusal is the probe's answer.
 * - the legacy HTTP+SSE transport (2024-11-05): only the stream's GET can be probed; its status and
 *   challenge are the answer (there is no message).
 *
 * Every request goes through the connection's guarded fetch (policy, trace, redaction), and only to
 * the server URL: a token is never sent anywhere else (docs/SECURITY.md "The audit's probes").
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#streamable-http
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3 (WWW-Authenticate)
 */
import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/client';
import { createParser } from 'eventsource-parser';
import * as oauth from 'oauth4webapi';
import type { Connection } from '../connection';
import { bearerChallenge, parseChallenges, toolLevelChallenges, type BearerChallenge } from '../oauth/challenge';
import { CLIENT_EXTENSIONS, CLIENT_INFO } from '../mcp/session';
import type { AuditFacts, ProbeAuth, ProbeResponse } from './context';
import type { AuditStep } from '../../shared/codes';

export interface ProbeOptions {
  conn: Connection;
  /** Read at each call: the era and protocol version the runner learned, and the listed tools. */
  facts: AuditFacts;
  /** The transport the session ended up on ('sse': the legacy HTTP+SSE transport). */
  transport?: () => 'streamable-http' | 'sse' | 'stdio' | undefined;
  /** How long to wait for the first message of an event-stream answer. Default 15 s. */
  streamTimeoutMs?: number;
}

/** The JSON-RPC request ids of the probes (their own range, so a trace reader tells them apart). */
let nextId = 90_000;

const CAPABILITIES = { elicitation: { form: { applyDefaults: true } }, extensions: CLIENT_EXTENSIONS };

/** The protocol version to offer in a session-era `initialize` when none was negotiated. */
const FALLBACK_SESSION_VERSION = '2025-11-25';

/** Which request field names the `Mcp-Name` header (the SDK's table for the 2026-07-28 wire). */
const NAME_SOURCE: Record<string, string> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

export type ProbeFn = (method: string, params: Record<string, unknown> | undefined, auth: ProbeAuth) => Promise<ProbeResponse>;

export function createProbe(o: ProbeOptions): ProbeFn {
  const { conn } = o;
  /** Session-era sessions by credentials (each probe's token gets its own initialize). */
  const sessions = new Map<string, Promise<{ sessionId?: string; version: string } | ProbeResponse>>();

  const send = (_method: string, body: Record<string, unknown> | undefined, auth: ProbeAuth, extraHeaders: Record<string, string>, step: AuditStep, httpMethod: 'POST' | 'GET' = 'POST') =>
    sendToServer(conn, body, auth, extraHeaders, step, httpMethod);

  async function read(res: Response, exchange: number, id: number | undefined): Promise<ProbeResponse> {
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
    const challenge = bearerChallenge(await parseChallenges(res.headers.get('www-authenticate')));
    const out: ProbeResponse = { status: res.status, exchange, headers };
    if (challenge) out.challenge = challenge;
    const message = await readMessage(res, id, o.streamTimeoutMs ?? 15_000);
    if (message) {
      out.message = message;
      const strings = toolLevelChallenges(message.result);
      if (strings.length) {
        const tool = bearerChallenge(await parseChallenges(strings.join(', ')));
        if (tool) out.toolChallenge = tool;
      }
    }
    return out;
  }

  function authKey(auth: ProbeAuth): string {
    return auth.kind === 'none' ? 'none' : `${auth.kind}:${auth.kind === 'bearer' && auth.dpop ? 'dpop:' : ''}${auth.token}`;
  }

  /** Session era: initialize with these credentials (once per credentials), or the refusal. */
  function sessionFor(auth: ProbeAuth): Promise<{ sessionId?: string; version: string } | ProbeResponse> {
    const key = authKey(auth);
    let s = sessions.get(key);
    if (!s) {
      s = (async () => {
        const offered = o.facts.protocolVersion ?? FALLBACK_SESSION_VERSION;
        const id = nextId++;
        const init = { jsonrpc: '2.0', id, method: 'initialize', params: { protocolVersion: offered, capabilities: CAPABILITIES, clientInfo: CLIENT_INFO } };
        const { res, exchange } = await send('initialize', init, auth, {}, 'audit probe: initialize');
        const answer = await read(res, exchange, id);
        if (res.status < 200 || res.status >= 300 || !answer.message?.result) return answer;
        const sessionId = res.headers.get('mcp-session-id') ?? undefined;
        const version = typeof (answer.message.result as { protocolVersion?: unknown }).protocolVersion === 'string' ? (answer.message.result as { protocolVersion: string }).protocolVersion : offered;
        const h: Record<string, string> = { 'mcp-protocol-version': version };
        if (sessionId) h['mcp-session-id'] = sessionId;
        const note = await send('notifications/initialized', { jsonrpc: '2.0', method: 'notifications/initialized' }, auth, h, 'audit probe: notifications/initialized');
        await note.res.body?.cancel().catch(() => {});
        return { sessionId, version };
      })();
      // A bounded cache: every derived token is a new key.
      if (sessions.size >= 64) sessions.delete(sessions.keys().next().value!);
      sessions.set(key, s);
    }
    return s;
  }

  return async function probe(method, params, auth) {
    const step: AuditStep = `audit probe: ${method}${typeof params?.name === 'string' ? ` ${params.name.slice(0, 80)}` : ''}`;
    if (o.transport?.() === 'sse') {
      // HTTP+SSE (2024-11-05): messages go to an endpoint the stream names; the stream's GET is
      // where the server decides about the credentials.
      return sseProbe(conn, auth, `${step} (HTTP+SSE stream)`);
    }
    const id = nextId++;
    if (o.facts.era === 'stateless') {
      const version = o.facts.protocolVersion ?? '2026-07-28';
      const meta = { ...((params?._meta as Record<string, unknown> | undefined) ?? {}), [PROTOCOL_VERSION_META_KEY]: version, [CLIENT_INFO_META_KEY]: CLIENT_INFO, [CLIENT_CAPABILITIES_META_KEY]: CAPABILITIES };
      const body = { jsonrpc: '2.0', id, method, params: { ...(params ?? {}), _meta: meta } };
      const headers: Record<string, string> = { 'mcp-protocol-version': version, 'mcp-method': method, ...nameHeaders(method, params, o.facts) };
      const { res, exchange } = await send(method, body, auth, headers, step);
      return read(res, exchange, id);
    }
    const session = await sessionFor(auth);
    if ('status' in session) return session;
    const headers: Record<string, string> = { 'mcp-protocol-version': session.version };
    if (session.sessionId) headers['mcp-session-id'] = session.sessionId;
    const { res, exchange } = await send(method, { jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }, auth, headers, step);
    return read(res, exchange, id);
  };
}

/**
 * The legacy HTTP+SSE transport (2024-11-05): the GET that opens the stream, with exactly `auth`.
 * Its status and challenge are the answer; the stream itself (an `endpoint` event, then messages for
 * a session nobody uses) is closed at once.
 */
export async function sseProbe(conn: Connection, auth: ProbeAuth, step: AuditStep): Promise<ProbeResponse> {
  const { res, exchange } = await sendToServer(conn, undefined, auth, {}, step, 'GET');
  await res.body?.cancel().catch(() => {});
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
  const challenge = bearerChallenge(await parseChallenges(res.headers.get('www-authenticate')));
  return { status: res.status, exchange, headers, ...(challenge ? { challenge } : {}) };
}

/**
 * One HTTP request to the server under audit (and nowhere else) with exactly `auth`: none, a Bearer
 * token, a DPoP-bound token with a fresh proof (when `dpop` is set and the connection's token is
 * bound), or the token in the query string. The token is registered with the redactor first.
 * Returns the response (unread) and its trace exchange id.
 */
export async function sendToServer(conn: Connection, body: Record<string, unknown> | undefined, auth: ProbeAuth, extraHeaders: Record<string, string>, step: AuditStep, httpMethod: 'POST' | 'GET' = 'POST'): Promise<{ res: Response; exchange: number }> {
  const target = new URL(conn.serverUrl.href);
  const headers = new Headers({ accept: httpMethod === 'GET' ? 'text/event-stream' : 'application/json, text/event-stream', ...extraHeaders });
  if (body) headers.set('content-type', 'application/json');
  if (auth.kind !== 'none') conn.redactor.addSecret(auth.token);
  if (auth.kind === 'query') target.searchParams.set('access_token', auth.token);
  const text = body ? JSON.stringify(body) : undefined;
  const before = lastExchangeId(conn);
  const dpop = auth.kind === 'bearer' && auth.dpop ? await conn.auth.resourceDpop() : undefined;
  let res: Response;
  if (auth.kind === 'bearer' && dpop) {
    res = await dpopRequest(conn, dpop, auth.token, httpMethod, target, headers, text, step);
  } else {
    if (auth.kind === 'bearer') headers.set('authorization', `Bearer ${auth.token}`);
    res = await conn.fetch(target, { method: httpMethod, headers, body: text, purpose: 'mcp', step, redirect: 'manual' });
  }
  return { res, exchange: exchangeAfter(conn, before, step) };
}

/**
 * The 2026-07-28 standard headers that name what a request is about: `Mcp-Name` (tools/call,
 * prompts/get, resources/read) and, for tools/call, the `Mcp-Param-{Name}` headers of the tool's
 * `x-mcp-header` parameters (SEP-2243), encoded as the SDK encodes them (plain ASCII as is, anything
 * else as `=?base64?…?=`).
 */
function nameHeaders(method: string, params: Record<string, unknown> | undefined, facts: AuditFacts): Record<string, string> {
  const out: Record<string, string> = {};
  const field = NAME_SOURCE[method];
  const name = field ? params?.[field] : undefined;
  if (typeof name === 'string') out['mcp-name'] = encodeHeaderValue(name);
  if (method !== 'tools/call' || typeof name !== 'string') return out;
  const tool = facts.tools?.find((t) => t.name === name);
  const props = (tool?.inputSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  const args = params?.arguments as Record<string, unknown> | undefined;
  if (!props || !args) return out;
  for (const [param, def] of Object.entries(props)) {
    const header = (def as Record<string, unknown> | null)?.['x-mcp-header'];
    const v = args[param];
    if (typeof header !== 'string' || v === undefined || v === null) continue;
    const s = typeof v === 'string' ? v : typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? String(v) : undefined;
    if (s !== undefined) out[`mcp-param-${header.toLowerCase()}`] = encodeHeaderValue(s);
  }
  return out;
}

function encodeHeaderValue(s: string): string {
  const plain = s.length > 0 && s === s.trim() && !(s.startsWith('=?base64?') && s.endsWith('?=')) && [...s].every((c) => c === '\t' || (c >= ' ' && c <= '~'));
  return plain ? s : `=?base64?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

/**
 * One request with a DPoP-bound token: oauth4webapi signs the proof (`htm`, `htu`, `ath`, the
 * resource's nonce) and sets `Authorization: DPoP`, through the guarded fetch. `use_dpop_nonce`
 * (RFC 9449 §9) is answered once, as the session's fetch does (src/core/mcp/authFetch.ts).
 */
async function dpopRequest(conn: Connection, dpop: oauth.DPoPHandle, token: string, method: string, target: URL, headers: Headers, body: string | undefined, step: AuditStep): Promise<Response> {
  const once = async (): Promise<{ res: Response; nonce: boolean }> => {
    try {
      const res = await oauth.protectedResourceRequest(token, method, target, new Headers(headers), body ?? null, {
        DPoP: dpop,
        [oauth.customFetch]: (url, { redirect: _manual, ...init }) => conn.fetch(url, { ...(init as RequestInit), purpose: 'mcp', step, redirect: 'manual' }),
        [oauth.allowInsecureRequests]: true,
      });
      return { res, nonce: false };
    } catch (err) {
      if (err instanceof oauth.WWWAuthenticateChallengeError) return { res: err.response, nonce: oauth.isDPoPNonceError(err) };
      throw err;
    }
  };
  const first = await once();
  if (!first.nonce) return first.res;
  await first.res.body?.cancel().catch(() => {});
  return (await once()).res;
}

function lastExchangeId(conn: Connection): number {
  const all = conn.trace.all();
  for (let i = all.length - 1; i >= 0; i--) if (all[i].kind === 'http') return all[i].id;
  return 0;
}

/** The trace id of the (last) exchange this probe recorded: the one that answered. */
function exchangeAfter(conn: Connection, before: number, step: string): number {
  const all = conn.trace.all();
  for (let i = all.length - 1; i >= 0; i--) {
    const e = all[i];
    if (e.id <= before) break;
    if (e.kind === 'http' && e.step === step) return e.id;
  }
  return lastExchangeId(conn);
}

type RpcMessage = NonNullable<ProbeResponse['message']>;

/**
 * The JSON-RPC answer in a response body: a JSON object, or the first event-stream message that
 * answers `id` (any other message is skipped). The stream is cancelled once it is found, or after
 * `timeoutMs`. A body that is neither yields nothing.
 */
async function readMessage(res: Response, id: number | undefined, timeoutMs: number): Promise<RpcMessage | undefined> {
  if (!res.body) return undefined;
  const type = (res.headers.get('content-type') ?? '').toLowerCase();
  if (type.startsWith('text/event-stream')) return readStream(res.body, id, timeoutMs);
  let text: string;
  try {
    text = await res.text();
  } catch {
    return undefined;
  }
  return asMessage(safeParse(text), id);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function asMessage(v: unknown, id: number | undefined): RpcMessage | undefined {
  const list = Array.isArray(v) ? v : [v];
  for (const m of list) {
    if (!m || typeof m !== 'object') continue;
    const r = m as { id?: unknown; result?: unknown; error?: unknown };
    if (!('result' in r) && !('error' in r)) continue;
    if (id !== undefined && r.id !== undefined && r.id !== null && r.id !== id) continue;
    const out: RpcMessage = {};
    if ('result' in r) out.result = r.result;
    const e = r.error as { code?: unknown; message?: unknown; data?: unknown } | undefined;
    if (e && typeof e === 'object') out.error = { code: typeof e.code === 'number' ? e.code : 0, message: typeof e.message === 'string' ? e.message : '', ...('data' in e ? { data: e.data } : {}) };
    return out;
  }
  return undefined;
}

async function readStream(body: ReadableStream<Uint8Array>, id: number | undefined, timeoutMs: number): Promise<RpcMessage | undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let found: RpcMessage | undefined;
  const parser = createParser({
    onEvent: (e) => {
      if (!found && (e.event === undefined || e.event === 'message')) found = asMessage(safeParse(e.data), id);
    },
  });
  const timer = setTimeout(() => void reader.cancel().catch(() => {}), timeoutMs);
  try {
    while (!found) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch {
    /* cancelled (timeout) or the stream broke: whatever was found stands */
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => {});
  }
  return found;
}

/** A challenge as one line for a finding (its error, scope and resource_metadata). */
export function challengeText(c: BearerChallenge | undefined): string {
  if (!c) return 'no challenge';
  const parts = [`${c.scheme === 'dpop' ? 'DPoP' : c.scheme === 'bearer' ? 'Bearer' : c.scheme}`];
  if (c.error) parts.push(`error="${c.error}"`);
  if (c.scope) parts.push(`scope="${c.scope}"`);
  if (c.resource_metadata) parts.push(`resource_metadata="${c.resource_metadata}"`);
  return parts.join(' ');
}
