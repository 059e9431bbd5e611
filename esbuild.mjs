// Builds the extension host bundle (cjs, node, `vscode` external), the CLI, and the webview bundle.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const builds = [
  // The extension bundle always has a source map (dist/extension.js.map, shipped in the VSIX): the
  // log maps stack traces through it at trace level (src/vscode/stackMap.ts). Production leaves the
  // sources out of it (line mappings only, ~0.8 MB).
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'], sourcemap: true, sourcesContent: !production },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];
if (existsSync('webview-ui/main.ts')) {
  builds.push({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: true,
    logLevel: 'warning',
    entryPoints: ['webview-ui/main.ts'],
    outfile: 'dist/webview.js',
  });
}

// The webview's icon font (codicons), served from dist/ under the panels' localResourceRoots.
if (existsSync('webview-ui/main.ts')) {
  mkdirSync('dist/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);
}

for (const b of builds) {
  if (!existsSync(b.entryPoints[0])) continue;
  if (watch) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  } else {
    await esbuild.build(b);
  }
}
