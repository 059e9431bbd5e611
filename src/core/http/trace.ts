/**
 * The trace: every HTTP exchange the engine makes, with secrets already redacted, plus the flow's
 * own notes (which step, which spec section, what we concluded). The OAuth flow panel, the CLI's
 * `--json` output and bug-report exports read this and nothing else.
 */
import type { ErrorCode, FindingLevel, TraceStep } from '../../shared/codes';

export type { FindingLevel, TraceStep } from '../../shared/codes';

export type RequestPurpose =
  | 'mcp'
  | 'resource-metadata'
  | 'as-metadata'
  | 'registration'
  | 'authorization'
  | 'token'
  | 'revocation'
  | 'introspection'
  | 'jwks'
  | 'client-metadata'
  | 'other';


export interface TraceExchange {
  kind: 'http';
  id: number;
  /** Flow step, e.g. "authorization server metadata" (src/shared/codes.ts STEP), or "MCP tools/list". */
  step: TraceStep;
  purpose: RequestPurpose;
  startedAt: number;
  durationMs: number;
  request: { method: string; url: string; headers: Record<string, string>; body?: string };
  response?: { status: number; headers: Record<string, string>; body?: string; bytes: number };
  /** Error code and message when the exchange failed (already redacted); 'aborted' when the caller aborted it. */
  error?: { code: ErrorCode | 'aborted'; message: string };
}

export interface TraceNote {
  kind: 'note';
  id: number;
  step: TraceStep;
  at: number;
  level: FindingLevel;
  message: string;
  /** The spec section this step implements, e.g. "RFC 9728 §3". */
  spec?: string;
}

export type TraceEntry = TraceExchange | TraceNote;

export type TraceListener = (entry: TraceEntry) => void;

export class Trace {
  private readonly entries: TraceEntry[] = [];
  private readonly listeners = new Set<TraceListener>();
  private readonly updateListeners = new Set<TraceListener>();
  private nextId = 1;

  constructor(private readonly max = 2000) {}

  newId(): number {
    return this.nextId++;
  }

  record(entry: TraceEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
    for (const l of this.listeners) {
      try {
        l(entry);
      } catch {
        /* a listener's failure must not break the flow */
      }
    }
  }

  /**
   * Replace a recorded entry (same id) with a newer version of it: an event stream's exchange gains
   * the messages the stream carried as the caller reads them. `onUpdate` listeners hear of it;
   * `onEntry` listeners do not (for them an entry is recorded once). An entry already dropped from
   * the trace stays dropped.
   */
  update(entry: TraceEntry): void {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i].id !== entry.id) continue;
      this.entries[i] = entry;
      for (const l of this.updateListeners) {
        try {
          l(entry);
        } catch {
          /* a listener's failure must not break the flow */
        }
      }
      return;
    }
  }

  note(step: TraceStep, level: FindingLevel, message: string, spec?: string): void {
    this.record({ kind: 'note', id: this.newId(), step, at: Date.now(), level, message, spec });
  }

  onEntry(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Hear of entries replaced by `update` (a stream's messages arriving). */
  onUpdate(listener: TraceListener): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  all(): readonly TraceEntry[] {
    return this.entries;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
