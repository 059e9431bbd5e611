// Tool-level auth challenges: a tools/call result with `isError` + `_meta["mcp/www_authenticate"]`
// (the OpenAI Apps SDK form) starts the same sign-in / step-up as an HTTP 401/403, then the call is
// retried. Driven against the OAuth fixture (real AS, real AuthManager) whose MCP server answers the
// protected tool's call itself through `intercept`.
import { strict as assert } from 'node:assert';
import type { ServerResponse } from 'node:http';
import { isInspectorError } from '../../../src/core/errors';
import { createGuardedFetch } from '../../../src/core/http/guardedFetch';
import { Redactor } from '../../../src/core/http/redact';
import { Trace } from '../../../src/core/http/trace';
import { McpSession } from '../../../src/core/mcp/session';
import type { AuthManager, ChallengeInfo } from '../../../src/core/oauth/authManager';
import { nullLogger } from '../../../src/core/ports';
import { connectTo, findLeaks, startOAuthFixture, type Fixture, type FixtureRequest } from '../../fixtures/oauthFixture';
import { PROTECTED_TOOL_TOKEN, startMcpServer } from '../../fixtures/mcpServers';

const textOf = (r: { content: Array<{ type: string; text?: string }> }) => r.content.map((c) => c.text ?? '').join('');

/** Answer tools/call of `tool` with a tool-level challenge unless the bearer token holds `scope`. */
function challengeUnlessScope(fx: Fixture, tool: string, scope: string, challenge = (f: Fixture) => `Bearer error="insufficient_scope", scope="${scope}", resource_metadata="${f.resourceMetadataUrl}"`) {
  const seen: Array<{ authorization?: string }> = [];
  fx.intercept = (server: 'as' | 'mcp', req: FixtureRequest, res: ServerResponse) => {
    if (server !== 'mcp' || req.method !== 'POST') return false;
    let msg: { id?: unknown; method?: string; params?: { name?: string } };
    try {
      msg = JSON.parse(req.body) as typeof msg;
    } catch {
      return false;
    }
    if (msg.method !== 'tools/call' || msg.params?.name !== tool) return false;
    seen.push({ authorization: req.headers.authorization });
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token && fx.accessTokens.get(token)?.scopes.includes(scope)) return false; // the fixture's own handling → "ok: <tool>"
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: msg.id,
        result: { isError: true, content: [{ type: 'text', text: 'sign in first' }], _meta: { 'mcp/www_authenticate': challenge(fx) } },
      }),
    );
    return true;
  };
  return seen;
}

