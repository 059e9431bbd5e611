import type * as vscode from 'vscode';
import { Redactor } from '../core/http/redact';
import type { Logger } from '../core/ports';
import { ChannelLogger, createLogChannel } from './logger';

/** Everything activate() builds once and the command handlers use. Grows as the engine does. */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly version: string;
  readonly channel: vscode.LogOutputChannel;
  readonly redactor: Redactor;
  readonly log: Logger;
}

export function createServices(context: vscode.ExtensionContext): Services {
  const channel = createLogChannel();
  context.subscriptions.push(channel);
  const redactor = new Redactor();
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
  return { context, version, channel, redactor, log: new ChannelLogger(channel, redactor) };
}
