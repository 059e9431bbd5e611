import * as vscode from 'vscode';
import { checkUrl } from '../../core/http/urlPolicy';
import type { RegistrationPolicy } from '../../core/oauth/registration';
import { entryForConnect } from '../../present/servers';
import type { ServerConnection } from '../connections';
import { engine } from '../engine';
import { serverIdFor, type ServerEntry } from '../serverStore';
import type { Services } from '../services';
import { readSettings } from '../settings';
import type { Node } from '../tree';
import { offerNextStep } from './nextStep';
import { resolveServer } from './resolve';

/** What `mcpOAuthInspector.connect` accepts from code (tests, walkthrough links); the palette asks instead. */
export interface ConnectArgs {
  url: string;
  name?: string;
  registration?: RegistrationPolicy;
  clientId?: string;
  /**
   * A confidential pre-registered client's secret: stored in SecretStorage at once, never in the
   * server entry. An empty string deletes a stored one (the client is public).
   */
  clientSecret?: string;
  scopes?: string[];
}

/**
 * `mcpOAuthInspector.connect`: a tree node or a server id connects that entry as it is; otherwise the
 * palette's questions (or ConnectArgs from code), then the entry is added or updated and connected.
 */
export async function connect(s: Services, arg?: unknown): Promise<ServerConnection | undefined> {
  // From the tree (inline Connect on a server) or with a server id: connect that entry as it is.
  if ((arg && typeof arg === 'object' && (arg as Node).kind === 'server') || (typeof arg === 'string' && s.servers.get(arg))) {
    const c = await resolveServer(s, arg);
    return c && connectWithProgress(s, c);
  }
  // From the palette: a URL already in the list connects that entry as it is (no questions).
  const input = isConnectArgs(arg) ? arg : await askConnectArgs((url) => s.servers.findByUrl(url));
  if (!input) return undefined;
  const url = checkUrl(input.url.trim(), 'MCP server URL', readSettings().allowHttpHosts).href;
  // A URL already in the list keeps its entry: same id, name and place (it used to be renamed
  // and moved to the end); only what the arguments name explicitly changes.
  const existing = s.servers.findByUrl(url);
  const { entry, changed } = entryForConnect(existing, { ...input, url }, serverIdFor(url), defaultName(url));
  if (input.clientId && input.clientSecret !== undefined) {
    // Kept (an empty secret: deleted) where the engine reads it back, under the server's own credentials.
    await engine().CredentialStore.forServer(s.secrets, url, s.redactor).storeClientSecret(input.clientId, input.clientSecret);
  }
  if (changed) await s.servers.upsert(entry);
  return connectWithProgress(s, s.registry.for(entry));
}

function isConnectArgs(v: unknown): v is ConnectArgs {
  return !!v && typeof v === 'object' && typeof (v as ConnectArgs).url === 'string';
}

function defaultName(url: string): string {
  const u = new URL(url);
  return `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
}

/**
 * The palette's questions. `known` finds an entry already in the list for the URL typed: that one is
 * connected as it is, without the registration and scope questions (its choices stay).
 */
async function askConnectArgs(known: (url: string) => ServerEntry | undefined): Promise<ConnectArgs | undefined> {
  const settings = readSettings();
  const url = await vscode.window.showInputBox({
    title: 'Connect to MCP Server (1/3)',
    prompt: 'The MCP server URL (Streamable HTTP or HTTP+SSE)',
    placeHolder: 'https://mcp.example.com/mcp  or  http://localhost:5080/mcp',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        checkUrl(v.trim(), 'The URL', settings.allowHttpHosts);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
  });
  if (!url) return undefined;
  let href: string | undefined;
  try {
    href = checkUrl(url.trim(), 'MCP server URL', settings.allowHttpHosts).href;
  } catch {
    href = undefined;
  }
  if (href && known(href)) return { url: href };
  const policies: Array<vscode.QuickPickItem & { value: RegistrationPolicy }> = [
    { label: 'Automatic', description: 'recommended', detail: 'Pre-registered if you give a client id, else a Client ID Metadata Document if the server supports it, else Dynamic Client Registration', value: 'auto' },
    { label: 'Pre-registered client', detail: 'Use a client id registered at the authorization server', value: 'preregistered' },
    { label: 'Client ID Metadata Document', detail: `client_id = ${settings.clientMetadataUrl}`, value: 'cimd' },
    { label: 'Dynamic Client Registration', detail: 'RFC 7591', value: 'dcr' },
    { label: 'Ask me', detail: 'Enter a client id when the server needs one', value: 'manual' },
  ];
  const policy = await vscode.window.showQuickPick(policies, { title: 'Connect to MCP Server (2/3): client registration', ignoreFocusOut: true });
  if (!policy) return undefined;
  let clientId: string | undefined;
  let clientSecret: string | undefined;
  if (policy.value === 'preregistered') {
    clientId = await vscode.window.showInputBox({ title: 'Client id', prompt: 'The client id registered at the authorization server', ignoreFocusOut: true });
    if (!clientId) return undefined;
    clientSecret = await vscode.window.showInputBox({
      title: 'Client secret (optional)',
      prompt: 'Only for a confidential client (client_secret_basic / client_secret_post). Leave empty for a public client. Kept in SecretStorage only.',
      password: true,
      ignoreFocusOut: true,
    });
    if (clientSecret === undefined) return undefined;
  }
  const scopes = await vscode.window.showInputBox({
    title: 'Connect to MCP Server (3/3): scopes (optional)',
    prompt: 'Space-separated scopes to ask for. Empty: what the server asks for.',
    ignoreFocusOut: true,
  });
  if (scopes === undefined) return undefined;
  return { url: url.trim(), registration: policy.value, clientId, clientSecret, scopes: scopes.split(/\s+/).filter(Boolean) };
}

/** Connect with a cancellable progress notification that names the authorization server's host. */
export async function connectWithProgress(s: Services, c: ServerConnection): Promise<ServerConnection> {
  s.status.setActive(c);
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `MCP Inspector: ${c.entry.name}`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: 'connecting…' });
        const sub = c.onDidChange(() => {
          if (c.authHost && c.state === 'connecting') progress.report({ message: `sign in at ${c.authHost} in your browser…` });
        });
        const cancelled = new Promise<never>((_, reject) => token.onCancellationRequested(() => reject(new vscode.CancellationError())));
        try {
          await Promise.race([c.connect(), cancelled]);
        } finally {
          sub.dispose();
        }
      },
    );
    const n = c.tools.length;
    s.log.info(`Connected to ${c.entry.name}: ${n} tool${n === 1 ? '' : 's'}`);
    if (c.state === 'connected') await s.tree.reveal(c).catch(() => {});
    return c;
  } catch (err) {
    if (err instanceof vscode.CancellationError) {
      await c.disconnect();
      return c;
    }
    void offerNextStep(s, err, {
      server: c,
      retry: () => vscode.commands.executeCommand('mcpOAuthInspector.connect', { url: c.entry.url, name: c.entry.name, registration: c.entry.registration, clientId: c.entry.clientId, scopes: c.entry.scopes }),
    });
    // offerNextStep remembers the error: the command table shows no second notification (nextStepOffered).
    throw err;
  }
}
