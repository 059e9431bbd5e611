import * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import type { Redactor } from '../core/http/redact';
import { FailureLog, type FailureContext } from '../present/failureLine';
import { join, dirname } from 'node:path';
import { stackMapper } from './stackMap';

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
  private readonly failures: FailureLog;

  constructor(
    private readonly channel: vscode.LogOutputChannel,
    private readonly redactor?: Redactor,
  ) {
    this.failures = new FailureLog(
      { error: (line) => channel.error(line), trace: (text) => channel.trace(text), traceEnabled: () => channel.logLevel === vscode.LogLevel.Trace },
      (s) => this.clean(s),
      // __filename is dist/extension.js in the bundle; the engine's frames are in dist/engine.js
      // beside it (esbuild.mjs). Both maps ship beside their bundles.
      bundleStackMapper(__filename),
    );
  }

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
  /**
   * An Error is a failure: one line with its code, step and URL (an optional FailureContext as the
   * first argument says what was being done); its stack only at trace level, mapped to the sources.
   * An Error handed to the channel itself would print its minified stack at every level.
   */
  error(message: string | Error, ...args: unknown[]): void {
    if (message instanceof Error) this.failure(message, isFailureContext(args[0]) ? args[0] : undefined);
    else this.channel.error(this.clean(message), ...this.cleanArgs(args));
  }

  /** Log a failure once (the same error reported by a connection and by its command is one line). */
  failure(err: unknown, ctx?: FailureContext): void {
    this.failures.log(err, ctx);
  }
}

function isFailureContext(v: unknown): v is FailureContext {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).every((k) => k === 'what' || k === 'url');
}

/** Maps frames of the extension bundle and of the engine bundle next to it. */
function bundleStackMapper(extensionBundle: string): (stack: string) => string {
  const ext = stackMapper(extensionBundle);
  const eng = stackMapper(join(dirname(extensionBundle), 'engine.js'));
  return (stack) => eng(ext(stack));
}
