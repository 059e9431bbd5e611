/**
 * The message log of one connection: every MCP message in both directions — requests, results,
 * errors, notifications (list_changed, progress, cancellation, `notifications/message` log entries,
 * resource updates), server → client requests (elicitation, sampling) and the client's answers —
 * each with the HTTP exchange it rode on, its timing and the protocol in force.
 *
 * Bounded: a ring buffer of `maxEntries` with a count of what it dropped. Nothing secret is kept:
 * payloads go through the connection's Redactor and are capped; the Authorization header is kept as
 * a label naming which token went out ("Bearer …(redacted, token #2)"), the token itself never — a
 * SHA-256 of it maps to the ordinal, per log.
 *
 * Over ~450 lines on purpose: the ring buffer, the two taps and the entry builder share the pending
 * request map and the token ordinals; split apart, each would have to expose them to the others.
 *
 * It hooks in at two places, both set up by McpSession: the transport (`tapTransport`: every message
 * the SDK sends and every one it receives, whatever the transport, stdio included) and the fetch
 * under the transport (`tapFetch`: which HTTP exchange carried which message, the headers, the
 * status; the messages inside JSON and event-stream responses, so a notification is tied to the
 * stream it came on). Front ends read it with `snapshot()` and `onEntry`, and never record by hand;
 * `record()` is there for a message that does not pass the SDK's transport.
 * @see https://modelcontextprotocol.io/specification/2025-06-18/basic/transports
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { createParser } from 'eventsource-parser';
import type { Transport } from '@modelcontextprotocol/client';
import { bufferedText, exchangeIdOf, type GuardedFetch } from '../http/guardedFetch';
import type { Redactor } from '../http/redact';
import type { MessageDirection, MessageEntry, MessageHttp, MessageKind, MessageLogSnapshot, MessageOrigin } from '../../shared/messages';

export const DEFAULT_MAX_ENTRIES = 2000;
/** Characters of one message's JSON kept in the log (the rest is counted: `truncatedFrom`). */
export const DEFAULT_MAX_PAYLOAD_CHARS = 32 * 1024;
/** Bounds of the setting (package.json `mcpOAuthInspector.messageLog.maxEntries`). */
export const MIN_MAX_ENTRIES = 100;
export const MAX_MAX_ENTRIES = 100_000;

export interface MessageLogOptions {
  redactor: Redactor;
  maxEntries?: number;
  maxPayloadChars?: number;
  /** The protocol in force now (read when each message is recorded). */
  protocol?: () => MessageEntry['protocol'];
  transport?: () => MessageEntry['transport'];
  clock?: () => number;
}

export type MessageListener = (entry: MessageEntry) => void;

/** Request headers worth showing (all `mcp-*` ones too): what a server decides on. */
const REQUEST_HEADERS = new Set(['content-type', 'accept', 'last-event-id', 'authorization', 'dpop']);
const RESPONSE_HEADERS = new Set(['content-type', 'www-authenticate', 'location', 'retry-after']);
const isMcpHeader = (name: string) => name.startsWith('mcp-');

/** A bound on the maps kept for correlation, so a hostile stream of ids cannot grow them. */
const MAX_OPEN = 1000;

/** JSON-RPC message shape, loosely (the log records what went, well-formed or not). */
interface RpcLike {
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

/** A message sent but not yet shown: it waits for its HTTP exchange (or for `send` to end). */
interface PendingOut {
  entry: MessageEntry;
  published: boolean;
  /** The message as the transport's body spells it (JSON.stringify), the key of `pendingOut`. */
  key?: string;
  /** HTTP attempts so far. */
  attempts: number;
}

export class MessageLog {
  private ring: (MessageEntry | undefined)[];
  private start = 0;
  private size = 0;
  private droppedCount = 0;
  private nextSeq = 1;
  private maxEntries: number;
  private readonly maxPayloadChars: number;
  private readonly listeners = new Set<MessageListener>();
  private readonly clearListeners = new Set<() => void>();
  /** sha256(token) → its ordinal: which token went out, never the token. */
  private readonly tokenOrdinals = new Map<string, number>();
  /** Requests awaiting an answer, by direction and id: the seq, time and method the answer needs. */
  private readonly open = new Map<string, { seq: number; at: number; method?: string; http?: MessageHttp; origin?: MessageOrigin }>();
  /** The origin of the messages sent inside `withOrigin` (async context: the SDK's send runs inside the call). */
  private readonly originScope = new AsyncLocalStorage<MessageOrigin>();
  /** Outgoing messages by body text, until their HTTP exchange is known. */
  private readonly pendingOut = new Map<string, PendingOut[]>();
  /** Incoming messages seen in a response body (JSON or event stream), until the transport hands them on. */
  private arrivals: { key: string; http: MessageHttp }[] = [];
  private readonly clock: () => number;

