import { strict as assert } from 'node:assert';
import { Redactor } from '../../../src/core/http/redact';
import { MemorySecretStore } from '../../../src/core/memorySecretStore';
import { CredentialStore } from '../../../src/core/oauth/credentialStore';
import type { DiscoveryResult } from '../../../src/core/oauth/discovery';
import type { StoredDpopKey } from '../../../src/core/oauth/dpop';
import type { RegisteredClient } from '../../../src/core/oauth/registration';
import type { TokenSet } from '../../../src/core/oauth/tokens';

const MCP = 'https://mcp.example/mcp';
const AS1 = 'https://as1.example';
const AS2 = 'https://as2.example';

function client(issuer: string, over: Partial<RegisteredClient> = {}): RegisteredClient {
  return { mode: 'dcr', issuer, client_id: `client-of-${issuer}`, token_endpoint_auth_method: 'client_secret_basic', client_secret: `secret-${issuer}-0123456789`, registered_at: 1, ...over };
}
function tokens(issuer: string, over: Partial<TokenSet> = {}): TokenSet {
  return { access_token: `access-${issuer}-0123456789`, refresh_token: `refresh-${issuer}-0123456789`, token_type: 'Bearer', issued_at: 1, issuer, client_id: `client-of-${issuer}`, resource: MCP, grant: 'authorization_code', ...over };
}
const dpopKey: StoredDpopKey = { alg: 'ES256', privateJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'private-d-0123456789' }, publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } };

function setup() {
  const secrets = new MemorySecretStore();
  const redactor = new Redactor();
  const store = CredentialStore.forServer(secrets, MCP, redactor);
  return { secrets, redactor, store };
}

describe('core/oauth/credentialStore', () => {
  it('keeps each server under its own prefix, keyed by its canonical resource (no fragment)', () => {
    const { secrets, store } = setup();
    const same = CredentialStore.forServer(secrets, `${MCP}#frag`);
    const other = CredentialStore.forServer(secrets, 'https://mcp.example/other');
    assert.equal(same.keys.prefix, store.keys.prefix);
    assert.notEqual(other.keys.prefix, store.keys.prefix);
    assert.ok(store.owns(`${store.keys.prefix}tokens/x/y`));
    assert.ok(!store.owns(`${other.keys.prefix}tokens/x/y`));
    assert.ok(!other.owns(`${store.keys.prefix}session`), 'a prefix of another server is not ours');
  });

  it('round-trips the session, clients per issuer, tokens and the DPoP key', async () => {
    const { store } = setup();
    const discovery = { resource: MCP, as: { issuer: AS1 }, backCompat: false } as DiscoveryResult;
    await store.saveSession(discovery, 'c1');
    assert.deepEqual(await store.loadSession(), { discovery, client_id: 'c1' });
    await store.saveClient(client(AS1));
    await store.saveClient(client(AS2));
    assert.equal((await store.loadClient(AS1))?.client_id, `client-of-${AS1}`);
    assert.equal((await store.loadClient(AS2))?.client_id, `client-of-${AS2}`);
    await store.saveTokens(tokens(AS1, { token_type: 'DPoP' }), dpopKey);
    assert.equal((await store.loadTokens(AS1, `client-of-${AS1}`))?.access_token, `access-${AS1}-0123456789`);
    assert.deepEqual(await store.loadDpopKey(AS1, `client-of-${AS1}`), dpopKey);
    assert.equal(await store.loadTokens(AS2, `client-of-${AS2}`), undefined, "one issuer's tokens are not another's");
  });

  it('a Bearer token set replaces the DPoP key stored for that issuer and client (no stale key outlives its tokens)', async () => {
    const { store } = setup();
    await store.saveTokens(tokens(AS1, { token_type: 'DPoP' }), dpopKey);
    await store.saveTokens(tokens(AS1));
    assert.equal(await store.loadDpopKey(AS1, `client-of-${AS1}`), undefined);
  });

  it('dropTokens deletes the tokens and their key; forgetClient also the client; deleteAll every key of the server only', async () => {
    const { secrets, store } = setup();
    const other = CredentialStore.forServer(secrets, 'https://other.example/mcp');
    await other.saveTokens(tokens(AS1));
    await store.saveClient(client(AS1));
    await store.saveTokens(tokens(AS1, { token_type: 'DPoP' }), dpopKey);
    await store.storeClientSecret('pre', 'user-entered-secret-0123');
    await store.dropTokens(AS1, `client-of-${AS1}`);
    assert.equal(await store.loadTokens(AS1, `client-of-${AS1}`), undefined);
    assert.equal(await store.loadDpopKey(AS1, `client-of-${AS1}`), undefined);
    assert.ok(await store.loadClient(AS1));
    await store.saveTokens(tokens(AS1));
    await store.forgetClient(AS1, `client-of-${AS1}`);
    assert.equal(await store.loadClient(AS1), undefined);
    assert.equal(await store.loadTokens(AS1, `client-of-${AS1}`), undefined);
    await store.saveSession({ resource: MCP, as: { issuer: AS1 }, backCompat: false } as DiscoveryResult, undefined);
    await store.deleteAll();
    assert.deepEqual(await secrets.keys(store.keys.prefix), []);
    assert.equal((await other.loadTokens(AS1, `client-of-${AS1}`))?.access_token, `access-${AS1}-0123456789`, "another server's secrets stay");
  });

  it('every secret read or written is known to the redactor first', async () => {
    const { secrets, redactor, store } = setup();
    await store.saveTokens(tokens(AS1, { token_type: 'DPoP' }), dpopKey);
    await store.saveClient(client(AS1));
    await store.storeClientSecret('pre', 'user-entered-secret-0123');
    for (const s of [`access-${AS1}-0123456789`, `refresh-${AS1}-0123456789`, 'private-d-0123456789', `secret-${AS1}-0123456789`, 'user-entered-secret-0123']) {
      assert.equal(redactor.text(`x ${s} y`), 'x [REDACTED] y', s);
    }
    // A fresh process: the redactor learns them when they are read back.
    const fresh = new Redactor();
    const again = CredentialStore.forServer(secrets, MCP, fresh);
    await again.loadTokens(AS1, `client-of-${AS1}`);
    await again.loadDpopKey(AS1, `client-of-${AS1}`);
    await again.loadClient(AS1);
    assert.equal(await again.loadClientSecret('pre'), 'user-entered-secret-0123');
    for (const s of [`access-${AS1}-0123456789`, `refresh-${AS1}-0123456789`, 'private-d-0123456789', `secret-${AS1}-0123456789`, 'user-entered-secret-0123']) {
      assert.equal(fresh.text(s), '[REDACTED]', s);
    }
  });

  it('a pre-registered client secret: kept per client id, an empty one deletes it', async () => {
    const { store } = setup();
    await store.storeClientSecret('a', 'secret-a-0123456789');
    await store.storeClientSecret('b', 'secret-b-0123456789');
    assert.equal(await store.loadClientSecret('a'), 'secret-a-0123456789');
    await store.storeClientSecret('a', '');
    assert.equal(await store.loadClientSecret('a'), undefined);
    assert.equal(await store.loadClientSecret('b'), 'secret-b-0123456789');
  });

  it('a damaged value reads as absent and is deleted', async () => {
    const { secrets, store } = setup();
    await secrets.store(store.keys.tokens(AS1, 'c'), '{not json');
    assert.equal(await store.loadTokens(AS1, 'c'), undefined);
    assert.equal(await secrets.get(store.keys.tokens(AS1, 'c')), undefined);
  });
});
