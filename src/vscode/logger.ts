import * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import type { Redactor } from '../core/http/redact';

/** The one output channel of the extension (a LogOutputChannel: levels, timestamps, "Set Log Level"). */
export const LOG_CHANNEL_NAME = 'MCP OAuth Inspector';

export function createLogChannel(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
}

/**
 * The core Logger port over the LogOutputChannel. Every string goes through the redactor first,
 * so a secret the engine has seen never reaches the log (house rule 7).
 */
export class ChannelLogger implements Logger {
  constructor(
    private readonly channel: vscode.LogOutputChannel,
    private readonly redactor?: Redactor,
  ) {}

  private clean(message: string): string {
    return this.redactor ? this.redactor.text(message) : message;
  }

  private cleanArgs(args: unknown[]): unknown[] {
    return args.map((a) => (typeof a === 'string' ? this.clean(a) : a));
  }

  trace(message: string, ...args: unknown[]): void {
    this.channel.trace(this.clean(message), ...this.cleanArgs(args));
  }
  debug(message: string, ...args: unknown[]): void {
    this.channel.debug(this.clean(message), ...this.cleanArgs(args));
  }
  info(message: string, ...args: unknown[]): void {
    this.channel.info(this.clean(message), ...this.cleanArgs(args));
  }
  warn(message: string, ...args: unknown[]): void {
    this.channel.warn(this.clean(message), ...this.cleanArgs(args));
  }
  error(message: string | Error, ...args: unknown[]): void {
    if (message instanceof Error) {
      const e = new Error(this.clean(message.message));
      e.name = message.name;
      e.stack = message.stack ? this.clean(message.stack) : undefined;
      this.channel.error(e, ...this.cleanArgs(args));
    } else {
      this.channel.error(this.clean(message), ...this.cleanArgs(args));
    }
  }
}
