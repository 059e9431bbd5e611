import * as vscode from 'vscode';
import type { Services } from './services';

/**
 * The command table (rust-analyzer `main.ts` style): one id → one factory. Every id here must be
 * contributed in package.json `contributes.commands` (the in-host test checks both directions for these).
 */
export type CommandFactory = (s: Services) => (...args: unknown[]) => unknown;

export const COMMANDS = {
  'mcpOAuthInspector.showLog': (s) => () => {
    s.channel.show(true);
  },
  'mcpOAuthInspector.about': (s) => async () => {
    const text = aboutText(s.version);
    s.log.info(text);
    // Not awaited: the promise settles only when the toast is dismissed; the command is done when it is shown.
    void vscode.window.showInformationMessage(text);
    return text;
  },
} satisfies Record<string, CommandFactory>;

export type CommandId = keyof typeof COMMANDS;

export function aboutText(version: string): string {
  return `MCP OAuth Inspector ${version} — engine ready`;
}

export function registerCommands(s: Services): void {
  for (const [id, factory] of Object.entries(COMMANDS) as [CommandId, CommandFactory][]) {
    const handler = factory(s);
    s.context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(...args);
        } catch (err) {
          s.log.error(err instanceof Error ? err : String(err));
          void vscode.window.showErrorMessage(`${id}: ${err instanceof Error ? err.message : String(err)}`);
          return undefined;
        }
      }),
    );
  }
}
