/**
 * The one fetch the engine uses (ARCHITECTURE.md "http/"). Every request goes through here:
 * scheme + address policy, timeouts, response size caps, redirect policy, and a redacted trace entry.
 * oauth4webapi (`customFetch`) and the MCP SDK transports (`fetch` option) are both handed this.
 */
import { InspectorError, isInspectorError } from '../errors';
import type { Redactor } from './redact';
import type { RequestPurpose, Trace } from './trace';
import { assertAddressAllowed, checkUrl, type AddressPolicy } from './urlPolicy';

export interface GuardedFetchOptions {
  policy: AddressPolicy;
  trace: Trace;
  redactor: Redactor;
  /** Total time for headers + body of a non-streaming response. Default 30 s. */
  timeoutMs?: number;
  /** Maximum bytes of a non-streaming response body. Default 5 MiB. */
  maxBodyBytes?: number;
  /** The real fetch (tests inject one). Default globalThis.fetch. */
  fetchImpl?: typeof fetch;
}

export interface GuardedRequestInit extends RequestInit {
  purpose?: RequestPurpose;
  step?: string;
}

export type GuardedFetch = (url: string | URL, init?: GuardedRequestInit) => Promise<Response>;

/** Purposes whose redirects are never followed (SECURITY.md: token, registration, revocation). */
const NO_REDIRECT: ReadonlySet<RequestPurpose> = new Set(['token', 'registration', 'revocation', 'introspection']);
const MAX_REDIRECTS = 5;

