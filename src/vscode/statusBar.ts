import * as vscode from 'vscode';
import type { ConnectionRegistry, ServerConnection } from './connections';

/** One status bar item: the auth state of the server used last. Click → Inspect Token. */
export class AuthStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mcpOAuthInspector.status', vscode.StatusBarAlignment.Left, 50);
  private active?: ServerConnection;
  private readonly sub: vscode.Disposable;

  constructor(registry: ConnectionRegistry) {
    this.item.name = 'MCP OAuth Inspector';
    this.sub = registry.onDidChange((c) => {
      if (c) this.active = c;
      this.render();
    });
  }

  setActive(c: ServerConnection): void {
    this.active = c;
    this.render();
  }

  private render(): void {
    const c = this.active;
    if (!c || c.state === 'disconnected') {
      this.item.hide();
      return;
    }
    const t = c.conn?.auth.tokens;
    const icon = c.state === 'connecting' ? '$(loading~spin)' : c.state === 'error' ? '$(error)' : t ? '$(shield)' : '$(key)';
    const what = c.state === 'connecting' ? (c.authHost ? `signing in at ${c.authHost}` : 'connecting') : c.state === 'error' ? 'error' : t ? 'signed in' : 'anonymous';
    this.item.text = `${icon} ${c.entry.name}: ${what}`;
    this.item.tooltip = `${c.entry.url}\n${what}${t?.scope ? `\nscopes: ${t.scope}` : ''}${c.error ? `\n${c.error}` : ''}`;
    this.item.command = t ? { command: 'mcpOAuthInspector.inspectToken', title: 'Inspect Token', arguments: [c.entry.id] } : { command: 'mcpOAuthInspector.showLog', title: 'Show Log' };
    this.item.show();
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}
