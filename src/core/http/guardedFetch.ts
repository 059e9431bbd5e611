/**
 * The one fetch the engine uses (docs/ARCHITECTURE.md "http/"). Every request goes through here:
 * scheme + address policy, timeouts, response size caps, redirect policy, and a redacted trace entry.
 * oauth4webapi (`customFetch`) and the MCP SDK transports (`fetch` option) are both handed this.
 *
 * Accepts what both callers send: a string, a `URL` or a `Request` (whose method, headers, body and
 * signal are kept; `init` overrides them as in `fetch`), and headers as a plain object, a `Headers`
 * or an array of pairs. `redirect: 'manual'` (oauth4webapi, the SDK's own within-origin follower)
 * returns a 3xx response untouched — except on token, registration, revocation and introspection
 * requests, where any redirect is refused.
 * @see https://fetch.spec.whatwg.org/#http-redirect-fetch
 *
 * What a request and a response body are on the wire (merging a Request with init, the body as trace
 * text, the capped read) is wire.ts; the gates, the redirect loop and the trace are here.
 */
import { InspectorError, isInspectorError } from '../errors';
import { AbortLink } from './abortLink';
import { bodyForTrace, decodeUtf8, isRequest, prepare, readCapped, tooLarge, truncate, type PreparedRequest } from './wire';
import type { Redactor } from './redact';
import { traceEventStream } from './eventStreamTrace';
import { STEP, type TraceStep } from '../../shared/codes';
import type { RequestPurpose, Trace, TraceExchange } from './trace';
import { assertAddressAllowed, checkUrl, needsAddressCheck, urlLabel, type AddressPolicy, type UrlSource } from './urlPolicy';

export interface GuardedFetchOptions {
  policy: AddressPolicy;
  trace: Trace;
  redactor: Redactor;
  /** Total time for headers + body of a response (per hop); only MCP event streams are exempt. Default 30 s. */
  timeoutMs?: number;
  /** Maximum bytes of a response body; only MCP event streams are exempt. Default 5 MiB. */
  maxBodyBytes?: number;
  /** The real fetch (tests inject one). Default globalThis.fetch. */
  fetchImpl?: typeof fetch;
}

export interface GuardedRequestInit extends RequestInit {
  purpose?: RequestPurpose;
  step?: TraceStep;
  /**
   * The document that named this URL and the field it was in. Default: what `admitUrl` recorded for
   * this URL, if anything. The address policy judges the URL by that document's host as well as by
   * the MCP server's (urlPolicy.ts `assertAddressAllowed`), and a refusal names the field.
   */
  source?: UrlSource;
}

export type GuardedFetch = (input: string | URL | Request, init?: GuardedRequestInit) => Promise<Response>;

/**
 * Purposes whose redirects are never followed (docs/SECURITY.md: token, registration, revocation):
 * a redirect there would re-send credentials or a code to wherever the server says.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.11
 */
const NO_REDIRECT: ReadonlySet<RequestPurpose> = new Set(['token', 'registration', 'revocation', 'introspection']);
/**
 * The only purposes whose `text/event-stream` responses are passed through without the time and size
 * caps: MCP transport traffic (Streamable HTTP GET/POST streams, the legacy SSE endpoint). No OAuth
 * endpoint has a reason to stream (docs/SECURITY.md "Response bodies are capped").
 */
const STREAMING: ReadonlySet<RequestPurpose> = new Set(['mcp']);
const MAX_REDIRECTS = 5;

/** An unbuffered stream's trace body: a label of ours (a symbol, so no server text can pass for it). */
const EVENT_STREAM = Symbol('event stream');
const EVENT_STREAM_LABEL = '[event stream]';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Each guarded fetch's `admitUrl` (a function of its closure: the policy and the recorded sources). */
/**
 * The trace step of a request whose caller names none (every request of the engine names its own):
 * the step its purpose belongs to.
 */
const DEFAULT_STEP: Record<RequestPurpose, TraceStep> = {
  mcp: 'MCP request',
  'resource-metadata': STEP.protectedResourceMetadata,
  'as-metadata': STEP.authorizationServerMetadata,
  registration: STEP.clientRegistration,
  'client-metadata': STEP.clientRegistration,
  authorization: STEP.authorizationRequest,
  token: STEP.tokenExchange,
  revocation: STEP.tokenRevocation,
  introspection: STEP.tokenIntrospection,
  jwks: STEP.jwks,
  other: 'MCP request',
};

const admitters = new WeakMap<GuardedFetch, (url: string | URL, what: string, source: UrlSource, step: TraceStep) => Promise<URL>>();

