import type { PingResult } from '../core/mcp/serverLog';
import type { ServerConnection } from './connections';

/**
 * The last round trip of each connected server (Ping Server, commands/ping.ts), shown on its Server
 * node in the tree until the server reconnects (a new session).
 */
const lastPings = new WeakMap<ServerConnection, PingResult & { at: number; session: unknown }>();

export function rememberPing(c: ServerConnection, r: PingResult & { at: number }, session: unknown): void {
  lastPings.set(c, { ...r, session });
}

/** The server's last ping, while the session it was measured on is the current one. */
export function lastPing(c: ServerConnection): (PingResult & { at: number }) | undefined {
  const p = lastPings.get(c);
  return p && p.session === c.conn?.session ? p : undefined;
}
