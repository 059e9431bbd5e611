/**
 * The token panel's state (no vscode, no DOM): what the token says and what was checked, from a
 * token inspection (src/core/inspect/token.ts) and the server's OAuth state. Never the token itself,
 * nor the refresh token or client secret (only whether a refresh token exists); the in-host secret
 * search (test/integration/connect.test.ts) searches this state.
 */
import type { TokenInspection } from '../core/inspect/token';
import type { ToolInfo } from '../core/mcp/session';
import type { TokenClaimRow, TokenState } from '../shared/protocol';
import { serverSummary, type ServerSource } from './summaries';
import { tokenChecks } from './tokenChecks';

/** Claims whose number is a time (epoch seconds): the panel shows them as dates too. */
const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time', 'updated_at']);

function rows(o: Record<string, unknown> | undefined): TokenClaimRow[] | undefined {
  if (!o) return undefined;
  return Object.entries(o).map(([name, v]) => ({
    name,
    value: JSON.stringify(v, null, 2) ?? String(v),
    time: TIME_CLAIMS.has(name) && typeof v === 'number' && Number.isFinite(v) ? v : undefined,
  }));
}

/** `inspection` undefined: no token to inspect (not signed in). */
export function tokenState(c: ServerSource & { tools: readonly ToolInfo[] }, inspection: TokenInspection | undefined): TokenState {
  const auth = c.conn?.auth;
  const toolsKnown = c.state === 'connected';
  const tools = c.tools.map((t) => ({ name: t.tool.name, needed: t.security.scopesNeeded, missing: t.security.missing, covered: t.security.covered, requiresAuth: t.security.requiresAuth }));
  if (!inspection) return { server: serverSummary(c), signedIn: false, scopes: [], hasRefreshToken: false, findings: [], tools, toolsKnown };
  const t = auth?.tokens;
  return {
    server: serverSummary(c),
    signedIn: true,
    format: inspection.format,
    source: inspection.source,
    tokenType: t?.token_type,
    grant: t?.grant,
    clientId: auth?.client?.client_id,
    registration: auth?.client?.mode,
    header: rows(inspection.header),
    claims: rows(inspection.claims),
    verified: inspection.verified,
    issuer: inspection.issuer,
    audience: inspection.audience,
    expectedAudience: auth?.discovery?.resource,
    subject: inspection.subject,
    scopes: inspection.scopes,
    expiresAt: inspection.expiresAt ?? t?.expires_at,
    issuedAt: inspection.issuedAt ?? t?.issued_at,
    hasRefreshToken: !!t?.refresh_token,
    findings: tokenChecks(inspection.findings),
    tools,
    toolsKnown,
  };
}
