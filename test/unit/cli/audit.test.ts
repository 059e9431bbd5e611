// `mcp-oauth-inspector audit`, end to end: the CLI bundled as in cli.test.ts, run against the local
// OAuth fixture. Exit 0 without a fail, 1 with one, 2 when the audit cannot run; --json is the report
// object; --junit and --markdown write files holding no secret.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { findLeaks, knownSecrets, startOAuthFixture, type Fixture } from '../../fixtures/oauthFixture';

const ROOT = new URL('../../../', import.meta.url).pathname;

describe('CLI audit', function () {
  this.timeout(60_000);
  let dir: string;
  let cli: string;
  const fixtures: Fixture[] = [];

  const run = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 45_000 }, (err, stdout, stderr) => {
        const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
        resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
      });
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-audit-cli-'));
    cli = join(dir, 'cli.js');
    await esbuild.build({ absWorkingDir: ROOT, entryPoints: ['src/cli/main.ts'], outfile: cli, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' });
  });
  after(async () => {
    for (const f of fixtures) await f.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('usage errors exit 2: no URL, an unknown --only category, an unknown --call-tools value', async () => {
    for (const args of [['audit'], ['audit', 'http://127.0.0.1:1/mcp', '--only', 'nonsense'], ['audit', 'http://127.0.0.1:1/mcp', '--call-tools', 'some'], ['audit', 'http://127.0.0.1:1/mcp', '--bogus']]) {
      const r = await run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /error: /);
    }
    const help = await run(['audit', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--junit <file>/);
    assert.match((await run(['--help'])).stdout, /audit <url>/);
  });

  it('an unreachable server exits 2, and --json says why', async () => {
    const r = await run(['audit', 'http://127.0.0.1:1/mcp', '--headless', '--json', '--timeout', '3000']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'network_error');
  });

  it('a correct server exits 0; --json is the report object; --junit and --markdown files hold no secret', async () => {
    const fx = await startOAuthFixture({ requiredScopes: ['mcp'] });
    fixtures.push(fx);
    const junit = join(dir, 'audit.xml');
    const md = join(dir, 'audit.md');
    const r = await run(['audit', fx.mcpUrl, '--headless', '--json', '--junit', junit, '--markdown', md]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as Record<string, unknown> & { summary: Record<string, number>; checks: Array<Record<string, unknown>> };
    for (const k of ['server', 'protocolVersion', 'startedAt', 'durationMs', 'summary', 'checks']) assert.ok(k in report, k);
    assert.equal(report.summary.fail, 0);
    for (const c of report.checks) for (const k of ['id', 'category', 'level', 'title', 'finding', 'spec', 'exchanges']) assert.ok(k in c, `${String(c.id)}.${k}`);
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    assert.equal((xml.match(/<testcase /g) ?? []).length, report.checks.length);
    assert.equal((statSync(junit).mode & 0o777) & ~0o644, 0);
    assert.match(readFileSync(md, 'utf8'), /^# MCP server audit: /);
    assert.deepEqual(findLeaks([r.stdout, r.stderr, xml, readFileSync(md, 'utf8')].join('\n'), knownSecrets()), []);
  });

  it('a server with a failing check exits 1 and names it in the text output', async () => {
    const fx = await startOAuthFixture({ asMetadata: { code_challenge_methods_supported: ['plain'] } });
    fixtures.push(fx);
    const r = await run(['audit', fx.mcpUrl, '--headless', '--only', 'authorization-server']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /FAIL {2}authorization-server\.pkce-s256/);
    assert.match(r.stdout, /fix: /);
    const withTrace = await run(['audit', fx.mcpUrl, '--headless', '--only', 'authorization-server', '--trace']);
    const proof = /proof: #(\d+)/.exec(withTrace.stdout);
    assert.ok(proof, withTrace.stdout);
    assert.match(withTrace.stderr, new RegExp(`^#${proof![1]} `, 'm'), 'the cited exchange is in the printed trace');
    assert.deepEqual(findLeaks(withTrace.stderr, knownSecrets()), []);
    assert.ok(!/\[discovery\]/.test(r.stdout), '--only limits the categories');
  });
});
