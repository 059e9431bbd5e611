import * as vscode from 'vscode';
import type { ToolInfo } from '../core/mcp/session';
import { initializeView, pingText, serverInfoRows, serverLabel } from '../present/serverInfo';
import { lastPing } from './pings';
import { CONNECT_LABEL, CONNECTING_LABEL, GROUP_LABELS, lastErrorRow, LOAD_MORE_LABEL, SERVER_INFO_LABEL, serverChildren, type ServerChild } from '../present/serverTree';
import { hasMore, resourceTemplates } from './resourceLists';
import { authRows, authSummary, toolAccess } from '../present/summaries';
import { auditTreeLine, auditTreeTooltip } from '../present/auditView';
import { auditRun } from './audits';
import type { ConnectionRegistry, ServerConnection } from './connections';
import type { ServerStore } from './serverStore';

/**
 * The Servers view: servers with their state; under each, the "Server" node (the initialize result:
 * protocol version, name and version, capabilities, instructions), the authorization node
 * (authorization server, registration mode, token expiry, granted scopes), the tools (locked/unlocked from their
 * securitySchemes against the current token, required scopes as the description, an inline Call
 * action), then resources and prompts. Context values drive the inline and context-menu actions.
 * Everything a server sent is shown as plain text (TreeItem labels are never rendered as HTML).
 */
export type Node =
  | { kind: 'server'; server: ServerConnection }
  | { kind: 'auth'; server: ServerConnection }
  | { kind: 'serverInfo'; server: ServerConnection }
  | { kind: 'detail'; server: ServerConnection; parent: 'auth' | 'serverInfo'; label: string; value: string; icon: string; tooltip?: string }
  /** Under a server that is not connected: "Connect" (runs it), or "Connecting…" while it does. */
  | { kind: 'action'; server: ServerConnection; action: 'connect' | 'connecting' }
  /** Under a server whose last attempt failed: the error code and a short message. */
  | { kind: 'lastError'; server: ServerConnection }
  | { kind: 'tool'; server: ServerConnection; tool: ToolInfo }
  | { kind: 'group'; server: ServerConnection; group: 'resources' | 'resourceTemplates' | 'prompts' }
  | { kind: 'item'; server: ServerConnection; label: string; description?: string; tooltip?: string; icon: string }
  /** A resource, template or prompt: opens its panel (src/vscode/commands/openItem.ts). `name`: URI, URI template or prompt name. */
  | { kind: 'resourceItem'; server: ServerConnection; group: 'resources' | 'resourceTemplates' | 'prompts'; name: string; label: string; description?: string; tooltip?: string }
  /** The listing was cut at the page limit: the next run of pages. */
  | { kind: 'more'; server: ServerConnection; group: 'resources' | 'prompts' };

const STATE_TEXT: Record<ServerConnection['state'], string> = {
  disconnected: 'not connected',
  connecting: 'connecting…',
  connected: 'connected',
  'sign-in-required': 'sign-in required',
  error: 'error',
};

