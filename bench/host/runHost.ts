/**
 * Runs bench/host/inHost.ts inside the real VS Code host (code-server + headless Chromium, the same
 * harness as the in-host tests: test/integration/codeServerHost.ts), once per window load. Every
 * load is a new workbench window and so a new extension host process: the extension's module is
 * loaded and activated from cold each time (code-server itself keeps running, and the OS file cache
 * is warm — a cold editor start costs more, but the extension's part of it is this).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from '../../test/integration/build.mjs';
import { CodeServerHost, waitFor } from '../../test/integration/codeServerHost';
import { BENCH_LARGE_URL_ENV, BENCH_OUT_ENV, type HostRun } from './protocol';

export interface HostBench {
  loads: HostRun[];
  /** Time inside activate(), from the extension's log line "activated in N ms", one per load. */
  activateBodyMs: number[];
  /** Evaluating dist/extension.js before activate() ran, from the same log line, one per load. */
  bundleEvalMs?: number[];
  /** code-server start (healthz + Chromium), once. */
  hostStartMs?: number;
  error?: string;
}

const tmpDir = join(repoRoot, 'bench', 'tmp', 'host');

async function bundle(): Promise<string> {
  const outfile = join(tmpDir, 'inHost.js');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'bench', 'host', 'inHost.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    logLevel: 'warning',
  });
  return outfile;
}

function readLoads(dir: string): HostRun[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^load-.*\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as HostRun);
}

/** `loads` window loads against the already-built dist/extension.js; the fixture at `largeUrl`. */
export async function benchHost(opts: { loads: number; largeUrl: string; progress: (line: string) => void; timeoutMs?: number }): Promise<HostBench> {
  const result: HostBench = { loads: [], activateBodyMs: [] };
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  const outDir = join(tmpDir, 'results');
  let host: CodeServerHost | undefined;
  try {
    const entry = await bundle();
    const t0 = performance.now();
    host = await CodeServerHost.start({ env: { [BENCH_OUT_ENV]: outDir, [BENCH_LARGE_URL_ENV]: opts.largeUrl } });
    result.hostStartMs = performance.now() - t0;
    const h = host;
    for (let i = 0; i < opts.loads; i++) {
      await h.page.goto(h.workbenchUrl({ extensionDevelopmentPath: repoRoot, extensionTestsPath: entry }), { waitUntil: 'domcontentloaded' });
      await waitFor(`in-host bench, window load ${i + 1}`, () => (readLoads(outDir).length > i ? true : undefined), {
        timeoutMs: opts.timeoutMs ?? 90_000,
        abort: () => h.failure(),
      });
      opts.progress(`host: window load ${i + 1}/${opts.loads}`);
    }
    result.loads = readLoads(outDir);
    result.activateBodyMs = [...h.extensionLog().matchAll(/activated in ([\d.]+) ms/g)].map((m) => Number(m[1]));
    result.bundleEvalMs = [...h.extensionLog().matchAll(/evaluated in ([\d.]+) ms/g)].map((m) => Number(m[1]));
  } catch (err) {
    result.error = String((err as Error)?.message ?? err);
    if (host) result.error += `\nlast host console lines:\n${host.consoleLines.slice(-20).join('\n')}`;
  } finally {
    await host?.stop();
  }
  return result;
}