/**
 * Check a URL a document named, now, before anything uses it: the scheme gate and the address gate,
 * judged by the MCP server and by the document's host (urlPolicy.ts). Nothing is fetched. The source
 * is remembered, so every later request through this fetch to the same URL (a token request, a JWKS
 * fetch by another module) is judged the same way again and a refusal then still names the field.
 * Returns the parsed URL. `what` names the URL in a scheme refusal ("token_endpoint").
 */
export function admitUrl(fetch: GuardedFetch, url: string | URL, what: string, source: UrlSource, step: TraceStep): Promise<URL> {
  const admit = admitters.get(fetch);
  if (!admit) throw new InspectorError('internal', 'admitUrl needs the guarded fetch itself (createGuardedFetch), not a wrapper', { step });
  return admit(url, what, source, step);
}

/** The registry key of a URL: without its fragment, which never goes on the wire. */
function sourceKey(url: URL): string {
  return url.hash ? url.href.slice(0, -url.hash.length) : url.href;
}


/**
 * The body text of each buffered response this fetch returned, decoded once (for the trace) and kept
 * so `bufferedText` spares readers a `clone()` (a tee of the body stream) and a second decode.
 */
const decodedBodies = new WeakMap<Response, string>();

/**
 * The text `response.text()` would give, when `response` is a buffered response from a guarded fetch
 * whose body nobody has read yet; otherwise undefined (read it the usual way).
 */
export function bufferedText(response: Response): string | undefined {
  return response.bodyUsed ? undefined : decodedBodies.get(response);
}

/** The trace exchange id of each response a guarded fetch returned (the message log names it). */
const exchangeIds = new WeakMap<Response, number>();

/** The trace exchange id of a response this module's fetch returned; undefined for any other response. */
export function exchangeIdOf(response: Response): number | undefined {
  return exchangeIds.get(response);
}

/** One exchange in flight: what its trace entry needs. */
interface Exchange {
  id: number;
  startedAt: number;
  url: URL;
  req: PreparedRequest;
  purpose: RequestPurpose;
  step: TraceStep;
  traceBody: string | undefined;
  reqContentType: string | null;
}

