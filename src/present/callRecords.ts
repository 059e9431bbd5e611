/**
 * Size limits for the tools panel's call records (no vscode, no DOM: unit-tested in plain Node).
 *
 * A result may be as large as the guarded fetch allows (5 MB), and the history is sent to the
 * webview with every state push, so: a record keeps at most MAX_PARTS content parts and
 * MAX_TEXT characters per text; a JSON-RPC response or structuredContent beyond MAX_JSON is
 * replaced by a note (the content above it is the same result, capped); and state pushes carry
 * only the newest FULL_RECORDS records in full — older ones as summaries the panel asks for with
 * `tools/record` when they are clicked.
 */
import type { CallRecord, ContentPart } from '../shared/protocol';

export const MAX_PARTS = 200;
export const MAX_TEXT = 200_000;
export const MAX_JSON = 500_000;
export const FULL_RECORDS = 3;

function jsonLength(v: unknown): number {
  try {
    return JSON.stringify(v)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function capString(s: string, max = MAX_TEXT): string {
  return s.length > max ? `${s.slice(0, max)}\n… (${s.length - max} more characters not kept)` : s;
}

/** A content part with its long text fields cut (media data is bounded by the response size cap). */
export function capPart(p: ContentPart): ContentPart {
  const out: ContentPart = { ...p };
  if (typeof out.text === 'string') out.text = capString(out.text);
  if (typeof out.description === 'string') out.description = capString(out.description, 10_000);
  const r = out.resource;
  if (r && typeof r === 'object' && !Array.isArray(r)) {
    const res = { ...(r as Record<string, unknown>) };
    if (typeof res.text === 'string') res.text = capString(res.text);
    // a blob is summarized by the panel, never shown: keep its size, not its bytes
    if (typeof res.blob === 'string' && res.blob.length > 1024) {
      res.blobBytes = Math.floor((res.blob.replace(/=+$/, '').length * 3) / 4);
      res.blob = res.blob.slice(0, 1024);
    }
    out.resource = res;
  }
  return out;
}

/** The record as kept in the history: bounded, whatever the server sent. */
export function capRecord<R extends Omit<CallRecord, 'id'>>(r: R): R {
  const out = { ...r };
  if (out.content) {
    const extra = out.content.length - MAX_PARTS;
    out.content = out.content.slice(0, MAX_PARTS).map(capPart);
    if (extra > 0) out.content.push({ type: 'text', text: `… ${extra} more content parts not kept` });
  }
  if (out.structuredContent !== undefined && jsonLength(out.structuredContent) > MAX_JSON) {
    out.structuredContent = `(structuredContent of ${jsonLength(out.structuredContent)} characters: too large to keep)`;
  }
  if (jsonLength(out.rpc.response) > MAX_JSON) {
    out.rpc = { ...out.rpc, response: `(a response of ${jsonLength(out.rpc.response)} characters: too large to keep; the result above is its content, capped)` };
  }
  if (jsonLength(out.rpc.request) > MAX_JSON) {
    out.rpc = { ...out.rpc, request: `(a request of ${jsonLength(out.rpc.request)} characters)` };
  }
  return out;
}

/** What a state push carries for an older record: enough for the history list, no payload. */
export function summary(r: CallRecord): CallRecord {
  return {
    id: r.id,
    tool: r.tool,
    at: r.at,
    durationMs: r.durationMs,
    signInMs: r.signInMs,
    args: {},
    authenticated: r.authenticated,
    ok: r.ok,
    isError: r.isError,
    error: r.error,
    rpc: { request: null, response: null },
    partial: true,
  };
}

/**
 * A call's time as the panel shows it: its own (`durationMs`) and the part spent signing in apart
 * (`signInMs`, when there was one), from the wall-clock time of the whole call and the sign-in time
 * the engine counted during it. A sign-in that began before the call cannot take more than the call.
 */
export function splitDuration(elapsedMs: number, signInMs: number): { durationMs: number; signInMs?: number } {
  const total = Math.max(0, Math.round(elapsedMs));
  const signIn = Math.min(total, Math.max(0, Math.round(signInMs)));
  return signIn > 0 ? { durationMs: total - signIn, signInMs: signIn } : { durationMs: total };
}

/** The history as sent to the webview: the newest records in full, the rest as summaries. */
export function historyForState(records: CallRecord[]): CallRecord[] {
  return records.map((r, i) => (i < FULL_RECORDS ? r : summary(r)));
}

/** Calls kept per server (the panel says so when an old record is asked for). */
const HISTORY_MAX = 50;

/** Calls made from the tools panel, per server, newest first; in memory only (arguments are the user's). */
export class CallHistory {
  private readonly byServer = new Map<string, CallRecord[]>();
  private nextId = 1;

  add(serverId: string, r: Omit<CallRecord, 'id'>): CallRecord {
    const rec = { ...capRecord(r), id: this.nextId++ };
    const list = this.byServer.get(serverId) ?? [];
    list.unshift(rec);
    list.length = Math.min(list.length, HISTORY_MAX);
    this.byServer.set(serverId, list);
    return rec;
  }

  for(serverId: string): CallRecord[] {
    return this.byServer.get(serverId) ?? [];
  }

  get(serverId: string, id: number): CallRecord | undefined {
    return this.for(serverId).find((r) => r.id === id);
  }

  clear(serverId: string): void {
    this.byServer.delete(serverId);
  }
}
