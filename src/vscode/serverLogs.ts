import * as vscode from 'vscode';
import { serverLogLine, type ServerLogEntry } from '../core/mcp/serverLog';
import { sanitizeServerText } from '../core/text/scrub';
import type { ServerConnection } from './connections';

/**
 * The server logs in the editor: each server's `notifications/message` entries in an output channel
 * of its own ("MCP Inspector: <server> log"), made when the first entry arrives (the Set Server Log
 * Level command is commands/serverLogLevel.ts). The entries are the engine's ServerLogEntry (mcp/serverLog.ts: level, logger,
 * data as text, controls removed, capped); they are in the server's message log too
 * (mcp/messageLog.ts), which records every message whatever this adapter does.
 */
export class ServerLogs implements vscode.Disposable {
  private readonly channels = new Map<string, vscode.OutputChannel>();

  /** The output channel's name for a server (the server's name made one plain line). */
  static channelName(serverName: string): string {
    return `MCP Inspector: ${sanitizeServerText(serverName, 80)} log`;
  }

  append(server: ServerConnection, entry: ServerLogEntry): void {
    this.channel(server).appendLine(serverLogLine(entry));
  }

  /** The server's channel, made on first use. */
  channel(server: ServerConnection): vscode.OutputChannel {
    let ch = this.channels.get(server.entry.id);
    if (!ch) {
      ch = vscode.window.createOutputChannel(ServerLogs.channelName(server.entry.name));
      this.channels.set(server.entry.id, ch);
    }
    return ch;
  }

  /** Whether the server has a channel yet (it has sent a log entry). */
  has(server: ServerConnection): boolean {
    return this.channels.has(server.entry.id);
  }

  dispose(): void {
    for (const ch of this.channels.values()) ch.dispose();
    this.channels.clear();
  }
}