describe('McpSession tool-level challenges', () => {
  let fx: Fixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it('an anonymous call of a protected tool signs in with the challenged scope and retries', async () => {
    fx = await startOAuthFixture({ anonymousTools: true, tools: [{ name: 'public' }, { name: 'files_write', securitySchemes: [{ type: 'oauth2', scopes: ['files:write'] }] }] });
    const seen = challengeUnlessScope(fx, 'files_write', 'files:write');
    const conn = connectTo(fx);
    try {
      await conn.session.connect();
      assert.equal(conn.auth.tokens, undefined, 'no sign-in needed to connect');
      const before = (await conn.session.listTools()).find((t) => t.tool.name === 'files_write')!;
      assert.equal(before.security.covered, false);
      assert.deepEqual(before.security.missing, ['files:write']);

      const r = await conn.session.callTool('files_write', {});
      assert.equal(r.isError, undefined, textOf(r));
      assert.equal(textOf(r), 'ok: files_write');
      assert.equal(seen.length, 2, 'called once without a token, retried once with one');
      assert.equal(seen[0].authorization, undefined);
      assert.match(seen[1].authorization ?? '', /^Bearer /);
      assert.equal(fx.counters.authorize, 1);
      assert.equal(conn.browser.opened.length, 1);
      assert.deepEqual(conn.browser.opened[0].url.searchParams.get('scope')?.split(' '), ['files:write']);
      assert.deepEqual(conn.auth.grantedScopes(), ['files:write']);
      const after = conn.session.securityOf(before.tool);
      assert.equal(after.covered, true);

      // The public tool never needed a token and still works with one.
      assert.equal(textOf(await conn.session.callTool('public')), 'ok: public');
      const outputs = [JSON.stringify(conn.trace.all()), ...conn.logger.lines].join('\n');
      assert.deepEqual(findLeaks(outputs, fx.allSecrets()), []);
    } finally {
      await conn.close();
    }
  });

  it('a signed-in call that is challenged for more scope steps up (union of scopes)', async () => {
    fx = await startOAuthFixture({ anonymousTools: true, tools: [{ name: 'read' }, { name: 'admin' }] });
    // Two intercepts, chained (each call replaces fx.intercept).
    const readSeen = challengeUnlessScope(fx, 'read', 'files:read');
    const first = fx.intercept!;
    const adminSeen = challengeUnlessScope(fx, 'admin', 'admin');
    const second = fx.intercept!;
    fx.intercept = async (s, q, r) => (await first(s, q, r)) || second(s, q, r);
    const conn = connectTo(fx);
    try {
      await conn.session.connect();
      assert.equal(textOf(await conn.session.callTool('read')), 'ok: read');
      assert.deepEqual(conn.auth.grantedScopes(), ['files:read']);
      assert.equal(textOf(await conn.session.callTool('admin')), 'ok: admin');
      assert.equal(adminSeen.length, 2);
      assert.equal(readSeen.length, 2);
      assert.equal(fx.counters.authorize, 2);
      const stepUpScope = conn.browser.opened[1].url.searchParams.get('scope')?.split(' ').sort();
      assert.deepEqual(stepUpScope, ['admin', 'files:read'], 'step-up asks for the union with what is held');
    } finally {
      await conn.close();
    }
  });

  it('a tool that challenges forever is bounded by the attempt limit', async () => {
    fx = await startOAuthFixture({ anonymousTools: true, tools: [{ name: 'never' }] });
    // The AS grants files:read only; the tool wants files:write and keeps challenging.
    fx.setOption('grantableScopes', ['files:read']);
    const seen = challengeUnlessScope(fx, 'never', 'files:write');
    const conn = connectTo(fx);
    try {
      await conn.session.connect();
      await assert.rejects(conn.session.callTool('never'), (err: unknown) => {
        assert.ok(isInspectorError(err, 'insufficient_scope'), String(err));
        assert.match(err.message, /never/);
        assert.deepEqual(findLeaks(err.message, fx!.allSecrets()), []);
        return true;
      });
      // The HTTP 200 that carries the challenge must not reset the attempt counter (it once did: endless sign-ins).
      assert.equal(seen.length, 4, 'the first call and 3 retries');
      assert.equal(fx.counters.authorize, 3);
    } finally {
      await conn.close();
    }
  });

  /**
   * Answer tools/call of `tool` with a tool-level challenge (`challenge`, a string or an array of
   * strings) while `refuse(token)` says so; otherwise the fixture's own handling ("ok: <tool>").
   */
  function challengeWhile(f: Fixture, tool: string, refuse: (token: string | undefined) => boolean, challenge: string | string[]) {
    const seen: Array<string | undefined> = [];
    f.intercept = (server, req, res) => {
      if (server !== 'mcp' || req.method !== 'POST') return false;
      const msg = JSON.parse(req.body) as { id?: unknown; method?: string; params?: { name?: string } };
      if (msg.method !== 'tools/call' || msg.params?.name !== tool) return false;
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      seen.push(token);
      if (!refuse(token)) return false;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { isError: true, content: [{ type: 'text', text: 'token refused' }], _meta: { 'mcp/www_authenticate': challenge } } }));
      return true;
    };
    return seen;
  }

  // Once found by an audit: with a token, every tool-level challenge was reported as a 403, and a 403
  // without insufficient_scope is ignored, so these came back as plain error results.
  it('the array form through callTool, signed in: ["Basic …", "Bearer error=invalid_token"] → refresh, one retry with the new token', async () => {
    fx = await startOAuthFixture({ tools: [{ name: 'files' }] });
    const conn = connectTo(fx);
    try {
      await conn.session.connect();
      const first = conn.auth.tokens!.access_token;
      const seen = challengeWhile(fx, 'files', (t) => t === first, ['Basic realm="legacy"', `Bearer error="invalid_token", error_description="expired", resource_metadata="${fx.resourceMetadataUrl}"`]);
      const r = await conn.session.callTool('files');
      assert.equal(r.isError, undefined, textOf(r));
      assert.equal(textOf(r), 'ok: files');
      assert.equal(fx.counters.refresh, 1);
      assert.equal(fx.counters.authorize, 1, 'the refresh was enough: no new sign-in');
      assert.deepEqual(seen, [first, conn.auth.tokens!.access_token]);
      assert.notEqual(seen[1], first);
      assert.deepEqual(findLeaks([JSON.stringify(conn.trace.all()), ...conn.logger.lines].join('\n'), fx.allSecrets()), []);
    } finally {
      await conn.close();
    }
  });

  it('error="invalid_token" while signed in and no refresh token → signs in again, retries once', async () => {
    fx = await startOAuthFixture({ tools: [{ name: 'files' }], issueRefreshTokens: false });
    const conn = connectTo(fx);
    try {
      await conn.session.connect();
      const first = conn.auth.tokens!.access_token;
      const seen = challengeWhile(fx, 'files', (t) => t === first, `Bearer error="invalid_token", resource_metadata="${fx.resourceMetadataUrl}"`);
      const r = await conn.session.callTool('files');
      assert.equal(textOf(r), 'ok: files');
      assert.equal(fx.counters.refresh, 0);
      assert.equal(fx.counters.authorize, 2);
      assert.equal(conn.browser.opened.length, 2);
      assert.equal(seen.length, 2);
      assert.equal(seen[1], conn.auth.tokens!.access_token);
    } finally {
      await conn.close();
    }
  });

  it('a challenge with no error while signed in → the 401 path too (refresh), not ignored', async () => {
    fx = await startOAuthFixture({ tools: [{ name: 'files' }] });
    const conn = connectTo(fx);
    try {
      await conn.session.connect();
      const first = conn.auth.tokens!.access_token;
      challengeWhile(fx, 'files', (t) => t === first, `Bearer resource_metadata="${fx.resourceMetadataUrl}"`);
      assert.equal(textOf(await conn.session.callTool('files')), 'ok: files');
      assert.equal(fx.counters.refresh, 1);
    } finally {
      await conn.close();
    }
  });

  it('10 concurrent calls challenged with invalid_token → one refresh, no new sign-in, every call succeeds', async () => {
    fx = await startOAuthFixture({ tools: [{ name: 'files' }] });
    const conn = connectTo(fx);
    try {
      await conn.session.connect();
      const first = conn.auth.tokens!.access_token;
      challengeWhile(fx, 'files', (t) => t === first, `Bearer error="invalid_token", resource_metadata="${fx.resourceMetadataUrl}"`);
      const results = await Promise.all(Array.from({ length: 10 }, () => conn.session.callTool('files')));
      assert.ok(results.every((r) => textOf(r) === 'ok: files'));
      assert.equal(fx.counters.refresh, 1, 'the calls that carried the replaced token retry with the new one');
      assert.equal(fx.counters.authorize, 1);
    } finally {
      await conn.close();
    }
  });

  it('a tool that keeps answering invalid_token while signed in → one refresh, 3 sign-ins, then unauthorized', async () => {
    fx = await startOAuthFixture({ tools: [{ name: 'files' }] });
    const conn = connectTo(fx);
    try {
      await conn.session.connect();
      const seen = challengeWhile(fx, 'files', () => true, [`Bearer error="invalid_token", resource_metadata="${fx.resourceMetadataUrl}"`]);
      await assert.rejects(conn.session.callTool('files'), (err: unknown) => {
        assert.ok(isInspectorError(err, 'unauthorized'), String(err));
        assert.match(err.message, /tools\/call files/);
        assert.match(err.message, /3 authorization attempts/);
        assert.deepEqual(findLeaks(err.message, fx!.allSecrets()), []);
        return true;
      });
      assert.equal(fx.counters.refresh, 1);
      assert.equal(fx.counters.authorize, 1 + 3);
      assert.equal(seen.length, 5, 'the first call, the retry after the refresh, and one after each sign-in');
    } finally {
      await conn.close();
    }
  });

  it('a challenge naming a scope the token lacks (no error) while signed in → step-up with the union', async () => {
    fx = await startOAuthFixture({ requiredScopes: ['read'], tools: [{ name: 'files' }] });
    const conn = connectTo(fx);
    try {
      await conn.session.connect();
      const seen = challengeWhile(fx, 'files', (t) => !(t && fx!.accessTokens.get(t)?.scopes.includes('files:write')), `Bearer scope="files:write", resource_metadata="${fx.resourceMetadataUrl}"`);
      assert.equal(textOf(await conn.session.callTool('files')), 'ok: files');
      assert.equal(fx.counters.refresh, 0);
      assert.deepEqual(conn.browser.opened.map((o) => o.url.searchParams.get('scope')), ['read', 'read files:write']);
      assert.equal(seen.length, 2);
    } finally {
      await conn.close();
    }
  });

  it('handleChallenge answering "no retry" returns the challenged result as is (AuthManager-shaped stub)', async () => {
    const srv = await startMcpServer();
    const calls: ChallengeInfo[] = [];
    let token: string | undefined;
    const succeeded: string[] = [];
    const stub = {
      opts: { serverUrl: srv.url },
      discovery: undefined,
      get tokens() {
        return token ? { access_token: token, token_type: 'bearer', scope: 'files:write' } : undefined;
      },
      accessToken: async () => token,
      grantedScopes: () => (token ? ['files:write'] : []),
      succeeded: (op: string) => void succeeded.push(op),
      handleChallenge: async (info: ChallengeInfo) => {
        calls.push(info);
        if (calls.length > 1) return false;
        token = PROTECTED_TOOL_TOKEN;
        return true;
      },
    };
    const fetch = createGuardedFetch({ policy: { trustedOrigin: srv.url }, trace: new Trace(), redactor: new Redactor(), timeoutMs: 5000 });
    const s = new McpSession({ target: { kind: 'http', url: srv.url }, fetch, auth: stub as unknown as AuthManager, logger: nullLogger });
    try {
      await s.connect();
      // First: the stub signs in and the retry succeeds.
      const ok = await s.callTool('protected');
      assert.equal(textOf(ok), 'protected ok');
      assert.equal(calls.length, 1);
      assert.equal(calls[0].status, 401, 'no token yet → treated as a 401');
      assert.equal(calls[0].hadToken, false);
      assert.equal(calls[0].op, 'tools/call protected');
      assert.match(calls[0].header ?? '', /insufficient_scope/);
      assert.ok(succeeded.includes('tools/call protected'));
      const sent = srv.requests.filter((r) => r.method === 'POST').map((r) => r.authorization);
      assert.ok(sent.includes(`Bearer ${PROTECTED_TOOL_TOKEN}`));

      // Then the token stops being enough: the stub declines, the error result comes back as is.
      token = 'stale';
      const r = await s.callTool('protected');
      assert.equal(r.isError, true);
      assert.equal(calls.length, 2);
      assert.equal(calls[1].status, 403, 'with a token → treated as a 403 (step-up)');
      assert.equal(calls[1].hadToken, true);
    } finally {
      await s.close();
      await srv.close();
    }
  });
});
