#!/usr/bin/env node
// Runs the same in-host suites under @vscode/test-electron (desktop VS Code), for people who have
// VS Code or can download it. Not used in CI here (these machines cannot reach Microsoft's servers);
// there, test/integration/runCodeServer.ts runs the suites in code-server instead.
//
// Like runCodeServer.ts it starts the demo (auto-approving) and passes its URLs to the suites, and
// writes user settings with headless authorization, so the same suites run unchanged.
//
//   VSCODE_EXECUTABLE_PATH=/path/to/code npm run test:electron [-- --grep <pattern>]
//   npm run test:electron                # downloads VS Code (VSCODE_TEST_VERSION, default stable)
//   xvfb-run -a npm run test:electron    # on a Linux machine without a display
// (npm run test:electron is `node --import tsx test/integration/runTestElectron.mjs`: the demo is TypeScript.)
//
// VSCODE_EXECUTABLE_PATH is the Electron binary (e.g. /usr/share/code/code, or on macOS
// ".../Visual Studio Code.app/Contents/MacOS/Electron"), not the `code` CLI wrapper script.
import { runTests } from '@vscode/test-electron';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIntegration, repoRoot } from './build.mjs';
import { startDemo } from '../../demo/index.ts';

const RESULTS_ENV = 'MCP_INSPECTOR_TEST_RESULTS'; // same names as results.ts
const GREP_ENV = 'MCP_INSPECTOR_TEST_GREP';
const DEMO_ENV = { mcpUrl: 'MCP_DEMO_MCP_URL', mixedUrl: 'MCP_DEMO_MIXED_URL', issuer: 'MCP_DEMO_ISSUER' }; // same as runCodeServer.ts

async function main() {
  const gi = process.argv.indexOf('--grep');
  const grep = gi > 0 ? process.argv[gi + 1] : undefined;

  const built = await buildIntegration();
  const resultsDir = join(repoRoot, 'test-results', 'integration');
  mkdirSync(resultsDir, { recursive: true });
  const resultsFile = join(resultsDir, 'results-electron.json');
  rmSync(resultsFile, { force: true });

  const tmp = mkdtempSync(join(tmpdir(), 'mcp-inspector-electron-'));
  const workspace = join(tmp, 'workspace');
  mkdirSync(workspace);
  // The suites sign in without a person (the demo auto-approves) and read its URLs from the env.
  mkdirSync(join(tmp, 'user-data', 'User'), { recursive: true });
  writeFileSync(join(tmp, 'user-data', 'User', 'settings.json'), JSON.stringify({ 'mcpOAuthInspector.authorizationMode': 'headless', 'security.workspace.trust.enabled': false }, null, 2));
  const demo = await startDemo({ port: 0, asPort: 0, autoApprove: true });
  console.log(`test-electron: demo MCP server ${demo.mcpUrl} (+ ${demo.mixedUrl}), authorization server ${demo.issuer}`);
  const launchArgs = [
    workspace,
    '--user-data-dir', join(tmp, 'user-data'),
    '--extensions-dir', join(tmp, 'extensions'),
    '--disable-extensions', // other installed extensions; the development extension still loads
  ]; // runTests adds --no-sandbox, --disable-updates, --skip-welcome, --disable-workspace-trust itself

  const vscodeExecutablePath = process.env.VSCODE_EXECUTABLE_PATH || undefined;
  console.log(
    vscodeExecutablePath
      ? `test-electron: VS Code at ${vscodeExecutablePath}`
      : `test-electron: downloading VS Code ${process.env.VSCODE_TEST_VERSION || 'stable'} into .vscode-test/`,
  );
  let exitCode = 1;
  try {
    exitCode = await runTests({
      ...(vscodeExecutablePath ? { vscodeExecutablePath } : { version: process.env.VSCODE_TEST_VERSION || 'stable' }),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: built.index,
      extensionTestsEnv: {
        [RESULTS_ENV]: resultsFile,
        [DEMO_ENV.mcpUrl]: demo.mcpUrl,
        [DEMO_ENV.mixedUrl]: demo.mixedUrl,
        [DEMO_ENV.issuer]: demo.issuer,
        ...(grep ? { [GREP_ENV]: grep } : {}),
      },
      launchArgs,
    });
  } catch (err) {
    // runTests rejects when VS Code exits non-zero (a failing test) or cannot start
    console.error(`test-electron: ${err?.message ?? err}`);
  } finally {
    await demo.close();
    rmSync(tmp, { recursive: true, force: true });
  }

  // The extension host printed mocha's spec report above; the results file is the verdict.
  if (!existsSync(resultsFile)) {
    console.error(`test-electron: no results at ${resultsFile}: the suites did not run`);
    return 1;
  }
  const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
  for (const t of r.tests.filter((t) => t.state === 'failed')) {
    console.error(`  ✗ ${t.titlePath.join(' › ')}\n    ${t.error?.message?.split('\n').join('\n    ')}`);
  }
  console.log(`test-electron: ${r.passed} passed, ${r.failed} failed, ${r.pending} pending`);
  return r.failed === 0 && r.passed > 0 && exitCode === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
