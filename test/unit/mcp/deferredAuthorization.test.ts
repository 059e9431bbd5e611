// `callTool(…, { authorize: false })`: a front end that asks the user before signing in ("Sign in and
// call") gets a typed error with the scopes the server asks for — for HTTP 401, HTTP 403
// insufficient_scope and tool-level challenges alike — and nothing is opened. Refreshing an expired
// token still happens (it needs no person). The default (CLI, conformance) still signs in by itself.
import { strict as assert } from 'node:assert';
import type { ServerResponse } from 'node:http';
import { isInspectorError, type InspectorError } from '../../../src/core/errors';
import { connectTo, expectInspectorError, findLeaks, startOAuthFixture, type Fixture, type FixtureRequest } from '../../fixtures/oauthFixture';

const textOf = (r: { content: Array<{ type: string; text?: string }> }) => r.content.map((c) => c.text ?? '').join('');

describe('deferred authorization (callTool with authorize: false)', () => {
  let fx: Fixture | undefined;
  const conns: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const c of conns.splice(0)) await c.close();
    await fx?.close();
    fx = undefined;
  });
  const connect = (f: Fixture) => {
    const c = connectTo(f);
    conns.push(c);
    return c;
  };

  it('HTTP 401 on an anonymous call → authorization_required with the scopes, no browser, no authorization', async () => {
    fx = await startOAuthFixture({ anonymousTools: true, toolScopes: { files_read: ['files:read'] }, tools: [{ name: 'public' }, { name: 'files_read' }] });
    const conn = connect(fx);
    await conn.session.connect();
    const err = await expectInspectorError(conn.session.callTool('files_read', {}, { authorize: false }), 'authorization_required', 'tools/call files_read');
    assert.deepEqual(err.scopes, ['files:read']);
    assert.equal(err.step, 'authorization');
    assert.match(err.hint ?? '', /Sign in/);
    assert.equal(conn.browser.opened.length, 0, 'no browser opened');
    assert.equal(fx.counters.authorize, 0);
    assert.equal(conn.auth.tokens, undefined);
    // the public tool still works anonymously in the same mode
    assert.equal(textOf(await conn.session.callTool('public', {}, { authorize: false })), 'ok: public');
    // the trace says why nothing was opened
    assert.ok(conn.trace.all().some((e) => e.kind === 'note' && /not signing in/.test(e.message)));
    // and the default mode signs in and calls, as before (the retry counter was not used up)
    assert.equal(textOf(await conn.session.callTool('files_read')), 'ok: files_read');
    assert.equal(fx.counters.authorize, 1);
  });

  it('HTTP 403 insufficient_scope with a token → insufficient_scope naming what is missing; the old token stays', async () => {
    fx = await startOAuthFixture({ anonymousTools: true, toolScopes: { files_read: ['files:read'], files_write: ['files:read', 'files:write'] }, tools: [{ name: 'files_read' }, { name: 'files_write' }] });
    const conn = connect(fx);
    await conn.session.connect();
    await conn.session.callTool('files_read');
    assert.deepEqual(conn.auth.grantedScopes(), ['files:read']);
    const token = conn.auth.tokens!.access_token;
    const err = await expectInspectorError(conn.session.callTool('files_write', {}, { authorize: false }), 'insufficient_scope', 'missing files:write');
    assert.deepEqual(err.scopes, ['files:read', 'files:write']);
    assert.equal(err.step, 'step-up');
    assert.equal(fx.counters.authorize, 1, 'no second authorization');
    assert.equal(conn.auth.tokens?.access_token, token, 'the token is kept');
    assert.deepEqual(findLeaks(`${err.message} ${err.hint}`, fx.allSecrets()), []);
  });

  it('a tool-level challenge on an anonymous call → authorization_required (nothing to step up from); not retried', async () => {
    fx = await startOAuthFixture({ anonymousTools: true, tools: [{ name: 'secret' }] });
    let calls = 0;
    fx.intercept = (server: 'as' | 'mcp', req: FixtureRequest, res: ServerResponse) => {
      if (server !== 'mcp' || req.method !== 'POST') return false;
      const msg = JSON.parse(req.body) as { id?: unknown; method?: string; params?: { name?: string } };
      if (msg.method !== 'tools/call' || msg.params?.name !== 'secret' || req.headers.authorization) return false;
      calls++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { isError: true, content: [{ type: 'text', text: 'sign in' }], _meta: { 'mcp/www_authenticate': `Bearer error="insufficient_scope", scope="notes:read", resource_metadata="${fx!.resourceMetadataUrl}"` } } }));
      return true;
    };
    const conn = connect(fx);
    await conn.session.connect();
    const err = await expectInspectorError(conn.session.inspectToolCall('secret', {}, { authorize: false }), 'authorization_required');
    assert.deepEqual(err.scopes, ['notes:read']);
    assert.equal(calls, 1);
    assert.equal(conn.browser.opened.length, 0);
    // with authorization allowed, it signs in and the retry succeeds
    const r = await conn.session.inspectToolCall('secret', {});
    assert.equal(textOf(r.result), 'ok: secret');
    assert.equal(fx.counters.authorize, 1);
  });

  it('a challenge without scope reports what scope selection would ask for (scopes_supported)', async () => {
    fx = await startOAuthFixture({ anonymousTools: true, toolScopes: { locked: [] }, tools: [{ name: 'locked' }], prm: { scopes_supported: ['a', 'b'] } });
    // the fixture's challenge for this tool carries no scope: make the tool need a token at all
    fx.intercept = (server: 'as' | 'mcp', req: FixtureRequest, res: ServerResponse) => {
      if (server !== 'mcp' || req.method !== 'POST' || req.headers.authorization) return false;
      const msg = JSON.parse(req.body) as { method?: string; params?: { name?: string } };
      if (msg.method !== 'tools/call') return false;
      res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${fx!.resourceMetadataUrl}"`, 'content-type': 'application/json' });
      res.end('{}');
      return true;
    };
    const conn = connect(fx);
    await conn.session.connect();
    const err: InspectorError = await expectInspectorError(conn.session.callTool('locked', {}, { authorize: false }), 'authorization_required');
    assert.deepEqual(err.scopes, ['a', 'b']);
    assert.ok(!err.scopes?.includes('offline_access'));
  });

  it('an expired token is still refreshed without asking (refresh needs no person)', async () => {
    fx = await startOAuthFixture({ anonymousTools: true, toolScopes: { files_read: ['files:read'] }, tools: [{ name: 'files_read' }] });
    const conn = connect(fx);
    await conn.session.connect();
    await conn.session.callTool('files_read');
    fx.expireAllAccessTokens();
    const r = await conn.session.callTool('files_read', {}, { authorize: false });
    assert.equal(textOf(r), 'ok: files_read');
    assert.equal(fx.counters.refresh, 1);
    assert.equal(fx.counters.authorize, 1);
  });

  it('the deferral is per operation and ends with the call: a concurrent default call of another tool still signs in', async () => {
    fx = await startOAuthFixture({ anonymousTools: true, toolScopes: { a: ['s:a'], b: ['s:b'] }, tools: [{ name: 'a' }, { name: 'b' }] });
    const conn = connect(fx);
    await conn.session.connect();
    const [ra, rb] = await Promise.allSettled([conn.session.callTool('a', {}, { authorize: false }), conn.session.callTool('b')]);
    assert.equal(ra.status, 'rejected');
    assert.ok(isInspectorError((ra as PromiseRejectedResult).reason, 'authorization_required'));
    assert.equal(rb.status, 'fulfilled');
    assert.equal(textOf((rb as PromiseFulfilledResult<{ content: Array<{ type: string; text?: string }> }>).value), 'ok: b');
    // after the deferred call, the same tool signs in by default again
    assert.equal(textOf(await conn.session.callTool('a')), 'ok: a');
  });
});
