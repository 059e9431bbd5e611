/**
 * `npm run bench`: what a connection costs — round trips, bytes and time — measured side by
 * side with a client built on the MCP SDK's own `auth()`, plus reconnect, a refresh storm, a
 * 1,000-tool server, activation in the real host and the bundle sizes. Prints a table and writes
 * bench/results.json (with the machine it ran on). A benchmark, not a test: it never fails on a
 * number, and `npm test` does not run it.
 *
 *   node --import tsx bench/run.ts [--no-host] [--audit-only | --messages-only]
 *   BENCH_CONNECT_ROUNDS=15 BENCH_ROUNDS=7 BENCH_HOST_LOADS=5 BENCH_STORM_CALLS=100 …
 *
 * Every comparison runs both sides in this process, alternating which goes first, after a warm-up
 * round; the table shows medians (min–max) and ratios ours/baseline. The machine is shared, so the
 * ratios mean more than the absolute times; the load average is recorded at start and end.
 * No token, code, verifier or secret is printed or written: only step names, counts, sizes and times.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDemo } from '../demo/index';
import { repoRoot } from '../test/integration/build.mjs';
import { BACKGROUND_STEPS, benchConnect, benchStorm, MODES, modeLabel, OAUTH_STEPS, summarize, type ConnectRun, type Mode, type Side, type StormRun } from './connect';
import { auditRows, benchAudit } from './audit';
import { benchMessages, messageRows } from './messages';
import { benchHost, type HostBench } from './host/runHost';
import { benchLarge, type LargeRun } from './large';
import { startLargeServer } from './largeServer';
import { buildDevelopment, buildProduction, measureEngineLoad, measureExtensionLoad, measureSizes, type Sizes } from './sizes';

type ExtensionLoad = Awaited<ReturnType<typeof measureExtensionLoad>>;
import { byStep, type StepSummary } from './lib/countingFetch';
import { bytes, currentLoad, machineInfo, median, ms, ratio, renderTable, x, type Row } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
/** A connect round takes a fraction of a second and its times are the noisiest: more of them. */
const CONNECT_ROUNDS = Number(process.env.BENCH_CONNECT_ROUNDS ?? 15);
const HOST_LOADS = Number(process.env.BENCH_HOST_LOADS ?? 5);
const STORM_CALLS = Number(process.env.BENCH_STORM_CALLS ?? 100);
const STORM_ROUNDS = Number(process.env.BENCH_STORM_ROUNDS ?? 3);
const TOOL_COUNT = 1000;
/**
 * Client requests from nothing to the tool list. 2025 era: initialize → 401, PRM, AS metadata,
 * (register,) token, initialize, initialized, tools/list. 2026-07-28: server/discover → 401, PRM,
 * AS metadata, (register,) token, server/discover, tools/list.
 */
const FLOOR: Record<Mode, number> = { 'dcr legacy': 8, 'cimd legacy': 7, 'dcr modern': 7, 'cimd modern': 6 };
/** Reconnect with everything stored: initialize, initialized, tools/list; or server/discover, tools/list. */
const RECONNECT_FLOOR: Record<Mode, number> = { 'dcr legacy': 3, 'cimd legacy': 3, 'dcr modern': 2, 'cimd modern': 2 };

/** How a run reached the server: 'discover' (2026-07-28) or 'initialize' (the older protocol), from its steps. */
function negotiated(runs: readonly ConnectRun[]): string {
  const ways = new Set(runs.map((r) => (r.client.some((e) => e.step === 'server/discover') ? 'server/discover' : r.client.some((e) => e.step === 'initialize') ? 'initialize' : '?')));
  return [...ways].join(' / ') || 'n/a';
}

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** "68.1 ms (61.0–80.2)": the median and the range of the runs. */
function spread(values: readonly number[]): string {
  if (values.length === 0) return 'n/a';
  return `${ms(median(values))} (${ms(Math.min(...values)).replace(' ms', '')}–${ms(Math.max(...values))})`;
}

function pick(runs: readonly ConnectRun[], side: Side, mode: Mode): ConnectRun[] {
  return runs.filter((r) => r.side === side && r.mode === mode);
}

