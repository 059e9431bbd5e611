/**
 * The token panel's state (src/present/tokenState.ts), built in plain Node from an inspection and
 * the server's OAuth state: what the panel shows, in the verification order, and never a secret.
 */
import * as assert from 'node:assert/strict';
import type { TokenInspection } from '../../../src/core/inspect/token';
import type { ToolInfo } from '../../../src/core/mcp/session';
import { toolSecurity } from '../../../src/core/mcp/toolSecurity';
import type { ConnectionFacts } from '../../../src/present/summaries';
import { tokenState } from '../../../src/present/tokenState';

const SECRETS = ['at-SECRET-1', 'rt-SECRET-2', 'cs-SECRET-3'];
const conn = {
  auth: {
    tokens: { access_token: SECRETS[0], refresh_token: SECRETS[1], token_type: 'Bearer', scope: 'todos.read', expires_at: 2_000_000_000, issued_at: 1_999_996_400, grant: 'authorization_code' },
    discovery: { as: { issuer: 'https://as.example' }, resource: 'https://mcp.example/mcp' },
    client: { mode: 'preregistered', client_id: 'inspector', client_secret: SECRETS[2] },
  },
  session: { negotiation: undefined },
} as unknown as ConnectionFacts;
const tool = (name: string, scopes: string[]): ToolInfo => {
  const t = { name, inputSchema: { type: 'object' as const }, securitySchemes: [{ type: 'oauth2', scopes }] };
  return { tool: t, security: toolSecurity(t, ['todos.read'], true, true) } as ToolInfo;
};
const inspection: TokenInspection = {
  format: 'jwt',
  header: { alg: 'RS256', kid: 'k1' },
  claims: { iss: 'https://as.example', exp: 2_000_000_000, scope: 'todos.read', note: 'x' },
  verified: true,
  issuer: 'https://as.example',
  audience: ['https://mcp.example/mcp'],
  scopes: ['todos.read'],
  source: 'jwt',
  findings: [
    { level: 'pass', code: 'not_expired', message: 'valid for 1 h' },
    { level: 'pass', code: 'signature_valid', message: 'signature verified' },
    { level: 'warn', code: 'audience_match', message: 'aud matches' },
  ],
};
const server = { entry: { id: 's', name: 'todo', url: 'https://mcp.example/mcp' }, state: 'connected' as const, conn, tools: [tool('read', ['todos.read']), tool('write', ['todos.write'])] };

describe('present/tokenState: the token panel state', () => {
  it('signed in: token facts, claims with their time claims marked, checks in verification order, tools against the token', () => {
    const s = tokenState(server, inspection);
    assert.equal(s.signedIn, true);
    assert.deepEqual([s.tokenType, s.grant, s.clientId, s.registration, s.expectedAudience], ['Bearer', 'authorization_code', 'inspector', 'preregistered', 'https://mcp.example/mcp']);
    assert.deepEqual(s.claims?.map((r) => [r.name, r.time]), [['iss', undefined], ['exp', 2_000_000_000], ['scope', undefined], ['note', undefined]]);
    assert.deepEqual(s.findings.map((f) => f.check), ['Signature', 'Audience', 'Lifetime'], 'signature, issuer, audience first');
    assert.equal(s.issuedAt, 1_999_996_400, 'from the token response when the JWT has no iat');
    assert.equal(s.hasRefreshToken, true);
    assert.deepEqual(s.tools.map((t) => [t.name, t.covered, t.missing]), [['read', true, []], ['write', false, ['todos.write']]]);
    assert.equal(s.toolsKnown, true);
    const text = JSON.stringify(s);
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `no ${secret.slice(0, 2)}… in the panel state`);
  });

  it('not signed in: the bare shape; tools not known until connected', () => {
    const s = tokenState({ ...server, state: 'disconnected' }, undefined);
    assert.deepEqual({ signedIn: s.signedIn, scopes: s.scopes, hasRefreshToken: s.hasRefreshToken, findings: s.findings, toolsKnown: s.toolsKnown }, { signedIn: false, scopes: [], hasRefreshToken: false, findings: [], toolsKnown: false });
    assert.equal(s.server.state, 'disconnected');
  });
});
