import * as vscode from 'vscode';
import { engine } from '../engine';
import type { TokenInspection } from '../../core/inspect/token';
import { tokenState } from '../../present/tokenState';
import type { ServerConnection } from '../connections';
import type { PanelController } from './panels';
import { serverSummary } from '../../present/summaries';

/** Inspect the stored access token (decode, verify against the issuer's JWKS, audience, scopes). */
export async function inspectCurrentToken(c: ServerConnection): Promise<TokenInspection | undefined> {
  return engine().inspectConnectionToken(c.ensureConn());
}

export function tokenController(): PanelController {
  return {
    kind: 'token',
    title: (c) => `Token — ${c.entry.name}`,
    async state(panel) {
      return { method: 'state/token', params: tokenState(panel.server, await inspectCurrentToken(panel.server)) };
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