function connectRows(runs: readonly ConnectRun[]): { rows: Row[]; summary: Record<string, unknown> } {
  const rows: Row[] = [];
  const summary: Record<string, unknown> = {};
  const section = `1. First connect — demo /mcp, headless approval, from nothing to the tool list (${CONNECT_ROUNDS} rounds)`;
  for (const mode of MODES) {
    const o = pick(runs, 'ours', mode);
    const s = pick(runs, 'sdk', mode);
    const so = o.map((r) => summarize(r.client));
    const ss = s.map((r) => summarize(r.client));
    const req = (xs: typeof so) => median(xs.map((v) => v.requests));
    const bg = (xs: typeof so) => median(xs.map((v) => v.background));
    const label = modeLabel(mode);
    rows.push({ section, metric: `${label}: reached the server with`, ours: negotiated(o), baseline: negotiated(s) });
    const ro = req(so);
    const rs = req(ss);
    rows.push({
      section,
      metric: `${label}: client requests (+ background stream)`,
      ours: `${ro} (+${bg(so)})`,
      baseline: `${rs} (+${bg(ss)})`,
      ratio: x(ratio(ro, rs)),
      target: `≤ baseline; floor ${FLOOR[mode]}`,
      met: ro <= rs && ro <= FLOOR[mode],
    });
    rows.push({
      section,
      metric: `${label}: browser requests (the user's browser, same for both)`,
      ours: String(median(o.map((r) => r.browser.length))),
      baseline: String(median(s.map((r) => r.browser.length))),
    });
    const sent = (rs2: ConnectRun[]) => median(rs2.map((r) => summarize(r.client).sentBytes));
    const recv = (rs2: ConnectRun[]) => median(rs2.map((r) => summarize(r.client).receivedBytes));
    rows.push({
      section,
      metric: `${label}: client bytes sent / received`,
      ours: `${bytes(sent(o))} / ${bytes(recv(o))}`,
      baseline: `${bytes(sent(s))} / ${bytes(recv(s))}`,
      ratio: x(ratio(sent(o) + recv(o), sent(s) + recv(s))),
    });
    const to = median(o.map((r) => r.ms));
    const ts = median(s.map((r) => r.ms));
    const paired = pairedRatio(o, s);
    rows.push({
      section,
      metric: `${label}: time, median (min–max); ratio of medians (median of per-round ratios)`,
      ours: spread(o.map((r) => r.ms)),
      baseline: spread(s.map((r) => r.ms)),
      ratio: `${x(ratio(to, ts))} (${x(paired)})`,
      target: 'ratio ≤ 1.00',
      met: ratio(to, ts) <= 1,
    });
    summary[mode] = {
      ours: { requests: ro, background: bg(so), browserRequests: median(o.map((r) => r.browser.length)), sentBytes: sent(o), receivedBytes: recv(o), medianMs: to, runsMs: o.map((r) => r.ms), steps: stepsOf(o), browserSteps: browserStepsOf(o) },
      sdk: { requests: rs, background: bg(ss), browserRequests: median(s.map((r) => r.browser.length)), sentBytes: sent(s), receivedBytes: recv(s), medianMs: ts, runsMs: s.map((r) => r.ms), steps: stepsOf(s), browserSteps: browserStepsOf(s) },
      floor: FLOOR[mode],
      timeRatio: ratio(to, ts),
      pairedTimeRatio: paired,
      requestsAtFloor: ro === FLOOR[mode],
    };
  }
  return { rows, summary };
}

/** Median over rounds of ours / SDK within the same round: less sensitive to load that drifts between rounds. */
function pairedRatio(ours: readonly ConnectRun[], sdk: readonly ConnectRun[], value: (r: ConnectRun) => number = (r) => r.ms): number {
  return median(ours.map((r) => {
    const other = sdk.find((v) => v.round === r.round);
    return other ? value(r) / value(other) : Number.NaN;
  }));
}

/** Requests and bytes per step of the first recorded run (they are the same in every run). */
function stepsOf(runs: readonly ConnectRun[]): StepSummary[] {
  return runs.length ? byStep(runs[0].client) : [];
}
function browserStepsOf(runs: readonly ConnectRun[]): StepSummary[] {
  return runs.length ? byStep(runs[0].browser) : [];
}

