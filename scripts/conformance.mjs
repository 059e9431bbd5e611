#!/usr/bin/env node
// Runs the official MCP conformance suite (every client scenario) against our CLI adapter and prints
// `conformance: N/<expected>`; with suite 0.2.0-alpha.12 also the 2026-07-28 requirement set
// (`--requirements 2026-07-28`), printed as `conformance 2026-07-28: R/32`.
//
// The suite version is CONF_VERSION: 0.2.0-alpha.12 by default (48 client scenarios; the 2026-07-28
// requirement set of 32), 0.1.16 for the older gate (26, `conformance: N/26`). The CLI is bundled
// into a temp dir with the options of esbuild.mjs, so the gate never reads or writes dist/.
//
// Scenarios run one at a time: `sse-retry` measures the client's reconnect delay against the
// server's `retry:` (500 ms, -50/+200 ms), and many scenarios in parallel on a 2-core machine push
// scheduling delays past that tolerance. Exits non-zero unless every scenario passes with no warning
// (and, for alpha.12, the requirement set is whole with no warning).
//
// Usage: node scripts/conformance.mjs [scenario …]   (names given: only those, no requirement run)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const version = process.env.CONF_VERSION || '0.2.0-alpha.12';

// The client scenarios each pinned suite version lists (its `list` command): a full run that
// reads fewer from `list` is a parsing slip or a changed suite, never a pass.
const V0_1_16 = [
  'initialize', 'tools_call', 'elicitation-sep1034-client-defaults', 'sse-retry',
  'auth/metadata-default', 'auth/metadata-var1', 'auth/metadata-var2', 'auth/metadata-var3',
  'auth/basic-cimd', 'auth/scope-from-www-authenticate', 'auth/scope-from-scopes-supported',
  'auth/scope-omitted-when-undefined', 'auth/scope-step-up', 'auth/scope-retry-limit',
  'auth/token-endpoint-auth-basic', 'auth/token-endpoint-auth-post', 'auth/token-endpoint-auth-none',
  'auth/pre-registration', 'auth/2025-03-26-oauth-metadata-backcompat', 'auth/2025-03-26-oauth-endpoint-fallback',
  'auth/resource-mismatch', 'auth/offline-access-scope', 'auth/offline-access-not-supported',
  'auth/client-credentials-jwt', 'auth/client-credentials-basic', 'auth/cross-app-access-complete-flow',
];
const V0_2_0_ALPHA_12 = [
  ...V0_1_16.filter((s) => s !== 'auth/cross-app-access-complete-flow'),
  'request-metadata', 'auth/authorization-server-migration',
  'auth/iss-supported', 'auth/iss-not-advertised', 'auth/iss-supported-missing', 'auth/iss-wrong-issuer',
  'auth/iss-unexpected', 'auth/iss-normalized', 'auth/metadata-issuer-mismatch',
  'auth/enterprise-managed-authorization', 'auth/dpop', 'auth/dpop-nonce', 'auth/wif-jwt-bearer',
  'sep-2322-client-request-state', 'http-standard-headers', 'http-custom-headers', 'http-invalid-tool-headers',
  'json-schema-ref-no-deref', 'json-schema-2020-12-preservation',
  'sep-2640-client-no-prefetch', 'sep-2640-client-verify-digest', 'sep-2640-client-verify-size', 'sep-2640-client-verify-frontmatter',
];
const PINNED = {
  '0.1.16': { expected: V0_1_16 },
  '0.2.0-alpha.12': { expected: V0_2_0_ALPHA_12, requirements: { revision: '2026-07-28', count: 32 } },
};
const pinned = PINNED[version];
if (!pinned) {
  console.error(`conformance: CONF_VERSION=${version} is not a pinned suite version (pinned: ${Object.keys(PINNED).join(', ')}); add its expected scenario list to scripts/conformance.mjs`);
  process.exit(1);
}

