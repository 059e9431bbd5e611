import * as vscode from 'vscode';
import type { ToolInfo } from '../../core/mcp/session';
import { sanitizeServerText } from '../../core/text/scrub';
import { resultMarkdown } from '../../present/reports';
import { toolAccess } from '../../present/summaries';
import type { ServerConnection } from '../connections';
import type { Services } from '../services';
import type { Node } from '../tree';
import { connectWithProgress } from './connect';
import { resolveServer } from './resolve';

/**
 * `mcpOAuthInspector.callTool`. From the palette or the tree: the tools panel, with this tool's form.
 * From code (tests, scripts) with arguments: call directly, show the result as Markdown, return it.
 */
export async function callTool(s: Services, arg?: unknown, argsOverride?: unknown) {
  const picked = await resolveTool(s, arg);
  if (!picked) return undefined;
  const { server, tool } = picked;
  if (!(argsOverride && typeof argsOverride === 'object' && !Array.isArray(argsOverride))) {
    s.panels.show('tools', server, { tool: tool.tool.name });
    return undefined;
  }
  const args = argsOverride as Record<string, unknown>;
  const started = Date.now();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Calling ${tool.tool.name} on ${server.entry.name}`, cancellable: false },
    () => server.callTool(tool.tool.name, args),
  );
  s.status.setActive(server);
  await s.documents.show(`result-${tool.tool.name}`, resultMarkdown(server, tool.tool.name, args, result, Date.now() - started));
  return result;
}

async function resolveTool(s: Services, arg: unknown): Promise<{ server: ServerConnection; tool: ToolInfo } | undefined> {
  if (arg && typeof arg === 'object' && (arg as Node).kind === 'tool') {
    const n = arg as Extract<Node, { kind: 'tool' }>;
    return { server: n.server, tool: n.tool };
  }
  // "serverIdOrUrl/toolName" or a pick.
  let server: ServerConnection | undefined;
  let toolName: string | undefined;
  if (typeof arg === 'string' && arg.includes('#')) {
    const i = arg.lastIndexOf('#');
    server = await resolveServer(s, arg.slice(0, i));
    toolName = arg.slice(i + 1);
  } else server = await resolveServer(s, arg);
  if (!server) return undefined;
  if (server.state !== 'connected') await connectWithProgress(s, server);
  const tool = toolName
    ? server.tools.find((t) => t.tool.name === toolName)
    : (
        await vscode.window.showQuickPick(
          server.tools.map((t) => ({
            label: t.tool.name,
            description: { open: 'public', unlocked: 'unlocked', locked: `locked: ${t.security.missing.join(' ') || 'sign-in'}` }[toolAccess(t.security)],
            detail: t.tool.description?.slice(0, 200),
            t,
          })),
          { title: `Call a tool on ${server.entry.name}`, matchOnDetail: true },
        )
      )?.t;
  if (!tool) {
    if (toolName) void vscode.window.showErrorMessage(sanitizeServerText(`${server.entry.name} has no tool "${toolName}".`, 400));
    return undefined;
  }
  return { server, tool };
}
