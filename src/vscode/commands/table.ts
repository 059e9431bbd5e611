import * as vscode from 'vscode';
import { isInspectorError } from '../../core/errors';
import type { Services } from '../services';
import { auditServer } from './audit';
import { forgetClient, refreshToken, removeServer, signOut } from './auth';
import { callTool } from './callTool';
import { connect } from './connect';
import { importServers } from './importServers';
import { nextStepOffered, offerNextStep } from './nextStep';
import { resolveServer } from './resolve';
import { inspectCurrentToken } from '../webviews/tokenPanel';
import { pingServer } from './ping';
import { useAccessToken } from './useToken';
import { setServerLogLevel } from './serverLogLevel';
import { loadMore } from '../resourceLists';
import { openItem } from './openItem';

/**
 * The command table (rust-analyzer `main.ts` style): one id → one factory. Every id here is
 * contributed in package.json (the in-host test checks both directions). A command with more than a
 * few lines of its own lives in a module of this folder and is named here.
 */
export type CommandFactory = (s: Services) => (...args: unknown[]) => unknown;

export const COMMANDS = {
  'mcpOAuthInspector.connect': (s) => (arg?: unknown) => connect(s, arg),
  'mcpOAuthInspector.disconnect': (s) => async (arg?: unknown) => {
    const c = await resolveServer(s, arg);
    if (!c) return;
    await c.disconnect();
  },
  'mcpOAuthInspector.signOut': (s) => (arg?: unknown) => signOut(s, arg),
  'mcpOAuthInspector.forgetClient': (s) => (arg?: unknown) => forgetClient(s, arg),
  'mcpOAuthInspector.refreshToken': (s) => (arg?: unknown) => refreshToken(s, arg),
  'mcpOAuthInspector.inspectToken': (s) => async (arg?: unknown) => {
    const c = await resolveServer(s, arg);
    if (!c) return;
    s.panels.show('token', c);
    return inspectCurrentToken(c);
  },
  'mcpOAuthInspector.callTool': (s) => (arg?: unknown, argsOverride?: unknown) => callTool(s, arg, argsOverride),
  // From code: a server id and { callTools: 'read-only' | 'all' } instead of the question.
  'mcpOAuthInspector.auditServer': (s) => async (arg?: unknown, opts?: unknown) => {
    const c = await resolveServer(s, arg);
    return c && auditServer(s, c, opts);
  },
  'mcpOAuthInspector.showFlow': (s) => async (arg?: unknown) => {
    const c = await resolveServer(s, arg);
    if (!c) return;
    s.panels.show('flow', c);
  },
  'mcpOAuthInspector.showMessages': (s) => async (arg?: unknown) => {
    const c = await resolveServer(s, arg);
    if (!c) return;
    s.panels.show('messages', c);
  },
  // A resource, template or prompt from the tree (its node), or a server (id, URL or picked) and an item name.
  'mcpOAuthInspector.openResource': (s) => (arg?: unknown, item?: unknown) => openItem(s, 'resources', arg, item),
  'mcpOAuthInspector.openPrompt': (s) => (arg?: unknown, item?: unknown) => openItem(s, 'prompts', arg, item),
  'mcpOAuthInspector.loadMore': (s) => async (arg?: unknown, what?: unknown) => {
    const c = await resolveServer(s, arg);
    if (c) await loadMore(c, what === 'prompts' ? 'prompts' : 'resources');
  },
  'mcpOAuthInspector.pingServer': (s) => (arg?: unknown) => pingServer(s, arg),
  // From code: a server and a level (RFC 5424 name) instead of the quick pick.
  'mcpOAuthInspector.setServerLogLevel': (s) => (arg?: unknown, level?: unknown) => setServerLogLevel(s, arg, level),
  'mcpOAuthInspector.useAccessToken': (s) => (arg?: unknown) => useAccessToken(s, arg),
  'mcpOAuthInspector.importServers': (s) => (arg?: unknown) => importServers(s, arg),
  'mcpOAuthInspector.removeServer': (s) => (arg?: unknown, opts?: unknown) => removeServer(s, arg, opts),
  'mcpOAuthInspector.refreshServers': (s) => async () => {
    for (const c of s.registry.all()) if (c.state === 'connected') await c.refreshLists().catch(() => {});
    s.tree.refresh();
  },
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
          // one line (code, step, URL); the same error already logged by the connection is not repeated
          s.log.error(err instanceof Error ? err : new Error(String(err)), { what: id.replace('mcpOAuthInspector.', '') });
          if (!nextStepOffered(err)) {
            // the server the command was about, when its argument names one (no prompt here)
            const server = typeof args[0] === 'string' || (args[0] && typeof args[0] === 'object' && 'server' in args[0]) ? await resolveServer(s, args[0]).catch(() => undefined) : undefined;
            void offerNextStep(s, err, { server, retry: () => vscode.commands.executeCommand(id, ...args) });
          }
          // Not rethrown: the workbench would show a second, less helpful notification.
          return { error: s.redactor.text(err instanceof Error ? err.message : String(err)), code: isInspectorError(err) ? err.code : 'internal' };
        }
      }),
    );
  }
}
