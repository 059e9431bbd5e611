#!/usr/bin/env node
// The real-VS-Code stage of `npm test`: the in-host mocha suites (test/integration, inside
// code-server's extension host), then the UI tests (test/e2e, the workbench in headless Chromium).
// Installs code-server on first use (scripts/install-code-server.sh, cached by version).
// Exits non-zero on any failure; the last line is `host: N passed, M failed`.
//
//   node scripts/test-host.mjs [--only integration|e2e] [--grep <pattern>]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = opt('--only');
const grep = opt('--grep');

const stages = [
  { name: 'integration', script: 'test/integration/runCodeServer.ts', results: 'test-results/integration/results.json' },
  { name: 'e2e', script: 'test/e2e/runE2e.ts', results: 'test-results/e2e/results.json' },
].filter((s) => !only || s.name === only);

const t0 = Date.now();
let passed = 0;
let failed = 0;
for (const s of stages) {
  const resultsFile = join(root, s.results);
  rmSync(resultsFile, { force: true });
  console.log(`\n=== host: ${s.name} (${s.script})`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', s.script, ...(grep ? ['--grep', grep] : [])], {
    cwd: root,
    stdio: 'inherit',
    // a hard ceiling on top of the stages' own timeouts: nothing in CI hangs forever
    timeout: 10 * 60_000,
    killSignal: 'SIGTERM',
  });
  let counted = false;
  if (existsSync(resultsFile)) {
    const res = JSON.parse(readFileSync(resultsFile, 'utf8'));
    passed += res.passed;
    failed += res.failed;
    counted = true;
  }
  if (r.status !== 0 && (!counted || JSON.parse(readFileSync(resultsFile, 'utf8')).failed === 0)) {
    // the stage failed without a failing test to show for it (build error, host did not start, no tests)
    failed += 1;
    console.error(`host: the ${s.name} stage failed (exit ${r.status ?? r.signal}) — see the output above`);
  }
}
console.log(`\nhost: stages ${stages.map((s) => s.name).join(' + ')} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`host: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