export function createGuardedFetch(opts: GuardedFetchOptions): GuardedFetch {
  const fetchImpl = opts.fetchImpl ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxBodyBytes = opts.maxBodyBytes ?? 5 * 1024 * 1024;
  const { trace, redactor, policy } = opts;
  /** URL → the documents that named it (admitUrl), at most a few per URL. */
  const sources = new Map<string, UrlSource[]>();

  /** False when the address gate has nothing to check (lets the hot path skip an await). */
  function needsCheck(url: URL, from: readonly UrlSource[]): boolean {
    return from.length === 0 ? needsAddressCheck(url, policy) : from.some((s) => needsAddressCheck(url, policy, s));
  }

  /** The address gate for one URL under each of its sources (or none). */
  async function checkAddress(url: URL, step: TraceStep, from: readonly UrlSource[]): Promise<void> {
    if (from.length === 0) return assertAddressAllowed(url, policy, { step });
    for (const source of from) await assertAddressAllowed(url, policy, { step, source });
  }

  async function admit(input: string | URL, what: string, source: UrlSource, step: TraceStep): Promise<URL> {
    const url = checkUrl(input, what, policy.allowHttpHosts, { step, source });
    if (needsCheck(url, [source])) await checkAddress(url, step, [source]);
    const key = sourceKey(url);
    const list = sources.get(key) ?? [];
    if (!list.some((s) => s.field === source.field && s.document.href === source.document.href)) {
      if (list.length >= 8) list.shift();
      list.push(source);
      if (!sources.has(key) && sources.size >= 1024) sources.delete(sources.keys().next().value!);
      sources.set(key, list);
    }
    return url;
  }

  const guardedFetch: GuardedFetch = async function guardedFetch(input, init = {}) {
    const purpose = init.purpose ?? 'other';
    const step = init.step ?? DEFAULT_STEP[purpose];
    const request = isRequest(input) ? input : undefined;
    const rawUrl = request ? request.url : input instanceof URL ? input.href : String(input);

    // The gates come first: nothing is read, opened or sent before the URL and address pass.
    let url: URL;
    let from: readonly UrlSource[] = [];
    try {
      url = checkUrl(rawUrl, `${step} URL`, policy.allowHttpHosts, { step, source: init.source });
      from = init.source ? [init.source] : (sources.get(sourceKey(url)) ?? []);
      if (needsCheck(url, from)) await checkAddress(url, step, from);
    } catch (err) {
      recordRefusal(rawUrl, (init.method ?? request?.method ?? 'GET').toUpperCase(), purpose, step, err);
      throw err;
    }

    // Only a Request input with a body of its own needs an await here.
    const req = prepare(request, init, init.body === undefined && request?.body ? new Uint8Array(await request.arrayBuffer()) : null);
    for (let hop = 0; ; hop++) {
      if (hop > 0) {
        try {
          if (needsCheck(url, from)) await checkAddress(url, step, from);
        } catch (err) {
          recordRefusal(url.href, req.method, purpose, step, err);
          throw err;
        }
      }
      const res = await exchange(url, req, purpose, step, hop > 0);
      if (!REDIRECT_STATUSES.has(res.status) || !res.headers.has('location')) return res;

      // A redirect: never on token/registration/revocation/introspection; same origin only elsewhere.
      if (NO_REDIRECT.has(purpose)) {
        throw new InspectorError('redirect_refused', `the server answered with a redirect (HTTP ${res.status}), which is never followed for a ${purpose} request`, {
          step,
          url: errorUrl(url),
          hint: 'Point the client at the final endpoint URL; credentials are never re-sent to a redirect target',
        });
      }
      if (req.redirect === 'manual') return res;
      if (req.redirect === 'error') {
        throw new InspectorError('redirect_refused', `the server answered with a redirect (HTTP ${res.status}) and this request does not allow redirects`, { step, url: errorUrl(url) });
      }
      let next: URL;
      try {
        next = new URL(res.headers.get('location') ?? '', url);
      } catch {
        throw new InspectorError('url_invalid', `redirect to an invalid URL`, { step, url: errorUrl(url) });
      }
      if (next.origin !== url.origin) {
        throw new InspectorError('redirect_refused', `redirect to another origin (${urlLabel(next)}) refused`, {
          step,
          url: errorUrl(url),
          hint: 'Requests may only redirect within the same origin; nothing was sent to the other origin',
        });
      }
      if (hop >= MAX_REDIRECTS) {
        throw new InspectorError('redirect_refused', `more than ${MAX_REDIRECTS} redirects`, { step, url: errorUrl(url) });
      }
      // Fetch semantics: 303 (and 301/302 after a POST) become a GET without a body.
      if (res.status === 303 ? req.method !== 'HEAD' : (res.status === 301 || res.status === 302) && req.method === 'POST') {
        req.method = 'GET';
        req.body = null;
        for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) req.headers.delete(h);
      } else if (req.body instanceof ReadableStream) {
        throw new InspectorError('redirect_refused', `cannot re-send a streamed request body to a redirect (HTTP ${res.status})`, { step, url: errorUrl(url) });
      }
      // The next hop is named by this response's Location header: a refusal says so.
      const redirectFrom: UrlSource[] = from.length ? from.map((s) => ({ document: s.document, field: `${s.field} → redirect (Location)` })) : [{ document: url, field: 'redirect (Location)' }];
      url = checkUrl(next, `${step} redirect`, policy.allowHttpHosts, { step, source: redirectFrom[0] });
      from = redirectFrom;
    }
  };
  admitters.set(guardedFetch, admit);
  return guardedFetch;

  async function exchange(url: URL, req: PreparedRequest, purpose: RequestPurpose, step: TraceStep, redirected: boolean): Promise<Response> {
    const x: Exchange = {
      id: trace.newId(),
      startedAt: Date.now(),
      url,
      req,
      purpose,
      step,
      traceBody: bodyForTrace(req.body),
      reqContentType: req.headers.get('content-type') ?? (req.body instanceof URLSearchParams ? 'application/x-www-form-urlencoded' : null),
    };

    // One controller per exchange: our timeout and the caller's signals (abortLink.ts) both abort it,
    // and its reason is whichever came first.
    const ctl = new AbortController();
    const signal = ctl.signal;
    const link = AbortLink.join(ctl, req.signals);
    const timer = setTimeout(onTimeout, timeoutMs, ctl, step, url);

    let res: Response;
    try {
      signal.throwIfAborted();
      res = await fetchImpl(url.href, {
        ...req.rest,
        method: req.method,
        headers: req.headers,
        body: req.body,
        redirect: 'manual',
        signal,
        ...(req.body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (err) {
      clearTimeout(timer);
      link.release();
      const e = signal.aborted
        ? signal.reason
        : new InspectorError('network_error', `could not reach the server: ${redactor.text((err as Error)?.message ?? String(err))}${causeText(err)}`, {
            step,
            url: errorUrl(url),
            hint: 'Check the URL and that the server is running',
          });
      record(x, undefined, e);
      throw e;
    }

    const contentType = (res.headers.get('content-type') ?? '').toLowerCase();
    if (!res.body || (STREAMING.has(purpose) && contentType.startsWith('text/event-stream'))) {
      // A stream (SSE) on MCP transport traffic: handed through untouched and unbuffered; the
      // caller's signal still cancels it (for as long as the body can be read). The headers go into
      // the trace now, the stream's messages as the caller reads them (eventStreamTrace.ts). Any other
      // purpose (metadata, registration, token, JWKS, …) is read under the size and time caps below
      // even when it says `text/event-stream`: an endless or trickling body there must not hang the flow.
      clearTimeout(timer);
      const entry = record(x, { status: res.status, headers: res.headers, bytes: 0, body: res.body ? EVENT_STREAM : undefined });
      if (!res.body) {
        link.release();
        exchangeIds.set(res, x.id);
        return res;
      }
      const traced = traceEventStream(res, entry, trace, redactor);
      link.keepWhile(traced.body ?? res.body);
      exchangeIds.set(traced, x.id);
      return traced;
    }

    try {
      const declared = Number(res.headers.get('content-length'));
      if (Number.isFinite(declared) && declared > maxBodyBytes) {
        await res.body.cancel().catch(() => {});
        throw tooLarge(maxBodyBytes, step, errorUrl(url), declared);
      }
      const bytes = await readCapped(res.body, maxBodyBytes, signal, maxBodyBytes, step, errorUrl(url));
      const text = decodeUtf8(bytes);
      record(x, { status: res.status, headers: res.headers, body: text, bytes: bytes.byteLength });
      const nullBody = NULL_BODY_STATUSES.has(res.status);
      const out = new Response(nullBody ? null : bytes, { status: res.status, statusText: res.statusText, headers: res.headers });
      Object.defineProperty(out, 'url', { value: url.href });
      Object.defineProperty(out, 'redirected', { value: redirected });
      if (!nullBody) decodedBodies.set(out, text);
      exchangeIds.set(out, x.id);
      return out;
    } catch (err) {
      const e = isInspectorError(err)
        ? err
        : signal.aborted
          ? signal.reason
          : new InspectorError('network_error', `the response body could not be read: ${redactor.text((err as Error)?.message ?? String(err))}`, { step, url: errorUrl(url) });
      record(x, { status: res.status, headers: res.headers, bytes: 0 }, e);
      throw e;
    } finally {
      clearTimeout(timer);
      link.release();
    }
  }

  function onTimeout(ctl: AbortController, step: TraceStep, url: URL): void {
    ctl.abort(
      new InspectorError('request_timeout', `no complete response within ${timeoutMs} ms`, {
        step,
        url: errorUrl(url),
        hint: 'Check that the server is up, or raise the request timeout',
      }),
    );
  }

  /** The exchange's trace entry, redacted before it is stored. */
  function record(x: Exchange, response?: { status: number; headers: Headers; body?: string | typeof EVENT_STREAM; bytes: number }, error?: unknown): TraceExchange {
    const entry: TraceExchange = {
      kind: 'http',
      id: x.id,
      step: x.step,
      purpose: x.purpose,
      startedAt: x.startedAt,
      durationMs: Date.now() - x.startedAt,
      request: {
        method: x.req.method,
        url: redactor.url(x.url),
        headers: redactor.headers(x.req.headers),
        body: x.traceBody === undefined ? undefined : truncate(redactor.body(x.traceBody, x.reqContentType)),
      },
      response: response && {
        status: response.status,
        headers: redactor.headers(response.headers),
        // The event-stream marker is ours, not the server's: nothing in it to redact.
        body: response.body === EVENT_STREAM ? EVENT_STREAM_LABEL : response.body === undefined ? undefined : truncate(redactor.body(response.body, response.headers.get('content-type'))),
        bytes: response.bytes,
      },
      error: error === undefined ? undefined : errorForTrace(error),
    };
    trace.record(entry);
    return entry;
  }

  /** A request refused at the gates still leaves a trace entry (with scheme and host only). */
  function recordRefusal(rawUrl: string, method: string, purpose: RequestPurpose, step: TraceStep, err: unknown): void {
    let shown = '[invalid URL]';
    try {
      shown = urlLabel(new URL(rawUrl));
    } catch {
      /* keep the placeholder: the raw text may hold anything */
    }
    trace.record({
      kind: 'http',
      id: trace.newId(),
      step,
      purpose,
      startedAt: Date.now(),
      durationMs: 0,
      request: { method, url: redactor.text(shown), headers: {} },
      error: errorForTrace(err),
    });
  }

  function errorForTrace(error: unknown): NonNullable<TraceExchange['error']> {
    if (isInspectorError(error)) return { code: error.code, message: redactor.text(error.message) };
    const name = (error as Error)?.name;
    return {
      code: name === 'AbortError' ? 'aborted' : 'network_error',
      message: redactor.text(String((error as Error)?.message ?? error)),
    };
  }

  /** Origin and path only: a query string may carry secrets and never goes into an error. */
  function errorUrl(url: URL): string {
    return redactor.text(`${url.origin}${url.pathname}`);
  }
}

function causeText(err: unknown): string {
  const c = (err as { cause?: { code?: string } })?.cause;
  return c?.code ? ` (${c.code})` : '';
}
