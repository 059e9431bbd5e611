import * as vscode from 'vscode';
import { LOG_LEVELS, type LogLevel } from '../../core/mcp/serverLog';
import { ServerLogs } from '../serverLogs';
import type { Services } from '../services';
import { resolveServer } from './resolve';

const LEVEL_HELP: Record<LogLevel, string> = {
  debug: 'everything, debug messages included',
  info: 'informational messages and above',
  notice: 'normal but significant events and above',
  warning: 'warnings and above',
  error: 'errors and above',
  critical: 'critical conditions and above',
  alert: 'conditions needing action now, and emergencies',
  emergency: 'only when the system is unusable',
};

/**
 * "Set Server Log Level": a quick pick of the RFC 5424 levels (MCP server utilities §logging), sent as
 * `logging/setLevel` on the session era, or in each request's `_meta` on 2026-07-28. Where the
 * server has no logging, says so and why. From code: (server, level) skips the pick.
 */
export async function setServerLogLevel(s: Services, arg?: unknown, levelArg?: unknown): Promise<{ level?: LogLevel; mode?: string; reason?: string }> {
  const c = await resolveServer(s, arg);
  if (!c) return {};
  const session = c.conn?.session;
  if (c.state !== 'connected' || !session) {
    void vscode.window.showInformationMessage(`${c.entry.name} is not connected: connect first, then set its log level.`);
    return { reason: 'not connected' };
  }
  const support = session.logging;
  if (support.mode === 'none') {
    void vscode.window.showInformationMessage(`${c.entry.name}: the log level cannot be set — ${support.reason}.`);
    return { reason: support.reason };
  }
  let level = typeof levelArg === 'string' && (LOG_LEVELS as readonly string[]).includes(levelArg) ? (levelArg as LogLevel) : undefined;
  if (!level) {
    const pick = await vscode.window.showQuickPick(
      LOG_LEVELS.map((l) => ({ label: l, description: LEVEL_HELP[l], picked: l === session.logLevel })),
      { title: `Log level for ${c.entry.name}`, placeHolder: support.mode === 'setLevel' ? 'Sent as logging/setLevel' : 'Protocol 2026-07-28 has no logging/setLevel: the level goes with each request (_meta)' },
    );
    level = pick?.label;
  }
  if (!level) return {};
  const mode = await session.setLogLevel(level);
  s.log.info(`${c.entry.name}: server log level set to ${level} (${mode === 'setLevel' ? 'logging/setLevel' : "each request's _meta, protocol 2026-07-28"})`);
  void vscode.window.showInformationMessage(
    mode === 'setLevel'
      ? `${c.entry.name}: log level set to ${level}. Its log messages go to the output channel "${ServerLogs.channelName(c.entry.name)}".`
      : `${c.entry.name} speaks 2026-07-28, which has no logging/setLevel: the level ${level} is sent with each request from now on, and the messages that come back go to "${ServerLogs.channelName(c.entry.name)}".`,
  );
  return { level, mode };
}
