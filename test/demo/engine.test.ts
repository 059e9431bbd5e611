/**
 * The engine against the real demo (oidc-provider + the SDK's MCP server), end to end with the
 * demo's auto-approve switch: each registration mode obtains a token, public tools work without
 * one, protected calls sign in, step-up, refresh (one request for concurrent calls), sign-out with
 * revocation, and the MCP server refuses a token minted for another resource.
 *
 * The demo's authorization server binds tokens to the client's key when asked (DPoP); the main suite
 * turns that off because it replays tokens by hand, and a suite of its own proves the bound tokens.
 * The main suite runs twice: against the demo as it is (both protocol eras: server/discover and
 * initialize) and against the demo serving only the older protocol (initialize; a 2026-07-28
 * request gets what a 2025 server answers), so the engine's fallback is proved on the same journey.
 */
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { CONFIDENTIAL_CLIENT } from '../../demo/constants';
import { startDemo, type DemoHandle } from '../../demo/index';
import { createConnection, type Connection } from '../../src/core/connection';
import type { TraceExchange } from '../../src/core/http/trace';
import { MemorySecretStore } from '../../src/core/memorySecretStore';
import type { ClientConfig } from '../../src/core/oauth/registration';
import type { Clock } from '../../src/core/ports';

for (const eras of ['both', 'legacy'] as const) describe(`engine against the demo (oidc-provider + SDK MCP server; eras: ${eras})`, function () {
  this.timeout(60_000);
  let demo: DemoHandle;
  const open: Connection[] = [];

  before(async () => {
    // Bearer tokens: these tests replay a token by hand (the DPoP suite below proves the bound ones).
    demo = await startDemo({ port: 0, asPort: 0, autoApprove: true, tokenTtl: 600, eras, dpop: false });
  });
  after(async () => {
    await Promise.all(open.map((c) => c.close()));
    await demo?.close();
  });

  function connect(url: string, client: ClientConfig, extra: { clock?: Clock; secrets?: MemorySecretStore } = {}): Connection {
    const c = createConnection({ serverUrl: url, secrets: extra.secrets ?? new MemorySecretStore(), headless: true, client, clock: extra.clock });
    open.push(c);
    return c;
  }

  const tokenRequests = (c: Connection, grant: string) =>
    exchanges(c).filter((e) => e.purpose === 'token' && (e.request.body ?? '').includes(`grant_type=${grant}`));

  for (const [mode, client] of [
    ['DCR', { policy: 'dcr' }],
    ['CIMD', { policy: 'cimd' }],
    ['pre-registered todo-local', { policy: 'preregistered', client_id: 'todo-local' }],
    ['pre-registered confidential todo-confidential (client_secret_basic)', { policy: 'preregistered', ...CONFIDENTIAL_CLIENT }],
  ] as Array<[string, ClientConfig]>) {
    it(`${mode}: obtains a token for /mcp and lists the tools`, async () => {
      const c = connect(demo.mcpUrl, client);
      await c.session.connect();
      const tools = await c.session.listTools();
      assert.ok(c.auth.tokens, 'signed in');
      assert.equal(c.auth.client?.mode, client.policy);
      assert.equal(c.auth.discovery?.resource, demo.mcpUrl);
      assert.ok(tools.some((t) => t.tool.name === 'list_todos'));
      if (client.policy === 'cimd') assert.equal(c.auth.client?.client_id, demo.clientMetadataUrl);
      if (client.client_secret) {
        assert.equal(c.auth.client?.token_endpoint_auth_method, 'client_secret_basic');
        const code = exchanges(c).find((e) => e.purpose === 'token');
        assert.match(code?.request.headers.authorization ?? '', /^Basic /, 'the client authenticated at the token endpoint');
        assert.ok(!JSON.stringify(c.trace.all()).includes(client.client_secret), 'the secret is not in the trace');
      }
      if (client.policy === 'dcr') assert.ok(exchanges(c).some((e) => e.purpose === 'registration' && e.response?.status === 201));
      else assert.ok(!exchanges(c).some((e) => e.purpose === 'registration'), 'no registration request');
    });
  }

  it('/mcp-mixed: lists tools and calls the public tool anonymously, no OAuth at all', async () => {
    const c = connect(demo.mixedUrl, { policy: 'dcr' });
    await c.session.connect();
    const tools = await c.session.listTools();
    const search = tools.find((t) => t.tool.name === 'search_docs');
    assert.ok(search?.security.anonymous);
    const todos = tools.find((t) => t.tool.name === 'list_todos');
    assert.deepEqual(todos?.security.scopesNeeded, ['todos.read']);
    assert.equal(todos?.security.covered, false);
    const r = await c.session.callTool('search_docs', { query: 'refresh' });
    assert.notEqual(r.isError, true);
    assert.equal(c.auth.tokens, undefined, 'no token was needed');
    assert.ok(!exchanges(c).some((e) => e.purpose !== 'mcp'), 'only MCP requests were made');
  });

  it('/mcp-mixed: a protected call signs in, then succeeds; step-up from todos.read to todos.write', async () => {
    const c = connect(demo.mixedUrl, { policy: 'dcr' });
    await c.session.connect();
    const list = await c.session.callTool('list_todos', {});
    assert.notEqual(list.isError, true, JSON.stringify(list));
    const granted = c.auth.grantedScopes();
    assert.ok(granted.includes('todos.read'));
    assert.ok(!granted.includes('todos.write'), 'least privilege first');
    const add = await c.session.callTool('add_todo', { title: 'ship the inspector' });
    assert.notEqual(add.isError, true, JSON.stringify(add));
    assert.ok(c.auth.grantedScopes().includes('todos.write'), 'stepped up');
    assert.ok(c.auth.grantedScopes().includes('todos.read'), 'kept the scopes it had (union)');
    const endpoint = new URL(c.auth.discovery!.as.authorization_endpoint!).pathname;
    const authorizeRequests = exchanges(c).filter((e) => e.purpose === 'authorization' && new URL(e.request.url).pathname === endpoint);
    assert.ok(authorizeRequests.length >= 2, 'two authorization requests: sign-in and step-up');
  });

  it('the tool-level challenge (isError + _meta["mcp/www_authenticate"]) signs in and retries the call', async () => {
    const c = connect(demo.mixedUrl, { policy: 'dcr' });
    await c.session.connect();
    const r = await c.session.callTool('get_secret_note', {});
    assert.notEqual(r.isError, true, JSON.stringify(r));
    assert.ok(c.auth.tokens);
  });

  it('an expiring access token is refreshed once for several concurrent calls', async () => {
    let skew = 0;
    const clock: Clock = { now: () => Date.now() + skew };
    const c = connect(demo.mcpUrl, { policy: 'dcr' }, { clock });
    await c.session.connect();
    await c.session.listTools();
    const before = c.auth.tokens!;
    assert.ok(before.refresh_token, 'the demo issues refresh tokens to native public clients');
    skew = ((before.expires_at ?? 0) - Math.floor(Date.now() / 1000) + 5) * 1000; // now past expiry
    const results = await Promise.all(Array.from({ length: 6 }, () => c.session.callTool('list_todos', {})));
    assert.ok(results.every((r) => r.isError !== true));
    assert.equal(tokenRequests(c, 'refresh_token').length, 1, 'exactly one refresh request');
    assert.notEqual(c.auth.tokens!.access_token, before.access_token);
    assert.notEqual(c.auth.tokens!.refresh_token, before.refresh_token, 'rotated refresh token stored');
  });

  it('sign-out revokes: the old access token is then rejected by the MCP server', async () => {
    const secrets = new MemorySecretStore();
    const c = connect(demo.mcpUrl, { policy: 'dcr' }, { secrets });
    await c.session.connect();
    await c.session.listTools();
    const old = c.auth.tokens!.access_token;
    const ok = await fetch(demo.mcpUrl, { method: 'POST', headers: mcpHeaders(old), body: initializeBody });
    assert.equal(ok.status, 200, 'the token works before sign-out');
    await ok.body?.cancel();
    const r = await c.auth.signOut();
    assert.equal(r.revoked, true);
    assert.equal((await secrets.keys('')).length, 0, 'every stored secret of that server is gone');
    const after = await fetch(demo.mcpUrl, { method: 'POST', headers: mcpHeaders(old), body: initializeBody });
    assert.equal(after.status, 401);
    await after.body?.cancel();
  });

  it('closing the session after sign-out ends it without signing in again (the DELETE is not worth a sign-in)', async () => {
    const c = connect(demo.mcpUrl, { policy: 'dcr' });
    await c.session.connect();
    await c.auth.signOut();
    const before = exchanges(c).length;
    await c.close();
    const after = exchanges(c).slice(before);
    const del = after.filter((e) => e.request.method === 'DELETE');
    // A session (the initialize era) is ended with DELETE; the 2026-07-28 era has no session to end.
    const sessionful = exchanges(c).some((e) => e.purpose === 'mcp' && /"method":"initialize"/.test(e.request.body ?? ''));
    if (eras === 'legacy') assert.ok(sessionful, 'a legacy-only server is reached with initialize');
    assert.equal(del.length, sessionful ? 1 : 0, sessionful ? 'the session end was sent' : 'no session to end');
    for (const d of del) assert.equal(d.request.headers.authorization, undefined, 'without a token');
    // (a refresh attempt with the revoked refresh token may happen for the background event stream)
    assert.deepEqual(after.filter((e) => !['mcp', 'token'].includes(e.purpose)).map((e) => e.step), [], 'no discovery, registration or authorization request');
    assert.ok(!after.some((e) => e.purpose === 'token' && /grant_type=authorization_code/.test(e.request.body ?? '')), 'no code exchange');
    assert.equal(c.auth.tokens, undefined);
  });

  it('a token issued for another resource (wrong audience) is rejected by the MCP server', async () => {
    const c = connect(demo.mixedUrl, { policy: 'dcr' });
    await c.session.connect();
    await c.session.callTool('list_todos', {});
    const mixedToken = c.auth.tokens!.access_token;
    const res = await fetch(demo.mcpUrl, { method: 'POST', headers: mcpHeaders(mixedToken), body: initializeBody });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /invalid_token/);
    await res.body?.cancel();
  });
});

