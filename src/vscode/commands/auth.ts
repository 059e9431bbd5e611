import * as vscode from 'vscode';
import { engine } from '../engine';
import type { Services } from '../services';
import { resolveServer } from './resolve';

/*
 * The server's OAuth state from the palette and the tree: sign out, forget the client, refresh,
 * remove. The connection re-derives its tools' lock state on each change (src/vscode/connections.ts).
 */

export async function signOut(s: Services, arg?: unknown) {
  const c = await resolveServer(s, arg);
  if (!c) return;
  const r = await c.signOut();
  const msg = engine().signOutMessage(c.entry.name, r);
  s.log.info(msg);
  void vscode.window.showInformationMessage(msg);
  return r;
}

export async function forgetClient(s: Services, arg?: unknown): Promise<void> {
  const c = await resolveServer(s, arg);
  if (!c) return;
  await c.forgetClient();
  void vscode.window.showInformationMessage(`Forgot the client registration for ${c.entry.name}; the next sign-in registers again.`);
}

export async function refreshToken(s: Services, arg?: unknown): Promise<void> {
  const c = await resolveServer(s, arg);
  if (!c) return;
  const t = await c.refreshToken();
  void vscode.window.showInformationMessage(`Token refreshed for ${c.entry.name}${t.expires_at ? `; expires ${new Date(t.expires_at * 1000).toLocaleTimeString()}` : ''}.`);
}

/** Removes a server: signs out (revoking where the server allows), closes its panels, deletes its entry. */
export async function removeServer(s: Services, arg?: unknown, opts?: unknown): Promise<void> {
  const c = await resolveServer(s, arg);
  if (!c) return;
  if (c.entry.source === 'settings') {
    void vscode.window.showInformationMessage(`${c.entry.name} is declared in the "mcpOAuthInspector.servers" setting: remove it there.`, 'Open Settings').then(
      (x) => x && vscode.commands.executeCommand('workbench.action.openSettings', 'mcpOAuthInspector.servers'),
    );
    return;
  }
  // From code (tests): { confirmed: true } instead of the modal question.
  const confirmed = !!opts && typeof opts === 'object' && (opts as { confirmed?: unknown }).confirmed === true;
  const ok = confirmed ? 'Remove' : await vscode.window.showWarningMessage(`Remove ${c.entry.name}? This signs out (revoking tokens where the server allows) and deletes its stored secrets.`, { modal: true }, 'Remove');
  if (ok !== 'Remove') return;
  await c.signOut().catch((e) => s.log.warn(`sign-out while removing failed: ${(e as Error).message}`));
  s.panels.closeFor(c.entry.id);
  await s.registry.remove(c.entry.id);
  await s.servers.remove(c.entry.id);
}
