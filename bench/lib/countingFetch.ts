/**
 * A fetch wrapper that counts what goes over the wire: one record per HTTP request with the step it
 * belongs to, the bytes sent (request line, the headers the caller set, body) and received (status
 * line, headers, body — counted as the body is read, so a stream counts what was read so far).
 * Both clients of a comparison get the same wrapper around the same global fetch, so the numbers
 * are measured the same way on both sides. Headers fetch adds itself (user-agent, connection, …)
 * are not visible here and not counted, on either side.
 *
 * Only sizes and step names are kept: never a header value, URL query or body (they carry secrets).
 */

export interface RequestInfo {
  method: string;
  url: URL;
  /** The request body as text when it is text (JSON-RPC, form), for classification only; never stored. */
  body?: string;
}

export interface ExchangeRecord {
  step: string;
  method: string;
  status?: number;
  sentBytes: number;
  receivedBytes: number;
  /** performance.now() when the request was sent and when its headers arrived. */
  startedAt: number;
  headersAt?: number;
}

export type Classifier = (req: RequestInfo, status: number | undefined) => string;

const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const enc = new TextEncoder();

function bodyText(body: unknown): { text?: string; size: number } {
  if (body === undefined || body === null) return { size: 0 };
  if (typeof body === 'string') return { text: body, size: enc.encode(body).byteLength };
  if (body instanceof URLSearchParams) {
    const t = body.toString();
    return { text: t, size: t.length };
  }
  if (body instanceof ArrayBuffer) return { text: new TextDecoder().decode(body), size: body.byteLength };
  if (ArrayBuffer.isView(body)) {
    const u = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return { text: new TextDecoder().decode(u), size: u.byteLength };
  }
  return { size: 0 };
}

function headerBytes(h: Headers): number {
  let n = 0;
  h.forEach((v, k) => (n += k.length + v.length + 4));
  return n;
}

export class RequestCounter {
  readonly exchanges: ExchangeRecord[] = [];

  constructor(
    private readonly classify: Classifier,
    private readonly inner: typeof fetch = globalThis.fetch,
  ) {}

  readonly fetch: typeof fetch = async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : input instanceof URL ? input.href : String(input));
    const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers ?? request?.headers);
    let body = bodyText(init?.body);
    if (init?.body === undefined && request?.body) {
      const copy = await request.clone().arrayBuffer();
      body = bodyText(copy);
    }
    const rec: ExchangeRecord = {
      step: '',
      method,
      sentBytes: `${method} ${url.pathname}${url.search} HTTP/1.1\r\n`.length + headerBytes(headers) + 2 + body.size,
      receivedBytes: 0,
      startedAt: performance.now(),
    };
    rec.step = this.classify({ method, url, body: body.text }, undefined); // until the status is known
    this.exchanges.push(rec);
    let res: Response;
    try {
      res = await this.inner(input, init);
    } catch (err) {
      rec.status = undefined;
      throw err;
    }
    rec.headersAt = performance.now();
    rec.status = res.status;
    rec.step = this.classify({ method, url, body: body.text }, res.status);
    rec.receivedBytes += `HTTP/1.1 ${res.status} ${res.statusText}\r\n`.length + headerBytes(res.headers) + 2;
    if (!res.body || NULL_BODY.has(res.status)) return res;
    const counted = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          rec.receivedBytes += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
    const out = new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
    Object.defineProperty(out, 'url', { value: res.url });
    Object.defineProperty(out, 'redirected', { value: res.redirected });
    return out;
  };

  /** A copy of the records so far (a stream still open keeps counting in the live records). */
  snapshot(): ExchangeRecord[] {
    return this.exchanges.map((e) => ({ ...e }));
  }

  clear(): void {
    this.exchanges.length = 0;
  }
}

export interface StepSummary {
  step: string;
  requests: number;
  sentBytes: number;
  receivedBytes: number;
}

/** Requests and bytes per step, in first-seen order. */
export function byStep(records: readonly ExchangeRecord[]): StepSummary[] {
  const m = new Map<string, StepSummary>();
  for (const r of records) {
    const s = m.get(r.step) ?? { step: r.step, requests: 0, sentBytes: 0, receivedBytes: 0 };
    s.requests++;
    s.sentBytes += r.sentBytes;
    s.receivedBytes += r.receivedBytes;
    m.set(r.step, s);
  }
  return [...m.values()];
}

export function totals(records: readonly ExchangeRecord[]): { requests: number; sentBytes: number; receivedBytes: number } {
  return records.reduce((a, r) => ({ requests: a.requests + 1, sentBytes: a.sentBytes + r.sentBytes, receivedBytes: a.receivedBytes + r.receivedBytes }), { requests: 0, sentBytes: 0, receivedBytes: 0 });
}

/**
 * Names the step of a request to the demo (or any MCP server + authorization server pair) from its
 * URL, method, JSON-RPC method and status. The same classifier serves both sides of a comparison.
 */
export function demoClassifier(opts: { mcpUrl: string; as: { registration_endpoint?: string; token_endpoint?: string; authorization_endpoint?: string; revocation_endpoint?: string; issuer: string } }): Classifier {
  const mcp = new URL(opts.mcpUrl);
  const path = (u?: string) => (u ? new URL(u).pathname : undefined);
  const asOrigin = new URL(opts.as.issuer).origin;
  const reg = path(opts.as.registration_endpoint);
  const token = path(opts.as.token_endpoint);
  const authz = path(opts.as.authorization_endpoint);
  const revoke = path(opts.as.revocation_endpoint);
  return ({ method, url, body }, status) => {
    const p = url.pathname;
    if (p.startsWith('/.well-known/oauth-protected-resource')) return 'protected resource metadata';
    if (p.startsWith('/.well-known/oauth-authorization-server') || p.includes('openid-configuration')) return 'AS metadata';
    if (url.origin === asOrigin) {
      if (p === reg) return 'register';
      if (p === token) return /(^|&)grant_type=refresh_token(&|$)/.test(body ?? '') ? 'refresh' : 'token';
      if (p === revoke) return 'revocation';
      if (authz && (p === authz || p.startsWith(`${authz}/`))) return 'authorize';
      if (p.startsWith('/interaction')) return 'sign-in interaction';
      return `AS ${method} ${p.split('/').slice(0, 2).join('/')}`;
    }
    const step = mcpStep(mcp, method, url, body, status);
    if (step) return step;
    if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return 'loopback callback';
    return `other ${method}`;
  };
}

/** The step of a request to the MCP endpoint, from its method and JSON-RPC method; undefined for other URLs. */
function mcpStep(mcp: URL, method: string, url: URL, body: string | undefined, status: number | undefined): string | undefined {
  if (url.origin !== mcp.origin || url.pathname !== mcp.pathname) return undefined;
  if (method === 'GET') return 'GET SSE stream';
  if (method === 'DELETE') return 'DELETE session';
  let rpc = 'POST';
  try {
    const m = JSON.parse(body ?? '') as { method?: string };
    rpc = m.method ?? 'response';
  } catch {
    /* not JSON */
  }
  if (rpc === 'initialize') return status === 401 ? 'initialize → 401' : 'initialize';
  if (rpc === 'server/discover') return status === 401 ? 'server/discover → 401' : 'server/discover';
  if (rpc === 'notifications/initialized') return 'initialized';
  return rpc;
}

/** Steps of an MCP server without OAuth. */
export function mcpClassifier(mcpUrl: string): Classifier {
  const mcp = new URL(mcpUrl);
  return ({ method, url, body }, status) => mcpStep(mcp, method, url, body, status) ?? `other ${method}`;
}
