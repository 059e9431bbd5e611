import * as vscode from 'vscode';
import { errorView } from '../../present/errorView';
import { errorText } from '../../shared/codes';
import {
  isPanelState,
  parseWebviewMessage,
  type CommandMethod,
  type Commands,
  type HostToWebview,
  type NotificationMethod,
  type Notifications,
  type PanelKind,
  type PanelState,
  type RequestMethod,
  type Requests,
} from '../../shared/protocol';
import type { Redactor } from '../../core/http/redact';
import type { Logger } from '../../core/ports';
import type { ConnectionRegistry, ServerConnection } from '../connections';
import type { ServerStore } from '../serverStore';
import { localResourceRoots, panelHtml } from './html';
import { PANEL_ICON } from './assets';

/** One view type per panel kind: VS Code restores each with its serializer after a reload. */
export const VIEW_TYPES: Record<PanelKind, string> = {
  tools: 'mcpOAuthInspector.tools',
  token: 'mcpOAuthInspector.token',
  flow: 'mcpOAuthInspector.flow',
  audit: 'mcpOAuthInspector.audit',
  resources: 'mcpOAuthInspector.resources',
  prompts: 'mcpOAuthInspector.prompts',
  messages: 'mcpOAuthInspector.messages',
  app: 'mcpOAuthInspector.appView',
};

/**
 * What the panels use of the extension's services: these five, handed in, not all of Services
 * (which holds the PanelManager: taking Services made a construction circle).
 */
export interface PanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly log: Logger;
  readonly redactor: Redactor;
  /** Restoring a panel after a window reload looks its server up by id. */
  readonly servers: ServerStore;
  readonly registry: ConnectionRegistry;
}

/** What a panel's controller reaches through `panel.s`: those, and the manager that opened it (to open another panel). */
export type PanelContext = PanelDeps & { readonly panels: PanelManager };

/** What a panel kind provides: its title, its state notification, and the requests it answers. */
export interface PanelController {
  readonly kind: PanelKind;
  title(c: ServerConnection): string;
  /** The state to push now (after `ready`, on a connection change, on `reload`). */
  state(panel: InspectorPanel): Promise<{ method: NotificationMethod; params: Notifications[NotificationMethod] }>;
  /** The requests this kind answers; others are refused. */
  readonly requests: { [M in RequestMethod]?: (panel: InspectorPanel, params: Requests[M]['params']) => Promise<Requests[M]['result']> };
  /** The panel's page, when not the common one (html.ts panelHtml): the App view's own CSP (appViewPanel.ts). */
  html?(panel: InspectorPanel): string;
  /** Extra events that should refresh the panel (e.g. new trace entries); returns a disposer. */
  watch?(panel: InspectorPanel, refresh: () => void): vscode.Disposable;
}

/**
 * One webview panel for one server. Validates every message (shared/protocol.ts), answers the
 * controller's requests with one reply each, pushes state when the connection changes, and
 * persists `{ kind, serverId, tool }` for restore after a window reload.
 */
export class InspectorPanel implements vscode.Disposable {
  readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private refreshQueued = false;
  /** Whether the webview said `ready` (state sent before that would be lost). */
  private ready = false;
  readonly onDidDisposeEmitter = new vscode.EventEmitter<void>();
  private readonly renderedEmitter = new vscode.EventEmitter<Commands['tools/rendered']>();
  /** Fires when the tools panel reports a render (its own measurement), e.g. for the benchmark. */
  readonly onDidRender = this.renderedEmitter.event;

