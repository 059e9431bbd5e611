/**
 * A guarded fetch's request and response bodies as they are on the wire (guardedFetch.ts holds the
 * gates, the redirect loop and the trace): a `Request` input merged with `init` the way `fetch`
 * merges them, a request body as text for the trace, and a response body read with a byte cap that
 * aborts a huge or endless body (docs/SECURITY.md, "Fetching metadata").
 * @see https://fetch.spec.whatwg.org/#dom-request
 */
import { InspectorError } from '../errors';
import type { TraceStep } from '../../shared/codes';

export type Body = NonNullable<RequestInit['body']>;

/** UTF-8 decoding without a stream: stateless, so one decoder serves every call. */
const utf8 = new TextDecoder();

export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

/** The request after `input` and `init` are merged, as it will go on the wire. */
export interface PreparedRequest {
  method: string;
  headers: Headers;
  body: Body | null;
  redirect: NonNullable<RequestInit['redirect']>;
  /** Everything else from init (cache, credentials, keepalive, …), passed through to fetch. */
  rest: RequestInit;
  signals: AbortSignal[];
}

/** The error for a body over the cap, declared (Content-Length) or found while reading. */
export function tooLarge(max: number, step: TraceStep, url: string, declared?: number): InspectorError {
  const what = declared === undefined ? 'is larger than' : `declares ${declared} bytes, more than`;
  return new InspectorError('response_too_large', `the response body ${what} the ${max}-byte limit; aborted`, {
    step,
    url,
    hint: 'The server sent far more than any valid response needs',
  });
}

/** Merge a `Request` input with `init` the way `fetch` does: `init` members win. */
export function prepare(request: Request | undefined, init: RequestInit & { purpose?: unknown; step?: unknown }, requestBody: Uint8Array | null): PreparedRequest {
  const { purpose: _p, step: _s, method, headers, body, redirect, signal, ...rest } = init;
  const signals: AbortSignal[] = [];
  if (request?.signal) signals.push(request.signal);
  if (signal) signals.push(signal);
  const reqBody: Body | null = body ?? requestBody;
  return {
    method: (method ?? request?.method ?? 'GET').toUpperCase(),
    headers: new Headers(headers ?? request?.headers),
    body: reqBody,
    redirect: redirect ?? (request ? request.redirect : 'follow'),
    rest,
    signals,
  };
}

/** A `Request`, also one from another realm (the SDK's own undici), by its shape. */
export function isRequest(input: unknown): input is Request {
  return input instanceof Request || (typeof input === 'object' && input !== null && !(input instanceof URL) && typeof (input as Request).url === 'string' && typeof (input as Request).method === 'string');
}

/** Request body as text for the trace (it is redacted afterwards); binary and streams by label. */
export function bodyForTrace(body: Body | null): string | undefined {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer) return utf8.decode(body);
  if (ArrayBuffer.isView(body)) return utf8.decode(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
  if (body instanceof Blob) return `[binary body, ${body.size} bytes]`;
  if (body instanceof FormData) return '[multipart form body]';
  return '[streamed body]';
}

/**
 * Read a response body, at most `max` bytes: past that the read is cancelled and fails with
 * `response_too_large` (naming `cap`); the signal (the response timeout) cancels it too.
 */
export async function readCapped(body: ReadableStream<Uint8Array>, max: number, signal: AbortSignal, cap: number, step: TraceStep, url: string): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const onAbort = () => reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      signal.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => {});
        throw tooLarge(cap, step, url);
      }
      chunks.push(value);
    }
    signal.throwIfAborted();
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** A trace body cut at `max` characters, saying how many more there were. */
export function truncate(s: string, max = 64 * 1024): string {
  return s.length > max ? `${s.slice(0, max)}… [${s.length - max} more characters]` : s;
}
