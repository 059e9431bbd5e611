import type * as vscode from 'vscode';
import { registerCommands } from './vscode/commands';
import { createServices } from './vscode/services';

/** Thin by design (house rule 6): build services, register the command table. */
export function activate(context: vscode.ExtensionContext): void {
  const services = createServices(context);
  registerCommands(services);
  services.log.info(`MCP OAuth Inspector ${services.version} activated`);
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it.
}
