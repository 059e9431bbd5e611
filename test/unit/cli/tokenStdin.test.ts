/**
 * The CLI's `ping` and `--token-stdin`, end to end: the CLI bundled to a temp dir (as cli.test.ts does)
 * and spawned against the local OAuth fixture. A token obtained elsewhere is piped in on standard
 * input — never an argument — and the call is made with it, no sign-in; a JWT for another audience
 * is refused naming both; nothing printed holds the token.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { SignJWT } from 'jose';
import { connectTo, startOAuthFixture, type Fixture } from '../../fixtures/oauthFixture';

const ROOT = new URL('../../../', import.meta.url).pathname;

describe('CLI ping and --token-stdin (dist/cli.js)', function () {
  this.timeout(30_000);
  let dir: string;
  let cli: string;
  let fx: Fixture;

  const run = (args: string[], stdin?: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', HOME: dir }, timeout: 20_000 }, (err, stdout, stderr) => {
        const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
        resolve({ code: typeof code === 'number' ? code : null, stdout, stderr });
      });
      child.stdin?.end(stdin ?? '');
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcp-cli-token-stdin-'));
    cli = join(dir, 'cli.js');
    await esbuild.build({ absWorkingDir: ROOT, entryPoints: ['src/cli/main.ts'], outfile: cli, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' });
    fx = await startOAuthFixture({ anonymousTools: true });
  });
  after(async () => {
    await fx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ping: connects and prints the round trip, with the method timed', async () => {
    const r = await run(['ping', fx.mcpUrl]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /answered in [\d.]+ ms \((ping|server\/discover)/);
    const j = await run(['ping', fx.mcpUrl, '--json']);
    const out = JSON.parse(j.stdout) as { ping: { method: string; ms: number } };
    assert.ok(['ping', 'server/discover'].includes(out.ping.method) && out.ping.ms >= 0);
  });

  it('call --token-stdin: the token read from stdin is used, no sign-in, and printed nowhere', async () => {
    const other = connectTo(fx);
    await other.session.connect();
    await other.auth.authorize();
    const token = other.auth.tokens!.access_token;
    await other.close();
    const authorizations = fx.counters.authorize;
    const seen = fx.requests.length;
    const r = await run(['call', fx.mcpUrl, 'echo', '--args', '{"text":"hi"}', '--token-stdin', '--json', '--trace'], `${token}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fx.counters.authorize, authorizations, 'no sign-in');
    const posts = fx.requests.slice(seen).filter((x) => x.server === 'mcp' && x.method === 'POST');
    assert.ok(posts.length > 0 && posts.every((x) => x.headers.authorization === `Bearer ${token}`));
    assert.ok(!r.stdout.includes(token) && !r.stderr.includes(token), 'the token is not printed');
    assert.match(r.stderr, /using a user-supplied access token .* kept in memory only/);
  });

  it('a JWT for another audience is refused naming both (resource_mismatch); --accept-audience-mismatch sends it, marked', async () => {
    const foreign = await new SignJWT({ aud: 'https://api.other.example/' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('k'.repeat(32)));
    const r = await run(['tools', fx.mcpUrl, '--token-stdin'], foreign);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /resource_mismatch/);
    assert.ok(r.stderr.includes('https://api.other.example/') && r.stderr.includes(fx.mcpUrl), r.stderr);
    assert.ok(!r.stderr.includes(foreign));
    // the fixture refuses it (401): the run then signs in headlessly, after the marked request
    const ok = await run(['tools', fx.mcpUrl, '--token-stdin', '--accept-audience-mismatch', '--headless', '--trace'], foreign);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /user-supplied token, audience mismatch accepted/);
    assert.ok(!ok.stderr.includes(foreign) && !ok.stdout.includes(foreign));
  });
});