  constructor(
    readonly s: PanelContext,
    readonly panel: vscode.WebviewPanel,
    readonly controller: PanelController,
    readonly server: ServerConnection,
    public state: PanelState,
  ) {
    const { webview } = panel;
    webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: localResourceRoots(s.extensionUri) };
    panel.title = controller.title(server);
    panel.iconPath = vscode.Uri.joinPath(s.extensionUri, ...PANEL_ICON);
    webview.html = controller.html ? controller.html(this) : panelHtml(webview, s.extensionUri, controller.kind, panel.title);
    this.disposables.push(
      webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      this.renderedEmitter,
      server.onDidChange(() => this.refresh()),
    );
    if (controller.watch) this.disposables.push(controller.watch(this, () => this.refresh()));
  }

  /** Re-send the state (coalesced: many changes in one tick → one message). */
  refresh(): void {
    if (this.disposed || !this.ready || this.refreshQueued) return;
    this.refreshQueued = true;
    queueMicrotask(() => {
      this.refreshQueued = false;
      void this.pushState();
    });
  }

  notify<M extends NotificationMethod>(method: M, params: Notifications[M]): void {
    if (this.disposed) return;
    const msg: HostToWebview = { type: 'notify', method, params };
    void this.panel.webview.postMessage(msg);
  }

  private async pushState(): Promise<void> {
    if (this.disposed) return;
    try {
      const { method, params } = await this.controller.state(this);
      this.notify(method, params);
    } catch (err) {
      this.s.log.warn(`${this.controller.kind} panel for ${this.server.entry.name}: could not build its state: ${(err as Error).message}`);
      this.notify('toast', { level: 'fail', message: `Could not show ${this.server.entry.name}: ${(err as Error).message}` });
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    if (this.disposed) return;
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      // Dropped, never echoed: the reason names the method at most (40 characters).
      this.s.log.warn(`${this.controller.kind} panel: dropped a message from the webview (${parsed.reason})`);
      if (parsed.id !== undefined) this.reply({ type: 'reply', id: parsed.id, ok: false, error: { code: 'bad_message', message: 'The panel sent a message the extension does not accept.' } });
      return;
    }
    const m = parsed.message;
    if (m.type === 'command') return this.onCommand(m.method, m.params as Commands[CommandMethod]);
    const handler = this.controller.requests[m.method] as ((p: InspectorPanel, params: unknown) => Promise<unknown>) | undefined;
    if (!handler) {
      this.s.log.warn(`${this.controller.kind} panel: dropped ${m.method} (not offered by this panel)`);
      this.reply({ type: 'reply', id: m.id, ok: false, error: { code: 'bad_message', message: `${m.method} is not available in this panel.` } });
      return;
    }
    try {
      const result = await handler(this, m.params);
      this.reply({ type: 'reply', id: m.id, ok: true, result });
    } catch (err) {
      // Engine errors are redacted where they are made; this is the last line of defence. The parts
      // travel as fields (the webview composes them, src/shared/codes.ts errorText).
      const { scopes: _scopes, ...error } = errorView(err, (t) => this.s.redactor.text(t));
      this.s.log.warn(`${this.controller.kind} panel: ${m.method} failed: ${errorText(error)}`);
      this.reply({ type: 'reply', id: m.id, ok: false, error });
    }
    this.refresh();
  }

  private onCommand(method: CommandMethod, params: Commands[CommandMethod]): void {
    switch (method) {
      case 'ready':
        this.ready = true;
        void this.pushState();
        break;
      case 'reload':
        void this.pushState();
        break;
      case 'tools/select':
        this.state = { ...this.state, tool: (params as Commands['tools/select']).tool };
        break;
      case 'tools/rendered': {
        const r = params as Commands['tools/rendered'];
        this.s.log.debug(`tools panel for ${this.server.entry.name}: rendered ${r.tools} tools in ${r.ms.toFixed(1)} ms`);
        this.renderedEmitter.fire(r);
        break;
      }
      case 'messages/filtered': {
        const r = params as Commands['messages/filtered'];
        this.s.log.debug(`messages panel for ${this.server.entry.name}: filtered ${r.entries} messages (${r.shown} shown) in ${r.ms.toFixed(1)} ms`);
        break;
      }
    }
  }

  private reply(msg: HostToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(msg);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDidDisposeEmitter.fire();
    this.onDidDisposeEmitter.dispose();
    for (const d of this.disposables.splice(0)) {
      try {
        d.dispose();
      } catch {
        /* keep disposing the rest */
      }
    }
    this.panel.dispose();
  }
}

