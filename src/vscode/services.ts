import type * as vscode from 'vscode';
import { Redactor } from '../core/http/redact';
import type { Logger } from '../core/ports';
import { ConnectionRegistry } from './connections';
import { InspectorDocuments } from './documents';
import { ChannelLogger, createLogChannel } from './logger';
import { VSCodeSecretStore } from './secretStore';
import { ServerStore } from './serverStore';
import { ServerLogs } from './serverLogs';
import { AuthStatusBar } from './statusBar';
import { ServersTree } from './tree';
import { UriHandlerRedirects } from './uriHandler';
import { PanelManager } from './webviews/panels';
import { auditController } from './webviews/auditPanel';
import { useAuditStore } from './audits';
import { flowController } from './webviews/flowPanel';
import { messagesController } from './webviews/messagesPanel';
import { tokenController } from './webviews/tokenPanel';
import { CallHistory } from '../present/callRecords';
import { toolsController } from './webviews/toolsPanel';
import { appViewController } from './webviews/appViewPanel';
import { promptsController } from './webviews/promptPanel';
import { resourcesController } from './webviews/resourcePanel';

/** Everything activate() builds once and the command handlers use; one cleanup list (context.subscriptions). */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly version: string;
  readonly channel: vscode.LogOutputChannel;
  readonly redactor: Redactor;
  readonly log: Logger;
  readonly secrets: VSCodeSecretStore;
  readonly servers: ServerStore;
  readonly registry: ConnectionRegistry;
  readonly tree: ServersTree;
  readonly status: AuthStatusBar;
  readonly documents: InspectorDocuments;
  /** The `uriHandler` redirect mode's receiver; activate() registers it as the extension's UriHandler. */
  readonly uriRedirects: UriHandlerRedirects;
  readonly panels: PanelManager;
  readonly history: CallHistory;
  /** Each server's log output channel (notifications/message), made on its first entry. */
  readonly serverLogs: ServerLogs;
}

export function createServices(context: vscode.ExtensionContext): Services {
  const channel = createLogChannel();
  const redactor = new Redactor();
  const log = new ChannelLogger(channel, redactor);
  const version = String((context.extension.packageJSON as { version?: unknown }).version ?? '0.0.0');
  const secrets = new VSCodeSecretStore(context.secrets);
  const servers = new ServerStore(context.globalState);
  const uriRedirects = new UriHandlerRedirects(context.extension.id, log);
  const serverLogs = new ServerLogs();
  const registry = new ConnectionRegistry({ secrets, log, redactor, uriRedirects, onLogMessage: (c, e) => serverLogs.append(c, e) });
  const tree = new ServersTree(servers, registry);
  const status = new AuthStatusBar(registry);
  const documents = new InspectorDocuments();
  const history = new CallHistory();
  const panels = new PanelManager({ extensionUri: context.extensionUri, log, redactor, servers, registry });
  for (const c of [toolsController(history, status), tokenController(), flowController(documents), auditController(), resourcesController(), promptsController(), messagesController(), appViewController()]) panels.register(c);
  useAuditStore(context.workspaceState); // the last audit of each server survives a window reload
  const services: Services = { context, version, channel, redactor, log, secrets, servers, registry, tree, status, documents, uriRedirects, panels, history, serverLogs };
  context.subscriptions.push(channel, secrets, servers, uriRedirects, registry, tree, status, documents, panels, serverLogs);
  return services;
}