function stepTable(runs: readonly ConnectRun[], mode: Mode): string {
  const o = stepsOf(pick(runs, 'ours', mode));
  const s = stepsOf(pick(runs, 'sdk', mode));
  const ob = browserStepsOf(pick(runs, 'ours', mode));
  const sb = browserStepsOf(pick(runs, 'sdk', mode));
  const names = [...new Set([...o.map((v) => v.step), ...s.map((v) => v.step)])];
  const bnames = [...new Set([...ob.map((v) => v.step), ...sb.map((v) => v.step)])];
  const cell = (list: StepSummary[], step: string) => {
    const v = list.find((e) => e.step === step);
    return v ? `${v.requests} · ${bytes(v.sentBytes)} / ${bytes(v.receivedBytes)}` : '—';
  };
  const lines = [`| step (${modeLabel(mode)}) | ours: requests · sent / received | SDK baseline |`, '| --- | --- | --- |'];
  for (const n of names) lines.push(`| ${n}${n === 'GET SSE stream' ? ' (background, not awaited)' : ''} | ${cell(o, n)} | ${cell(s, n)} |`);
  for (const n of bnames) lines.push(`| browser: ${n} | ${cell(ob, n)} | ${cell(sb, n)} |`);
  return lines.join('\n');
}

function reconnectRows(runs: readonly ConnectRun[]): { rows: Row[]; summary: Record<string, unknown> } {
  const section = '2. Reconnect — same secret store: stored tokens, client and discovery';
  const rows: Row[] = [];
  const summary: Record<string, unknown> = {};
  for (const mode of MODES) {
    const count = (side: Side, oauth: boolean) =>
      median(pick(runs, side, mode).map((r) => r.reconnect.client.filter((e) => OAUTH_STEPS.has(e.step) === oauth && !BACKGROUND_STEPS.has(e.step)).length));
    const background = (side: Side) => median(pick(runs, side, mode).map((r) => r.reconnect.client.filter((e) => BACKGROUND_STEPS.has(e.step)).length));
    const label = modeLabel(mode);
    const oo = count('ours', true);
    const so = count('sdk', true);
    const om = count('ours', false);
    const sm = count('sdk', false);
    rows.push({ section, metric: `${label}: OAuth requests`, ours: String(oo), baseline: String(so), target: '0', met: oo === 0 });
    const mcpSteps = (side: Side) => [...new Set(pick(runs, side, mode).flatMap((r) => r.reconnect.client.map((e) => e.step)))].join(', ');
    rows.push({ section, metric: `${label}: MCP requests (${mcpSteps('ours')})`, ours: `${om} (+${background('ours')})`, baseline: `${sm} (+${background('sdk')})`, target: String(RECONNECT_FLOOR[mode]), met: om <= RECONNECT_FLOOR[mode] });
    const to = median(pick(runs, 'ours', mode).map((r) => r.reconnect.ms));
    const ts = median(pick(runs, 'sdk', mode).map((r) => r.reconnect.ms));
    const paired = pairedRatio(pick(runs, 'ours', mode), pick(runs, 'sdk', mode), (v) => v.reconnect.ms);
    rows.push({
      section,
      metric: `${label}: time, median (min–max); ratio of medians (median of per-round ratios)`,
      ours: spread(pick(runs, 'ours', mode).map((r) => r.reconnect.ms)),
      baseline: spread(pick(runs, 'sdk', mode).map((r) => r.reconnect.ms)),
      ratio: `${x(ratio(to, ts))} (${x(paired)})`,
    });
    summary[mode] = { ours: { oauthRequests: oo, mcpRequests: om, medianMs: to }, sdk: { oauthRequests: so, mcpRequests: sm, medianMs: ts }, timeRatio: ratio(to, ts), pairedTimeRatio: paired };
  }
  return { rows, summary };
}

