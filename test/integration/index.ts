/**
 * The `extensionTestsPath` entry: VS Code (desktop via @vscode/test-electron, or code-server via
 * the `payload` URL) loads this bundle inside the real extension host and awaits `run()`.
 * It runs every bundled `*.test.js` next to it with mocha and writes the results to a file
 * (env MCP_INSPECTOR_TEST_RESULTS, else results.json next to this file), atomically.
 */
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { GREP_ENV, RESULTS_ENV, RESULTS_FILE_NAME, type RunResults, type TestResult } from './results';

function findSuites(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findSuites(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

function writeResults(file: string, r: RunResults): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(r, null, 2));
  renameSync(tmp, file); // the runner never sees a half-written file
}

function errorOf(err: unknown): TestResult['error'] {
  const e = err as { message?: unknown; stack?: unknown; actual?: unknown; expected?: unknown; showDiff?: boolean };
  const s = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));
  return {
    message: String(e?.message ?? err),
    stack: typeof e?.stack === 'string' ? e.stack : undefined,
    ...(e?.showDiff !== false && ('actual' in (e ?? {}) || 'expected' in (e ?? {})) ? { actual: s(e.actual), expected: s(e.expected) } : {}),
  };
}

export async function run(): Promise<void> {
  process.setSourceMapsEnabled?.(true); // stack traces point at the .ts sources
  const resultsFile = process.env[RESULTS_ENV] || join(__dirname, RESULTS_FILE_NAME);
  const started = Date.now();
  const tests: TestResult[] = [];
  const results = (): RunResults => ({
    passed: tests.filter((t) => t.state === 'passed').length,
    failed: tests.filter((t) => t.state === 'failed').length,
    pending: tests.filter((t) => t.state === 'pending').length,
    durationMs: Date.now() - started,
    tests,
  });

  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 20_000, reporter: 'spec' });
  const grep = process.env[GREP_ENV];
  if (grep) mocha.grep(grep);
  for (const f of findSuites(__dirname)) mocha.addFile(f);

  let failures: number;
  try {
    failures = await new Promise<number>((resolve, reject) => {
      try {
        const runner = mocha.run((n) => resolve(n));
        const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
        runner.on(EVENT_TEST_PASS, (t) => tests.push({ titlePath: t.titlePath(), state: 'passed', durationMs: t.duration }));
        runner.on(EVENT_TEST_PENDING, (t) => tests.push({ titlePath: t.titlePath(), state: 'pending' }));
        // also fires for failing hooks (then `t` is the hook: still one failure with a title path)
        runner.on(EVENT_TEST_FAIL, (t, err) => tests.push({ titlePath: t.titlePath(), state: 'failed', durationMs: t.duration, error: errorOf(err) }));
      } catch (err) {
        reject(err);
      }
    });
  } catch (err) {
    writeResults(resultsFile, { ...results(), failed: Math.max(1, results().failed), fatal: String((err as Error)?.stack ?? err) });
    throw err;
  }
  writeResults(resultsFile, results());
  if (failures > 0) throw new Error(`${failures} in-host test(s) failed`);
}
