import * as vscode from 'vscode';
import type { PingResult } from '../../core/mcp/serverLog';
import { pingText } from '../../present/serverInfo';
import { rememberPing } from '../pings';
import type { Services } from '../services';
import { resolveServer } from './resolve';


/**
 * "Ping Server": a timed round trip on the connected session — `ping` on the session era,
 * `server/discover` on 2026-07-28, which has no ping (McpSession.ping). The time is shown in a
 * notification and on the server's "Server" node.
 */
export async function pingServer(s: Services, arg?: unknown): Promise<(PingResult & { at: number }) | undefined> {
  const c = await resolveServer(s, arg);
  if (!c) return undefined;
  const session = c.conn?.session;
  if (c.state !== 'connected' || !session) {
    void vscode.window.showInformationMessage(`${c.entry.name} is not connected: connect first, then ping it.`);
    return undefined;
  }
  const r = await session.ping();
  const result = { ...r, at: Date.now() };
  rememberPing(c, result, session);
  c.changed();
  s.log.info(`${c.entry.name}: ${r.method} answered in ${r.ms} ms`);
  void vscode.window.showInformationMessage(
    `${c.entry.name} answered in ${pingText(r)}${r.method === 'server/discover' ? ' — protocol 2026-07-28 has no ping, so server/discover was timed' : ''}.`,
  );
  return result;
}
