/** Small statistics and formatting helpers for the benchmark's table. */
import { cpus, loadavg, totalmem } from 'node:os';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** ours / baseline; NaN when either side is missing. */
export function ratio(ours: number, baseline: number): number {
  return baseline > 0 && Number.isFinite(ours) ? ours / baseline : Number.NaN;
}

export function ms(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  return v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`;
}

export function bytes(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  if (v >= 1024 * 1024) return `${(v / 1024 / 1024).toFixed(2)} MiB`;
  if (v >= 1024) return `${(v / 1024).toFixed(1)} KiB`;
  return `${v} B`;
}

export function x(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(2)}×`;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
  /** 1/5/15-minute load averages when the bench started and ended: other work on the machine. */
  loadAtStart: number[];
  loadAtEnd?: number[];
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpu: c[0]?.model?.trim() ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    date: new Date().toISOString(),
    loadAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export function currentLoad(): number[] {
  return loadavg().map((l) => Math.round(l * 100) / 100);
}

/** A table row: what was measured, our number, the baseline's, their ratio, the target and whether it is met. */
export interface Row {
  section: string;
  metric: string;
  ours: string;
  baseline?: string;
  ratio?: string;
  target?: string;
  met?: boolean | 'n/a';
}

export function renderTable(rows: readonly Row[]): string {
  const head = ['metric', 'ours', 'SDK baseline', 'ratio', 'target', 'met'];
  const cells = rows.map((r) => [r.metric, r.ours, r.baseline ?? '', r.ratio ?? '', r.target ?? '', r.met === undefined ? '' : r.met === 'n/a' ? 'n/a' : r.met ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  const out: string[] = [];
  let section = '';
  for (let i = 0; i < rows.length; i++) {
    if (rows[i].section !== section) {
      section = rows[i].section;
      out.push('', `**${section}**`, '', line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
    }
    out.push(line(cells[i]));
  }
  return out.join('\n');
}
