import * as vscode from 'vscode';
import { pickOrder } from '../../present/servers';
import type { ServerConnection } from '../connections';
import type { Services } from '../services';
import type { Node } from '../tree';

const PICK_STATE: Record<ServerConnection['state'], string> = {
  connected: 'connected',
  connecting: 'connecting',
  disconnected: 'not connected',
  'sign-in-required': 'sign-in required',
  error: 'error',
};

/** A command's server: a tree node, a server id or URL, or a quick pick. */
export async function resolveServer(s: Services, arg: unknown): Promise<ServerConnection | undefined> {
  if (arg && typeof arg === 'object' && 'server' in arg) return (arg as Node).server;
  if (typeof arg === 'string') {
    const e = s.servers.get(arg) ?? s.servers.findByUrl(arg);
    return e ? s.registry.for(e) : undefined;
  }
  const entries = s.servers.all();
  if (entries.length === 0) {
    void vscode.window.showInformationMessage('No MCP servers yet: run "MCP Inspector: Connect to Server" first.');
    return undefined;
  }
  if (entries.length === 1) return s.registry.for(entries[0]);
  // Connected servers first: they are what a command is most often about.
  const servers = pickOrder(
    entries.map((e) => s.registry.for(e)),
    (c) => c.state,
  );
  const pick = await vscode.window.showQuickPick(
    servers.map((c) => ({ label: c.entry.name, description: `${PICK_STATE[c.state]} · ${c.entry.url}`, c })),
    { title: 'Which server?' },
  );
  return pick?.c;
}
