/**
 * The last audit of each server: the report, which tools it called, whether one is running, why the
 * last one produced no report, and the trace its exchanges are in. The report and its tool choice
 * are also kept in the workspace's state (`workspaceState`, per server id), so the tree line and the
 * Audit panel show it again after a window reload; the rest lives in memory only. The report holds
 * no secret (src/shared/audit.ts: findings, fixes, spec sections, exchange ids — the runner scrubs
 * every finding with the connection's redactor), so it is stored and shown as it is. A restored
 * report has no trace: its exchanges were recorded by a connection that is gone.
 * Setting a run fires the server's change event: the tree's server node and an open Audit panel re-render.
 */
import type { Memento } from 'vscode';
import type { Trace } from '../core/http/trace';
import type { AuditReport } from '../shared/audit';
import type { ServerConnection } from './connections';

export interface AuditRun {
  report?: AuditReport;
  /** Which tools the audit that made `report` called. */
  callTools?: 'read-only' | 'all';
  /** An audit is running (since when, epoch ms). */
  running?: { since: number };
  /** Why the last audit produced no report (cancelled, or it could not run at all). */
  error?: { code: string; message: string; hint?: string };
  /** The trace the report's exchange ids belong to (the connection the audit ran on). */
  trace?: Trace;
}

/** What the workspace state keeps per server id. */
interface StoredAudit {
  report: AuditReport;
  callTools?: 'read-only' | 'all';
}

/** The workspace state key of the kept reports (an object: server id → StoredAudit). */
export const AUDITS_STATE_KEY = 'mcpOAuthInspector.lastAudits';
/** Reports kept at most (the most recent ones): a report is tens of KB. */
const MAX_STORED = 50;

type AuditConnection = Pick<ServerConnection, 'changed'> & { entry: Pick<ServerConnection['entry'], 'id'> };

const runs = new WeakMap<AuditConnection, AuditRun>();
let store: Pick<Memento, 'get' | 'update'> | undefined;

/** Keep reports in (and restore them from) this state; activation passes the workspace's. */
export function useAuditStore(state: Pick<Memento, 'get' | 'update'> | undefined): void {
  store = state;
}

export function auditRun(c: AuditConnection): AuditRun | undefined {
  let run = runs.get(c);
  if (!run) {
    const kept = storedAudits()[c.entry.id];
    if (kept) runs.set(c, (run = { report: kept.report, ...(kept.callTools ? { callTools: kept.callTools } : {}) }));
  }
  return run;
}

/** Replaces the server's audit state with `next` (merged over the current one), keeps a new report, and re-renders its views. */
export function updateAuditRun(c: AuditConnection, next: Partial<AuditRun>): AuditRun {
  const merged = { ...auditRun(c), ...next };
  runs.set(c, merged);
  if (next.report && store) {
    const all = { ...storedAudits() };
    delete all[c.entry.id];
    all[c.entry.id] = { report: next.report, ...(merged.callTools ? { callTools: merged.callTools } : {}) };
    const ids = Object.keys(all);
    for (const id of ids.slice(0, Math.max(0, ids.length - MAX_STORED))) delete all[id];
    void Promise.resolve(store.update(AUDITS_STATE_KEY, all)).catch(() => undefined);
  }
  c.changed();
  return merged;
}

/** The kept reports that still look like reports (the state is the user's disk: read it with care). */
function storedAudits(): Record<string, StoredAudit> {
  const raw = store?.get<unknown>(AUDITS_STATE_KEY);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: Record<string, StoredAudit> = {};
  for (const [id, v] of Object.entries(raw as Record<string, unknown>)) {
    const s = v as Partial<StoredAudit> | null;
    const r = s?.report as Partial<AuditReport> | undefined;
    if (!r || typeof r.server !== 'string' || typeof r.startedAt !== 'string' || !Array.isArray(r.checks) || !r.summary || typeof r.summary !== 'object') continue;
    out[id] = { report: r as AuditReport, ...(s?.callTools === 'all' || s?.callTools === 'read-only' ? { callTools: s.callTools } : {}) };
  }
  return out;
}
