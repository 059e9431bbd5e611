/**
 * The results file the in-host mocha run writes and the runners read (the page's exit code is a
 * hint; this file is the reliable channel). Plain data: no vscode, no mocha imports.
 */
export const RESULTS_ENV = 'MCP_INSPECTOR_TEST_RESULTS';
export const GREP_ENV = 'MCP_INSPECTOR_TEST_GREP';
export const RESULTS_FILE_NAME = 'results.json';

export interface TestResult {
  /** Suite titles from the root down, then the test title. */
  titlePath: string[];
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: { message: string; stack?: string; actual?: string; expected?: string };
}

export interface RunResults {
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  tests: TestResult[];
  /** Set when mocha could not even start (load error in a suite file). */
  fatal?: string;
}

/** Prints results the way mocha's spec reporter does (indentation by suite, ✔/✗, failure details). */
export function formatSpec(r: RunResults, color = process.stdout.isTTY ?? false): string {
  const c = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [''];
  let prev: string[] = [];
  const failures: TestResult[] = [];
  for (const t of r.tests) {
    const suites = t.titlePath.slice(0, -1);
    let common = 0;
    while (common < suites.length && common < prev.length && suites[common] === prev[common]) common++;
    for (let i = common; i < suites.length; i++) lines.push(`${'  '.repeat(i + 1)}${suites[i]}`);
    prev = suites;
    const pad = '  '.repeat(suites.length + 1);
    const title = t.titlePath[t.titlePath.length - 1];
    if (t.state === 'passed') {
      const slow = t.durationMs !== undefined && t.durationMs > 75 ? c(33, ` (${t.durationMs}ms)`) : '';
      lines.push(`${pad}${c(32, '✔')} ${c(90, title)}${slow}`);
    } else if (t.state === 'pending') {
      lines.push(`${pad}${c(36, `- ${title}`)}`);
    } else {
      failures.push(t);
      lines.push(`${pad}${c(31, `${failures.length}) ${title}`)}`);
    }
  }
  lines.push('', `  ${c(32, `${r.passed} passing`)} ${c(90, `(${r.durationMs}ms)`)}`);
  if (r.pending) lines.push(`  ${c(36, `${r.pending} pending`)}`);
  if (r.failed) lines.push(`  ${c(31, `${r.failed} failing`)}`);
  failures.forEach((t, i) => {
    lines.push('', `  ${i + 1}) ${t.titlePath.join('\n     ')}:`);
    const e = t.error;
    if (e) {
      lines.push(c(31, `     ${e.message.split('\n').join('\n     ')}`));
      // node:assert already puts a diff in the message; show actual/expected only when it did not
      if ((e.expected !== undefined || e.actual !== undefined) && !/[+-] (actual|expected)/.test(e.message)) {
        const ind = (v: string | undefined, sign: string) => (v ?? 'undefined').split('\n').map((l) => `      ${sign}${l}`).join('\n');
        lines.push(`      ${c(32, '+ expected')} ${c(31, '- actual')}`, c(31, ind(e.actual, '-')), c(32, ind(e.expected, '+')));
      }
      if (e.stack) {
        const frames = e.stack.split('\n').filter((l) => /^\s+at /.test(l));
        lines.push(c(90, frames.map((l) => `      ${l.trim()}`).join('\n')));
      }
    }
  });
  if (r.fatal) lines.push('', c(31, `  fatal: ${r.fatal}`));
  lines.push('');
  return lines.join('\n');
}
