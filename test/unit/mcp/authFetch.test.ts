// createAuthFetch's hot path: the token decision and the token itself are remembered between
// requests; these tests pin that nothing remembered outlives what it was derived from.
import assert from 'node:assert/strict';
import type { GuardedFetch, GuardedRequestInit } from '../../../src/core/http/guardedFetch';
import { Redactor } from '../../../src/core/http/redact';
import { Trace } from '../../../src/core/http/trace';
import { MemorySecretStore } from '../../../src/core/memorySecretStore';
import { createAuthFetch } from '../../../src/core/mcp/authFetch';
import { AuthManager } from '../../../src/core/oauth/authManager';
import type { DiscoveryResult } from '../../../src/core/oauth/discovery';
import type { TokenSet } from '../../../src/core/oauth/tokens';
import { nullLogger, systemClock } from '../../../src/core/ports';

const ORIGIN = 'https://mcp.example';
const ISSUER = 'https://as.example';

function setup() {
  const sent: Array<{ url: string; authorization: string | null }> = [];
  const guarded: GuardedFetch = async (input, init?: GuardedRequestInit) => {
    sent.push({ url: String(input instanceof URL ? input.href : input), authorization: new Headers(init?.headers).get('authorization') });
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const secrets = new MemorySecretStore();
  const auth = new AuthManager({
    ctx: { fetch: guarded, trace: new Trace(), redactor: new Redactor(), logger: nullLogger, clock: systemClock },
    serverUrl: new URL(`${ORIGIN}/mcp`),
    secrets,
    browser: { open: async () => assert.fail('no browser in these tests') },
    client: { policy: 'dcr' },
  });
  const fetch = createAuthFetch({ fetch: guarded, auth });
  const post = (path: string) => fetch(new URL(`${ORIGIN}${path}`), { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
  return { sent, secrets, auth, post };
}

function tokens(accessToken: string, resource: string): TokenSet {
  return { access_token: accessToken, token_type: 'Bearer', issued_at: 0, issuer: ISSUER, client_id: 'c1', resource, grant: 'authorization_code' };
}

/** What another window leaves in the shared secret store after signing in. */
async function storeSignedIn(secrets: MemorySecretStore, auth: AuthManager, accessToken: string): Promise<void> {
  const resource = `${ORIGIN}/mcp`;
  const discovery = { resource, as: { issuer: ISSUER } } as DiscoveryResult;
  await secrets.store(`${auth.keys.prefix}session`, JSON.stringify({ discovery, client_id: 'c1' }));
  await secrets.store(auth.keys.client(ISSUER), JSON.stringify({ mode: 'dcr', issuer: ISSUER, client_id: 'c1', token_endpoint_auth_method: 'none', registered_at: 0 }));
  await secrets.store(auth.keys.tokens(ISSUER, 'c1'), JSON.stringify(tokens(accessToken, resource)));
}

describe('mcp/authFetch hot path', () => {
  it('the token follows the secret store across reload(): signed in, a new token, signed out elsewhere', async () => {
    const { sent, secrets, auth, post } = setup();
    await post('/mcp');
    assert.equal(sent.at(-1)?.authorization, null, 'nothing stored yet');
    await storeSignedIn(secrets, auth, 'ACCESS-TOKEN-ONE-1234');
    await post('/mcp');
    assert.equal(sent.at(-1)?.authorization, null, 'the store is read once; no reload yet');
    await auth.reload();
    await post('/mcp');
    assert.equal(sent.at(-1)?.authorization, 'Bearer ACCESS-TOKEN-ONE-1234');
    await storeSignedIn(secrets, auth, 'ACCESS-TOKEN-TWO-5678');
    await auth.reload();
    await post('/mcp');
    assert.equal(sent.at(-1)?.authorization, 'Bearer ACCESS-TOKEN-TWO-5678', 'the new token, not the remembered one');
    for (const k of await secrets.keys(auth.keys.prefix)) await secrets.delete(k);
    await auth.reload();
    await post('/mcp');
    assert.equal(sent.at(-1)?.authorization, null, 'signed out in another window: no token is sent');
  });

  it('a request made while reload() is still reading the store waits for it (no stale or missing token)', async () => {
    const { sent, secrets, auth, post } = setup();
    await post('/mcp');
    await storeSignedIn(secrets, auth, 'ACCESS-TOKEN-FIVE-7890');
    const reloading = auth.reload(); // not awaited: the store read is in flight
    await post('/mcp');
    assert.equal(sent.at(-1)?.authorization, 'Bearer ACCESS-TOKEN-FIVE-7890');
    await reloading;
  });

  it('the remembered "may the token go here" answer never outlives the resource it was derived from', async () => {
    const { sent, auth, post } = setup();
    await post('/mcp'); // the store has been read (nothing in it)
    auth.tokens = tokens('ACCESS-TOKEN-THREE-9012', `${ORIGIN}/`);
    auth.discovery = { resource: `${ORIGIN}/`, as: { issuer: ISSUER } } as DiscoveryResult;
    await post('/elsewhere');
    assert.equal(sent.at(-1)?.authorization, 'Bearer ACCESS-TOKEN-THREE-9012', 'within the resource (the whole origin)');
    auth.discovery = { resource: `${ORIGIN}/mcp`, as: { issuer: ISSUER } } as DiscoveryResult;
    await post('/elsewhere');
    assert.equal(sent.at(-1)?.authorization, null, 'the resource narrowed to /mcp: /elsewhere gets no token');
    await post('/mcp');
    assert.equal(sent.at(-1)?.authorization, 'Bearer ACCESS-TOKEN-THREE-9012');
    await post('/mcp/sub');
    assert.equal(sent.at(-1)?.authorization, 'Bearer ACCESS-TOKEN-THREE-9012', 'a path within the resource');
    await post('/mcpx');
    assert.equal(sent.at(-1)?.authorization, null, 'a sibling path is not within /mcp');
  });

  it('a token never goes to another origin, before or after the same path was approved', async () => {
    const { sent, auth } = setup();
    const fetch = createAuthFetch({ fetch: auth.opts.ctx.fetch, auth });
    auth.tokens = tokens('ACCESS-TOKEN-FOUR-3456', `${ORIGIN}/mcp`);
    await auth.accessToken();
    await fetch(new URL(`${ORIGIN}/mcp`), { method: 'POST', body: '{}' });
    assert.equal(sent.at(-1)?.authorization, 'Bearer ACCESS-TOKEN-FOUR-3456');
    for (const other of ['https://evil.example/mcp', 'http://mcp.example/mcp', 'https://mcp.example:8443/mcp']) {
      await fetch(new URL(other), { method: 'POST', body: '{}', headers: { authorization: 'Bearer caller-supplied' } });
      assert.equal(sent.at(-1)?.authorization, null, other);
    }
  });
});
