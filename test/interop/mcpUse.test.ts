/**
 * The engine against a real MCP framework nobody here wrote: mcp-use (installed pinned, outside the
 * repository, by scripts/install-interop.sh) in front of a real OpenID Provider (oidc-provider,
 * upstream.ts). Each behaviour a real stack needs from the engine, checked end to end — sign-in
 * with the headless browser and a tool call:
 * - proxy mode (mcp-use 1.x `oauthProxy`): its registration answers client_secret_post without a
 *   secret (it adds its own upstream), so the client continues as a public one, with a warning;
 *   openid (in its default scopes) is not asked for unprompted; when the user asks for it, the
 *   upstream's id_token comes back through the proxy with the upstream as issuer — a finding, and
 *   the access token is kept.
 * - direct mode, mcp-use 1.x and 2.x (`oauthCustomProvider`): the client signs in at the OpenID Provider
 *   itself; offline_access goes with prompt=consent, so a refresh token is issued and refresh works;
 *   the provider offers DPoP but the server takes Bearer tokens only, and gets them.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createConnection, type Connection } from '../../src/core/connection';
import type { TraceEntry, TraceExchange, TraceNote } from '../../src/core/http/trace';
import { MemorySecretStore } from '../../src/core/memorySecretStore';
import type { ClientConfig } from '../../src/core/oauth/registration';
import { startUpstream, type Upstream } from './upstream';

const REPO = path.resolve(__dirname, '../..');
const PROXY_CLIENT = { client_id: 'mcp-use-proxy', client_secret: `proxy-secret-${process.pid}-${Date.now()}` };

const notes = (c: Connection) => c.trace.all().filter((e: TraceEntry): e is TraceNote => e.kind === 'note');
const exchanges = (c: Connection) => c.trace.all().filter((e: TraceEntry): e is TraceExchange => e.kind === 'http');
function note(c: Connection, re: RegExp): TraceNote {
  const n = notes(c).find((x) => re.test(x.message));
  assert.ok(n, `no note matching ${re}; notes:\n${notes(c).map((x) => `  [${x.level}] ${x.step}: ${x.message}`).join('\n')}`);
  return n;
}
/** The authorization request the engine built (the sign-in link it opened), as sent to the authorization server. */
function authorizationRequest(c: Connection): URLSearchParams {
  const first = exchanges(c).find((e) => e.purpose === 'authorization');
  assert.ok(first, 'no authorization request in the trace');
  return new URL(first.request.url).searchParams;
}

/**
 * The era the session negotiated, and how — checked where the session reports it (the engine's
 * move to SDK v2 adds `negotiation`; before it, only the older era exists).
 */
