// Builds the extension host bundles (cjs, node, `vscode` external; the engine apart, loaded lazily), the CLI, and the webview bundle.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// --outdir=<dir>: build into another folder than dist/ (the bench measures sizes there).
const outdir = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length) || 'dist';

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

// The extension is two bundles: dist/extension.js (activation: the tree, the commands, the settings,
// the panels) and dist/engine.js (src/engine.ts: the engine with the MCP SDK, oauth4webapi and
// jose), which src/vscode/engine.ts loads with a lazy require on first use. This plugin makes that
// require name the engine bundle next to the extension bundle instead of inlining the engine.
const lazyEngine = {
  name: 'lazy-engine',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/engine$/ }, (args) =>
      args.importer.replace(/\\/g, '/').endsWith('src/vscode/engine.ts') ? { path: './engine.js', external: true } : undefined,
    );
  },
};

const builds = [
  // Both bundles always have a source map (dist/extension.js.map, dist/engine.js.map, shipped in the
  // VSIX): the log maps stack traces through them at trace level (src/vscode/stackMap.ts). Production
  // leaves the sources out of them (line mappings only).
  // The banner times the bundle's evaluation (src/extension.ts logs it with the activation time).
  { ...common, entryPoints: ['src/extension.ts'], outfile: `${outdir}/extension.js`, external: ['vscode'], plugins: [lazyEngine], sourcemap: true, sourcesContent: !production, banner: { js: '"use strict";var __bundleEvalStart = performance.now();' } },
  { ...common, entryPoints: ['src/engine.ts'], outfile: `${outdir}/engine.js`, external: ['vscode'], sourcemap: true, sourcesContent: !production },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: `${outdir}/cli.js`, banner: { js: '#!/usr/bin/env node' } },
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
    outfile: `${outdir}/webview.js`,
  });
  // The App view panel's own bundle: the official MCP Apps host bridge (AppBridge, with the SDK's
  // protocol layer) is loaded only by that panel, not by every panel (src/vscode/webviews/appViewPanel.ts).
  builds.push({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: !production,
    minify: true,
    logLevel: 'warning',
    entryPoints: ['webview-ui/app/main.ts'],
    outfile: `${outdir}/appView.js`,
  });
}

// The webview's icon font (codicons), served from dist/ under the panels' localResourceRoots.
if (existsSync('webview-ui/main.ts')) {
  mkdirSync(`${outdir}/codicons`, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `${outdir}/codicons/${f}`);
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
