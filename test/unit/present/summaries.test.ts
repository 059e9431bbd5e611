/**
 * The tools panel's security view (src/present/summaries.ts): a
 * tool declared public that the server refused without a token carries the disagreement to the panel.
 */
import * as assert from 'node:assert/strict';
import type { ToolInfo } from '../../../src/core/mcp/session';
import { toolSecurity } from '../../../src/core/mcp/toolSecurity';
import { signedInLine, toolsHuman } from '../../../src/cli/output';
import { authRows, authSummary, relativeTime, securityView, serverSummary, toolAccess, type AuthSummary, type ConnectionFacts } from '../../../src/present/summaries';

const info = (refused?: { status: number; via: 'http' | 'tool-result'; at: number }): ToolInfo => {
  const tool = { name: 'public_info', inputSchema: { type: 'object' as const }, securitySchemes: [{ type: 'noauth' }] };
  return { tool, security: toolSecurity(tool, [], false, true, refused) } as ToolInfo;
};

describe('present/summaries: the security view', () => {
  it('carries declared-versus-observed to the panel: what was declared, the status, the sentence', () => {
    const v = securityView(info({ status: 401, via: 'http', at: 1 }));
    assert.equal(v.kind, 'public', 'the declaration as declared');
    assert.deepEqual(v.mismatch, { declared: 'public (noauth)', status: 401, message: 'declared public (noauth), but the server answered 401 to a call without a token' });
  });

  it('nothing observed: no mismatch field at all (the panel state stays the same size)', () => {
    assert.equal('mismatch' in securityView(info()), false);
  });
});

/**
 * One model, two renderers: the summary of who is signed in where (src/present/summaries.ts) is what
 * the panels' server bar carries (serverSummary → state/tools, state/token, state/flow) and what the
 * CLI prints (src/cli/output.ts) and emits as --json `auth`. The same facts must come out of both.
 */
describe('present/summaries: one model, the panel state and the CLI text', () => {
  const EXPIRES = 1_900_000_000;
  const facts = (signedIn: boolean) =>
    ({
      auth: {
        tokens: signedIn ? { access_token: 'at-SECRET-123', refresh_token: 'rt-SECRET-456', token_type: 'Bearer', scope: 'mcp:tools  files:read', expires_at: EXPIRES } : undefined,
        discovery: { as: { issuer: 'https://as.example' }, resource: 'https://mcp.example/mcp', backCompat: false },
        client: { mode: 'dcr', client_id: 'client-1', token_endpoint_auth_method: 'none' },
      },
      session: { negotiation: { protocolVersion: '2026-07-28', era: 'stateless-2026', negotiatedBy: 'discover' } },
    }) as unknown as ConnectionFacts;
  const entry = { id: 'srv', name: 'todo', url: 'https://mcp.example/mcp' };
  const cliText = (model: AuthSummary) => toolsHuman({ server: { name: 'todo', version: '1.0', url: entry.url, transport: 'streamable-http' }, auth: model, tools: [] });

  it('signed in: the panel bar and the CLI line show the same issuer, client, scopes and expiry', () => {
    const conn = facts(true);
    const model = authSummary(conn.auth);
    assert.deepEqual(model.scopes, ['mcp:tools', 'files:read'], 'RFC 6749 §3.3 scope list, no empty names');

    const panel = serverSummary({ entry, state: 'connected', conn });
    assert.deepEqual(
      { signedIn: panel.signedIn, issuer: panel.issuer, scopes: panel.scopes, expiresAt: panel.expiresAt },
      { signedIn: model.signedIn, issuer: model.issuer, scopes: model.scopes, expiresAt: model.expiresAt },
    );
    assert.equal(panel.protocol, 'MCP 2026-07-28, stateless (server/discover)');

    const text = cliText(model);
    const line = text.split('\n')[1];
    assert.equal(line, signedInLine(model));
    assert.equal(line, `Signed in at https://as.example as client client-1 (dcr); scopes: mcp:tools files:read; expires ${new Date(EXPIRES * 1000).toISOString()}`);
    for (const secret of ['at-SECRET-123', 'rt-SECRET-456']) {
      assert.ok(!JSON.stringify(panel).includes(secret) && !text.includes(secret) && !JSON.stringify(model).includes(secret), 'never a token, only whether there is one');
    }
    assert.equal(model.hasRefreshToken, true);
  });

  it('not signed in: the panel bar says so and the CLI says so, from the same model', () => {
    const conn = facts(false);
    const model = authSummary(conn.auth);
    const panel = serverSummary({ entry, state: 'connected', conn });
    assert.equal(panel.signedIn, false);
    assert.deepEqual(panel.scopes, []);
    assert.equal(cliText(model).split('\n')[1], 'Not signed in (no operation needed a token yet)');
  });

  it('a server not built yet (no engine connection): a summary all the same, nothing signed in', () => {
    const panel = serverSummary({ entry, state: 'disconnected' });
    assert.equal(panel.signedIn, false);
    assert.equal(panel.protocol, undefined);
    assert.equal(signedInLine(authSummary(undefined)), 'Not signed in (no operation needed a token yet)');
  });

  it("the tree's Authorization rows read the same model: issuer, registration, expiry, scopes, refresh token", () => {
    const now = (EXPIRES - 240) * 1000;
    const rows = authRows(authSummary(facts(true).auth), now);
    assert.deepEqual(
      rows.map((r) => [r.label, r.label === 'Token expires' ? r.value.split(' · ')[0] : r.value]),
      [
        ['Authorization server', 'https://as.example'],
        ['Registration', 'dcr · client-1'],
        ['Token expires', 'in 4 min'],
        ['Granted scopes', 'mcp:tools files:read'],
        ['Refresh token', 'yes'],
      ],
    );
    const out = authRows(authSummary(facts(false).auth), now);
    assert.deepEqual(out.map((r) => r.label), ['Authorization server', 'Registration', 'Token']);
    assert.equal(relativeTime(now - 7_200_000, now).split(' · ')[0], '2 h ago (expired)');
  });

  it('tool access: the tree, the quick pick and the CLI share one decision', () => {
    assert.equal(toolAccess({ covered: true, requiresAuth: false }), 'open');
    assert.equal(toolAccess({ covered: true, requiresAuth: true }), 'unlocked');
    assert.equal(toolAccess({ covered: false, requiresAuth: true }), 'locked');
  });
});
