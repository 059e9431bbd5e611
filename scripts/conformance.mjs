#!/usr/bin/env node
// Runs the official MCP conformance suite (all client scenarios) against our CLI adapter
// (`node dist/cli.js conformance`) and prints `conformance: N/26`.
//
// Scenarios run one at a time: `sse-retry` measures the client's reconnect delay against the
// server's `retry:` (500 ms, -50/+200 ms), and 26 scenarios in parallel on a 2-core machine push
// scheduling delays past that tolerance. Exits non-zero unless every scenario passes with no warning.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = execFileSync('bash', [join(root, 'scripts/install-conformance.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
const node22 = join(cache, 'node_modules/.bin/node');
const suite = join(cache, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const command = `${process.execPath} ${join(root, 'dist/cli.js')} conformance`;

const listed = execFileSync(node22, [suite, 'list'], { encoding: 'utf8' });
// `list` prints server scenarios, then a "Client scenarios" heading, one "  - name [versions]" per line.
const clientPart = listed.split(/client scenarios/i)[1] ?? '';
let scenarios = [...clientPart.matchAll(/^\s*[-•*]\s+(\S+)/gm)].map((m) => m[1]);
// The 26 client scenarios of the pinned suite version (../shared/CONFORMANCE.md): a full run that
// reads fewer from `list` is a parsing slip or a changed suite, never a pass.
const EXPECTED = [
  'initialize', 'tools_call', 'elicitation-sep1034-client-defaults', 'sse-retry',
  'auth/metadata-default', 'auth/metadata-var1', 'auth/metadata-var2', 'auth/metadata-var3',
  'auth/basic-cimd', 'auth/scope-from-www-authenticate', 'auth/scope-from-scopes-supported',
  'auth/scope-omitted-when-undefined', 'auth/scope-step-up', 'auth/scope-retry-limit',
  'auth/token-endpoint-auth-basic', 'auth/token-endpoint-auth-post', 'auth/token-endpoint-auth-none',
  'auth/pre-registration', 'auth/2025-03-26-oauth-metadata-backcompat', 'auth/2025-03-26-oauth-endpoint-fallback',
  'auth/resource-mismatch', 'auth/offline-access-scope', 'auth/offline-access-not-supported',
  'auth/client-credentials-jwt', 'auth/client-credentials-basic', 'auth/cross-app-access-complete-flow',
];
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const missing = EXPECTED.filter((s) => !scenarios.includes(s));
if (!only.length && missing.length) {
  console.error(`conformance: the suite's list lacks ${missing.length} expected client scenario(s): ${missing.join(', ')}\n(read ${scenarios.length} from "${suite} list")`);
  process.exit(1);
}
if (only.length) scenarios = scenarios.filter((s) => only.includes(s));
if (scenarios.length === 0) {
  console.error(`conformance: could not read the scenario list from "${suite} list":\n${listed}`);
  process.exit(1);
}

const out = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
const results = [];
for (const scenario of scenarios) {
  const started = Date.now();
  const r = spawnSync(node22, [suite, 'client', '--command', command, '--scenario', scenario, '-o', out], { encoding: 'utf8', timeout: 120_000 });
  const checks = readChecks(out, scenario);
  const bad = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
  const ok = r.status === 0 && bad.length === 0 && checks.length > 0;
  results.push({ scenario, ok, checks: checks.length, bad, ms: Date.now() - started });
  console.log(`  ${ok ? '✓' : '✗'} ${scenario} (${checks.length - bad.length}/${checks.length} checks, ${Date.now() - started} ms)`);
  if (!ok) {
    for (const c of bad) console.log(`      ${c.status} ${c.id}: ${c.description}`);
    if (r.status !== 0 && bad.length === 0) console.log(`      suite exit ${r.status}; last output:\n${(r.stdout + r.stderr).split('\n').slice(-15).join('\n')}`);
  }
}
rmSync(out, { recursive: true, force: true });
const passed = results.filter((r) => r.ok).length;
console.log(`conformance: ${passed}/${results.length}`);
process.exit(passed === results.length ? 0 : 1);

function readChecks(dir, scenario) {
  // Results land in DIR/<scenario>-<timestamp>/checks.json; auth/x scenarios under DIR/auth/x-<timestamp>/.
  const parts = scenario.split('/');
  const base = join(dir, ...parts.slice(0, -1));
  const name = parts[parts.length - 1];
  let entries = [];
  try {
    entries = readdirSync(base).filter((d) => d.startsWith(`${name}-`) && /\d{4}-\d\d-\d\dT/.test(d.slice(name.length + 1)));
  } catch {
    return [];
  }
  entries.sort((a, b) => statSync(join(base, b)).mtimeMs - statSync(join(base, a)).mtimeMs);
  if (!entries.length) return [];
  try {
    return JSON.parse(readFileSync(join(base, entries[0], 'checks.json'), 'utf8'));
  } catch {
    return [];
  }
}
