/**
 * The history of calls as data: one entry per record (newest first, as the host sends them) with
 * its outcome, the current entry and the list's single tab stop; and the few full records fetched
 * for entries that arrived as summaries. No DOM here (unit-tested in plain Node:
 * test/unit/webview/tools/history.test.ts); tools/historyView.ts renders it.
 */
import type { CallRecord } from '../../src/shared/protocol';
import { clip } from './text';

/**
 * How the record view (webview-ui/result.ts) reads a record: its duration text, and whether its
 * error code is one a sign-in fixes (src/shared/codes.ts isAuthProblem, which the result's "Sign in
 * and call" offer follows). Passed in, so the history says exactly what the result says and this
 * module stays DOM-free (result.ts builds nodes).
 */
export interface RecordReading {
  duration(rec: CallRecord): string;
  signInNeeded(code: string): boolean;
}

export interface HistoryEntry {
  readonly record: CallRecord;
  /** The codicon: pass, warning (tool error), lock (sign-in needed), error. */
  readonly icon: 'pass' | 'warning' | 'lock' | 'error';
  /** The outcome for screen readers, before the tool name. */
  readonly outcome: string;
  readonly tool: string;
  /** " 10:42:07 · 20 ms · token" */
  readonly meta: string;
  /** The list's one tab stop (arrows move within the list). */
  readonly tabStop: boolean;
  readonly current: boolean;
}

export interface HistoryModel {
  readonly title: string;
  readonly entries: HistoryEntry[];
  /** What the list is built from: unchanged → left alone (with the focus and arrow position in it). */
  readonly key: string;
}

/** The outcome of a call as the history shows it. */
export function outcomeOf(r: CallRecord, read: RecordReading): Pick<HistoryEntry, 'icon' | 'outcome'> {
  if (!r.ok) return r.error && read.signInNeeded(r.error.code) ? { icon: 'lock', outcome: 'sign-in needed: ' } : { icon: 'error', outcome: 'failed: ' };
  return r.isError ? { icon: 'warning', outcome: 'tool error: ' } : { icon: 'pass', outcome: 'ok: ' };
}

/** The history list; undefined when there is no call yet. `current`: the record the result shows. */
export function historyModel(history: readonly CallRecord[], current: CallRecord | undefined, read: RecordReading): HistoryModel | undefined {
  if (history.length === 0) return undefined;
  const stop = history.find((r) => r.id === current?.id)?.id ?? history[0].id;
  const key = JSON.stringify([stop, current?.id, history.map((r) => [r.id, r.tool, r.at, r.durationMs, r.signInMs, r.ok, r.isError, r.error?.code, r.authenticated])]);
  const entries = history.map(
    (r): HistoryEntry => ({
      record: r,
      ...outcomeOf(r, read),
      tool: clip(r.tool, 60),
      meta: ` ${new Date(r.at).toLocaleTimeString()} · ${read.duration(r)}${r.authenticated ? ' · token' : ''}`,
      tabStop: r.id === stop,
      current: current?.id === r.id,
    }),
  );
  return { title: ` History (${history.length})`, entries, key };
}

/**
 * Full records for history entries that arrived as summaries (`partial`: the host sends only the
 * newest few in full). `full()` answers at once when it can; else it asks once per record and calls
 * `loaded` or `failed` when the host answers. The newest `max` fetched records are kept.
 */
export class RecordCache {
  private readonly fetched = new Map<number, CallRecord>();
  private readonly loading = new Set<number>();

  constructor(
    private readonly fetch: (id: number) => Promise<CallRecord>,
    private readonly loaded: (rec: CallRecord) => void,
    private readonly failed: (err: unknown) => void,
    private readonly max = 10,
  ) {}

  /** The record in full, or undefined while it is being fetched. */
  full(rec: CallRecord): CallRecord | undefined {
    if (!rec.partial) return rec;
    const got = this.fetched.get(rec.id);
    if (got) return got;
    if (!this.loading.has(rec.id)) {
      this.loading.add(rec.id);
      void this.fetch(rec.id).then(
        (r) => {
          this.loading.delete(rec.id);
          this.fetched.set(rec.id, r);
          while (this.fetched.size > this.max) this.fetched.delete(this.fetched.keys().next().value as number);
          this.loaded(r);
        },
        (err: unknown) => {
          this.loading.delete(rec.id);
          this.failed(err);
        },
      );
    }
    return undefined;
  }
}
