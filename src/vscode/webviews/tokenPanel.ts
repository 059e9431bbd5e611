import * as vscode from 'vscode';
import { inspectToken, type TokenInspection } from '../../core/inspect/token';
import { clientAuthentication } from '../../core/oauth/registration';
import type { TokenClaimRow, TokenState } from '../../shared/protocol';
import type { ServerConnection } from '../connections';
import type { PanelController } from './panels';
import { serverSummary } from './state';

const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time', 'updated_at']);

/** Inspect the stored access token (decode, verify against the issuer's JWKS, audience, scopes). */
export async function inspectCurrentToken(c: ServerConnection): Promise<TokenInspection | undefined> {
  const conn = c.ensureConn();
  await conn.auth.load();
  const t = conn.auth.tokens;
  const disc = conn.auth.discovery;
  if (!t || !disc) return undefined;
  const client = conn.auth.client;
  return inspectToken({
    token: t.access_token,
    expectedIssuer: disc.as.issuer,
    expectedAudience: disc.resource,
    jwksUri: disc.as.jwks_uri,
    grantedScopes: t.scope?.split(' '),
    expiresAt: t.expires_at,
    introspection:
      disc.as.introspection_endpoint && client && client.token_endpoint_auth_method !== 'none'
        ? { endpoint: disc.as.introspection_endpoint, issuer: disc.as.issuer, client_id: client.client_id, clientAuth: await clientAuthentication(client) }
        : undefined,
    fetch: conn.fetch,
  });
}

function rows(o: Record<string, unknown> | undefined): TokenClaimRow[] | undefined {
  if (!o) return undefined;
  return Object.entries(o).map(([name, v]) => ({
    name,
    value: JSON.stringify(v, null, 2) ?? String(v),
    time: TIME_CLAIMS.has(name) && typeof v === 'number' ? v : undefined,
  }));
}

export async function tokenState(c: ServerConnection): Promise<TokenState> {
  const inspection = await inspectCurrentToken(c);
  const auth = c.conn?.auth;
  const tools = c.tools.map((t) => ({ name: t.tool.name, needed: t.security.scopesNeeded, missing: t.security.missing, covered: t.security.covered, requiresAuth: t.security.requiresAuth }));
  if (!inspection) return { server: serverSummary(c), signedIn: false, scopes: [], hasRefreshToken: false, findings: [], tools };
  return {
    server: serverSummary(c),
    signedIn: true,
    format: inspection.format,
    header: rows(inspection.header),
    claims: rows(inspection.claims),
    verified: inspection.verified,
    issuer: inspection.issuer,
    audience: inspection.audience,
    expectedAudience: auth?.discovery?.resource,
    subject: inspection.subject,
    scopes: inspection.scopes,
    expiresAt: inspection.expiresAt ?? auth?.tokens?.expires_at,
    issuedAt: inspection.issuedAt,
    hasRefreshToken: !!auth?.tokens?.refresh_token,
    findings: inspection.findings.map((f) => ({ level: f.level, message: f.message })),
    tools,
  };
}

export function tokenController(): PanelController {
  return {
    kind: 'token',
    title: (c) => `Token — ${c.entry.name}`,
    async state(panel) {
      return { method: 'state/token', params: await tokenState(panel.server) };
    },
    requests: {
      'auth/refresh': async (panel) => {
        await panel.server.ensureConn().auth.refresh();
        panel.server.recomputeSecurity();
        return serverSummary(panel.server);
      },
      'auth/signOut': async (panel) => {
        const r = await panel.server.ensureConn().auth.signOut();
        panel.server.recomputeSecurity();
        panel.notify('toast', { level: r.errors.length ? 'warn' : 'pass', message: `Signed out: ${r.revoked ? 'tokens revoked and' : 'no revocation offered;'} every stored secret deleted.` });
        return serverSummary(panel.server);
      },
      'token/copy': async (panel) => {
        const auth = panel.server.ensureConn().auth;
        await auth.load();
        const token = auth.tokens?.access_token;
        if (!token) return { copied: false };
        await vscode.env.clipboard.writeText(token);
        panel.s.log.info(`copied the access token of ${panel.server.entry.name} to the clipboard (user action)`);
        panel.notify('toast', { level: 'info', message: 'Access token copied to the clipboard.' });
        return { copied: true };
      },
    },
  };
}