function assertEra(c: Connection, era: string, negotiatedBy: string): void {
  const n = (c.session as unknown as { negotiation?: { era: string; negotiatedBy: string } }).negotiation;
  if (n) assert.deepEqual({ era: n.era, negotiatedBy: n.negotiatedBy }, { era, negotiatedBy });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

interface Running {
  url: string;
  child: ChildProcess;
  output: string[];
}

/** Run a server script of servers/ with the interop cache's Node 22, where the pinned mcp-use resolves. */
async function runServer(cache: string, script: string, env: Record<string, string>): Promise<Running> {
  const dir = path.join(cache, 'servers');
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, script);
  copyFileSync(path.join(__dirname, 'servers', script), target);
  const child = spawn(path.join(cache, 'node'), [target], {
    cwd: dir,
    // production: no type generation into the working directory; no telemetry from a test run.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production', MCP_USE_ANONYMIZED_TELEMETRY: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  // A run cut short (Ctrl-C, a mocha timeout in `before`) must not leave the server listening.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return new Promise<Running>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in 30 s:\n${output.join('')}`)), 30_000);
    const onData = (d: Buffer) => {
      output.push(d.toString());
      const m = /READY (\S+)/.exec(output.join(''));
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output.join('')}`));
    });
  });
}

async function stop(r: Running | undefined): Promise<void> {
  if (!r || r.child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => r.child.once('exit', () => resolve()));
  r.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
  if (r.child.exitCode === null) r.child.kill('SIGKILL');
}

describe('interop: mcp-use in front of oidc-provider', function () {
  this.timeout(60_000);
  let cache: string;
  const open: Connection[] = [];

  before(function () {
    // A cold install downloads mcp-use and Node 22 (about a minute); warm, it prints the folder at once.
    this.timeout(300_000);
    cache = execFileSync('bash', [path.join(REPO, 'scripts', 'install-interop.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });

  function connect(url: string, extra: { scopes?: string[]; client?: ClientConfig } = {}): Connection {
    const c = createConnection({ serverUrl: url, secrets: new MemorySecretStore(), headless: true, client: extra.client ?? { policy: 'auto' }, scopes: extra.scopes, timeoutMs: 15_000 });
    open.push(c);
    return c;
  }
  function diagnostics(c: Connection, ...logs: string[][]): string {
    const mcp = exchanges(c).filter((e) => e.purpose === 'mcp' && e.response?.status === 401).pop();
    const refused = mcp ? `\nlast refused MCP request: Authorization ${mcp.request.headers.authorization?.split(' ')[0] ?? '(none)'}; WWW-Authenticate ${mcp.response?.headers['www-authenticate'] ?? '(none)'}` : '';
    return `${refused}\nnotes:\n${notes(c).map((x) => `  [${x.level}] ${x.step}: ${x.message}`).join('\n')}\nserver output:\n${logs.map((l) => l.join('')).join('\n---\n').slice(-4000)}`;
  }

  describe('proxy mode: mcp-use 1.x oauthProxy', () => {
    let upstream: Upstream;
    let proxy: Running;

    before(async () => {
      const port = await freePort();
      upstream = await startUpstream({
        clients: [
          {
            ...PROXY_CLIENT,
            application_type: 'native',
            redirect_uris: [`http://127.0.0.1:${port}/oauth/callback`],
            token_endpoint_auth_method: 'client_secret_post',
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
          },
        ],
      });
      // The proxy names its root metadata in its challenge, whose resource is its origin: the
      // resource the client asks a token for, and what the upstream must grant when the proxy's
      // /authorize (which forwards no `resource`) reaches it.
      upstream.setDefaultResource(`http://127.0.0.1:${port}`);
      proxy = await runServer(cache, 'mcp-use-proxy.mjs', {
        PORT: String(port),
        UPSTREAM: upstream.issuer,
        UPSTREAM_JWKS: upstream.jwksUri,
        CLIENT_ID: PROXY_CLIENT.client_id,
        CLIENT_SECRET: PROXY_CLIENT.client_secret,
        SCOPES: 'openid profile todos.read offline_access',
      });
    });
    after(async () => {
      await stop(proxy);
      await upstream?.close();
    });

    it('its registration names client_secret_post without a secret: a warning, then a public client signs in and calls a tool', async () => {
      const c = connect(proxy.url);
      try {
        await c.session.connect();
        const r = await c.session.callTool('whoami', {});
        assert.notEqual(r.isError, true, JSON.stringify(r));
      } catch (err) {
        throw new Error(`${(err as Error).message}${diagnostics(c, proxy.output, upstream.log)}`);
      }
      // mcp-use 1.x is on SDK v1: the older era, found by the initialize fallback.
      assertEra(c, 'session', 'initialize');
      const reg = exchanges(c).find((e) => e.purpose === 'registration');
      assert.equal(reg?.response?.status, 201);
      const answered = JSON.parse(reg.response.body ?? '{}') as Record<string, unknown>;
      assert.equal(answered.token_endpoint_auth_method, 'client_secret_post', 'the proxy answers client_secret_post');
      assert.equal(answered.client_secret, undefined, 'and issues no secret');
      const n = note(c, /names client_secret_post but issues no client_secret/);
      assert.equal(n.level, 'warn');
      assert.equal(c.auth.client?.token_endpoint_auth_method, 'none');
      const token = exchanges(c).find((e) => e.purpose === 'token');
      assert.equal(token?.response?.status, 200);
      assert.ok(!JSON.stringify(c.trace.all()).includes(PROXY_CLIENT.client_secret), 'the upstream secret never reaches the client');
    });

    it('openid is in its scopes_supported but not asked for; offline_access goes with prompt=consent (which the proxy does not forward)', async () => {
      const c = connect(proxy.url);
      await c.session.connect();
      const p = authorizationRequest(c);
      assert.deepEqual(p.get('scope')?.split(' '), ['profile', 'todos.read', 'offline_access']);
      assert.equal(p.get('prompt'), 'consent');
      assert.ok(c.auth.tokens);
      // mcp-use's /authorize forwards response_type, PKCE, scope and audience only: the upstream
      // never sees prompt=consent, drops offline_access (OpenID Connect Core §11) and issues no refresh token.
      assert.equal(c.auth.tokens.refresh_token, undefined);
      assert.equal(note(c, /offline_access was asked for with prompt=consent but no refresh token was issued/).level, 'warn');
      assert.ok(!notes(c).some((x) => /id_token/.test(x.message)), 'no id_token without openid');
    });

    it('the user asks for openid: the upstream\'s id_token comes back through the proxy — a finding, and the access token is kept', async () => {
      const c = connect(proxy.url, { scopes: ['openid', 'todos.read'] });
      try {
        await c.session.connect();
        const r = await c.session.callTool('whoami', {});
        assert.notEqual(r.isError, true, JSON.stringify(r));
      } catch (err) {
        throw new Error(`${(err as Error).message}${diagnostics(c, proxy.output, upstream.log)}`);
      }
      assert.ok(authorizationRequest(c).get('scope')?.split(' ').includes('openid'));
      const n = note(c, /carries an id_token issued by http:\/\/127\.0\.0\.1:\d+, not by the authorization server/);
      assert.equal(n.level, 'warn');
      assert.equal(n.step, 'token exchange');
      assert.ok(n.message.includes(upstream.issuer));
      assert.ok(c.auth.tokens?.access_token, 'the access token was kept');
      // oidc-provider's access token for the resource lists only the resource's scope: openid was
      // granted (the id_token), not left out.
      assert.ok(!notes(c).some((x) => /granted fewer scopes/.test(x.message)), 'openid is not reported as left out');
    });
  });

  describe('direct mode: mcp-use 1.x oauthCustomProvider', () => {
    let upstream: Upstream;
    let direct: Running;

    before(async () => {
      upstream = await startUpstream();
      const port = await freePort();
      direct = await runServer(cache, 'mcp-use-v1-direct.mjs', { PORT: String(port), UPSTREAM: upstream.issuer, UPSTREAM_JWKS: upstream.jwksUri, SCOPES: 'openid todos.read offline_access' });
    });
    after(async () => {
      await stop(direct);
      await upstream?.close();
    });

    it('signs in at the OpenID Provider, with prompt=consent for offline_access, and calls a tool; refresh works', async () => {
      const c = connect(direct.url);
      try {
        await c.session.connect();
        const r = await c.session.callTool('whoami', {});
        assert.notEqual(r.isError, true, JSON.stringify(r));
      } catch (err) {
        throw new Error(`${(err as Error).message}${diagnostics(c, direct.output, upstream.log)}`);
      }
      assert.equal(c.auth.discovery?.as.issuer, upstream.issuer);
      assertEra(c, 'session', 'initialize');
      const p = authorizationRequest(c);
      assert.deepEqual(p.get('scope')?.split(' '), ['todos.read', 'offline_access']);
      assert.equal(p.get('prompt'), 'consent');
      assert.ok(c.auth.tokens?.refresh_token, 'a refresh token was issued');
      await c.auth.refresh();
      assert.notEqual((await c.session.callTool('whoami', {})).isError, true);
    });
  });

  describe('direct mode: mcp-use 2.x oauthCustomProvider', () => {
    let upstream: Upstream;
    let direct: Running;

    before(async () => {
      upstream = await startUpstream();
      direct = await runServer(cache, 'mcp-use-direct.mjs', { UPSTREAM: upstream.issuer, UPSTREAM_JWKS: upstream.jwksUri, SCOPES: 'openid todos.read offline_access' });
    });
    after(async () => {
      await stop(direct);
      await upstream?.close();
    });

    it('offline_access at the OpenID Provider goes with prompt=consent: a refresh token is issued and refresh works', async () => {
      const c = connect(direct.url);
      try {
        await c.session.connect();
        const r = await c.session.callTool('whoami', {});
        assert.notEqual(r.isError, true, JSON.stringify(r));
      } catch (err) {
        throw new Error(`${(err as Error).message}${diagnostics(c, direct.output, upstream.log)}`);
      }
      assert.equal(c.auth.discovery?.as.issuer, upstream.issuer, 'the client signed in at the provider itself');
      // mcp-use 2.x is on SDK v2: the 2026-07-28 era, found by server/discover.
      assertEra(c, 'stateless-2026', 'discover');
      const p = authorizationRequest(c);
      assert.deepEqual(p.get('scope')?.split(' '), ['todos.read', 'offline_access']);
      assert.equal(p.get('prompt'), 'consent');
      assert.equal(note(c, /OpenID Provider: offline_access is asked with prompt=consent/).level, 'info');
      assert.ok(c.auth.tokens?.refresh_token, 'a refresh token was issued');
      // The provider offers DPoP; mcp-use's metadata does not, and it refuses a DPoP-bound token.
      assert.ok(Array.isArray(c.auth.discovery?.as.dpop_signing_alg_values_supported), 'oidc-provider advertises DPoP');
      assert.equal(c.auth.tokens.token_type.toLowerCase(), 'bearer', 'a Bearer token for a Bearer-only server');
      const before = c.auth.tokens.access_token;
      await c.auth.refresh();
      assert.notEqual(c.auth.tokens?.access_token, before);
      const r = await c.session.callTool('whoami', {});
      assert.notEqual(r.isError, true);
    });
  });
});
