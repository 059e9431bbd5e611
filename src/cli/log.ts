/**
 * `mcp-oauth-inspector log <url> [--follow] [--json]`: connect, list the tools, and print every MCP
 * message of the session as it is recorded (src/core/mcp/messageLog.ts) — one line each, or JSON
 * Lines with --json. With --follow it keeps listening for what the server sends (list_changed,
 * log entries, …) until Ctrl-C. Entries are redacted by the engine; server text in a line is
 * escaped for the terminal (core/text/terminal.ts).
 */
import type { Connection } from '../core/connection';
import { terminalJson, terminalLine } from '../core/text/terminal';
import { messageLine } from '../present/messages';
import { EXIT } from './output';

export interface LogCommandInput {
  conn: Connection;
  follow: boolean;
  json: boolean;
  write(text: string): void;
  /** Resolves when the person stops a --follow (default: Ctrl-C, SIGINT or SIGTERM). */
  stopped?: Promise<void>;
}

export async function runLogCommand(i: LogCommandInput): Promise<number> {
  const log = i.conn.session.messages;
  const print = (e: Parameters<Parameters<typeof log.onEntry>[0]>[0]) => i.write(i.json ? `${terminalJson(e)}\n` : `${terminalLine(messageLine(e))}\n`);
  const off = log.onEntry(print);
  try {
    await i.conn.session.connect();
    await i.conn.session.listTools();
    if (i.follow) {
      if (!i.json) process.stderr.write('following the server’s messages; Ctrl-C to stop\n');
      await (i.stopped ?? untilInterrupted());
    }
  } finally {
    off();
  }
  if (log.dropped && !i.json) i.write(`${log.dropped} older messages were dropped from the log (it keeps ${log.capacity})\n`);
  return EXIT.ok;
}

function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