  constructor(private readonly opts: MessageLogOptions) {
    this.maxEntries = clampMax(opts.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.maxPayloadChars = Math.max(256, opts.maxPayloadChars ?? DEFAULT_MAX_PAYLOAD_CHARS);
    this.ring = new Array(this.maxEntries);
    this.clock = opts.clock ?? Date.now;
  }

  /** Entries oldest first, the dropped count and the capacity. */
  snapshot(): MessageLogSnapshot {
    return { entries: this.entries(), dropped: this.droppedCount, maxEntries: this.maxEntries };
  }

  entries(): MessageEntry[] {
    const out: MessageEntry[] = [];
    for (let i = 0; i < this.size; i++) out.push(this.ring[(this.start + i) % this.maxEntries]!);
    return out;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  get capacity(): number {
    return this.maxEntries;
  }

  /** The entry with this seq, if still kept. */
  get(seq: number): MessageEntry | undefined {
    if (this.size === 0) return undefined;
    const first = this.ring[this.start]!.seq;
    const i = seq - first;
    if (i < 0 || i >= this.size) return undefined;
    const e = this.ring[(this.start + i) % this.maxEntries];
    return e?.seq === seq ? e : this.entries().find((x) => x.seq === seq);
  }

  /** A new capacity: the oldest entries beyond it are dropped (and counted). */
  setMaxEntries(n: number): void {
    const max = clampMax(n);
    if (max === this.maxEntries) return;
    const kept = this.entries();
    const cut = Math.max(0, kept.length - max);
    this.droppedCount += cut;
    this.maxEntries = max;
    this.ring = new Array(max);
    this.start = 0;
    this.size = 0;
    for (const e of kept.slice(cut)) this.ring[this.size++] = e;
  }

  /** Forget every entry and the dropped count (token ordinals stay: #1 is still #1). */
  clear(): void {
    this.ring = new Array(this.maxEntries);
    this.start = 0;
    this.size = 0;
    this.droppedCount = 0;
    for (const l of this.clearListeners) safely(l);
  }

  onEntry(listener: MessageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onClear(listener: () => void): () => void {
    this.clearListeners.add(listener);
    return () => this.clearListeners.delete(listener);
  }

  /**
   * Record one message now (for a message that does not pass a tapped transport). Messages through
   * `tapTransport` are recorded by it; do not record them again.
   */
  record(direction: MessageDirection, message: unknown, http?: MessageHttp): MessageEntry {
    const entry = this.makeEntry(direction, message, http);
    this.publish(entry);
    return entry;
  }

  /**
   * Run `fn` with every message it sends marked with `origin` (e.g. an MCP App view's tools/call);
   * the answers to those requests carry it too. Messages sent outside `fn` are not marked.
   */
  withOrigin<T>(origin: MessageOrigin | undefined, fn: () => Promise<T>): Promise<T> {
    return origin ? this.originScope.run(origin, fn) : fn();
  }

  /**
   * Wrap a transport so every message it sends and receives is recorded. `send` is wrapped; the
   * handler the SDK installs as `onmessage` is wrapped whenever it is set (also after this call).
   */
  tapTransport(transport: Transport): void {
    const send = transport.send.bind(transport);
    transport.send = async (message, options) => {
      const pending = this.beginOut(message);
      try {
        return await send(message, options);
      } finally {
        this.finishOut(pending);
      }
    };
    // Another wrapper may already own `onmessage` (an accessor): chain to it, recording the message
    // as the transport delivered it, before that wrapper sees it.
    const own = Object.getOwnPropertyDescriptor(transport, 'onmessage');
    let stored: Transport['onmessage'] = own && 'value' in own ? own.value : undefined;
    const inner = (): Transport['onmessage'] => (own?.get ? own.get.call(transport) : stored);
    let cache: { from: Transport['onmessage']; to: Transport['onmessage'] } | undefined;
    Object.defineProperty(transport, 'onmessage', {
      configurable: true,
      enumerable: true,
      get: () => {
        const h = inner();
        if (!h) return undefined;
        if (cache?.from !== h) {
          cache = {
            from: h,
            to: (message, extra) => {
              try {
                this.incoming(message);
              } catch {
                /* recording must never stop a message */
              }
              h(message, extra);
            },
          };
        }
        return cache.to;
      },
      set: (h: Transport['onmessage']) => {
        if (own?.set) own.set.call(transport, h);
        else stored = h;
      },
    });
  }

  /**
   * The fetch the transport uses, tapped: each outgoing message learns the exchange that carried it
   * (trace id, status, headers, attempts), and the messages of each response body are noted so the
   * transport's handing them on can name their exchange. Bodies pass through unchanged.
   */
  tapFetch(fetch: GuardedFetch): GuardedFetch {
    return async (input, init = {}) => {
      const method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
      const url = input instanceof Request ? input.url : input instanceof URL ? input.href : String(input);
      const body = typeof init.body === 'string' ? init.body : undefined;
      const requestHeaders = this.requestHeaders(new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined)));
      const base = { method, url: this.opts.redactor.url(url), requestHeaders };
      let res: Response;
      try {
        res = await fetch(input, init);
      } catch (err) {
        this.attachOut(body, { ...base, error: this.opts.redactor.text((err as Error)?.message ?? String(err)).slice(0, 500) }, true);
        throw err;
      }
      const http: MessageHttp = { ...base, exchange: exchangeIdOf(res), status: res.status, responseHeaders: this.responseHeaders(res.headers) };
      // A 401/403 is usually answered by a sign-in and a retry of the same body: wait for that one.
      this.attachOut(body, http, res.status !== 401 && res.status !== 403);
      const type = (res.headers.get('content-type') ?? '').toLowerCase();
      if (type.startsWith('text/event-stream') && res.body) return this.tapStream(res, http);
      if (type.includes('json') && res.ok) {
        // The SDK reads this body itself; the guarded fetch's decoded copy tells us which messages it holds.
        const text = bufferedText(res);
        if (text !== undefined) this.noteArrivals(text, http);
      }
      return res;
    };
  }

  /* ------------------------------------------------------------------------------------------- */

  private beginOut(message: unknown): PendingOut {
    const key = safeStringify(message);
    const pending: PendingOut = { entry: this.makeEntry('out', message), published: false, key, attempts: 0 };
    if (key !== undefined) {
      const list = this.pendingOut.get(key) ?? [];
      list.push(pending);
      this.pendingOut.set(key, list);
      if (this.pendingOut.size > MAX_OPEN) this.pendingOut.delete(this.pendingOut.keys().next().value!);
    }
    return pending;
  }

  private finishOut(pending: PendingOut): void {
    const key = pending.key;
    if (key !== undefined) {
      const list = this.pendingOut.get(key);
      const i = list?.indexOf(pending) ?? -1;
      if (list && i >= 0) list.splice(i, 1);
      if (list && list.length === 0) this.pendingOut.delete(key);
    }
    if (!pending.published) {
      pending.published = true;
      this.publish(pending.entry);
    }
  }

  private attachOut(body: string | undefined, http: MessageHttp, publish: boolean): void {
    if (body === undefined) return;
    const list = this.pendingOut.get(body);
    const pending = list?.find((p) => !p.published);
    if (!pending) return;
    const attempts = ++pending.attempts;
    pending.entry.http = attempts > 1 ? { ...http, attempts } : http;
    const open = pending.entry.id !== undefined ? this.open.get(`out:${String(pending.entry.id)}`) : undefined;
    if (open) open.http = pending.entry.http;
    if (publish) {
      pending.published = true;
      this.publish(pending.entry);
    }
  }

  private incoming(message: unknown): void {
    const key = messageKey(message);
    const i = this.arrivals.findIndex((a) => a.key === key);
    const http = i >= 0 ? this.arrivals.splice(i, 1)[0].http : undefined;
    this.publish(this.makeEntry('in', message, http));
  }

  private tapStream(res: Response, http: MessageHttp): Response {
    const decoder = new TextDecoder();
    const parser = createParser({
      onEvent: (e) => {
        if (!e.event || e.event === 'message') this.noteArrivals(e.data, http);
      },
    });
    const body = res.body!.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          try {
            parser.feed(decoder.decode(chunk, { stream: true }));
          } catch {
            /* noting must never stop the stream */
          }
          controller.enqueue(chunk);
        },
      }),
    );
    const out = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    Object.defineProperty(out, 'url', { value: res.url });
    return out;
  }

  private noteArrivals(text: string, http: MessageHttp): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return;
    }
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) this.arrivals.push({ key: messageKey(m), http });
    if (this.arrivals.length > MAX_OPEN) this.arrivals = this.arrivals.slice(-MAX_OPEN);
  }

  private makeEntry(direction: MessageDirection, message: unknown, http?: MessageHttp): MessageEntry {
    const at = this.clock();
    const m: RpcLike = message && typeof message === 'object' && !Array.isArray(message) ? (message as RpcLike) : {};
    const id = typeof m.id === 'string' || typeof m.id === 'number' ? m.id : undefined;
    const kind: MessageKind = typeof m.method === 'string' ? (id !== undefined ? 'request' : 'notification') : m.error !== undefined ? 'error' : 'result';
    const entry: MessageEntry = { seq: 0, at, direction, kind, payload: '' };
    if (typeof m.method === 'string') entry.method = capText(this.opts.redactor.text(m.method), 200);
    if (id !== undefined) entry.id = typeof id === 'string' ? capText(this.opts.redactor.text(id), 200) : id;
    const protocol = this.opts.protocol?.();
    if (protocol && (protocol.version || protocol.era)) entry.protocol = protocol;
    const transport = this.opts.transport?.();
    if (transport) entry.transport = transport;
    if (http) entry.http = http;
    // Only what we send is marked by scope: a message received inside the scope (a stream the call
    // opened) is marked only when it answers a marked request (below).
    const origin = direction === 'out' ? this.originScope.getStore() : undefined;
    if (origin) entry.origin = origin;
    if (entry.method === 'notifications/message' && m.params && typeof m.params === 'object') {
      const p = m.params as { level?: unknown; logger?: unknown };
      if (typeof p.level === 'string') entry.level = capText(p.level, 20);
      if (typeof p.logger === 'string') entry.logger = capText(this.opts.redactor.text(p.logger), 100);
    }
    if (kind === 'error' && m.error && typeof m.error === 'object' && typeof (m.error as { code?: unknown }).code === 'number') entry.errorCode = (m.error as { code: number }).code;
    // Correlate requests and their answers: an answer travels the other way.
    if (id !== undefined) {
      if (kind === 'request') {
        this.open.set(`${direction}:${String(id)}`, { seq: -1, at, method: entry.method, http, origin });
        if (this.open.size > MAX_OPEN) this.open.delete(this.open.keys().next().value!);
      } else {
        const key = `${direction === 'in' ? 'out' : 'in'}:${String(id)}`;
        const req = this.open.get(key);
        if (req) {
          this.open.delete(key);
          entry.method = req.method;
          entry.durationMs = at - req.at;
          if (req.seq > 0) entry.replyTo = req.seq;
          if (req.origin) entry.origin = req.origin;
          // A response rides on its request's exchange (Streamable HTTP) unless a body said otherwise.
          if (!entry.http && req.http && direction === 'in' && entry.transport !== 'sse') entry.http = req.http;
        }
      }
    }
    const json = safeStringify(message) ?? String(message);
    const redacted = this.opts.redactor.body(json, 'application/json');
    if (redacted.length > this.maxPayloadChars) {
      entry.payload = redacted.slice(0, this.maxPayloadChars);
      entry.truncatedFrom = redacted.length;
    } else entry.payload = redacted;
    this.pendingSeq.set(entry, id !== undefined && kind === 'request' ? `${direction}:${String(id)}` : undefined);
    return entry;
  }

  /** The open-request key of entries not yet published (their seq is given when they are). */
  private readonly pendingSeq = new WeakMap<MessageEntry, string | undefined>();

  private publish(entry: MessageEntry): void {
    entry.seq = this.nextSeq++;
    const openKey = this.pendingSeq.get(entry);
    if (openKey) {
      const o = this.open.get(openKey);
      if (o && o.seq === -1) o.seq = entry.seq;
    }
    if (this.size < this.maxEntries) {
      this.ring[(this.start + this.size) % this.maxEntries] = entry;
      this.size++;
    } else {
      this.ring[this.start] = entry;
      this.start = (this.start + 1) % this.maxEntries;
      this.droppedCount++;
    }
    for (const l of this.listeners) safely(() => l(entry));
  }

  /** The request headers that matter, redacted; Authorization as a label naming the token's ordinal. */
  private requestHeaders(h: Headers): Record<string, string> {
    const out: Record<string, string> = {};
    h.forEach((value, name) => {
      const n = name.toLowerCase();
      if (!REQUEST_HEADERS.has(n) && !isMcpHeader(n)) return;
      if (n === 'authorization') out[n] = this.authorizationLabel(value);
      else if (n === 'dpop') out[n] = '…(DPoP proof, redacted)';
      else out[n] = capText(this.opts.redactor.header(n, value), 500);
    });
    return out;
  }

  private responseHeaders(h: Headers): Record<string, string> {
    const out: Record<string, string> = {};
    h.forEach((value, name) => {
      const n = name.toLowerCase();
      if (RESPONSE_HEADERS.has(n) || isMcpHeader(n)) out[n] = capText(this.opts.redactor.header(n, value), 1000);
    });
    return out;
  }

  /**
   * "Bearer …(redacted, token #n)": the scheme, and which of the tokens this log has seen went out.
   * The ordinal comes from a hash of the credential; neither is shown or kept beyond that map.
   */
  authorizationLabel(value: string): string {
    const m = /^(\S+)\s+(.+)$/.exec(value.trim());
    const scheme = m && /^[A-Za-z][\w.-]{0,30}$/.test(m[1]) ? m[1] : 'credential';
    const secret = m ? m[2] : value;
    const digest = createHash('sha256').update(secret).digest('base64url');
    let n = this.tokenOrdinals.get(digest);
    if (n === undefined) {
      n = this.tokenOrdinals.size + 1;
      this.tokenOrdinals.set(digest, n);
    }
    return `${scheme} …(redacted, token #${n})`;
  }
}

/** Which message this is, for matching a body's copy to the transport's: method, id, answer kind. */
function messageKey(message: unknown): string {
  const m: RpcLike = message && typeof message === 'object' ? (message as RpcLike) : {};
  const kind = typeof m.method === 'string' ? '' : m.error !== undefined ? 'e' : 'r';
  return `${typeof m.method === 'string' ? m.method : ''}|${typeof m.id === 'string' || typeof m.id === 'number' ? `${typeof m.id}:${m.id}` : ''}|${kind}`;
}

function safeStringify(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

function capText(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function clampMax(n: number): number {
  return Number.isFinite(n) ? Math.min(MAX_MAX_ENTRIES, Math.max(MIN_MAX_ENTRIES, Math.floor(n))) : DEFAULT_MAX_ENTRIES;
}

function safely(f: () => void): void {
  try {
    f();
  } catch {
    /* a listener's failure must not break the session */
  }
}
