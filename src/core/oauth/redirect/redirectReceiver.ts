/**
 * What every redirect receiver shares, whatever carries the browser back: the RFC 8252 loopback
 * listener (loopback.ts) or a host application that routes its own URIs to us (VS Code's
 * `registerUriHandler`, see callbackDispatcher.ts). The flow (authorizationCode.ts) only sees a
 * `RedirectReceiver`: a redirect URI to register and send, and one callback to wait for.
 *
 * The judgement of a callback is here so both receivers give the same guarantees: only a callback
 * carrying exactly one `state` equal to the flow's (constant-time) ends the flow; an `error=` callback
 * with that state rejects with the server's text sanitised and length-capped; a callback without
 * exactly one code is refused; `iss` and the rest are passed through untouched for the flow's
 * `validateAuthResponse` (RFC 9207). Nothing here ever puts the code into a message.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2 (authorization response, error response)
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7 (receiving the authorization response in a native app)
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { InspectorError } from '../../errors';
import { Redactor } from '../../http/redact';
import { sanitizeServerText } from '../../text/scrub';
import { STEP, type OAuthStep } from '../../../shared/codes';

export interface RedirectReceiverOptions {
  /** The state value the callback must carry. */
  expectedState: string;
  /** ms before the receiver gives up and closes; default 300_000. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * A fixed loopback port (a pre-registered client whose authorization server compares redirect
   * URIs exactly, port included). Default: an ephemeral port. Receivers that listen on no port ignore it.
   */
  port?: number;
}

export interface RedirectCallback {
  params: URLSearchParams;
  /** The callback URL as received (contains the code: never log it). */
  url: URL;
}

export interface RedirectReceiver {
  /** What is registered (DCR) and sent as `redirect_uri`, e.g. http://127.0.0.1:54321/callback or vscode://publisher.name/callback */
  readonly redirectUri: string;
  /** Resolves with the first callback whose `state` matches; rejects on timeout / abort / error callback with matching state. */
  waitForCallback(): Promise<RedirectCallback>;
  /** Idempotent, safe twice. If no callback was received yet, `waitForCallback()` rejects with 'authorization_cancelled'. */
  close(): Promise<void>;
}

/** Starts a receiver for one authorization attempt. The flow calls it before it registers a client or opens the browser. */
export type RedirectReceiverFactory = (opts: RedirectReceiverOptions) => Promise<RedirectReceiver>;

export const DEFAULT_RECEIVER_TIMEOUT_MS = 300_000;
/** Caps on what an authorization server's error text may contribute to a message or a page. */
const MAX_ERROR_CODE_CHARS = 64;
const MAX_ERROR_DESCRIPTION_CHARS = 300;
export const CALLBACK_STEP = STEP.authorizationCallback;

/** What a callback means for the flow waiting on `expectedState`. */
export type CallbackVerdict =
  /** Not this flow's callback (attacker, stale tab, another sign-in): ignore it and keep waiting. */
  | { kind: 'foreign'; reason: 'missing_state' | 'state_mismatch' }
  /** The flow's state with `error=`: the flow ends with `error` (authorization_denied); `summary` is the sanitised server text. */
  | { kind: 'denied'; error: InspectorError; summary: string }
  /** The flow's state, but neither exactly one code nor an error: the flow ends with `error` (callback_invalid). */
  | { kind: 'invalid'; error: InspectorError }
  /** The flow's state and one code: hand the parameters to the flow. */
  | { kind: 'ok' };

/** Judge a callback's query parameters against the state the flow is waiting for. */
export function judgeCallback(params: URLSearchParams, expectedState: string): CallbackVerdict {
  const states = params.getAll('state');
  if (states.length === 0) return { kind: 'foreign', reason: 'missing_state' };
  if (states.length !== 1 || !stateMatches(states[0] ?? '', expectedState)) return { kind: 'foreign', reason: 'state_mismatch' };

  // From here the callback carries the flow's state: it ends the flow, one way or another.
  const error = params.get('error');
  if (error !== null) {
    const redactor = new Redactor();
    for (const v of params.getAll('code')) redactor.addSecret(v);
    const code = sanitizeServerText(redactor.text(error), MAX_ERROR_CODE_CHARS) || 'unknown_error';
    const rawDescription = params.get('error_description');
    const description = rawDescription === null ? '' : sanitizeServerText(redactor.text(rawDescription), MAX_ERROR_DESCRIPTION_CHARS);
    const summary = description ? `${code}: ${description}` : code;
    return {
      kind: 'denied',
      summary,
      error: new InspectorError('authorization_denied', `The authorization server did not grant access (${summary})`, {
        step: CALLBACK_STEP,
        hint:
          code === 'access_denied'
            ? 'Sign in again and approve the request, or check which scopes the client asks for'
            : 'Check the authorization server configuration for this client, then sign in again',
      }),
    };
  }
  if (params.getAll('code').length !== 1 || params.get('code') === '') {
    return {
      kind: 'invalid',
      error: new InspectorError('callback_invalid', 'The authorization server redirected back without exactly one authorization code and without an error', {
        step: CALLBACK_STEP,
        hint: 'Sign in again; if it repeats, the authorization server is not following RFC 6749 section 4.1.2',
      }),
    };
  }
  return { kind: 'ok' };
}

/** Constant-time comparison (hash both sides so lengths do not leak through timing either). */
export function stateMatches(received: string, expected: string): boolean {
  const a = createHash('sha256').update(received, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function formatSeconds(ms: number): string {
  const s = ms >= 1000 ? Math.round(ms / 1000) : Math.round(ms / 100) / 10;
  return `${s} second${s === 1 ? '' : 's'}`;
}

export function timeoutError(timeoutMs: number): InspectorError {
  return new InspectorError('authorization_timeout', `The browser sign-in did not complete within ${formatSeconds(timeoutMs)}`, {
    step: CALLBACK_STEP,
    hint: 'Start the sign-in again and finish it in the browser window that opens; if no browser opened, copy the authorization URL into a browser on this machine',
  });
}

export function cancelledError(what = 'The sign-in was cancelled before the browser returned'): InspectorError {
  return new InspectorError('authorization_cancelled', what, {
    step: CALLBACK_STEP,
    hint: 'Start the sign-in again when you are ready',
  });
}

/** Option checks both receivers share. */
export function checkReceiverOptions(opts: RedirectReceiverOptions, step: OAuthStep = CALLBACK_STEP): { expectedState: string; timeoutMs: number } {
  const expectedState = opts.expectedState;
  if (typeof expectedState !== 'string' || expectedState.length === 0) {
    throw new InspectorError('config_invalid', 'The redirect receiver needs a non-empty expected state', { step });
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_RECEIVER_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new InspectorError('config_invalid', `The sign-in timeout must be a positive number of milliseconds, got ${String(timeoutMs)}`, { step });
  }
  return { expectedState, timeoutMs };
}

/**
 * Whether an authorization server that registered `registered` accepts `redirectUri`: an exact
 * match, or — for an http loopback URI — a match ignoring the port (RFC 8252 §7.3: the client picks
 * an ephemeral port per attempt). A stored DCR client registered for another redirect URI (another
 * redirect mode, another forwarded port, another editor callback id) must be registered again.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export function redirectUriRegistered(registered: readonly string[], redirectUri: string): boolean {
  if (registered.includes(redirectUri)) return true;
  const withoutPort = loopbackWithoutPort(redirectUri);
  return withoutPort !== undefined && registered.some((r) => loopbackWithoutPort(r) === withoutPort);
}

function loopbackWithoutPort(uri: string): string | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return undefined;
  u.port = '';
  return u.href;
}