describe('engine against the demo with 3-second access tokens', function () {
  this.timeout(60_000);
  let demo: DemoHandle;
  let c: Connection | undefined;
  before(async () => {
    demo = await startDemo({ port: 0, asPort: 0, autoApprove: true, tokenTtl: 3, dpop: false });
  });
  after(async () => {
    await c?.close();
    await demo?.close();
  });

  it('an access token the MCP server finds expired (401) is refreshed once for several concurrent calls', async () => {
    // The engine's clock is held back once signed in, so it does not refresh ahead of expiry and
    // the expired token really reaches the server: the 401 path, not the clock path.
    let skew = 0;
    c = createConnection({ serverUrl: demo.mcpUrl, secrets: new MemorySecretStore(), headless: true, client: { policy: 'dcr' }, clock: { now: () => Date.now() + skew } });
    await c.session.connect();
    await c.session.listTools();
    const old = c.auth.tokens!.access_token;
    skew = -10 * 60_000;
    // Wait on the condition itself: the server refusing the old token (exp is checked to the second).
    for (let i = 0; ; i++) {
      const res = await fetch(demo.mcpUrl, { method: 'POST', headers: mcpHeaders(old), body: initializeBody });
      await res.body?.cancel();
      if (res.status === 401) break;
      assert.ok(i < 100, 'the 3-second token was still accepted after 10 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = exchanges(c).length;
    const results = await Promise.all(Array.from({ length: 6 }, () => c!.session.callTool('list_todos', {})));
    assert.ok(results.every((r) => r.isError !== true), JSON.stringify(results));
    const after = exchanges(c).slice(before);
    assert.ok(after.some((e) => e.purpose === 'mcp' && e.response?.status === 401), 'the server refused the expired token');
    const refreshes = after.filter((e) => e.purpose === 'token' && (e.request.body ?? '').includes('grant_type=refresh_token'));
    assert.equal(refreshes.length, 1, 'exactly one refresh request for six refused calls');
    assert.deepEqual(after.filter((e) => !['mcp', 'token'].includes(e.purpose)).map((e) => e.step), [], 'no discovery, registration or authorization');
    assert.notEqual(c.auth.tokens!.access_token, old);
  });
});

describe('engine against the demo with DPoP (RFC 9449), as the demo runs by default', function () {
  this.timeout(60_000);
  let demo: DemoHandle;
  const open: Connection[] = [];
  before(async () => {
    demo = await startDemo({ port: 0, asPort: 0, autoApprove: true });
  });
  after(async () => {
    await Promise.all(open.map((c) => c.close()));
    await demo?.close();
  });

  for (const url of ['mcpUrl', 'mixedUrl'] as const) {
    it(`${url === 'mcpUrl' ? '/mcp' : '/mcp-mixed'}: the token is bound to the engine's key (cnf.jkt); protected calls carry proofs the MCP server accepts`, async () => {
      const c = createConnection({ serverUrl: demo[url], secrets: new MemorySecretStore(), headless: true, client: { policy: 'dcr' } });
      open.push(c);
      await c.session.connect();
      const added = await c.session.callTool('add_todo', { title: 'bound' });
      assert.notEqual(added.isError, true, JSON.stringify(added));
      const listed = await c.session.callTool('list_todos', {});
      assert.match(JSON.stringify(listed), /bound/);
      const token = c.auth.tokens!.access_token;
      assert.equal(typeof (decodeJwt(token).cnf as { jkt?: unknown } | undefined)?.jkt, 'string', 'a DPoP-bound token');
      const mcp = exchanges(c).filter((e) => e.purpose === 'mcp' && e.response?.status === 200);
      assert.ok(mcp.length > 0 && mcp.every((e) => /^DPoP /.test(e.request.headers.authorization ?? '') || e.request.headers.authorization === undefined));

      // RFC 9449 §7.2: the same token as a Bearer token, or without its proof, is refused.
      const asBearer = await fetch(demo[url], { method: 'POST', headers: mcpHeaders(token), body: initializeBody });
      assert.equal(asBearer.status, 401);
      assert.match(asBearer.headers.get('www-authenticate') ?? '', /DPoP-bound/);
      await asBearer.body?.cancel();
      const noProof = await fetch(demo[url], { method: 'POST', headers: { ...mcpHeaders(token), authorization: `DPoP ${token}` }, body: initializeBody });
      assert.equal(noProof.status, 401);
      assert.match(noProof.headers.get('www-authenticate') ?? '', /needs a DPoP proof/);
      await noProof.body?.cancel();
    });
  }
});

const exchanges = (c: Connection) => c.trace.all().filter((e): e is TraceExchange => e.kind === 'http');

const initializeBody = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'probe', version: '0' } },
});

function mcpHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
}