/** Opens, reveals and restores the panels: one per (kind, server). */
export class PanelManager implements vscode.Disposable {
  private readonly open = new Map<string, InspectorPanel>();
  private readonly controllers = new Map<PanelKind, PanelController>();
  private readonly disposables: vscode.Disposable[] = [];

  private readonly s: PanelContext;

  constructor(deps: PanelDeps) {
    this.s = { ...deps, panels: this };
  }

  /** Registers a controller and its serializer (restore after a window reload). */
  register(controller: PanelController): void {
    this.controllers.set(controller.kind, controller);
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPES[controller.kind], {
        deserializeWebviewPanel: async (panel, raw) => {
          // After a window reload the registry is empty until something asks for a server: look the
          // entry up in the store (the server may have been removed since) and build its connection.
          const entry = isPanelState(raw) && raw.kind === controller.kind ? this.s.servers.get(raw.serverId) : undefined;
          const server = entry ? this.s.registry.for(entry) : undefined;
          if (!server || !isPanelState(raw)) {
            // The server was removed since: nothing to restore.
            panel.dispose();
            return;
          }
          this.adopt(panel, controller, server, raw);
        },
      }),
    );
  }

  /** The open panel of this kind for this server, if any. */
  get(kind: PanelKind, serverId: string): InspectorPanel | undefined {
    return this.open.get(`${kind}:${serverId}`);
  }

  /** `beside`: next to the active editor group (the Audit panel's "show exchange" keeps the audit in view). */
  show(kind: PanelKind, server: ServerConnection, opts: { tool?: string; beside?: boolean } = {}): InspectorPanel {
    let existing = this.get(kind, server.entry.id);
    const controller = this.controllers.get(kind);
    if (!controller) throw new Error(`no ${kind} panel registered`);
    if (existing && existing.server !== server) {
      // A panel left from a connection object that is gone (the server was removed and added again):
      // it would show the old one's state. Replace it.
      existing.dispose();
      existing = undefined;
    }
    if (existing) {
      if (opts.tool) {
        existing.state = { ...existing.state, tool: opts.tool };
        existing.refresh();
      }
      // in the active group it would hide the panel that asked for it: beside that one instead
      const inActiveGroup = existing.panel.viewColumn === vscode.window.tabGroups.activeTabGroup.viewColumn;
      existing.panel.reveal(opts.beside && inActiveGroup ? vscode.ViewColumn.Beside : undefined);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPES[kind], controller.title(server), opts.beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, {
      enableScripts: true,
      enableCommandUris: false,
      retainContextWhenHidden: false,
      localResourceRoots: localResourceRoots(this.s.extensionUri),
    });
    return this.adopt(panel, controller, server, { kind, serverId: server.entry.id, tool: opts.tool });
  }

  private adopt(panel: vscode.WebviewPanel, controller: PanelController, server: ServerConnection, state: PanelState): InspectorPanel {
    const key = `${controller.kind}:${server.entry.id}`;
    const p = new InspectorPanel(this.s, panel, controller, server, state);
    this.open.set(key, p);
    p.onDidDisposeEmitter.event(() => {
      if (this.open.get(key) === p) this.open.delete(key);
    });
    return p;
  }

  all(): InspectorPanel[] {
    return [...this.open.values()];
  }

  /** Closes every panel of a server (it was removed). */
  closeFor(serverId: string): void {
    for (const p of [...this.open.values()]) if (p.server.entry.id === serverId) p.dispose();
  }

  dispose(): void {
    for (const p of [...this.open.values()]) p.dispose();
    this.open.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
