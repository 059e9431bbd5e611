#!/usr/bin/env node
// `npm test`: everything CI runs, in order — build, the vscode-import boundary lint, the type check,
// the packaged VSIX's contents, the engine's unit tests, the official MCP conformance suite, the engine against the demo and
// against real third-party servers (interop), and the
// real VS Code host (in-host suites and UI tests). Each stage's own output is shown;
// the last line is the total, as "N passed, M failed".
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules/.bin', name);

/** Each stage: a command and how to read its pass/fail counts from its output. */
const stages = [
  { name: 'build', cmd: [process.execPath, ['esbuild.mjs']] },
  { name: 'lint', cmd: [process.execPath, ['scripts/lint-boundaries.mjs']] },
  { name: 'typecheck', cmd: [bin('tsc'), ['-p', '.', '--noEmit']] },
  { name: 'typecheck-webview', cmd: [bin('tsc'), ['-p', 'webview-ui']] },
  {
    // The VSIX as users get it: every file the extension loads at run time is inside.
    name: 'package',
    cmd: [bin('mocha'), ['--config', 'test/package/.mocharc.json']],
    counts: (out) => ({ passed: num(/(\d+) passing/, out), failed: num(/(\d+) failing/, out) }),
  },
  {
    name: 'unit',
    cmd: [bin('mocha'), []],
    counts: (out) => ({ passed: num(/(\d+) passing/, out), failed: num(/(\d+) failing/, out) }),
  },
  {
    name: 'conformance',
    cmd: [process.execPath, ['scripts/conformance.mjs']],
    counts: (out) => {
      const m = /conformance: (\d+)\/(\d+)/.exec(out);
      return m ? { passed: Number(m[1]), failed: Number(m[2]) - Number(m[1]) } : undefined;
    },
  },
];
stages.push(
  {
    // The engine and CLI against the real demo (oidc-provider + the SDK's MCP server).
    name: 'demo',
    cmd: [bin('mocha'), ['--config', 'test/demo/.mocharc.json']],
    counts: (out) => ({ passed: num(/(\d+) passing/, out), failed: num(/(\d+) failing/, out) }),
  },
  {
    // The engine against real stacks nobody here wrote: mcp-use (proxy and direct mode, pinned and
    // installed outside the clone by scripts/install-interop.sh) in front of oidc-provider.
    name: 'interop',
    cmd: [bin('mocha'), ['--config', 'test/interop/.mocharc.json']],
    counts: (out) => ({ passed: num(/(\d+) passing/, out), failed: num(/(\d+) failing/, out) }),
  },
  {
    // A real VS Code (code-server) host: in-host mocha suites, then UI tests in headless Chromium.
    name: 'host',
    cmd: [process.execPath, ['scripts/test-host.mjs']],
    counts: (out) => {
      const m = /host: (\d+) passed, (\d+) failed/.exec(out);
      return m ? { passed: Number(m[1]), failed: Number(m[2]) } : undefined;
    },
  },
);

function num(re, s) {
  const m = re.exec(s);
  return m ? Number(m[1]) : 0;
}

function run(stage) {
  return new Promise((resolveRun) => {
    const started = Date.now();
    console.log(`\n=== ${stage.name} ===`);
    const child = spawn(stage.cmd[0], stage.cmd[1], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => resolveRun({ name: stage.name, code, out, seconds: (Date.now() - started) / 1000 }));
  });
}

let passed = 0;
let failed = 0;
const summary = [];
for (const stage of stages) {
  const r = await run(stage);
  const c = stage.counts?.(r.out);
  if (c) {
    passed += c.passed;
    failed += c.failed;
  } else if (r.code === 0) passed += 1;
  else failed += 1;
  // A stage that exits non-zero fails even when its counts look clean.
  if (r.code !== 0 && (!c || c.failed === 0)) failed += 1;
  summary.push(`${r.code === 0 ? 'ok  ' : 'FAIL'} ${stage.name} (${r.seconds.toFixed(1)} s)`);
  if (r.code !== 0 && ['build', 'lint', 'typecheck', 'typecheck-webview'].includes(stage.name)) break;
}
console.log(`\n=== summary ===\n${summary.join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
