// The CLI's protocol era: `connect` says which version and era were negotiated and how, and
// --protocol-version pins a version (or fails clearly). The bundle goes to a temp dir, as in cli.test.ts.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { startMcpServerV2 } from '../../fixtures/mcpServerV2';
import { startMcpServer } from '../../fixtures/mcpServers';

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

describe('CLI: protocol era and --protocol-version', function () {
  this.timeout(20_000);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-cli-era-'));
    cli = join(dir, 'cli.js');
    await esbuild.build({ absWorkingDir: ROOT, entryPoints: ['src/cli/main.ts'], outfile: cli, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('connect to a 2026-07-28 server prints the version, the stateless era and server/discover; --json carries the negotiation', async () => {
    const fx = await startMcpServerV2();
    try {
      const r = await run(['connect', fx.url.href]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /protocol 2026-07-28, stateless-2026 era by server\/discover\)/);
      const j = await run(['connect', fx.url.href, '--json']);
      const out = JSON.parse(j.stdout) as { server: { negotiation?: Record<string, unknown> } };
      assert.deepEqual(out.server.negotiation, { protocolVersion: '2026-07-28', era: 'stateless-2026', negotiatedBy: 'discover' });
    } finally {
      await fx.close();
    }
  });

  it('connect to a server of the older versions prints the session era by initialize; --protocol-version pins it', async () => {
    const fx = await startMcpServer();
    try {
      const r = await run(['connect', fx.url.href]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /protocol 2025-\d\d-\d\d, session era by initialize\)/);
      const pinned = await run(['connect', fx.url.href, '--protocol-version', '2025-03-26']);
      assert.equal(pinned.code, 0, pinned.stderr);
      assert.match(pinned.stdout, /protocol 2025-03-26, session era by initialize\)/);
      const modern = await run(['connect', fx.url.href, '--protocol-version', '2026-07-28']);
      assert.equal(modern.code, 1);
      assert.match(modern.stderr, /^error \[mcp_connect_failed\]: .*pinned protocol version 2026-07-28/m);
      assert.match(modern.stderr, /--protocol-version/);
    } finally {
      await fx.close();
    }
  });

  it('--protocol-version that is not a version → config_invalid, control characters escaped, nothing sent', async () => {
    const fx = await startMcpServer();
    try {
      const r = await run(['connect', fx.url.href, '--protocol-version', 'newest\u001b]8;;x\u0007']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error \[config_invalid\]: .*is not a version \(YYYY-MM-DD\)/m);
      assert.ok(!r.stderr.includes('\u001b'), 'no raw escape reaches the terminal');
      assert.equal(fx.requests.length, 0, 'nothing was sent to the server');
    } finally {
      await fx.close();
    }
  });
});
