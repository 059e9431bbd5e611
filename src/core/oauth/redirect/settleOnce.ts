/**
 * The one-outcome wait both redirect receivers share (the RFC 8252 loopback listener in
 * loopback.ts, the editor's URI handler in callbackDispatcher.ts): a promise that settles
 * exactly once — with the callback, with the receiver's refusal, on the timeout, on the caller's
 * abort, or on close — however many of those race, and that never becomes an unhandled rejection
 * when nobody is waiting on it yet (docs/SECURITY.md, "The loopback receiver": one callback, a
 * timeout that releases everything).
 *
 * Recording the outcome and handing it to the waiter are two steps on purpose: the loopback
 * receiver records the callback at once (so a replay is refused), but delivers it only after the
 * browser's page has been sent, so a caller's close() cannot cut that page off.
 */
import type { InspectorError } from '../../errors';
import { cancelledError, timeoutError } from './redirectReceiver';

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: InspectorError };

export interface SettleOnceOptions {
  /** ms until the wait fails with `authorization_timeout`. */
  timeoutMs: number;
  /** Aborting fails the wait with `authorization_cancelled`. */
  signal?: AbortSignal;
  /** Runs once the outcome is recorded, whichever it is (the dispatcher forgets the sign-in). */
  onSettled?: () => void;
  /** Runs after the timeout or the abort decided the outcome (the loopback receiver releases its port). */
  onExpired?: () => void;
}

export class SettleOnce<T> {
  /** The one outcome; never an unhandled rejection (a caller may ask for it late, or never). */
  readonly promise: Promise<T>;
  private outcome?: Outcome<T>;
  private delivered = false;
  private resolve!: (value: T) => void;
  private reject!: (error: InspectorError) => void;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort: () => void;

  constructor(private readonly opts: SettleOnceOptions) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.promise.catch(() => {});
    this.timer = setTimeout(() => this.expire(timeoutError(opts.timeoutMs)), opts.timeoutMs);
    this.onAbort = () => this.expire(cancelledError());
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Whether the outcome is recorded (delivered or not). */
  get settled(): boolean {
    return this.outcome !== undefined;
  }

  /** Record the outcome and deliver it now. False when one was already recorded (nothing changes then). */
  settle(outcome: Outcome<T>): boolean {
    if (!this.decide(outcome)) return false;
    this.deliver();
    return true;
  }

  /** Record the outcome, to be delivered by `deliver()`; stops the timer and the abort listener. False when one was already recorded. */
  decide(outcome: Outcome<T>): boolean {
    if (this.outcome) return false;
    this.outcome = outcome;
    clearTimeout(this.timer);
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.opts.onSettled?.();
    return true;
  }

  /** Hand the recorded outcome to the waiter (once; nothing before an outcome is recorded). */
  deliver(): void {
    if (this.delivered || !this.outcome) return;
    this.delivered = true;
    if (this.outcome.ok) this.resolve(this.outcome.value);
    else this.reject(this.outcome.error);
  }

  private expire(error: InspectorError): void {
    if (this.settle({ ok: false, error })) this.opts.onExpired?.();
  }
}
