/**
 * The message log at 10,000 messages (src/core/mcp/messageLog.ts, webview-ui/messages/model.ts):
 * recording them into the ring buffer (redaction and the payload cap included), and the Messages
 * panel's filters over them — by method, direction, level and text — timed in Node. The goal is
 * filtering 10,000 entries under 50 ms; it is printed, never enforced. The same filters timed in the
 * panel itself (Chromium) are printed by test/unit/webview/messages/panel.test.ts, and the panel
 * shows its own time in its status line.
 *
 *   node --import tsx bench/messages.ts   (alone; `npm run bench` prints the same rows, section 7)
 */
import { performance } from 'node:perf_hooks';
import { Redactor } from '../src/core/http/redact';
import { MessageLog } from '../src/core/mcp/messageLog';
import { filterEntries, NO_FILTER, type MessageFilter } from '../webview-ui/messages/model';
import { syntheticEntries } from '../test/fixtures/messageEntries';
import { median, ms, type Row } from './lib/stats';

const N = 10_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

function time(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

export function benchMessages(): Array<{ what: string; medianMs: number; minMs: number; maxMs: number; note?: string }> {
  const out: Array<{ what: string; medianMs: number; minMs: number; maxMs: number; note?: string }> = [];
  const push = (what: string, runs: number[], note?: string) => out.push({ what, medianMs: median(runs), minMs: Math.min(...runs), maxMs: Math.max(...runs), note });

  // Recording: the messages as the engine would receive them (parsed JSON-RPC objects).
  const messages = syntheticEntries(N).map((e) => JSON.parse(e.payload) as unknown);
  const redactor = new Redactor();
  redactor.addSecret('a-known-secret-value-123');
  const record: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const log = new MessageLog({ redactor, maxEntries: N });
    const t = time(() => {
      for (const m of messages) log.record('in', m);
    });
    if (r > 0) record.push(t);
  }
  push(`record ${N} messages`, record, 'redacted, capped, into the ring buffer');

  const entries = syntheticEntries(N);
  const cold: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    const fresh = syntheticEntries(N); // new objects: the search text is built again
    const t = time(() => filterEntries(fresh, { ...NO_FILTER, text: 'query number 4242' }));
    if (r > 0) cold.push(t);
  }
  push(`filter ${N}: first text search`, cold, "builds each entry's search text once");
  const filters: Array<[string, MessageFilter]> = [
    ['method', { ...NO_FILTER, method: 'tools/call' }],
    ['direction', { ...NO_FILTER, direction: 'in' }],
    ['level', { ...NO_FILTER, level: 'warning' }],
    ['text', { ...NO_FILTER, text: 'query number 4242' }],
    ['all four', { method: 'tools/call', direction: 'out', level: '', text: 'tool_3' }],
  ];
  filterEntries(entries, { ...NO_FILTER, text: 'warm' });
  for (const [what, f] of filters) {
    const runs: number[] = [];
    for (let r = 0; r <= ROUNDS; r++) {
      const t = time(() => filterEntries(entries, f));
      if (r > 0) runs.push(t);
    }
    push(`filter ${N}: ${what}`, runs);
  }
  return out;
}

/** The table rows of `npm run bench` (bench/run.ts): filtering is measured against the 50 ms goal, recording is shown. */
export function messageRows(rows: ReturnType<typeof benchMessages>): Row[] {
  const section = `7. Message log — ${N} messages, in Node (median of ${ROUNDS}, min–max)`;
  return rows.map((r) => {
    const filter = r.what.startsWith('filter');
    return {
      section,
      metric: r.note ? `${r.what} (${r.note})` : r.what,
      ours: `${ms(r.medianMs)} (${ms(r.minMs).replace(' ms', '')}–${ms(r.maxMs)})`,
      ...(filter ? { target: '< 50 ms', met: r.medianMs < 50 } : {}),
    };
  });
}

const isMain = process.argv[1] && /bench[/\\]messages\.[cm]?[tj]s$/.test(process.argv[1]);
if (isMain) {
  const rows = benchMessages();
  console.log(`Message log at ${N} messages (median of ${ROUNDS}, min–max); goal: filtering under 50 ms`);
  for (const r of rows) console.log(`  ${r.what.padEnd(36)} ${ms(r.medianMs).padStart(9)} (${ms(r.minMs).replace(' ms', '')}–${ms(r.maxMs)})${r.note ? `  ${r.note}` : ''}`);
}
