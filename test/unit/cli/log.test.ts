// The CLI's `log` command through the bundled CLI (as in cli.test.ts): every message of a connect and
// tools/list on both protocol eras, as lines or JSON Lines, and --follow until SIGINT.
import { strict as assert } from 'node:assert';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { startMcpServer, type McpFixture } from '../../fixtures/mcpServers';
import { startMcpServerV2, type V2Fixture } from '../../fixtures/mcpServerV2';

const ROOT = new URL('../../../', import.meta.url).pathname;
let dir: string;
let cli: string;

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

describe('CLI: log', function () {
  this.timeout(30_000);
  let v1: McpFixture;
  let v2: V2Fixture;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-cli-log-'));
    cli = join(dir, 'cli.js');
    await esbuild.build({ absWorkingDir: ROOT, entryPoints: ['src/cli/main.ts'], outfile: cli, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' });
    v1 = await startMcpServer();
    v2 = await startMcpServerV2();
  });
  after(async () => {
    await v1?.close();
    await v2?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints each message of the session as a line (session era)', async () => {
    const r = await run(['log', v1.url.href]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.ok(lines.some((l) => / → request initialize #\S+ · HTTP 200/.test(l)), r.stdout);
    assert.ok(lines.some((l) => / → notification notifications\/initialized/.test(l)), r.stdout);
    assert.ok(lines.some((l) => / → request tools\/list /.test(l)), r.stdout);
    assert.ok(lines.some((l) => / ← result tools\/list #\S+ · HTTP 200 · \d+ ms/.test(l)), r.stdout);
  });

  it('--json prints JSON Lines, one entry each, on the 2026-07-28 era too', async () => {
    const r = await run(['log', v2.url.href, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const entries = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { direction: string; kind: string; method?: string; protocol?: { era?: string } });
    assert.ok(entries.some((e) => e.direction === 'out' && e.method === 'server/discover'));
    const list = entries.find((e) => e.direction === 'out' && e.method === 'tools/list')!;
    assert.equal(list.protocol?.era, 'stateless-2026');
    assert.ok(entries.some((e) => e.direction === 'in' && e.kind === 'result' && e.method === 'tools/list'));
  });

  it('--follow keeps listening until SIGINT, then exits 0', async () => {
    const child = spawn(process.execPath, [cli, 'log', v1.url.href, '--follow'], { env: { PATH: process.env.PATH ?? '', HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const end = Date.now() + 10_000;
    while (!/← result tools\/list/.test(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    assert.match(out, /← result tools\/list/);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(child.exitCode, null, 'still running after tools/list');
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  });
});
