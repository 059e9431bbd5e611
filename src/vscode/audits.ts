/**
 * The last audit of each server, in memory only (a window reload forgets it): the report, which
 * tools it called, whether one is running, why the last one produced no report, and the trace its
 * exchanges are in. The report holds no secret (src/shared/audit.ts: findings, fixes, spec sections,
 * exchange ids), so the tree and the Audit panel show it as it is. Setting a run fires the server's
 * change event: the tree's server node and an open Audit panel re-render.
 */
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

const runs = new WeakMap<ServerConnection, AuditRun>();

export function auditRun(c: ServerConnection): AuditRun | undefined {
  return runs.get(c);
}

/** Replaces the server's audit state with `next` (merged over the current one) and re-renders its views. */
export function updateAuditRun(c: ServerConnection, next: Partial<AuditRun>): AuditRun {
  const merged = { ...runs.get(c), ...next };
  runs.set(c, merged);
  c.changed();
  return merged;
}
