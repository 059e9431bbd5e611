import * as os from 'node:os';
import * as vscode from 'vscode';
import { discoverConfigPaths, parseMcpConfig, type ImportedServer, type ImportSource } from '../core/config/importServers';
import { isInspectorError } from '../core/errors';
import { checkUrl } from '../core/http/urlPolicy';
import { sanitizeServerText } from '../core/oauth/redirectReceiver';
import type { ToolInfo } from '../core/mcp/session';
import type { RegistrationPolicy } from '../core/oauth/registration';
import { entryForConnect, pickOrder } from '../present/servers';
import { clientSecretKey, type ServerConnection } from './connections';
import { engine } from './engine';
import { resultMarkdown } from './reports';
import { inspectCurrentToken } from './webviews/tokenPanel';
import { serverIdFor, type ServerEntry } from './serverStore';
import type { Services } from './services';
import { readSettings } from './settings';
import type { Node } from './tree';

/**
 * The command table (rust-analyzer `main.ts` style): one id → one factory. Every id here is
 * contributed in package.json (the in-host test checks both directions).
 */
export type CommandFactory = (s: Services) => (...args: unknown[]) => unknown;

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

export const COMMANDS = {
  'mcpOAuthInspector.connect': (s) => async (arg?: unknown) => {
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
      const key = clientSecretKey(url, input.clientId);
      if (input.clientSecret) {
        s.redactor.addSecret(input.clientSecret);
        await s.secrets.store(key, input.clientSecret);
      } else await s.secrets.delete(key);
    }
    if (changed) await s.servers.upsert(entry);
    return connectWithProgress(s, s.registry.for(entry));
  },
  'mcpOAuthInspector.disconnect': (s) => async (arg?: unknown) => {
    const c = await resolveServer(s, arg);
    if (!c) return;
    await c.disconnect();
  },
  'mcpOAuthInspector.signOut': (s) => async (arg?: unknown) => {
    const c = await resolveServer(s, arg);
    if (!c) return;
    const r = await c.ensureConn().auth.signOut();
    c.recomputeSecurity();
    const msg = engine().signOutMessage(c.entry.name, r);
    s.log.info(msg);
    void vscode.window.showInformationMessage(msg);
    return r;
  },
  'mcpOAuthInspector.forgetClient': (s) => async (arg?: unknown) => {
    const c = await resolveServer(s, arg);
    if (!c) return;
    await c.ensureConn().auth.forgetClient();
    c.recomputeSecurity();
    void vscode.window.showInformationMessage(`Forgot the client registration for ${c.entry.name}; the next sign-in registers again.`);
  },
  'mcpOAuthInspector.refreshToken': (s) => async (arg?: unknown) => {
    const c = await resolveServer(s, arg);
    if (!c) return;
    const t = await c.ensureConn().auth.refresh();
    c.recomputeSecurity();
    void vscode.window.showInformationMessage(`Token refreshed for ${c.entry.name}${t.expires_at ? `; expires ${new Date(t.expires_at * 1000).toLocaleTimeString()}` : ''}.`);
  },
  'mcpOAuthInspector.inspectToken': (s) => async (arg?: unknown) => {
    const c = await resolveServer(s, arg);
    if (!c) return;
    s.panels.show('token', c);
    return inspectCurrentToken(c);
  },
  'mcpOAuthInspector.callTool': (s) => async (arg?: unknown, argsOverride?: unknown) => {
    const picked = await resolveTool(s, arg);
    if (!picked) return undefined;
    const { server, tool } = picked;
    // From the palette or the tree: the tools panel, with this tool's form. From code (tests,
    // scripts) with arguments: call directly and return the result.
    if (!(argsOverride && typeof argsOverride === 'object' && !Array.isArray(argsOverride))) {
      s.panels.show('tools', server, { tool: tool.tool.name });
      return undefined;
    }
    const args = argsOverride as Record<string, unknown>;
    const started = Date.now();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Calling ${tool.tool.name} on ${server.entry.name}`, cancellable: false },
      () => server.ensureConn().session.callTool(tool.tool.name, args),
    );
    server.recomputeSecurity();
    s.status.setActive(server);
    await s.documents.show(`result-${tool.tool.name}`, resultMarkdown(server, tool.tool.name, args, result, Date.now() - started));
    return result;
  },
  'mcpOAuthInspector.showFlow': (s) => async (arg?: unknown) => {
    const c = await resolveServer(s, arg);
    if (!c) return;
    s.panels.show('flow', c);
  },
  'mcpOAuthInspector.importServers': (s) => async (arg?: unknown) => {
    // From code (tests): { paths: [{ path, source }] } instead of the default locations.
    const paths = arg && typeof arg === 'object' && Array.isArray((arg as { paths?: unknown }).paths)
      ? ((arg as { paths: Array<{ path: string; source: ImportSource }> }).paths)
      : await discoverConfigPaths(process.platform, os.homedir(), (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath), process.env, async (dir) =>
          // profile folders (User/profiles/<id>/) of each editor
          (await vscode.workspace.fs.readDirectory(vscode.Uri.file(dir))).filter(([, type]) => (type & vscode.FileType.Directory) !== 0).map(([name]) => name),
        );
    const found: ImportedServer[] = [];
    const problems: string[] = [];
    for (const { path, source } of paths) {
      let text: string;
      try {
        text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(path)));
      } catch {
        continue; // not there: nothing to import from it
      }
      const r = parseMcpConfig(text, source, path, { allowHttpHosts: readSettings().allowHttpHosts });
      if (r.error) problems.push(`${path}: ${r.error}`);
      found.push(...r.servers.filter((x) => x.kind !== 'stdio'));
    }
    if (found.length === 0) {
      void vscode.window.showInformationMessage(`No remote MCP servers found in ${paths.length} config locations${problems.length ? ` (${problems.join('; ')})` : ''}. Stdio servers are not imported: they have no OAuth.`);
      return [];
    }
    const items = found.map((x) => ({
      label: x.name,
      description: `${x.url ?? ''} · ${x.source}`,
      detail: [x.problems.join('; '), x.placeholders.length ? `placeholders left for you: ${x.placeholders.join(' ')}` : '', x.droppedSecrets.length ? `not imported (secrets): ${x.droppedSecrets.join(', ')}` : ''].filter(Boolean).join(' · ') || x.sourcePath,
      picked: x.importable && !s.servers.findByUrl(x.url ?? ''),
      x,
    }));
    const chosen = arg && typeof arg === 'object' && (arg as { all?: boolean }).all
      ? items.filter((i) => i.x.importable)
      : await vscode.window.showQuickPick(items, { canPickMany: true, title: 'Import MCP servers', placeHolder: 'Servers found in VS Code, Cursor and Claude Desktop configs' });
    if (!chosen?.length) return [];
    // From code (tests): { inputs: { "input:host": "…" } } answers the placeholders instead of input
    // boxes; with { all: true } and no inputs nothing is asked (templated servers are skipped).
    const inputs = arg && typeof arg === 'object' ? (arg as { inputs?: unknown }).inputs : undefined;
    const given = inputs && typeof inputs === 'object' ? (inputs as Record<string, string>) : arg && typeof arg === 'object' && (arg as { all?: boolean }).all ? {} : undefined;
    const added: string[] = [];
    const skipped: string[] = [];
    for (const { x } of chosen) {
      if (!x.importable || !x.url) {
        skipped.push(`${x.name} (${x.problems[0] ?? 'not importable'})`);
        continue;
      }
      // One bad entry never stops the others: each is filled in, checked and added on its own.
      try {
        const filled = await fillUrlPlaceholders(x, given);
        if (!filled.url) {
          skipped.push(`${x.name} (${filled.reason})`);
          continue;
        }
        const url = checkUrl(filled.url, 'MCP server URL', readSettings().allowHttpHosts).href;
        await s.servers.upsert({ id: serverIdFor(url), name: x.name, url, transport: x.kind === 'sse' ? 'sse' : 'auto', source: x.sourcePath });
        added.push(x.name);
      } catch (err) {
        skipped.push(`${x.name} (${s.redactor.text((err as Error).message)})`);
      }
    }
    const summary = `Imported ${added.length} server${added.length === 1 ? '' : 's'}${added.length ? `: ${added.join(', ')}` : ''}.`;
    if (skipped.length) void vscode.window.showWarningMessage(`${summary} Skipped: ${skipped.join('; ')}`);
    else void vscode.window.showInformationMessage(summary);
    return added;
  },
  'mcpOAuthInspector.removeServer': (s) => async (arg?: unknown, opts?: unknown) => {
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
    await c.ensureConn().auth.signOut().catch((e) => s.log.warn(`sign-out while removing failed: ${(e as Error).message}`));
    s.panels.closeFor(c.entry.id);
    await s.registry.remove(c.entry.id);
    await s.servers.remove(c.entry.id);
  },
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

const URL_PLACEHOLDER = /\$\{([^}]{1,100})\}/g;

/**
 * The URL of an imported server with its `${input:…}` / `${env:…}` placeholders filled in: from
 * `given` (tests), else asked one by one in an input box (`${env:X}` is offered from the environment).
 * Undefined URL (with the reason) when the user leaves one empty or cancels: that server is skipped.
 * Values are inserted as typed (a placeholder often stands for `host:port`); the whole URL is then
 * checked like any other.
 */
async function fillUrlPlaceholders(x: ImportedServer, given?: Record<string, string>): Promise<{ url?: string; reason?: string }> {
  const url = x.url ?? '';
  const names = [...new Set([...url.matchAll(URL_PLACEHOLDER)].map((m) => m[1]))];
  const values = new Map<string, string>();
  for (const name of names) {
    const env = name.startsWith('env:') ? process.env[name.slice(4)] : undefined;
    const value = given
      ? given[name]
      : await vscode.window.showInputBox({
          title: `Import ${x.name}`,
          prompt: `Value for \${${name}} in ${url} (from ${x.source})`,
          value: env,
          ignoreFocusOut: true,
          validateInput: (v) => (v.trim() ? undefined : 'Enter a value, or press Escape to skip this server'),
        });
    if (!value?.trim()) return { reason: `\${${name}} was not filled in` };
    values.set(name, value.trim());
  }
  return { url: url.replace(URL_PLACEHOLDER, (_m, name: string) => values.get(name) ?? '') };
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
async function connectWithProgress(s: Services, c: ServerConnection): Promise<ServerConnection> {
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
    throw Object.assign(err as Error, { shown: true });
  }
}

/**
 * An error as a notification (an InspectorError's message already says step, URL and what to do);
 * redacted, and server text cannot form a markdown link (`[x](command:…)` would be clickable).
 */
function notificationText(s: Services, err: unknown): string {
  return sanitizeServerText(s.redactor.text((err as Error)?.message ?? String(err)), 1000);
}

/** Error codes for which signing in again (fresh tokens, or a fresh client) is the likely fix. */
const AUTH_PROBLEMS = ['invalid_grant', 'invalid_client', 'unauthorized', 'insufficient_scope', 'refresh_failed', 'authorization_required', 'token_request_failed'];

/**
 * Errors offer the next step: Sign In Again (for an authorization problem of a known server), Retry
 * (the same command again), Show Log. The buttons run fixed commands; nothing from the error text.
 */
async function offerNextStep(s: Services, err: unknown, opts: { server?: ServerConnection; retry?: () => Thenable<unknown> }): Promise<void> {
  const message = notificationText(s, err);
  const c = opts.server;
  const authProblem = !!c && isInspectorError(err) && AUTH_PROBLEMS.includes(err.code);
  const actions = [...(authProblem ? ['Sign In Again'] : []), ...(opts.retry ? ['Retry'] : []), 'Show Log'];
  const choice = await vscode.window.showErrorMessage(c ? `${c.entry.name}: ${message}` : message, ...actions);
  if (choice === 'Retry') await opts.retry?.();
  else if (choice === 'Sign In Again' && c) {
    await c.ensureConn().auth.signOut();
    await vscode.commands.executeCommand('mcpOAuthInspector.connect', { url: c.entry.url, name: c.entry.name });
  } else if (choice === 'Show Log') s.channel.show(true);
}

const PICK_STATE: Record<ServerConnection['state'], string> = {
  connected: 'connected',
  connecting: 'connecting',
  disconnected: 'not connected',
  'sign-in-required': 'sign-in required',
  error: 'error',
};

/** A command's server: a tree node, a server id or URL, or a quick pick. */
async function resolveServer(s: Services, arg: unknown): Promise<ServerConnection | undefined> {
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
            description: t.security.covered ? (t.security.requiresAuth ? 'unlocked' : 'public') : `locked: ${t.security.missing.join(' ') || 'sign-in'}`,
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
          if (!(err as { shown?: boolean })?.shown) {
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