function stormRows(runs: readonly StormRun[]): Row[] {
  const section = `3. Refresh storm — ${STORM_CALLS} concurrent tools/call when the access token expires (${STORM_ROUNDS} rounds; ours only)`;
  const rows: Row[] = [];
  const labels = { clock: 'engine clock moved past expiry (refresh before sending)', server: 'server refuses the token (401 invalid_token, then retry)' } as const;
  for (const variant of ['clock', 'server'] as const) {
    const rs = runs.filter((r) => r.variant === variant);
    const refreshes = rs.map((r) => r.refreshRequests);
    const exactlyOne = refreshes.every((n) => n === 1);
    rows.push({ section, metric: `${labels[variant]}: refresh requests`, ours: [...new Set(refreshes)].join('/'), target: 'exactly 1', met: exactlyOne });
    rows.push({
      section,
      metric: `${labels[variant]}: other OAuth requests / failed calls / MCP requests`,
      ours: `${Math.max(...rs.map((r) => r.otherOAuthRequests))} / ${Math.max(...rs.map((r) => r.failed))} / ${median(rs.map((r) => r.mcpRequests))}`,
      target: `0 / 0 / ${variant === 'clock' ? STORM_CALLS : 2 * STORM_CALLS}`,
      met: rs.every((r) => r.otherOAuthRequests === 0 && r.failed === 0),
    });
    rows.push({ section, metric: `${labels[variant]}: total time, median (min–max)`, ours: spread(rs.map((r) => r.ms)) });
  }
  return rows;
}

function largeRows(runs: readonly LargeRun[], host: HostBench | undefined): Row[] {
  const o = runs.filter((r) => r.side === 'ours');
  const s = runs.filter((r) => r.side === 'sdk');
  const section = `4. Large server — ${TOOL_COUNT} tools, official SDK McpServer, no auth (${ROUNDS} rounds)`;
  const rows: Row[] = [];
  const pages = median(o.map((r) => r.pages));
  rows.push({ section, metric: 'tools/list: pages · response size', ours: `${pages} · ${bytes(median(o.map((r) => r.listBytes)))}`, baseline: `${median(s.map((r) => r.pages))} · ${bytes(median(s.map((r) => r.listBytes)))}` });
  const c = (rs: LargeRun[]) => rs.map((r) => r.connectMs);
  rows.push({ section, metric: 'Node: connect (initialize + initialized)', ours: spread(c(o)), baseline: spread(c(s)), ratio: x(ratio(median(c(o)), median(c(s)))) });
  const l = (rs: LargeRun[]) => rs.map((r) => r.listMs);
  rows.push({
    section,
    metric: 'Node: list all tools (ours: + per-tool security)',
    ours: spread(l(o)),
    baseline: spread(l(s)),
    ratio: x(ratio(median(l(o)), median(l(s)))),
    target: 'ratio ≤ 1.00',
    met: ratio(median(l(o)), median(l(s))) <= 1,
  });
  rows.push({ section, metric: `Node: per-tool security alone, ${TOOL_COUNT} tools`, ours: spread(o.map((r) => r.securityMs ?? Number.NaN)) });
  const loads = host?.loads.filter((r) => !r.error) ?? [];
  const hostNote = host ? undefined : 'skipped (--no-host)';
  rows.push({ section, metric: 'host: extension connect + list (ServerConnection.connect)', ours: hostNote ?? spread(loads.map((r) => r.connectListMs ?? Number.NaN)) });
  rows.push({ section, metric: `host: tree getChildren + getTreeItem × ${TOOL_COUNT}, first pass`, ours: hostNote ?? spread(loads.map((r) => r.treeFirstMs ?? Number.NaN)) });
  rows.push({ section, metric: `host: tree getChildren + getTreeItem × ${TOOL_COUNT}, repeated`, ours: hostNote ?? spread(loads.flatMap((r) => r.treeMs ?? [])) });
  const nums = (v: Array<number | undefined>) => v.filter((n): n is number => typeof n === 'number');
  rows.push({ section, metric: `host: tools webview, first render of ${TOOL_COUNT} tools (in the webview: DOM + style + layout)`, ours: hostNote ?? spread(nums(loads.map((r) => r.webviewRenderMs))) });
  rows.push({ section, metric: 'host: tools webview, the same state pushed again', ours: hostNote ?? spread(loads.flatMap((r) => r.webviewRerenderMs ?? [])) });
  rows.push({ section, metric: 'host: open the tools panel → first render reported (webview load included)', ours: hostNote ?? spread(nums(loads.map((r) => r.webviewOpenMs))) });
  return rows;
}

