// Bundles the in-host suites (test/integration/index.ts + **/*.test.ts) to plain CJS in
// out/integration/, for the extension host (`vscode` and `mocha` stay external: the host provides
// `vscode`, mocha resolves from the clone's node_modules). Also builds the extension itself.
// Used by runCodeServer.ts and runTestElectron.mjs; `node test/integration/build.mjs` alone works too.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const integrationOutDir = join(repoRoot, 'out', 'integration');
/** What the extension host loads as `extensionTestsPath`. */
export const integrationIndex = join(integrationOutDir, 'index.js');

function findTests(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findTests(p));
    else if (e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Builds the extension with the project's own esbuild.mjs (dist/extension.js, dist/webview.js). */
let built = false;

/** `node esbuild.mjs`, once per process (every UI test block starts a workbench; one build serves all). */
export function buildExtension() {
  if (built) return;
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`extension build failed (node esbuild.mjs exited ${r.status})`);
  built = true;
}

/** Builds the extension and the in-host test bundle. */
export async function buildIntegration({ extension = true } = {}) {
  if (extension) buildExtension();
  const srcDir = join(repoRoot, 'test', 'integration');
  const entryPoints = [join(srcDir, 'index.ts'), ...findTests(srcDir)];
  rmSync(integrationOutDir, { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    outdir: integrationOutDir,
    outbase: srcDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    sourcesContent: false,
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return { index: integrationIndex, tests: entryPoints.slice(1).map((p) => relative(repoRoot, p)) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildIntegration().then(
    (r) => console.log(`built ${r.tests.length} in-host suite(s) → ${relative(repoRoot, r.index)}`),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
