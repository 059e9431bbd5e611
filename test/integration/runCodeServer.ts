/**
 * Runs the in-host mocha suites (test/integration/**\/*.test.ts) inside code-server's real extension
 * host: build → ensure code-server → start it on a free loopback port with fresh dirs → open the
 * `payload` URL in headless Chromium → wait for the results file → print them like mocha's spec
 * reporter → always stop code-server and Chromium. Exit code 0 only when every test passed.
 *
 *   node --import tsx test/integration/runCodeServer.ts [--grep <pattern>]
 *
 * The demo (demo/index.ts: oidc-provider + the Todo MCP server, auto-approving sign-in) runs in this
 * process for the whole run; the suites find it through the environment of the extension host:
 * MCP_DEMO_MCP_URL, MCP_DEMO_MIXED_URL, MCP_DEMO_ISSUER. The host's user settings select headless
 * authorization (`mcpOAuthInspector.authorizationMode: headless`): no browser, no person.
 *
 * Env: MCP_INSPECTOR_HOST_TIMEOUT_MS (default 120000), MCP_INSPECTOR_KEEP_TMP=1 (keep the host's
 * temporary dirs), MCP_INSPECTOR_CACHE (where code-server is cached).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildIntegration, repoRoot } from './build.mjs';
import { CodeServerHost, waitFor } from './codeServerHost';
import { formatSpec, GREP_ENV, RESULTS_ENV, type RunResults } from './results';
import { mapResultStacks } from './sourceMaps';
import { startDemo, type DemoHandle } from '../../demo/index';
import { packageVsix } from '../../scripts/editor.mjs';

/** How the in-host suites find the demo (read in test/integration/connect.test.ts). */
export const DEMO_ENV = { mcpUrl: 'MCP_DEMO_MCP_URL', mixedUrl: 'MCP_DEMO_MIXED_URL', issuer: 'MCP_DEMO_ISSUER' } as const;

export interface InHostRunOutcome {
  results?: RunResults;
  error?: string;
  screenshot?: string;
}

const resultsDir = join(repoRoot, 'test-results', 'integration');

/** Runs the suites once; prints the spec report; never throws (errors are in the outcome). */
export async function runInHostSuites(opts: { grep?: string; timeoutMs?: number } = {}): Promise<InHostRunOutcome> {
  const timeoutMs = opts.timeoutMs ?? Number(process.env.MCP_INSPECTOR_HOST_TIMEOUT_MS ?? 120_000);
  const t0 = Date.now();
  const outcome: InHostRunOutcome = {};
  mkdirSync(resultsDir, { recursive: true });
  const resultsFile = join(resultsDir, 'results.json');
  rmSync(resultsFile, { force: true });

  let host: CodeServerHost | undefined;
  let demo: DemoHandle | undefined;
  const demoLog: string[] = [];
  try {
    const built = await buildIntegration({ extension: false });
    const vsix = packageVsix();
    console.log(`in-host: built ${built.tests.length} suite(s) in ${Date.now() - t0} ms`);
    demo = await startDemo({ port: 0, asPort: 0, autoApprove: true, log: (line) => demoLog.push(line) });
    console.log(`in-host: demo MCP server ${demo.mcpUrl} (+ ${demo.mixedUrl}), authorization server ${demo.issuer}`);
    const env: Record<string, string> = {
      [RESULTS_ENV]: resultsFile,
      [DEMO_ENV.mcpUrl]: demo.mcpUrl,
      [DEMO_ENV.mixedUrl]: demo.mixedUrl,
      [DEMO_ENV.issuer]: demo.issuer,
    };
    if (opts.grep) env[GREP_ENV] = opts.grep;
    host = await CodeServerHost.start({ env, vsix, settings: { 'mcpOAuthInspector.authorizationMode': 'headless' } });
    console.log(`in-host: code-server up on ${host.origin} after ${Date.now() - t0} ms`);
    const h = host;
    // The extension under test is the VSIX as installed: its unpacked folder in the extensions dir,
    // named as the development extension so VS Code runs the tests against exactly those files.
    await h.page.goto(h.workbenchUrl({ extensionDevelopmentPath: h.installedExtension!, extensionTestsPath: built.index }), {
      waitUntil: 'domcontentloaded',
    });
    outcome.results = await waitFor(
      'in-host test results',
      () => (existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as RunResults) : undefined),
      {
        timeoutMs,
        abort: () =>
          h.failure() ??
          // run() settles after it writes the file: an exit without a file means the suites never ran
          (h.automationExitCode !== undefined && !existsSync(resultsFile)
            ? `the host finished (exit ${h.automationExitCode}) without writing ${resultsFile}: the test bundle failed to load`
            : undefined),
      },
    );
    console.log(formatSpec(mapResultStacks(outcome.results)));
    console.log(`in-host: done in ${Date.now() - t0} ms`);
  } catch (err) {
    outcome.error = (err as Error).stack ?? String(err);
    console.error(`in-host: ${outcome.error}`);
  }

  const failed = !!outcome.error || !outcome.results || outcome.results.failed > 0;
  if (failed && host) {
    try {
      outcome.screenshot = await host.screenshot(join(repoRoot, 'test-results', 'screenshots', 'integration-failure.png'));
      console.error(`in-host: screenshot: ${relative(process.cwd(), outcome.screenshot)}`);
    } catch (e) {
      console.error(`in-host: no screenshot (${(e as Error).message})`);
    }
    const logs = host.saveLogs(join(repoRoot, 'test-results', 'logs'), 'integration');
    console.error(`in-host: extension host / workbench console (${logs.console}), last lines:`);
    console.error(host.consoleLines.slice(-60).map((l) => `  ${l}`).join('\n'));
    if (logs.server) console.error(`in-host: code-server log: ${logs.server}`);
    const extLog = host.extensionLog();
    if (extLog) console.error(`in-host: the extension's log channel (${logs.extensionLogs.join(', ')}):\n${extLog}`);
  }
  if (failed && demoLog.length) console.error(`in-host: the demo's log, last lines:\n${demoLog.slice(-40).map((l) => `  ${l}`).join('\n')}`);
  await host?.stop();
  await demo?.close();
  return outcome;
}

const isMain = process.argv[1] && /runCodeServer\.[cm]?[tj]s$/.test(process.argv[1]);
if (isMain) {
  const gi = process.argv.indexOf('--grep');
  const grep = gi > 0 ? process.argv[gi + 1] : undefined;
  void runInHostSuites({ grep }).then((o) => {
    process.exitCode = !o.error && o.results && o.results.failed === 0 && o.results.passed > 0 ? 0 : 1;
  });
}
