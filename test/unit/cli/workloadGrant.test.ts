/**
 * The CLI's workload identity options, end to end through the bundled CLI (built into a temp dir
 * like cli.test.ts does): `--grant workload_identity` with the workload's JWT from `--assertion-file`
 * or MCP_WORKLOAD_JWT reaches the token endpoint as an RFC 7523 jwt-bearer assertion; a missing or
 * unreadable JWT, or an unknown grant, is an error saying what to pass. The JWT is never printed.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { type Fixture, useOAuthFixtures } from '../../fixtures/oauthFixture';

const ROOT = new URL('../../../', import.meta.url).pathname;
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ3b3JrbG9hZCJ9.c2lnbmF0dXJlLW9mLXRoZS13b3JrbG9hZA';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The fixture's token endpoint accepts the jwt-bearer grant for exactly JWT, from client "workload". */
function acceptJwt(fx: Fixture): void {
  fx.intercept = (server, req, res) => {
    if (server !== 'as' || req.path !== '/token') return false;
    const form = new URLSearchParams(req.body);
    const ok = form.get('grant_type') === JWT_BEARER && form.get('assertion') === JWT && form.get('client_id') === 'workload';
    const token = `wif-cli-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    if (ok) fx.accessTokens.set(token, { client_id: 'workload', scopes: [], resource: form.get('resource') ?? '', expiresAt: Date.now() + 60_000, grant: 'client_credentials' });
    fx.issued.accessTokens.push(token);
    res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { access_token: token, token_type: 'Bearer', expires_in: 60 } : { error: 'invalid_grant' }));
    return true;
  };
}

describe('CLI: --grant workload_identity', function () {
  this.timeout(20_000);
  const { fixture } = useOAuthFixtures();
  let dir: string;
  let cli: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wif-cli-'));
    cli = join(dir, 'cli.js');
    await esbuild.build({ absWorkingDir: ROOT, entryPoints: ['src/cli/main.ts'], outfile: cli, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, timeout: 15_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: unknown }).code) : 0, out: stdout + stderr });
      });
    });
  }

  const flags = ['--grant', 'workload_identity', '--registration', 'preregistered', '--client-id', 'workload', '--auth-method', 'none'];

  for (const [how, extra, env] of [
    ['--assertion-file (trimmed)', 'file', {}],
    ['MCP_WORKLOAD_JWT', 'none', { MCP_WORKLOAD_JWT: JWT }],
  ] as const) {
    it(`the JWT from ${how} goes to the token endpoint as the jwt-bearer assertion; no browser, no registration; never printed`, async () => {
      const fx = await fixture();
      acceptJwt(fx);
      const file = join(dir, 'token');
      writeFileSync(file, `${JWT}\n`);
      const r = await run(['tools', fx.mcpUrl, ...flags, ...(extra === 'file' ? ['--assertion-file', file] : []), '--trace'], env);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /echo/);
      assert.equal(fx.requests.filter((q) => q.server === 'as' && q.path === '/token').length, 1);
      assert.equal(fx.counters.authorize + fx.counters.register, 0);
      assert.ok(!r.out.includes(JWT), 'the JWT is redacted');
    });
  }

  for (const [what, args, says] of [
    ['no JWT', flags, /--assertion-file <file> or set MCP_WORKLOAD_JWT/],
    ['an unreadable file', [...flags, '--assertion-file', '/nonexistent/wif-token'], /cannot read the assertion file/],
    ['an unknown grant', ['--grant', 'jwt_magic'], /workload_identity/],
  ] as const) {
    it(`${what}: a config error saying what to pass, before any request`, async () => {
      const fx = await fixture();
      const r = await run(['tools', fx.mcpUrl, ...args]);
      assert.notEqual(r.code, 0);
      assert.match(r.out, says);
      assert.equal(fx.requests.filter((q) => q.server === 'as').length, 0);
    });
  }
});