export function createGuardedFetch(opts: GuardedFetchOptions): GuardedFetch {
  const fetchImpl = opts.fetchImpl ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const maxBodyBytes = opts.maxBodyBytes ?? 5 * 1024 * 1024;

  return async function guardedFetch(input, init = {}) {
    const purpose = init.purpose ?? 'other';
    const step = init.step ?? purpose;
    let url = checkUrl(input instanceof Request ? input.url : input, `${step} URL`, opts.policy.allowHttpHosts);
    const method = (init.method ?? 'GET').toUpperCase();
    for (let hop = 0; ; hop++) {
      await assertAddressAllowed(url, opts.policy);
      const res = await exchange(url, method, init, purpose, step);
      if (res.status < 300 || res.status >= 400 || !res.headers.has('location')) return res;
      // A redirect: never on token/registration/revocation; same origin only elsewhere.
      const location = res.headers.get('location') ?? '';
      if (NO_REDIRECT.has(purpose) || init.redirect === 'manual') {
        if (NO_REDIRECT.has(purpose)) {
          throw new InspectorError('redirect_refused', `the server answered with a redirect (HTTP ${res.status}), which is never followed for a ${purpose} request`, {
            step,
            url: opts.redactor.url(url),
            hint: 'Point the client at the final endpoint URL; credentials are never re-sent to a redirect target',
          });
        }
        return res;
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new InspectorError('url_invalid', `redirect to an invalid URL`, { step, url: opts.redactor.url(url) });
      }
      if (next.origin !== url.origin) {
        throw new InspectorError('redirect_refused', `redirect to another origin (${next.origin}) refused`, {
          step,
          url: opts.redactor.url(url),
          hint: 'Metadata may only redirect within the same origin',
        });
      }
      if (hop >= MAX_REDIRECTS) {
        throw new InspectorError('redirect_refused', `too many redirects`, { step, url: opts.redactor.url(url) });
      }
      url = checkUrl(next, `${step} redirect`, opts.policy.allowHttpHosts);
    }
  };

  async function exchange(url: URL, method: string, init: GuardedRequestInit, purpose: RequestPurpose, step: string): Promise<Response> {
    const { trace, redactor } = opts;
    const id = trace.newId();
    const startedAt = Date.now();
    const reqHeaders = new Headers(init.headers);
    const reqBody = typeof init.body === 'string' ? init.body : init.body instanceof URLSearchParams ? init.body.toString() : undefined;
    const record = (response?: { status: number; headers: Headers; body?: string; bytes: number }, error?: unknown) => {
      trace.record({
        kind: 'http',
        id,
        step,
        purpose,
        startedAt,
        durationMs: Date.now() - startedAt,
        request: {
          method,
          url: redactor.url(url),
          headers: redactor.headers(reqHeaders),
          body: reqBody === undefined ? undefined : truncate(redactor.body(reqBody, reqHeaders.get('content-type'))),
        },
        response: response && {
          status: response.status,
          headers: redactor.headers(response.headers),
          body: response.body === undefined ? undefined : truncate(redactor.body(response.body, response.headers.get('content-type'))),
          bytes: response.bytes,
        },
        error: error === undefined ? undefined : { code: isInspectorError(error) ? error.code : 'network_error', message: redactor.text(String((error as Error)?.message ?? error)) },
      });
    };

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new InspectorError('request_timeout', `no complete response within ${timeoutMs} ms`, { step, url: redactor.url(url), hint: 'Check that the server is up, or raise the request timeout' })), timeoutMs);
    const userSignal = init.signal ?? undefined;
    const onUserAbort = () => controller.abort(userSignal?.reason);
    userSignal?.addEventListener('abort', onUserAbort, { once: true });
    if (userSignal?.aborted) controller.abort(userSignal.reason);

    let res: Response;
    try {
      res = await fetchImpl(url.href, { ...init, method, headers: reqHeaders, redirect: 'manual', signal: controller.signal });
    } catch (err) {
      clearTimeout(timer);
      userSignal?.removeEventListener('abort', onUserAbort);
      const e = controller.signal.aborted && isInspectorError(controller.signal.reason)
        ? controller.signal.reason
        : controller.signal.aborted
          ? (err as Error)
          : new InspectorError('network_error', `could not reach the server: ${redactor.text((err as Error)?.message ?? String(err))}${causeText(err)}`, { step, url: redactor.url(url), hint: 'Check the URL and that the server is running' });
      record(undefined, e);
      throw e;
    }

    const contentType = res.headers.get('content-type') ?? '';
    if (contentType.includes('text/event-stream') || !res.body) {
      // A stream (SSE): hand it through untouched; only the headers went into the trace.
      clearTimeout(timer);
      userSignal?.removeEventListener('abort', onUserAbort);
      record({ status: res.status, headers: res.headers, bytes: 0, body: res.body ? '[event stream]' : undefined });
      return res;
    }

    try {
      const bytes = await readCapped(res, maxBodyBytes, controller.signal);
      const text = new TextDecoder().decode(bytes);
      record({ status: res.status, headers: res.headers, body: text, bytes: bytes.byteLength });
      return new Response(res.status === 204 || res.status === 304 ? null : bytes, { status: res.status, statusText: res.statusText, headers: res.headers });
    } catch (err) {
      const e = isInspectorError(err)
        ? err
        : controller.signal.aborted && isInspectorError(controller.signal.reason)
          ? controller.signal.reason
          : new InspectorError('network_error', `the response body could not be read: ${redactor.text((err as Error)?.message ?? String(err))}`, { step, url: redactor.url(url) });
      if (isInspectorError(e, 'response_too_large')) Object.assign(e, { message: `${step}: ${e.message} (${redactor.url(url)})` });
      record({ status: res.status, headers: res.headers, bytes: 0 }, e);
      throw e;
    } finally {
      clearTimeout(timer);
      userSignal?.removeEventListener('abort', onUserAbort);
    }
  }
}

async function readCapped(res: Response, max: number, signal: AbortSignal): Promise<Uint8Array> {
  const reader = res.body!.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const onAbort = () => reader.cancel().catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => {});
        throw new InspectorError('response_too_large', `response body larger than ${max} bytes, aborted`, { hint: 'The server sent far more than any valid response needs' });
      }
      chunks.push(value);
    }
    if (signal.aborted) throw signal.reason;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

function truncate(s: string, max = 64 * 1024): string {
  return s.length > max ? `${s.slice(0, max)}… [${s.length - max} more characters]` : s;
}

function causeText(err: unknown): string {
  const c = (err as { cause?: { code?: string; message?: string } })?.cause;
  return c?.code ? ` (${c.code})` : '';
}