function activationRows(host: HostBench | undefined, sizes: Sizes, engineLoadMs: readonly number[], extLoad: ExtensionLoad): Row[] {
  const section = `5. Activation and size${host ? ` — ${host.loads.length} window loads, each a new extension host` : ''}`;
  const rows: Row[] = [];
  const loads = host?.loads.filter((r) => !r.error && !r.wasActive) ?? [];
  const skipped = host ? undefined : 'skipped (--no-host)';
  rows.push({ section, metric: 'activate() body (the extension\'s "activated in" log line)', ours: skipped ?? spread(host!.activateBodyMs) });
  const evalMs = host?.bundleEvalMs ?? [];
  rows.push({ section, metric: 'dist/extension.js evaluated before activate() (same log line, every load)', ours: skipped ?? (evalMs.length ? spread(evalMs) : 'n/a') });
  if (host && evalMs.length === host.activateBodyMs.length && evalMs.length > 0) {
    const sum = evalMs.map((v, i) => v + host.activateBodyMs[i]);
    rows.push({ section, metric: 'evaluation + activate() body, per load (ext.activate() less the host\'s own work and the file read)', ours: spread(sum), target: '≤ 20 ms', met: median(sum) <= 20 });
  }
  const activate = loads.map((r) => r.activateMs ?? Number.NaN);
  rows.push({
    section,
    metric: 'ext.activate(): load dist/extension.js + activate()',
    ours: skipped ?? spread(activate),
    target: '≤ 20 ms',
    met: skipped || activate.length === 0 ? 'n/a' : median(activate) <= 20,
  });
  rows.push({
    section,
    metric: 'dist/extension.js (production, loaded at activation): raw / gzip',
    ours: `${bytes(sizes.extensionJs)} / ${bytes(sizes.extensionJsGzip)}`,
    target: '≤ 450 KB',
    met: sizes.extensionJs <= 450 * 1000,
  });
  rows.push({
    section,
    metric: 'dist/engine.js (production, loaded on the first connect): raw / gzip',
    ours: sizes.engineJs === undefined ? 'missing: no engine bundle' : `${bytes(sizes.engineJs)} / ${bytes(sizes.engineJsGzip ?? 0)}`,
  });
  rows.push({
    section,
    metric: `Node: load dist/extension.js (vscode stubbed); baseline: the same sources as one bundle (${bytes(extLoad.singleBytes)}, before the split)`,
    ours: spread(extLoad.split),
    baseline: spread(extLoad.single),
    ratio: x(ratio(median(extLoad.split), median(extLoad.single))),
  });
  rows.push({ section, metric: 'Node: require(dist/engine.js) in a fresh process (the first connect pays it)', ours: engineLoadMs.length ? spread(engineLoadMs) : 'n/a' });
  const webviewGz = sizes.webviewJsGzip;
  rows.push({
    section,
    metric: 'dist/webview.js (production): raw / gzip',
    ours: webviewGz === undefined ? 'missing: dist/webview.js was not built' : `${bytes(sizes.webviewJs ?? 0)} / ${bytes(webviewGz)}`,
    target: 'gzip < 60 KiB',
    met: webviewGz !== undefined && webviewGz < 60 * 1024,
  });
  rows.push({ section, metric: 'VSIX (vsce package --no-dependencies)', ours: sizes.vsix === undefined ? `failed: ${sizes.vsixError ?? '?'}` : `${bytes(sizes.vsix)}${sizes.vsixFiles ? ` (${sizes.vsixFiles} files)` : ''}` });
  return rows;
}

