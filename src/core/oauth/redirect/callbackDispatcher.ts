/**
 * A redirect receiver without a socket: for redirects that the host application delivers to us
 * itself — VS Code's `window.registerUriHandler` gets `vscode://publisher.name/callback?code=…&state=…`
 * (desktop: through the operating system; code-server / Codespaces: through the editor's own https
 * callback page). One dispatcher serves every sign-in in progress: each pending sign-in registers
 * with its `state`, and a callback goes to the one whose state it carries.
 *
 * The same guarantees as the loopback receiver (see redirectReceiver.ts for the shared judgement):
 * - a callback is accepted only at the callback path, and only while a sign-in with its state is
 *   pending; anything else (other paths, no state, an unknown or stale state, a replay) is ignored
 *   and logged without the query — never the code;
 * - exactly one callback ends a sign-in; an `error=` callback with its state rejects with the server's
 *   text sanitised and capped; `iss` is passed through for the flow's RFC 9207 check;
 * - a sign-in times out, can be closed or aborted, and is forgotten when it ends.
 *
 * Hand-written (oauth4webapi has no receiver); vscode-free: the extension adapts `vscode.Uri` to
 * `{ authority, path, query }` and computes the redirect URI (`vscode.env.asExternalUri`).
 */
import { InspectorError } from '../../errors';
import type { Logger } from '../../ports';
import {
  CALLBACK_STEP,
  cancelledError,
  checkReceiverOptions,
  judgeCallback,
  stateMatches,
  type RedirectCallback,
  type RedirectReceiver,
  type RedirectReceiverFactory,
  type RedirectReceiverOptions,
} from './redirectReceiver';
import { SettleOnce } from './settleOnce';

export interface CallbackDispatcherOptions {
  /**
   * The URI the host delivers callbacks to, before any rewriting for the browser, e.g.
   * `vscode://publisher.name/callback`. Only its authority and path are used: callbacks elsewhere are ignored.
   */
  callbackUri: string;
  logger?: Logger;
}

/** What the dispatcher did with one delivered URI (for the log and for callers that show progress). */
export type DispatchOutcome =
  | { kind: 'accepted' }
  | { kind: 'denied' | 'invalid' }
  | { kind: 'ignored'; reason: 'path' | 'no_sign_in' | 'missing_state' | 'unknown_state' };

/** The parts of a delivered URI the dispatcher reads (`vscode.Uri` has them). `query` is the raw query string. */
export interface DeliveredUri {
  readonly authority?: string;
  readonly path: string;
  readonly query: string;
}

interface Pending {
  expectedState: string;
  /** Settles once: the callback, a refusal, the timeout, the abort, close() or dispose() (redirect/settleOnce.ts). */
  wait: SettleOnce<RedirectCallback>;
}

export class CallbackDispatcher {
  private readonly pending = new Set<Pending>();
  private readonly base: URL;
  private disposed = false;

  constructor(private readonly opts: CallbackDispatcherOptions) {
    try {
      this.base = new URL(opts.callbackUri);
    } catch (err) {
      throw new InspectorError('config_invalid', 'The callback URI of the URI handler is not a valid URI', { step: CALLBACK_STEP, cause: err });
    }
  }

  /** How many sign-ins are waiting for a callback. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * A receiver factory for the flow: registers a pending sign-in for `expectedState`, with the redirect
   * URI that `redirectUri()` computes for this attempt (e.g. through `asExternalUri`, which in a browser
   * editor makes a fresh one-shot callback URL each time).
   */
  factory(redirectUri: () => Promise<string>): RedirectReceiverFactory {
    return async (opts) => {
      const { expectedState, timeoutMs } = checkReceiverOptions(opts);
      if (opts.signal?.aborted) throw cancelledError();
      const uri = await redirectUri();
      return this.register({ ...opts, expectedState, timeoutMs }, uri);
    };
  }

  /** Register one pending sign-in now (see `factory`). */
  register(opts: RedirectReceiverOptions, redirectUri: string): RedirectReceiver {
    const { expectedState, timeoutMs } = checkReceiverOptions(opts);
    if (this.disposed) throw cancelledError('The sign-in was cancelled: the editor is shutting down');
    if (opts.signal?.aborted) throw cancelledError();

    const entry: Pending = {
      expectedState,
      // A sign-in is forgotten as soon as it ends, however it ends.
      wait: new SettleOnce<RedirectCallback>({ timeoutMs, signal: opts.signal, onSettled: () => this.pending.delete(entry) }),
    };
    this.pending.add(entry);

    return {
      redirectUri,
      waitForCallback: () => entry.wait.promise,
      close: async () => {
        entry.wait.settle({ ok: false, error: cancelledError('The sign-in was cancelled before the editor received the callback') });
      },
    };
  }

  /**
   * Hand a URI the host delivered to the sign-in it belongs to. Never throws; never logs the query.
   */
  dispatch(uri: DeliveredUri): DispatchOutcome {
    const outcome = this.route(uri);
    const log = this.opts.logger;
    if (log) {
      if (outcome.kind === 'accepted') log.info('sign-in callback received through the editor URI handler');
      else if (outcome.kind !== 'ignored') log.warn(`sign-in callback through the editor URI handler ended the sign-in (${outcome.kind})`);
      else log.warn(`ignored a URI delivered to the editor URI handler: ${IGNORED[outcome.reason]} (path ${printable(uri.path)})`);
    }
    return outcome;
  }

  private route(uri: DeliveredUri): DispatchOutcome {
    const authorityOk = uri.authority === undefined || uri.authority.toLowerCase() === this.base.host.toLowerCase();
    if (!authorityOk || uri.path !== this.base.pathname) return { kind: 'ignored', reason: 'path' };
    if (this.pending.size === 0) return { kind: 'ignored', reason: 'no_sign_in' };
    const params = new URLSearchParams(typeof uri.query === 'string' ? uri.query : '');
    // Constant-time compare against each pending state (there are one or two); no map keyed by state.
    const states = params.getAll('state');
    if (states.length === 0) return { kind: 'ignored', reason: 'missing_state' };
    const entry = states.length === 1 ? [...this.pending].find((p) => stateMatches(states[0] ?? '', p.expectedState)) : undefined;
    if (!entry) return { kind: 'ignored', reason: 'unknown_state' };

    const verdict = judgeCallback(params, entry.expectedState);
    switch (verdict.kind) {
      case 'foreign':
        return { kind: 'ignored', reason: 'unknown_state' };
      case 'denied':
      case 'invalid':
        entry.wait.settle({ ok: false, error: verdict.error });
        return { kind: verdict.kind };
      case 'ok': {
        const url = new URL(this.base.href);
        url.search = params.toString();
        entry.wait.settle({ ok: true, value: { params: new URLSearchParams(params), url } });
        return { kind: 'accepted' };
      }
    }
  }

  /** Cancel every pending sign-in (the extension is deactivating). Safe twice. */
  dispose(): void {
    this.disposed = true;
    for (const p of [...this.pending]) p.wait.settle({ ok: false, error: cancelledError('The sign-in was cancelled: the editor is shutting down') });
  }
}

const IGNORED: Record<Extract<DispatchOutcome, { kind: 'ignored' }>['reason'], string> = {
  path: 'not the sign-in callback path',
  no_sign_in: 'no sign-in is in progress',
  missing_state: 'it has no state parameter',
  unknown_state: 'its state matches no sign-in in progress (stale, replayed or forged)',
};

/** A path for the log: printable, short. */
function printable(path: string): string {
  const p = String(path).replace(/[^\x20-\x7e]/g, '?');
  return p.length > 80 ? `${p.slice(0, 80)}…` : p;
}
