/**
 * Runs the UI tests (test/e2e/**\/*.e2e.ts) with mocha in plain Node; each describe block drives its
 * own code-server + Chromium through ./driver.ts. Prints mocha's spec report, writes
 * test-results/e2e/results.json, exits non-zero on any failure.
 *
 *   node --import tsx test/e2e/runE2e.ts [--grep <pattern>]
 */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { repoRoot } from '../integration/build.mjs';
import type { RunResults, TestResult } from '../integration/results';

function findSpecs(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findSpecs(p));
    else if (e.name.endsWith('.e2e.ts')) out.push(p);
  }
  return out.sort();
}

export async function runE2e(opts: { grep?: string } = {}): Promise<RunResults> {
  const started = Date.now();
  const tests: TestResult[] = [];
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, reporter: 'spec', color: process.stdout.isTTY ?? false });
  if (opts.grep) mocha.grep(opts.grep);
  for (const f of findSpecs(join(repoRoot, 'test', 'e2e'))) mocha.addFile(f);
  await mocha.loadFilesAsync();
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
    runner.on(EVENT_TEST_PASS, (t) => tests.push({ titlePath: t.titlePath(), state: 'passed', durationMs: t.duration }));
    runner.on(EVENT_TEST_PENDING, (t) => tests.push({ titlePath: t.titlePath(), state: 'pending' }));
    runner.on(EVENT_TEST_FAIL, (t, err: Error) =>
      tests.push({ titlePath: t.titlePath(), state: 'failed', error: { message: String(err?.message ?? err), stack: err?.stack } }),
    );
  });
  const results: RunResults = {
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: tests.filter((t) => t.state === 'failed').length,
    pending: tests.filter((t) => t.state === 'pending').length,
    durationMs: Date.now() - started,
    tests,
  };
  const dir = join(repoRoot, 'test-results', 'e2e');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json.tmp'), JSON.stringify(results, null, 2));
  renameSync(join(dir, 'results.json.tmp'), join(dir, 'results.json'));
  return results;
}

const isMain = process.argv[1] && /runE2e\.[cm]?[tj]s$/.test(process.argv[1]);
if (isMain) {
  const gi = process.argv.indexOf('--grep');
  runE2e({ grep: gi > 0 ? process.argv[gi + 1] : undefined }).then(
    (r) => process.exit(r.failed > 0 || r.passed === 0 ? 1 : 0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