const cache = execFileSync('bash', [join(root, 'scripts/install-conformance.sh')], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, CONF_VERSION: version },
}).trim();
const node22 = join(cache, 'node');
const suite = join(cache, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');

// The CLI bundle, built here with esbuild.mjs's CLI options (never dist/).
const work = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
const cli = join(work, 'cli.js');
await esbuild.build({
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, minify: false,
  logLevel: 'warning', legalComments: 'none',
  entryPoints: [join(root, 'src/cli/main.ts')], outfile: cli, banner: { js: '#!/usr/bin/env node' },
  absWorkingDir: root,
});
const command = `${process.execPath} ${cli} conformance`;

const listed = execFileSync(node22, [suite, 'list', '--client'], { encoding: 'utf8' });
// `list --client` prints a "Client scenarios" heading, then one "  - name [versions]" per line.
const clientPart = (listed.split(/client scenarios/i)[1] ?? '').split(/authorization server scenarios/i)[0];
let scenarios = [...clientPart.matchAll(/^\s*[-•*]\s+(\S+)/gm)].map((m) => m[1]);
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const missing = pinned.expected.filter((s) => !scenarios.includes(s));
if (!only.length && missing.length) {
  console.error(`conformance: the suite's list lacks ${missing.length} expected client scenario(s): ${missing.join(', ')}\n(read ${scenarios.length} from "${suite} list")`);
  process.exit(1);
}
if (only.length) scenarios = scenarios.filter((s) => only.includes(s));
if (scenarios.length === 0) {
  console.error(`conformance: could not read the scenario list from "${suite} list":\n${listed}`);
  process.exit(1);
}

console.log(`conformance suite ${version}, ${scenarios.length} client scenario(s), one at a time`);
const out = join(work, 'results');
const results = [];
for (const scenario of scenarios) {
  const started = Date.now();
  const r = spawnSync(node22, [suite, 'client', '--command', command, '--scenario', scenario, '-o', out], { encoding: 'utf8', timeout: 120_000 });
  const checks = readChecks(out, scenario);
  const bad = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
  const ok = r.status === 0 && bad.length === 0 && checks.length > 0;
  results.push({ scenario, ok });
  console.log(`  ${ok ? '✓' : '✗'} ${scenario} (${checks.length - bad.length}/${checks.length} checks, ${Date.now() - started} ms)`);
  if (!ok) {
    for (const c of bad) console.log(`      ${c.status} ${c.id}: ${c.description}${c.errorMessage ? ` — ${c.errorMessage}` : ''}`);
    if (r.status !== 0 && bad.length === 0) console.log(`      suite exit ${r.status}; last output:\n${(r.stdout + r.stderr).split('\n').slice(-15).join('\n')}`);
  }
}
const passed = results.filter((r) => r.ok).length;
console.log(`conformance: ${passed}/${only.length ? results.length : pinned.expected.length}`);
let ok = passed === results.length && (only.length > 0 || results.length === pinned.expected.length);

if (pinned.requirements && !only.length) {
  // The requirement set: exactly the scenarios the release requires, on its own wire. The suite
  // runs them in parallel; none of them is timing-sensitive like sse-retry.
  const { revision, count } = pinned.requirements;
  // The client scenarios the revision requires (`list --requirements`): the run also reports others
  // (extensions, added after the release) that it never scores.
  const required = execFileSync(node22, [suite, 'list', '--requirements', revision], { encoding: 'utf8' });
  const requiredClient = (required.split(/client scenarios/i)[1] ?? '').split(/\n\s*\n/)[0];
  const scoredNames = new Set([...requiredClient.matchAll(/^\s*[-•*]\s+(\S+)/gm)].map((m) => m[1]));
  const reqOut = join(work, 'requirements');
  const r = spawnSync(node22, [suite, 'client', '--command', command, '--requirements', revision, '-o', reqOut], { encoding: 'utf8', timeout: 900_000, maxBuffer: 64 * 1024 * 1024 });
  const text = `${r.stdout}`;
  // The summary: "✓ name: N passed, M failed[, K warnings]", then "Not scored for …" lists the rest.
  const scored = text.split(/=== SUITE SUMMARY ===/)[1]?.split(/Not scored for/)[0] ?? '';
  const lines = [...scored.matchAll(/^([✓✗]) (\S+): (\d+) passed, (\d+) failed(?:, (\d+) warnings)?/gm)].filter((m) => scoredNames.has(m[2]));
  const good = lines.filter((m) => m[1] === '✓' && m[4] === '0' && !m[5]);
  for (const m of lines) if (!good.includes(m)) console.log(`  ✗ ${revision} ${m[2]}: ${m[3]} passed, ${m[4]} failed${m[5] ? `, ${m[5]} warnings` : ''}`);
  console.log(`conformance ${revision}: ${good.length}/${count}`);
  if (lines.length !== count || scoredNames.size !== count) console.log(`  the requirement run scored ${lines.length} of the ${scoredNames.size} scenario(s) "list --requirements ${revision}" names; expected ${count} (suite exit ${r.status})`);
  ok = ok && r.status === 0 && scoredNames.size === count && lines.length === count && good.length === count;
}
rmSync(work, { recursive: true, force: true });
process.exit(ok ? 0 : 1);

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
