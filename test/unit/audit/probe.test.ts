/**
 * The audit's probe: one raw MCP request with exactly the credentials given, on either protocol era,
 * recorded in the trace (redacted) and parsed (status, challenge, JSON-RPC message, tool-level challenge).
 */
import { strict as assert } from 'node:assert';
import { createProbe } from '../../../src/core/audit/probe';
import type { AuditFacts } from '../../../src/core/audit/context';
import { startMcpServerV2 } from '../../fixtures/mcpServerV2';
import { findLeaks, useOAuthFixtures } from '../../fixtures/oauthFixture';

describe('audit probe', () => {
  const { fixture, connect, track } = useOAuthFixtures();

  it('session era: initialize with the same credentials first; no token → 401 with the parsed challenge', async () => {
    const fx = await fixture({ requiredScopes: ['mcp:read'] });
    const conn = connect(fx);
    const facts: AuditFacts = { era: 'legacy', protocolVersion: '2025-06-18' };
    const probe = createProbe({ conn, facts });
    const r = await probe('tools/list', undefined, { kind: 'none' });
    assert.equal(r.status, 401);
    assert.equal(r.challenge?.scheme, 'bearer');
    assert.equal(r.challenge?.resource_metadata, fx.resourceMetadataUrl);
    assert.equal(r.challenge?.scope, 'mcp:read');
    const entry = conn.trace.all().find((e) => e.id === r.exchange);
    assert.ok(entry && entry.kind === 'http' && entry.response?.status === 401);
    // the refused initialize is the answer: nothing else was sent
    const posts = fx.requests.filter((q) => q.server === 'mcp' && q.method === 'POST');
    assert.equal(posts.length, 1);
    assert.match(posts[0].body, /"initialize"/);
  });

  it('session era: a real token gets the result; a forged one 401 invalid_token; the query-string token is in no trace entry', async () => {
    const fx = await fixture({ anonymousTools: true, toolScopes: { echo: ['mcp:write'] } });
    const conn = connect(fx);
    await conn.session.connect();
    const token = (await conn.auth.authorize('mcp:write')).access_token;
    const facts: AuditFacts = { era: 'legacy', protocolVersion: conn.session.protocolVersion };
    const probe = createProbe({ conn, facts });
    const ok = await probe('tools/call', { name: 'echo', arguments: {} }, { kind: 'bearer', token });
    assert.equal(ok.status, 200);
    assert.ok(ok.message?.result);
    const anon = await probe('tools/call', { name: 'echo', arguments: {} }, { kind: 'none' });
    assert.equal(anon.status, 401);
    const forged = `${token}x-forged`;
    const bad = await probe('tools/call', { name: 'echo', arguments: {} }, { kind: 'bearer', token: forged });
    assert.equal(bad.status, 401);
    assert.equal(bad.challenge?.error, 'invalid_token');
    const q = await probe('tools/call', { name: 'echo', arguments: {} }, { kind: 'query', token });
    assert.equal(q.status, 401, 'the fixture reads only the header');
    const text = JSON.stringify(conn.trace.all());
    assert.deepEqual(findLeaks(text, [token, forged]), []);
  });

  it('stateless era: the envelope and the standard headers go out; tools/call names the tool', async () => {
    const v2 = await startMcpServerV2();
    track(v2);
    const fx = await fixture();
    const conn = connect(fx, { serverUrl: v2.url.href });
    const facts: AuditFacts = { era: 'stateless', protocolVersion: '2026-07-28' };
    const probe = createProbe({ conn, facts });
    const r = await probe('tools/call', { name: 'echo', arguments: { text: 'hi' } }, { kind: 'none' });
    assert.equal(r.status, 200);
    assert.deepEqual((r.message?.result as { content: unknown }).content, [{ type: 'text', text: 'hi' }]);
    const sent = v2.requests.at(-1)!;
    assert.equal(sent.headers['mcp-protocol-version'], '2026-07-28');
    assert.equal(sent.headers['mcp-method'], 'tools/call');
    assert.equal(sent.headers['mcp-name'], 'echo');
    const meta = (sent.body?.params as { _meta: Record<string, unknown> })._meta;
    assert.equal(meta['io.modelcontextprotocol/protocolVersion'], '2026-07-28');
    // x-mcp-header parameters are mirrored (SEP-2243), or the server would refuse the call
    facts.tools = [{ name: 'regional', inputSchema: { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' } } } }];
    const reg = await probe('tools/call', { name: 'regional', arguments: { region: 'eu-west' } }, { kind: 'none' });
    assert.equal(reg.status, 200, JSON.stringify(reg.message));
    assert.equal(v2.requests.at(-1)!.headers['mcp-param-region'], 'eu-west');
  });

  it('a tool-level challenge in the result is parsed', async () => {
    const fx = await fixture({
      anonymousTools: true,
      tools: [{ name: 'guarded', result: { isError: true, content: [{ type: 'text', text: 'sign in' }], _meta: { 'mcp/www_authenticate': ['Bearer resource_metadata="https://x.example/prm", error="insufficient_scope", scope="a b"'] } } }],
    });
    const conn = connect(fx);
    const probe = createProbe({ conn, facts: { era: 'legacy' } });
    const r = await probe('tools/call', { name: 'guarded', arguments: {} }, { kind: 'none' });
    assert.equal(r.status, 200);
    assert.equal(r.toolChallenge?.error, 'insufficient_scope');
    assert.equal(r.toolChallenge?.scope, 'a b');
  });
});