async function main(): Promise<void> {
  const started = performance.now();
  const noHost = process.argv.includes('--no-host');
  const machine = machineInfo();
  progress(`${machine.cpu} × ${machine.cores}, Node ${machine.node}, load ${machine.loadAtStart.join(' ')}`);
  // 7: the message log, in Node (a few seconds; `--messages-only` runs just this part).
  progress('message log: record and filter 10,000 messages');
  const messageRuns = benchMessages();
  if (process.argv.includes('--messages-only')) {
    process.stdout.write(`${renderTable(messageRows(messageRuns))}\n`);
    return;
  }
  // 6: the audit (`--audit-only` runs just this part).
  const auditRuns = await benchAudit(Number(process.env.BENCH_AUDIT_ROUNDS ?? 3), progress);
  if (process.argv.includes('--audit-only')) {
    process.stdout.write(`${renderTable(auditRows(auditRuns))}\n`);
    return;
  }

  // 1–3 against the demo (access tokens live 600 s: the storm moves the engine's clock instead of waiting).
  // Bearer tokens (dpop: false): the SDK v2 client sends no DPoP proofs unless configured to, and
  // the comparison is of like with like (the engine binds tokens whenever the AS offers DPoP).
  const demo = await startDemo({ port: 0, asPort: 0, autoApprove: true, tokenTtl: 600, dpop: false });
  let connectRuns: ConnectRun[];
  let stormRuns: StormRun[];
  try {
    connectRuns = await benchConnect(demo, CONNECT_ROUNDS, progress);
    stormRuns = await benchStorm(demo, STORM_ROUNDS, STORM_CALLS, progress);
  } finally {
    await demo.close();
  }

  // 4 in Node; 5: production build, sizes, then the real host (which loads that production build).
  const large = await startLargeServer(TOOL_COUNT);
  let largeRuns: LargeRun[];
  let sizes: Sizes;
  let engineLoad: number[] = [];
  let extLoad: ExtensionLoad = { split: [], single: [], singleBytes: 0 };
  let host: HostBench | undefined;
  try {
    largeRuns = await benchLarge(large.url, ROUNDS, progress);
    progress('sizes: production build, VSIX');
    buildProduction();
    sizes = measureSizes();
    engineLoad = measureEngineLoad(ROUNDS);
    extLoad = await measureExtensionLoad(ROUNDS);
    if (!noHost) host = await benchHost({ loads: HOST_LOADS, largeUrl: large.url, progress });
  } finally {
    await large.close();
    buildDevelopment(); // dist/ back to the ordinary build
  }
  machine.loadAtEnd = currentLoad();

  const c = connectRows(connectRuns);
  const r = reconnectRows(connectRuns);
  const rows = [...c.rows, ...r.rows, ...stormRows(stormRuns), ...largeRows(largeRuns, host), ...activationRows(host, sizes, engineLoad, extLoad), ...auditRows(auditRuns), ...messageRows(messageRuns)];
  const table = renderTable(rows);
  const steps = `**First connect by step** (one run; the same in every run)\n\n${MODES.map((m) => stepTable(connectRuns, m)).join('\n\n')}`;
  const durationMs = performance.now() - started;
  const header = `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; ${machine.date}; load average ${machine.loadAtStart.join(' ')} at start, ${machine.loadAtEnd.join(' ')} at end; ${(durationMs / 1000).toFixed(0)} s.`;
  process.stdout.write(`${header}\n${table}\n\n${steps}\n`);
  if (host?.error) process.stdout.write(`\nhost bench error: ${host.error}\n`);
  for (const l of host?.loads.filter((v) => v.error) ?? []) process.stdout.write(`\nhost load error: ${l.error}\n`);

  const results = {
    machine,
    config: { connectRounds: CONNECT_ROUNDS, rounds: ROUNDS, hostLoads: HOST_LOADS, stormCalls: STORM_CALLS, stormRounds: STORM_ROUNDS, tools: TOOL_COUNT, host: !noHost },
    durationMs: Math.round(durationMs),
    firstConnect: c.summary,
    reconnect: r.summary,
    storm: stormRuns,
    largeServer: largeRuns,
    audit: auditRuns,
    messageLog: messageRuns,
    host,
    sizes,
    engineLoadMs: engineLoad,
    extensionLoadMs: extLoad,
    table: rows,
  };
  writeFileSync(join(repoRoot, 'bench', 'results.json'), `${JSON.stringify(results, roundNumbers, 2)}\n`);
  progress(`done in ${(durationMs / 1000).toFixed(0)} s; wrote bench/results.json`);
}

/** Times to 0.1 ms and ratios to 0.01 in the JSON file. */
function roundNumbers(key: string, value: unknown): unknown {
  if (typeof value !== 'number' || Number.isInteger(value)) return value;
  const scale = /ratio/i.test(key) ? 100 : 10;
  return Math.round(value * scale) / scale;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exitCode = 1;
});
