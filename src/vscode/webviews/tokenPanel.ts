import * as vscode from 'vscode';
import { engine } from '../engine';
import type { TokenInspection } from '../../core/inspect/token';
import { tokenChecks } from '../../present/tokenChecks';
import type { TokenClaimRow, TokenState } from '../../shared/protocol';
import type { ServerConnection } from '../connections';
import type { PanelController } from './panels';
import { serverSummary } from '../../present/summaries';

const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time', 'updated_at']);

/** Inspect the stored access token (decode, verify against the issuer's JWKS, audience, scopes). */
export async function inspectCurrentToken(c: ServerConnection): Promise<TokenInspection | undefined> {
  return engine().inspectConnectionToken(c.ensureConn());
}

function rows(o: Record<string, unknown> | undefined): TokenClaimRow[] | undefined {
  if (!o) return undefined;
  return Object.entries(o).map(([name, v]) => ({
    name,
    value: JSON.stringify(v, null, 2) ?? String(v),
    time: TIME_CLAIMS.has(name) && typeof v === 'number' && Number.isFinite(v) ? v : undefined,
  }));
}

/**
 * The token panel's state: what the token says and what was checked. Never the token itself, nor
 * the refresh token or client secret (only whether a refresh token exists); the in-host secret
 * search (test/integration/connect.test.ts) searches this state.
 */
export async function tokenState(c: ServerConnection): Promise<TokenState> {
  const inspection = await inspectCurrentToken(c);
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

export function tokenController(): PanelController {
  return {
    kind: 'token',
    title: (c) => `Token — ${c.entry.name}`,
    async state(panel) {
      return { method: 'state/token', params: await tokenState(panel.server) };
    },
    requests: {
      'auth/refresh': async (panel) => {
        await panel.server.refreshToken();
        panel.notify('toast', { level: 'pass', message: 'Token refreshed.' });
        return serverSummary(panel.server);
      },
      'auth/signOut': async (panel) => {
        const r = await panel.server.signOut();
        panel.s.log.info(`signed out of ${panel.server.entry.name} from the token panel (revoked: ${r.revoked})`);
        panel.notify('toast', { level: r.errors.length ? 'warn' : 'pass', message: engine().signOutMessage(panel.server.entry.name, r) });
        return serverSummary(panel.server);
      },
      'token/copy': async (panel) => {
        const token = await panel.server.accessToken();
        if (!token) return { copied: false };
        await vscode.env.clipboard.writeText(token);
        // The value never goes to the log: only that the user copied it.
        panel.s.log.info(`copied the access token of ${panel.server.entry.name} to the clipboard (user action)`);
        panel.notify('toast', { level: 'info', message: 'Access token copied to the clipboard. Treat it like a password.' });
        return { copied: true };
      },
    },
  };
}
