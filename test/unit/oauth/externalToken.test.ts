/**
 * Bring your own token: a pasted access token is kept under the server's prefix in the secret store
 * (grant 'external'), used for calls without any sign-in, read back by a new connection, replaced by
 * a sign-in when the server refuses it, and never written to a trace or log. Its JWT `aud` is
 * checked against the resource (RFC 8707 §2, RFC 9068 §4); a mismatch the user accepted marks every
 * request that carries it. The CLI's --token-stdin keeps it in memory only. Against the local OAuth
 * fixture (an authorization server and an MCP server on 127.0.0.1).
 */
import { strict as assert } from 'node:assert';
import { Readable } from 'node:stream';
import { SignJWT } from 'jose';
import { isInspectorError } from '../../../src/core/errors';
import { checkPastedToken, externalTokenAudience, introspectedAudience } from '../../../src/core/oauth/externalToken';
import { inspectConnectionToken } from '../../../src/core/inspect/connectionToken';
import { MemorySecretStore } from '../../../src/core/memorySecretStore';
import { readStdinText, useTokenFromText } from '../../../src/cli/tokenStdin';
import { findLeaks, useOAuthFixtures } from '../../fixtures/oauthFixture';

const jwt = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('k'.repeat(32)));

describe('oauth/externalToken: a token the user brings', () => {
  const t = useOAuthFixtures();

  /** A real access token of the fixture, obtained by a sign-in elsewhere (another connection). */
  async function tokenFromElsewhere(fx: Awaited<ReturnType<typeof t.fixture>>): Promise<string> {
    const other = t.connect(fx);
    await other.session.connect();
    await other.session.listTools();
    return other.auth.tokens!.access_token;
  }

  it('is stored in the secret store, used for calls with no sign-in, and read back by a new connection', async () => {
    const fx = await t.fixture();
    const token = await tokenFromElsewhere(fx);
    const authorizeBefore = fx.counters.authorize;
    const seen = fx.requests.length;
    const secrets = new MemorySecretStore();
    const conn = t.connect(fx, { secrets });
    const set = await conn.auth.useExternalTokens({ access_token: token });
    assert.equal(set.grant, 'external');
    assert.deepEqual([...secrets.map.keys()], [conn.auth.keys.externalTokens]);
    await conn.session.connect();
    const tools = await conn.session.listTools();
    assert.ok(tools.length > 0);
    assert.equal(fx.counters.authorize, authorizeBefore, 'no sign-in');
    const mcp = fx.requests.slice(seen).filter((r) => r.server === 'mcp' && r.method === 'POST');
    assert.ok(mcp.length > 0 && mcp.every((r) => r.headers.authorization === `Bearer ${token}`), 'every MCP request carried the pasted token');

    const again = t.connect(fx, { secrets });
    await again.auth.load();
    assert.equal(again.auth.tokens?.grant, 'external');
    assert.equal(again.auth.tokens?.access_token, token);

    // never in the trace or the log
    const recorded = [JSON.stringify(conn.trace.all()), conn.logger.lines.join('\n'), JSON.stringify(conn.session.messages.entries())].join('\n');
    assert.deepEqual(findLeaks(recorded, [token]), []);
  });

  it('a refused pasted token is replaced by a sign-in, and the pasted one is deleted', async () => {
    const fx = await t.fixture();
    const secrets = new MemorySecretStore();
    const conn = t.connect(fx, { secrets });
    await conn.auth.useExternalTokens({ access_token: 'not-a-token-the-server-knows' });
    await conn.session.connect();
    await conn.session.listTools();
    assert.equal(conn.auth.tokens?.grant, 'authorization_code');
    assert.equal(await secrets.get(conn.auth.keys.externalTokens), undefined);
  });

  it('Sign Out deletes the pasted token with every other secret of the server', async () => {
    const fx = await t.fixture();
    const secrets = new MemorySecretStore();
    const conn = t.connect(fx, { secrets });
    await conn.auth.useExternalTokens({ access_token: 'opaque-token-1', refresh_token: 'opaque-refresh-1' });
    await conn.auth.signOut();
    assert.equal(secrets.map.size, 0);
    assert.equal(conn.auth.tokens, undefined);
  });

  it('audience: a JWT for another resource is a mismatch naming both; one for this resource or its origin matches; an opaque token says nothing', async () => {
    const server = new URL('http://127.0.0.1:9/mcp');
    const other = externalTokenAudience(await jwt({ aud: 'https://api.other.example/' }), server.href, server);
    assert.deepEqual({ format: other.format, matches: other.matches, audience: other.audience, resource: other.resource }, { format: 'jwt', matches: false, audience: ['https://api.other.example/'], resource: server.href });
    assert.equal(externalTokenAudience(await jwt({ aud: [server.href, 'x'] }), server.href, server).matches, true);
    assert.equal(externalTokenAudience(await jwt({ aud: 'http://127.0.0.1:9/' }), server.href, server).matches, true, 'a resource covering the server URL');
    assert.equal(externalTokenAudience(await jwt({ sub: 'no aud' }), server.href, server).matches, undefined);
    assert.deepEqual(externalTokenAudience('opaque-abc', server.href, server), { format: 'opaque', resource: server.href });
  });

  it('an accepted audience mismatch marks every MCP request that carries the token, in the trace', async () => {
    const fx = await t.fixture();
    const token = await tokenFromElsewhere(fx);
    const conn = t.connect(fx);
    await conn.auth.useExternalTokens({ access_token: token, audienceMismatchAccepted: true });
    await conn.session.connect();
    await conn.session.listTools();
    const mcpExchanges = conn.trace.all().filter((e) => e.kind === 'http' && e.step.startsWith('MCP '));
    const marks = conn.trace.all().filter((e) => e.kind === 'note' && /user-supplied token, audience mismatch accepted/.test(e.message));
    assert.ok(mcpExchanges.length >= 2);
    assert.equal(marks.length, mcpExchanges.length, 'one mark per request');
  });

  it('an opaque token: introspection (RFC 7662) names its audience before it is kept — another resource is a mismatch, this one matches', async () => {
    const fx = await t.fixture();
    const id = 'confidential-byo';
    const secret = 'byo-introspection-secret-0123456789';
    fx.addClient({ client_id: id, client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' });
    fx.setOption('asMetadata', { introspection_endpoint: `${fx.issuer}/introspect`, introspection_endpoint_auth_methods_supported: ['client_secret_basic'] });
    const audOf: Record<string, string> = { 'pasted-for-other': 'https://api.other.example/', 'pasted-for-this': fx.mcpUrl };
    fx.intercept = (server, req, res) => {
      if (server !== 'as' || new URL(req.path, fx.issuer).pathname !== '/introspect') return false;
      const token = new URLSearchParams(req.body).get('token') ?? '';
      const known = fx.accessTokens.get(token);
      const body = audOf[token] ? { active: true, aud: audOf[token] } : known ? { active: true, aud: known.resource } : { active: false };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return true;
    };
    const conn = t.connect(fx, { client: { policy: 'preregistered', client_id: id, client_secret: secret, token_endpoint_auth_method: 'client_secret_basic' } });
    await conn.session.connect();
    const stored = conn.auth.tokens!.access_token;
    const resource = conn.auth.discovery!.resource;
    const other = introspectedAudience(await inspectConnectionToken(conn, 'pasted-for-other'), resource, conn.serverUrl);
    assert.deepEqual(other, { format: 'opaque', resource, audience: ['https://api.other.example/'], matches: false, source: 'introspection' });
    assert.equal(introspectedAudience(await inspectConnectionToken(conn, 'pasted-for-this'), resource, conn.serverUrl)?.matches, true);
    assert.equal(conn.auth.tokens!.access_token, stored, 'inspecting a candidate leaves the held token alone');
    // without introspection (no endpoint): nothing to say, the caller keeps the offline answer
    fx.setOption('asMetadata', {});
    await conn.auth.ensureDiscovery(undefined, true);
    assert.equal(introspectedAudience(await inspectConnectionToken(conn, 'pasted-for-other'), resource, conn.serverUrl), undefined);
  });

  it('a pasted value is checked: empty, whitespace inside, "Bearer " prefix are refused', () => {
    assert.throws(() => checkPastedToken('  ', 'access token'), (e: unknown) => isInspectorError(e, 'invalid_arguments'));
    assert.throws(() => checkPastedToken('Bearer abc', 'access token'), /whitespace/);
    assert.equal(checkPastedToken(' abc.def \n', 'access token'), 'abc.def');
  });

  describe('CLI --token-stdin', () => {
    it('reads the token from standard input, keeps it in memory only, and calls with it', async () => {
      const fx = await t.fixture();
      const token = await tokenFromElsewhere(fx);
      const secrets = new MemorySecretStore();
      const conn = t.connect(fx, { secrets });
      const text = await readStdinText(Readable.from([Buffer.from(`${token}\n`)]));
      const aud = await useTokenFromText(conn, text);
      assert.equal(aud.format, 'opaque');
      await conn.session.connect();
      await conn.session.listTools();
      assert.equal(conn.auth.tokens?.grant, 'external');
      assert.equal(secrets.map.size, 0, 'nothing stored');
    });

    it('a JWT for another resource is refused with resource_mismatch naming both, unless accepted', async () => {
      const fx = await t.fixture();
      const conn = t.connect(fx);
      const foreign = await jwt({ aud: 'https://api.other.example/' });
      await assert.rejects(useTokenFromText(conn, foreign), (e: unknown) => isInspectorError(e, 'resource_mismatch') && (e as Error).message.includes('https://api.other.example/') && (e as Error).message.includes(fx.mcpUrl));
      const held = () => conn.auth.tokens;
      assert.equal(held(), undefined);
      await useTokenFromText(conn, foreign, { acceptAudienceMismatch: true });
      assert.equal(held()?.audienceMismatchAccepted, true);
    });
  });
});
