/**
 * Section 5's sizes: the production bundle (`node esbuild.mjs --production`), raw and gzipped, the
 * webview bundle raw and gzipped, and the VSIX (`vsce package --no-dependencies`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { repoRoot } from '../test/integration/build.mjs';

export interface Sizes {
  extensionJs: number;
  extensionJsGzip: number;
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
  const ext = readFileSync(join(repoRoot, 'dist', 'extension.js'));
  const webview = join(repoRoot, 'dist', 'webview.js');
  const sizes: Sizes = {
    extensionJs: ext.byteLength,
    extensionJsGzip: gzipSync(ext, { level: 9 }).byteLength,
  };
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
