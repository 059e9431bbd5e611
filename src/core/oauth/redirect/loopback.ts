/**
 * The RFC 8252 loopback redirect receiver: a one-shot HTTP server on 127.0.0.1 that waits for the
 * authorization server to send the browser back with `code` and `state`.
 *
 * Hand-written (oauth4webapi has no receiver). It only receives and checks `state`; the flow code
 * still runs `validateAuthResponse` (state, `iss` per RFC 9207) on the params it hands back.
 *
 * Threats it withstands (see docs/SECURITY.md, "The loopback receiver"):
 * - listens on 127.0.0.1 only, on an ephemeral port, never on other interfaces or on ::1;
 * - any local process or web page can send requests to it, so a request without the right `state`
 *   is answered with an error page and does NOT end the flow (not even an `error=` request);
 * - accepts exactly one matching callback; a replay gets 410 and the server closes soon after;
 * - checks the Host header (DNS rebinding), answers other paths with 404 and other methods with 405;
 * - times out and releases the port; every page is self-contained, loads nothing, shows server
 *   text as escaped text, and is sent with no-referrer / no-store / a strict CSP;
 * - never puts the code or the callback URL into an error message.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3 Loopback Interface Redirection
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-8.3 Loopback Redirect Considerations
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InspectorError } from '../../errors';
import {
  cancelledError,
  checkReceiverOptions,
  judgeCallback,
  type RedirectCallback,
  type RedirectReceiver,
  type RedirectReceiverOptions,
} from './redirectReceiver';
import { SettleOnce, type Outcome } from './settleOnce';
import { STEP } from '../../../shared/codes';

export interface LoopbackReceiverOptions extends RedirectReceiverOptions {
  /** Path of the redirect URI, default '/callback'. The callback is accepted at this path AND at '/' (code-server's port proxy drops the path). */
  path?: string;
  /** Port, default 0 (ephemeral). */
  port?: number;
  /** Host name used in the redirect URI: '127.0.0.1' (default) or 'localhost'. The socket ALWAYS binds 127.0.0.1 only. */
  redirectHost?: '127.0.0.1' | 'localhost';
  /**
   * Accept any Host header. Default false: only `127.0.0.1:PORT` and `localhost:PORT` are accepted
   * (DNS-rebinding defence). Set it only when a proxy (e.g. code-server's port forwarding) forwards
   * the browser's request with another Host; the `state` check still applies.
   */
  allowAnyHost?: boolean;
}

export type LoopbackCallback = RedirectCallback;

export interface LoopbackReceiver extends RedirectReceiver {
  /** e.g. http://127.0.0.1:54321/callback */
  readonly redirectUri: string;
  readonly port: number;
}

/** The address the socket binds. Never configurable: RFC 8252 §8.3 — listen on the loopback interface only. */
const BIND_ADDRESS = '127.0.0.1';
const DEFAULT_PATH = '/callback';
/** After the one good callback the receiver keeps answering (410) this long, then releases the port. */
const REPLAY_LINGER_MS = 1_000;
const CALLBACK_STEP = STEP.authorizationCallback;

