/**
 * Section 5's sizes: the production bundles (`node esbuild.mjs --production --outdir=bench/tmp/prod`,
 * not dist/), raw and gzipped — dist/extension.js (what activation loads), dist/engine.js (what the
 * first connect loads, src/vscode/engine.ts), the webview — and the VSIX (`vsce package --no-dependencies`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { repoRoot } from '../test/integration/build.mjs';

export interface Sizes {
  extensionJs: number;
  extensionJsGzip: number;
  /** undefined: there is no engine bundle (a build without the split). */
  engineJs?: number;
  engineJsGzip?: number;
  /** undefined: there is no dist/webview.js (a broken build). */
  webviewJs?: number;
  webviewJsGzip?: number;
  vsix?: number;
  vsixFiles?: number;
  vsixError?: string;
}

function run(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** The production build: what the VSIX ships and what the in-host activation measurement loads. */
export function buildProduction(): void {
  const r = run(process.execPath, ['esbuild.mjs', '--production']);
  if (!r.ok) throw new Error(`node esbuild.mjs --production failed:\n${r.out}`);
}

/** The ordinary development build (source maps), restored after the bench. */
export function buildDevelopment(): void {
  const r = run(process.execPath, ['esbuild.mjs']);
  if (!r.ok) throw new Error(`node esbuild.mjs failed:\n${r.out}`);
}

export function measureSizes(): Sizes {
  const out = join(repoRoot, 'bench', 'tmp', 'prod');
  const b = run(process.execPath, ['esbuild.mjs', '--production', `--outdir=${out}`]);
  if (!b.ok) throw new Error(`node esbuild.mjs --production --outdir failed:\n${b.out}`);
  const ext = readFileSync(join(out, 'extension.js'));
  const webview = join(out, 'webview.js');
  const engine = join(out, 'engine.js');
  const sizes: Sizes = {
    extensionJs: ext.byteLength,
    extensionJsGzip: gzipSync(ext, { level: 9 }).byteLength,
  };
  if (existsSync(engine)) {
    const e = readFileSync(engine);
    sizes.engineJs = e.byteLength;
    sizes.engineJsGzip = gzipSync(e, { level: 9 }).byteLength;
  }
  if (existsSync(webview)) {
    const w = readFileSync(webview);
    sizes.webviewJs = w.byteLength;
    sizes.webviewJsGzip = gzipSync(w, { level: 9 }).byteLength;
  }
  const dir = join(repoRoot, 'bench', 'tmp');
  mkdirSync(dir, { recursive: true });
  const vsix = join(dir, 'bench.vsix');
  // vsce runs `vscode:prepublish` (the production build) itself.
  const r = run(process.execPath, [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '-o', vsix]);
  if (r.ok && existsSync(vsix)) {
    sizes.vsix = statSync(vsix).size;
    const files = /\((\d+) files?,/.exec(r.out);
    if (files) sizes.vsixFiles = Number(files[1]);
  } else {
    sizes.vsixError = r.out.split('\n').filter(Boolean).slice(-3).join(' ');
  }
  return sizes;
}

/**
 * What the first connect pays for the lazy engine: `require()` of the production dist/engine.js
 * (built by measureSizes into bench/tmp/prod), timed inside a fresh Node process each round.
 */
export function measureEngineLoad(rounds: number): number[] {
  const engine = join(repoRoot, 'bench', 'tmp', 'prod', 'engine.js');
  if (!existsSync(engine)) return [];
  const script = `const t = performance.now(); require(${JSON.stringify(engine)}); process.stdout.write(String(performance.now() - t));`;
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    const v = Number(r.stdout);
    if (r.status === 0 && Number.isFinite(v)) out.push(v);
  }
  return out;
}

/**
 * Loading dist/extension.js — the part of activation the bundle split changes — in a fresh Node
 * process with `vscode` stubbed, against the same sources built as one bundle with the engine inlined
 * (as before the split), alternating, `rounds` each. The in-host `ext.activate()` adds the host's own
 * work and activate()'s body (its log line); only window loads where the extension was not already
 * active measure it, often one in five.
 */
export async function measureExtensionLoad(rounds: number): Promise<{ split: number[]; single: number[]; singleBytes: number }> {
  const dir = join(repoRoot, 'bench', 'tmp');
  const split = join(dir, 'prod', 'extension.js');
  const single = join(dir, 'single', 'extension.js');
  await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: ['src/extension.ts'],
    outfile: single,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    external: ['vscode'],
    logLevel: 'error',
  });
  const loader = join(dir, 'load-extension.cjs');
  writeFileSync(
    loader,
    [
      "const Module = require('module');",
      'const stub = new Proxy(function () {}, { get: (t, k) => (k === Symbol.toPrimitive ? () => "" : k === "then" ? undefined : stub), apply: () => stub, construct: () => stub });',
      "const vscode = new Proxy({}, { get: () => stub, has: () => true, ownKeys: () => ['window', 'workspace', 'commands', 'env', 'Uri', 'EventEmitter', 'TreeItem'], getOwnPropertyDescriptor: () => ({ configurable: true, enumerable: true, writable: true, value: stub }) });",
      'const load = Module._load;',
      "Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };",
      'const t = performance.now();',
      'require(process.argv[2]);',
      'process.stdout.write(String(performance.now() - t));',
    ].join('\n'),
  );
  const time = (bundle: string): number | undefined => {
    const r = spawnSync(process.execPath, [loader, bundle], { encoding: 'utf8' });
    const v = Number(r.stdout);
    return r.status === 0 && r.stdout && Number.isFinite(v) ? v : undefined;
  };
  const out = { split: [] as number[], single: [] as number[], singleBytes: statSync(single).size };
  time(split); // warm-up (file cache)
  time(single);
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? (['split', 'single'] as const) : (['single', 'split'] as const);
    for (const which of order) {
      const v = time(which === 'split' ? split : single);
      if (v !== undefined) out[which].push(v);
    }
  }
  return out;
}
