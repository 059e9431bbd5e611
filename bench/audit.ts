/**
 * The audit's cost against the demo, headless (`mcp-oauth-inspector audit --headless`): time and
 * HTTP requests of a whole audit of `/mcp` (whole-server protection) and `/mcp-mixed` (per-tool),
 * each run on a fresh client (nothing stored), DPoP-bound tokens as the demo issues them. The goal
 * (every check in under 5 s) is shown as a target, never enforced.
 */
import { startDemo } from '../demo/index';
import { runAudit } from '../src/core/audit/runner';
import { median, ms, type Row } from './lib/stats';

export interface AuditRun {
  path: '/mcp' | '/mcp-mixed';
  ms: number;
  requests: number;
  checks: number;
  summary: { pass: number; warn: number; fail: number; skip: number };
}

export async function benchAudit(rounds: number, progress: (line: string) => void): Promise<AuditRun[]> {
  const demo = await startDemo({ port: 0, asPort: 0, autoApprove: true });
  const runs: AuditRun[] = [];
  try {
    for (let round = 0; round <= rounds; round++) {
      for (const [path, url] of [['/mcp', demo.mcpUrl], ['/mcp-mixed', demo.mixedUrl]] as const) {
        const started = performance.now();
        const r = await runAudit({ serverUrl: url, headless: true });
        const elapsed = performance.now() - started;
        // Round 0 warms up (module loading, the demo's first keys): not counted.
        if (round > 0) runs.push({ path, ms: elapsed, requests: r.requests, checks: r.checks.length, summary: r.summary });
      }
      progress(`audit round ${round}/${rounds}${round === 0 ? ' (warm-up)' : ''}`);
    }
  } finally {
    await demo.close();
  }
  return runs;
}

export function auditRows(runs: readonly AuditRun[]): Row[] {
  const section = `6. Audit — demo, headless, whole audit from nothing (${runs.length / 2} rounds each, after a warm-up)`;
  const rows: Row[] = [];
  for (const path of ['/mcp', '/mcp-mixed'] as const) {
    const mine = runs.filter((r) => r.path === path);
    if (!mine.length) continue;
    const times = mine.map((r) => r.ms);
    const last = mine[mine.length - 1];
    rows.push({ section, metric: `${path}: time (median, min–max)`, ours: `${ms(median(times))} (${ms(Math.min(...times)).replace(' ms', '')}–${ms(Math.max(...times))})`, target: '< 5 s', met: median(times) < 5000 });
    rows.push({ section, metric: `${path}: HTTP requests`, ours: String(median(mine.map((r) => r.requests))) });
    rows.push({ section, metric: `${path}: checks (fail/warn/pass/skip)`, ours: `${last.checks} (${last.summary.fail}/${last.summary.warn}/${last.summary.pass}/${last.summary.skip})` });
  }
  return rows;
}