export class ServersTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly store: ServerStore,
    private readonly registry: ConnectionRegistry,
  ) {
    this.subs.push(store.onDidChange(() => this.emitter.fire(undefined)));
    this.subs.push(registry.onDidChange(() => this.emitter.fire(undefined)));
    // "Token expires in 4 min" keeps counting: re-render every 30 s while some token has an expiry.
    const tick = setInterval(() => {
      if (this.registry.all().some((c) => c.conn?.auth.tokens?.expires_at !== undefined)) this.emitter.fire(undefined);
    }, 30_000);
    this.subs.push({ dispose: () => clearInterval(tick) });
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  getParent(node: Node): Node | undefined {
    if (node.kind === 'resourceItem' || node.kind === 'more') return { kind: 'group', server: node.server, group: node.group };
    return node.kind === 'server' ? undefined : node.kind === 'detail' ? { kind: node.parent, server: node.server } : { kind: 'server', server: node.server };
  }

  /** Show a server expanded (after connect: its tools are what the user came for). */
  async reveal(server: ServerConnection): Promise<void> {
    await this.view?.reveal({ kind: 'server', server }, { expand: true, select: false, focus: false });
  }

  view?: vscode.TreeView<Node>;

  getChildren(node?: Node): Node[] {
    if (!node) return this.store.all().map((e) => ({ kind: 'server', server: this.registry.for(e) }));
    const s = node.server;
    switch (node.kind) {
      case 'server': {
        const kinds = serverChildren({
          state: s.state,
          initialized: !!s.conn?.session.initializeResult,
          hasAuth: !!(s.conn?.auth.discovery || s.conn?.auth.tokens),
          tools: s.tools.length,
          resources: s.resources.length,
          templates: resourceTemplates(s).length,
          prompts: s.prompts.length,
          errorCode: s.errorCode,
        });
        return kinds.flatMap((k: ServerChild): Node[] => {
          switch (k) {
            case 'tools':
              return s.tools.map((tool): Node => ({ kind: 'tool', server: s, tool }));
            case 'resources':
            case 'resourceTemplates':
            case 'prompts':
              return [{ kind: 'group', server: s, group: k }];
            case 'connect':
            case 'connecting':
              return [{ kind: 'action', server: s, action: k }];
            default:
              return [{ kind: k, server: s }];
          }
        });
      }
      case 'auth':
        return authDetails(s);
      case 'serverInfo': {
        const v = initializeView(s.conn?.session.initializeResult);
        return v ? serverInfoRows(v, { ping: lastPing(s) }).map((r): Node => ({ kind: 'detail', server: s, parent: 'serverInfo', label: r.label, value: r.value, icon: r.icon, tooltip: r.tooltip })) : [];
      }
      case 'group': {
        const g = node.group;
        const items: Node[] =
          g === 'resources'
            ? s.resources.map((r) => ({ kind: 'resourceItem', server: s, group: g, name: r.uri, label: r.name || r.uri, description: r.uri, tooltip: r.description }))
            : g === 'resourceTemplates'
              ? resourceTemplates(s).map((t) => ({ kind: 'resourceItem', server: s, group: g, name: t.uriTemplate, label: t.name || t.uriTemplate, description: t.uriTemplate, tooltip: t.description }))
              : s.prompts.map((p) => ({ kind: 'resourceItem', server: s, group: g, name: p.name, label: p.name, description: p.title, tooltip: p.description }));
        if (g !== 'resourceTemplates' && hasMore(s, g)) items.push({ kind: 'more', server: s, group: g });
        return items;
      }
      default:
        return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const s = node.server;
    switch (node.kind) {
      case 'server': {
        const item = new vscode.TreeItem(s.entry.name, s.state === 'connected' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `server:${s.entry.id}`;
        const signedIn = !!s.conn?.auth.tokens;
        item.description = s.state === 'error' ? `error: ${s.error ?? ''}` : `${STATE_TEXT[s.state]}${s.state === 'connected' ? (signedIn ? ' · signed in' : ' · anonymous') : ''}`;
        item.tooltip = new vscode.MarkdownString(undefined, false);
        item.tooltip.appendText(`${s.entry.url}\n${STATE_TEXT[s.state]}${s.error ? `\n${s.error}` : ''}`);
        // the last audit's summary (src/vscode/audits.ts): "audit: 2 fail · 3 warn"
        const audit = auditRun(s);
        if (audit?.running) item.description = `${item.description} · auditing…`;
        else if (audit?.report) {
          // before a long error message, which the view cuts off; after the state otherwise
          item.description = s.state === 'error' ? `${auditTreeLine(audit.report.summary)} · ${item.description}` : `${item.description} · ${auditTreeLine(audit.report.summary)}`;
          item.tooltip.appendText(`\n${auditTreeTooltip(audit.report)}`);
        }
        item.iconPath = new vscode.ThemeIcon(
          s.state === 'connected' ? 'vm-active' : s.state === 'connecting' ? 'loading~spin' : s.state === 'error' ? 'error' : s.state === 'sign-in-required' ? 'account' : 'vm-outline',
        );
        item.contextValue = `server.${s.state}${signedIn ? '.signedIn' : ''}`;
        return item;
      }
      case 'auth': {
        const a = s.conn?.auth;
        const item = new vscode.TreeItem('Authorization', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `auth:${s.entry.id}`;
        item.description = a?.tokens ? `signed in · ${hostOf(a.discovery?.as.issuer)}` : a?.discovery ? `not signed in · ${hostOf(a.discovery.as.issuer)}` : '';
        item.iconPath = new vscode.ThemeIcon(a?.tokens ? 'shield' : 'key');
        item.contextValue = a?.tokens ? 'auth.signedIn' : 'auth';
        return item;
      }
      case 'serverInfo': {
        const v = initializeView(s.conn?.session.initializeResult);
        const item = new vscode.TreeItem(SERVER_INFO_LABEL, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `serverInfo:${s.entry.id}`;
        const ping = lastPing(s);
        item.description = v ? `${serverLabel(v)}${v.protocolVersion ? ` · ${v.protocolVersion}` : ''}${ping ? ` · ping ${pingText(ping)}` : ''}` : '';
        item.tooltip = 'What the server answered to initialize';
        // the server's own icon only when it is a checked raster data: image (present/serverInfo.ts serverIcons)
        item.iconPath = v?.iconDataUri ? vscode.Uri.parse(v.iconDataUri, true) : new vscode.ThemeIcon('server-environment');
        item.contextValue = 'serverInfo';
        return item;
      }
      case 'detail': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.value;
        // a plain string tooltip: server text stays text
        item.tooltip = node.tooltip ?? `${node.label}: ${node.value}`;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        return item;
      }
      case 'action': {
        const connecting = node.action === 'connecting';
        const item = new vscode.TreeItem(connecting ? CONNECTING_LABEL : CONNECT_LABEL, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.action}:${s.entry.id}`;
        item.iconPath = new vscode.ThemeIcon(connecting ? 'loading~spin' : 'plug');
        item.contextValue = node.action;
        if (!connecting) {
          item.tooltip = `Connect to ${s.entry.url}`;
          item.command = { command: 'mcpOAuthInspector.connect', title: CONNECT_LABEL, arguments: [{ kind: 'server', server: s } satisfies Node] };
        }
        return item;
      }
      case 'lastError': {
        const row = lastErrorRow(s.errorCode ?? 'internal', s.error);
        const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
        item.id = `lastError:${s.entry.id}`;
        item.description = row.value;
        item.tooltip = row.tooltip;
        item.iconPath = new vscode.ThemeIcon('error');
        item.contextValue = 'lastError';
        return item;
      }
      case 'tool': {
        const t = node.tool;
        const sec = t.security;
        const item = new vscode.TreeItem(t.tool.name, vscode.TreeItemCollapsibleState.None);
        item.id = `tool:${s.entry.id}:${t.tool.name}`;
        const scopes = sec.scopesNeeded.length ? sec.scopesNeeded.join(' ') : '';
        item.description = sec.anonymous && sec.schemes?.some((x) => x.type === 'oauth2') ? `public · more with ${scopes}` : sec.anonymous ? 'public' : scopes || (sec.requiresAuth ? 'sign-in' : '');
        const state = toolAccess(sec);
        item.iconPath = new vscode.ThemeIcon(state === 'locked' ? 'lock' : state === 'unlocked' ? 'unlock' : 'globe');
        const tip = new vscode.MarkdownString(undefined, false);
        tip.appendText(`${t.tool.title ?? t.tool.name}\n\n${t.tool.description ?? ''}\n\n`);
        tip.appendText(`Security (${sec.source}): ${sec.schemes ? sec.schemes.map((x) => (x.type === 'noauth' ? 'public' : `oauth2 ${x.scopes.join(' ')}`)).join(' | ') : 'server default'}\n`);
        tip.appendText(`Token: ${state}${sec.missing.length ? ` — missing ${sec.missing.join(' ')}` : ''}`);
        if (sec.mismatch) { item.description = `${item.description} · ⚠ refused without a token`; tip.appendText(`\n\nWarning: ${sec.mismatch.message}.`); } // declared vs observed (ToolSecurity.mismatch)
        item.tooltip = tip;
        item.contextValue = `tool.${state}`;
        item.command = { command: 'mcpOAuthInspector.callTool', title: 'Call Tool', arguments: [node] };
        return item;
      }
      case 'group': {
        const g = node.group;
        const item = new vscode.TreeItem(GROUP_LABELS[g], vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${g}:${s.entry.id}`;
        const count = g === 'resources' ? s.resources.length : g === 'prompts' ? s.prompts.length : resourceTemplates(s).length;
        item.description = `${count}${g !== 'resourceTemplates' && hasMore(s, g) ? '+' : ''}`;
        item.iconPath = new vscode.ThemeIcon(g === 'resources' ? 'files' : g === 'resourceTemplates' ? 'symbol-snippet' : 'comment-discussion');
        item.contextValue = `group.${g}`;
        return item;
      }
      case 'resourceItem': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.group}:${s.entry.id}:${node.name}`;
        item.description = node.description;
        // a plain string tooltip: server text stays text
        item.tooltip = node.tooltip ? `${node.name}\n\n${node.tooltip}` : node.name;
        item.iconPath = new vscode.ThemeIcon(node.group === 'resources' ? 'file' : node.group === 'resourceTemplates' ? 'symbol-snippet' : 'comment');
        item.contextValue = node.group === 'prompts' ? 'prompt' : node.group === 'resources' ? 'resource' : 'resourceTemplate';
        const command = node.group === 'prompts' ? 'mcpOAuthInspector.openPrompt' : 'mcpOAuthInspector.openResource';
        item.command = { command, title: node.group === 'prompts' ? 'Open Prompt' : 'Open Resource', arguments: [node] };
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(LOAD_MORE_LABEL, vscode.TreeItemCollapsibleState.None);
        item.id = `more:${node.group}:${s.entry.id}`;
        item.tooltip = 'The server has more pages than one listing follows: list the next pages';
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'mcpOAuthInspector.loadMore', title: LOAD_MORE_LABEL, arguments: [s.entry.id, node.group] };
        return item;
      }
      case 'item': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.description;
        item.tooltip = node.tooltip;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        return item;
      }
    }
  }

  dispose(): void {
    for (const d of this.subs) d.dispose();
    this.emitter.dispose();
  }
}

/** The Authorization node's rows (src/present/summaries.ts authRows), from the summary the panels show too. */
function authDetails(s: ServerConnection): Node[] {
  const a = s.conn?.auth;
  if (!a) return [];
  return authRows(authSummary(a)).map((r): Node => ({ kind: 'detail', server: s, parent: 'auth', label: r.label, value: r.value, icon: r.icon }));
}

function hostOf(url: string | undefined): string {
  try {
    return url ? new URL(url).host : '';
  } catch {
    return '';
  }
}