/**
 * Start the receiver. Resolves once the socket is listening; `redirectUri` is then final.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
export async function startLoopbackReceiver(opts: LoopbackReceiverOptions): Promise<LoopbackReceiver> {
  const { expectedState, timeoutMs } = checkReceiverOptions(opts, CALLBACK_STEP);
  const path = opts.path ?? DEFAULT_PATH;
  if (!/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/.test(path)) {
    throw new InspectorError('config_invalid', `The redirect path "${path.slice(0, 100)}" is not a plain absolute path`, {
      step: CALLBACK_STEP,
      hint: 'Use a path such as /callback (no query, fragment or spaces)',
    });
  }
  const requestedPort = opts.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65_535) {
    throw new InspectorError('config_invalid', `The loopback port must be an integer from 0 to 65535, got ${String(requestedPort)}`, { step: CALLBACK_STEP });
  }
  const redirectHost = opts.redirectHost ?? '127.0.0.1';
  if (redirectHost !== '127.0.0.1' && redirectHost !== 'localhost') {
    throw new InspectorError('config_invalid', `The redirect host must be 127.0.0.1 or localhost, got "${String(redirectHost).slice(0, 100)}"`, { step: CALLBACK_STEP });
  }
  if (opts.signal?.aborted) throw cancelledError();

  const server = createServer();
  // Nothing legitimate is slow or large here: a browser sends one small GET.
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 1_000;
  server.maxConnections = 32;
  server.maxHeadersCount = 100;

  const port = await listen(server, requestedPort);
  const redirectUri = `http://${redirectHost}:${port}${path}`;
  const allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  let closed: Promise<void> | undefined;
  let lingerTimer: NodeJS.Timeout | undefined;
  // One outcome: the callback, a refusal, the timeout, the abort or close() (redirect/settleOnce.ts).
  // The timeout and the abort release the port at once.
  const wait = new SettleOnce<LoopbackCallback>({ timeoutMs, signal: opts.signal, onExpired: () => void shutdown() });

  /** Record the one outcome. With a response, deliver it once that page has been sent (so a caller's close() cannot cut it off). */
  function decide(o: Outcome<LoopbackCallback>, res?: ServerResponse): void {
    if (!wait.decide(o)) return;
    if (res) {
      res.once('close', () => {
        wait.deliver();
        // Keep answering replays with 410 for a moment, then release the port.
        lingerTimer = setTimeout(() => void shutdown(), REPLAY_LINGER_MS);
        lingerTimer.unref();
      });
    } else {
      wait.deliver();
    }
  }

  function shutdown(): Promise<void> {
    if (!closed) {
      if (lingerTimer) clearTimeout(lingerTimer);
      closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    }
    return closed;
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    req.resume(); // never read a body; just drain it
    try {
      handle(req, res);
    } catch {
      if (!res.headersSent) sendPage(res, 500, 'Sign-in error', 'The sign-in receiver could not handle this request.');
    }
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    // DNS-rebinding defence: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example:PORT.
    const host = (req.headers.host ?? '').toLowerCase();
    if (!opts.allowAnyHost && !allowedHosts.has(host)) {
      sendPage(res, 400, 'Request refused', 'This request was not addressed to the local sign-in receiver (unexpected Host header).');
      return;
    }
    const target = req.url ?? '';
    if (!target.startsWith('/') || target.startsWith('//')) {
      sendPage(res, 400, 'Request refused', 'This request target is not a local path.');
      return;
    }
    const url = new URL(target, `http://${redirectHost}:${port}`);
    if (url.pathname !== path && url.pathname !== '/') {
      sendPage(res, 404, 'Not found', 'There is nothing here. This local server only receives the sign-in callback.');
      return;
    }
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      sendPage(res, 405, 'Method not allowed', 'The sign-in callback only accepts GET requests.');
      return;
    }
    if (wait.settled) {
      sendPage(res, 410, 'Already used', 'This sign-in response was already received. Nothing more was done; return to the editor.');
      return;
    }

    const params = url.searchParams;
    const verdict = judgeCallback(params, expectedState);
    switch (verdict.kind) {
      case 'foreign':
        // Not the flow's callback (attacker, stale tab, or a wrong AS): refuse it and keep waiting.
        sendPage(
          res,
          400,
          'Sign-in response not accepted',
          verdict.reason === 'missing_state'
            ? 'This sign-in response has no state parameter, so it cannot belong to the sign-in in progress. It was ignored; the sign-in is still waiting.'
            : 'This sign-in response has a state that does not match the sign-in in progress. It was ignored; the sign-in is still waiting.',
        );
        return;
      case 'denied':
        sendPage(res, 400, 'Sign-in not completed', `The authorization server returned an error: ${verdict.summary}. You can close this tab and return to the editor.`);
        decide({ ok: false, error: verdict.error }, res);
        return;
      case 'invalid':
        sendPage(res, 400, 'Sign-in not completed', 'The sign-in response carried neither an authorization code nor an error. You can close this tab and return to the editor.');
        decide({ ok: false, error: verdict.error }, res);
        return;
      case 'ok':
        break;
    }
    sendPage(res, 200, 'Signed in', 'Signed in — you can close this tab and return to the editor.');
    decide({ ok: true, value: { params: new URLSearchParams(params), url } }, res);
  }

  return {
    redirectUri,
    port,
    waitForCallback: () => wait.promise,
    close: () => {
      wait.decide({ ok: false, error: closedError() });
      wait.deliver();
      return shutdown();
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        new InspectorError('network_error', `Could not listen on ${BIND_ADDRESS}:${port} for the sign-in callback (${err.code ?? err.message})`, {
          step: CALLBACK_STEP,
          hint: port === 0 ? 'Check that the loopback interface is available' : `Port ${port} may be in use: choose another port or use 0 for any free port`,
          cause: err,
        }),
      );
    };
    server.once('error', onError);
    // RFC 8252 §8.3: bind the loopback interface only — never 0.0.0.0, never ::.
    server.listen({ host: BIND_ADDRESS, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function closedError(): InspectorError {
  return cancelledError('The sign-in was cancelled: the loopback receiver was closed before the browser returned');
}

/* ---------- the pages ---------- */

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#1f2328;background:#fff}' +
  'h1{font-size:1.4rem}p{white-space:pre-wrap;overflow-wrap:anywhere}' +
  '@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}}';
const STYLE_HASH = createHash('sha256').update(STYLE, 'utf8').digest('base64');
/** Nothing may load, run, frame it or submit from it; only the one inline stylesheet (by hash). */
const CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

function sendPage(res: ServerResponse, status: number, title: string, message: string): void {
  const body =
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${escapeHtml(title)} · MCP OAuth Inspector</title><style>${STYLE}</style></head>` +
    `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>\n`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Content-Security-Policy': CSP,
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Resource-Policy': 'same-origin',
    Connection: 'close',
  });
  res.end(body);
}
