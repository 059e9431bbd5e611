import * as vscode from 'vscode';
import type { Connection, ConnectionOptions } from '../core/connection';
import { isInspectorError } from '../core/errors';
import type { Redactor } from '../core/http/redact';
import type { ToolInfo } from '../core/mcp/session';
import type { ServerLogEntry } from '../core/mcp/serverLog';
import type { SignOutResult } from '../core/oauth/authManager';
import type { Logger } from '../core/ports';
import type { Prompt as McpPrompt, Resource } from '@modelcontextprotocol/client';
import type { RedirectReceiverFactory } from '../core/oauth/redirect/redirectReceiver';
import { editorBrowser, editorPrompt, effectiveRedirectMode, redirectFor } from './authAdapters';
import { editorElicitation } from './elicitation';
import { engine } from './engine';
import type { VSCodeSecretStore } from './secretStore';
import type { ServerEntry } from './serverStore';
import { readSettings } from './settings';
import type { UriHandlerRedirects } from './uriHandler';
import { needsSignIn, type ErrorCode } from '../shared/codes';

type ConnectionDeps = {
  secrets: VSCodeSecretStore;
  log: Logger;
  redactor: Redactor;
  uriRedirects: UriHandlerRedirects;
  /** Where the server's log entries go (src/vscode/serverLogs.ts). */
  onLogMessage?: (c: ServerConnection, entry: ServerLogEntry) => void;
};

/**
 * Where a pre-registered client's secret lives: under the server's own credential prefix, so Sign Out
 * (which deletes every secret of the server) deletes it too.
 */
export function clientSecretKey(serverUrl: string, clientId: string): string {
  const { CredentialKeys, canonicalResource } = engine();
  return new CredentialKeys(canonicalResource(new URL(serverUrl))).clientSecret(clientId);
}

export type ServerState = 'disconnected' | 'connecting' | 'connected' | 'sign-in-required' | 'error';

/**
 * One server in the editor: its engine connection (built fresh on connect), the state the tree and
 * status bar show, and what was listed. Disposing closes the MCP session; secrets stay until Sign Out.
 */
export class ServerConnection implements vscode.Disposable {
  state: ServerState = 'disconnected';
  error?: string;
  errorCode?: ErrorCode;
  tools: ToolInfo[] = [];
  resources: Resource[] = [];
  prompts: McpPrompt[] = [];
  conn?: Connection;
  /** The host of the authorization server the browser was last sent to (progress notifications). */
  authHost?: string;
  private readonly emitter = new vscode.EventEmitter<ServerConnection>();
  readonly onDidChange = this.emitter.event;
  private disposables: Array<() => void> = [];

  constructor(
    public entry: ServerEntry,
    private readonly deps: ConnectionDeps,
  ) {}

  private set(state: ServerState, error?: unknown): void {
    this.state = state;
    this.error = error === undefined ? undefined : this.deps.redactor.text((error as Error)?.message ?? String(error));
    this.errorCode = error === undefined ? undefined : isInspectorError(error) ? error.code : 'internal';
    this.emitter.fire(this);
  }

  changed(): void {
    this.emitter.fire(this);
  }

  /**
   * The engine connection's options for this server: its entry, the current settings and the editor's
   * adapters (SecretStorage, browser, prompt, redirect receiver). Connect builds its connection from
   * them; the audit (src/vscode/commands/audit.ts) builds its own from the same.
   */
  connectionOptions(): ConnectionOptions {
    const s = readSettings();
    const redirect = redirectFor(effectiveRedirectMode(s.redirectMode), this.deps.uriRedirects);
    return {
      serverUrl: this.entry.url,
      transport: this.entry.transport,
      secrets: this.deps.secrets,
      headless: s.authorizationMode === 'headless',
      browser: editorBrowser((host) => {
        this.authHost = host;
        this.changed();
      }),
      prompt: s.authorizationMode === 'headless' ? undefined : editorPrompt(),
      logger: this.deps.log,
      redactor: this.deps.redactor,
      client: {
        policy: this.entry.registration ?? s.registrationPolicy,
        client_id: this.entry.clientId,
        // a confidential pre-registered client's secret: SecretStorage only, read when the client is set up
        loadClientSecret: this.entry.clientId ? () => engine().CredentialStore.forServer(this.deps.secrets, this.entry.url).loadClientSecret(this.entry.clientId!) : undefined,
        client_metadata_url: s.clientMetadataUrl,
      },
      scopes: this.entry.scopes?.length ? this.entry.scopes : s.defaultScopes.length ? s.defaultScopes : undefined,
      timeoutMs: s.requestTimeoutMs,
      allowHttpHosts: s.allowHttpHosts,
      startReceiver: this.closedOnDisconnect(redirect.startReceiver),
      redirectPort: s.redirectPort,
      protocolVersion: s.protocolVersion,
      messageLogMaxEntries: s.messageLogMaxEntries,
      headlessDeliver: redirect.headlessDeliver,
      onElicit: editorElicitation(() => this.entry.name, this.deps.log),
      onLogMessage: (e) => this.deps.onLogMessage?.(this, e),
      onListChanged: () => void this.refreshLists().catch((e) => this.deps.log.warn(`refresh after list_changed failed: ${(e as Error).message}`)),
    };
  }

  /** Build a fresh engine connection from the entry and the current settings. */
  private build(): Connection {
    // The first connect loads the engine bundle (src/vscode/engine.ts).
    const conn = engine().createConnection(this.connectionOptions());
    // Every change of the OAuth state (sign-in, step-up, refresh, sign-out, forgetting the client,
    // another window's sign-in read back) re-derives what each tool needs against the token held.
    this.disposables.push(conn.auth.onDidChange(() => this.recomputeSecurity()));
    this.disposables.push(
      conn.trace.onEntry((e) => {
        if (e.kind === 'note') this.deps.log.info(`[${e.level}] ${e.step}: ${e.message}`);
        else this.deps.log.debug(`${e.request.method} ${e.request.url} → ${e.response?.status ?? e.error?.code} (${e.durationMs} ms)`);
      }),
    );
    return conn;
  }

  /** Redirect receivers of sign-ins that may still be waiting for the browser. */
  private readonly receivers = new Set<{ close(): unknown }>();

  /** A sign-in still waiting for the browser ends when this connection is disconnected (Cancel in the progress notification). */
  private closedOnDisconnect(start: RedirectReceiverFactory): RedirectReceiverFactory {
    return async (opts) => {
      const receiver = await start(opts);
      this.receivers.add(receiver);
      this.disposables.push(() => void receiver.close());
      // a finished sign-in's receiver is not one to cancel later (and the set does not grow)
      void receiver.waitForCallback().then(
        () => this.receivers.delete(receiver),
        () => this.receivers.delete(receiver),
      );
      return receiver;
    };
  }

  /**
   * Ends a sign-in that is waiting for the browser, keeping the session (Cancel on a sign-in or
   * step-up started from a panel): the engine's wait fails with authorization_cancelled.
   */
  cancelSignIn(): void {
    for (const r of this.receivers) void r.close();
    this.receivers.clear();
  }

  /** The engine connection, built (not connected) if there is none yet — for sign-out, token commands. */
  ensureConn(): Connection {
    this.conn ??= this.build();
    return this.conn;
  }

  /** Connect (initialize + list). OAuth starts only when the server asks for it. */
  async connect(): Promise<void> {
    await this.closeSession();
    this.conn = this.build();
    this.set('connecting');
    try {
      await this.conn.session.connect();
      await this.refreshLists();
      this.set('connected');
    } catch (err) {
      this.deps.log.error(err instanceof Error ? err : new Error(String(err)), { what: `connect to ${this.entry.name}`, url: this.entry.url });
      // src/shared/codes.ts needsSignIn: the one list of codes that leave a server waiting for a sign-in.
      this.set(isInspectorError(err) && needsSignIn(err.code) ? 'sign-in-required' : 'error', err);
      throw err;
    }
  }

  async refreshLists(): Promise<void> {
    const s = this.conn?.session;
    if (!s) return;
    this.tools = await s.listTools();
    this.resources = await s.listResources().catch(() => []);
    this.prompts = await s.listPrompts().catch(() => []);
    this.changed();
  }

  /**
   * Re-derive each tool's lock state against the current token and what the session observed (a
   * call refused without a token): on every OAuth state change and after a tool call, here; from
   * outside only after work done on the engine connection directly (an audit's tool calls).
   */
  recomputeSecurity(): void {
    const s = this.conn?.session;
    if (s) this.tools = this.tools.map((t) => ({ tool: t.tool, security: s.securityOf(t.tool) }));
    this.changed();
  }

  /* What the commands and panels do with the server's OAuth state. Each changes the state the
     engine emits (AuthManager.onDidChange), so the tools' lock state follows without a call here. */

  /** Sign out: revoke where the server allows, delete every stored secret of the server. */
  signOut(): Promise<SignOutResult> {
    return this.ensureConn().auth.signOut();
  }

  /** Forget the client registration (the next sign-in registers again). */
  forgetClient(): Promise<void> {
    return this.ensureConn().auth.forgetClient();
  }

  /** Refresh the access token with the refresh token (RFC 6749 §6). */
  refreshToken(): ReturnType<Connection['auth']['refresh']> {
    return this.ensureConn().auth.refresh();
  }

  /**
   * Sign in, or step up, for `scopes` on top of what the token holds (MCP authorization §Step-Up
   * Authorization Flow); resolves when the tokens are stored.
   */
  async signInFor(scopes: readonly string[]): Promise<void> {
    const auth = this.ensureConn().auth;
    await auth.load();
    const disc = await auth.ensureDiscovery();
    await auth.authorize(auth.selectScope(disc, scopes.join(' ') || undefined, true));
  }

  /** The stored access token, for the user's explicit Copy only; never logged or shown. */
  async accessToken(): Promise<string | undefined> {
    const auth = this.ensureConn().auth;
    await auth.load();
    return auth.tokens?.access_token;
  }

  /** A sign-in waiting for the browser to come back: its URL and the host the user signs in at. */
  get pendingSignIn(): Connection['auth']['pendingAuthorization'] {
    return this.conn?.auth.pendingAuthorization;
  }

  /** Open the waiting sign-in's URL again, through the same Browser port; false when none waits. */
  async reopenSignIn(): Promise<boolean> {
    return this.conn ? this.conn.auth.reopenAuthorization() : false;
  }

  /**
   * Another window signed in or out (a secret of this server changed in the shared SecretStorage):
   * read the OAuth state back; the change event re-derives the tools' lock state.
   */
  secretChanged(key: string): void {
    const auth = this.conn?.auth;
    if (auth?.credentials.owns(key)) void auth.reload();
  }

  /** Whether a sign-in of this server is waiting for the browser. */
  get signingIn(): boolean {
    return this.conn?.auth.state === 'authorizing';
  }

  /** tools/call (the palette's direct call with arguments); the lock state learns from the answer. */
  async callTool(name: string, args: Record<string, unknown>): ReturnType<Connection['session']['callTool']> {
    try {
      return await this.ensureConn().session.callTool(name, args);
    } finally {
      this.recomputeSecurity();
    }
  }

  /**
   * tools/call as the tools panel records it (result, outputSchema check); the lock state learns from
   * the answer, a refusal included (e.g. a tool declared public refused without a token).
   */
  async inspectToolCall(...a: Parameters<Connection['session']['inspectToolCall']>): ReturnType<Connection['session']['inspectToolCall']> {
    try {
      return await this.ensureConn().session.inspectToolCall(...a);
    } finally {
      this.recomputeSecurity();
    }
  }

  private async closeSession(): Promise<void> {
    for (const d of this.disposables.splice(0)) d();
    await this.conn?.close();
  }

  async disconnect(): Promise<void> {
    await this.closeSession();
    this.conn = undefined;
    this.tools = [];
    this.resources = [];
    this.prompts = [];
    this.set('disconnected');
  }

  dispose(): void {
    void this.closeSession();
    this.emitter.dispose();
  }
}

/** All server connections, one per stored server entry. */
export class ConnectionRegistry implements vscode.Disposable {
  private readonly map = new Map<string, ServerConnection>();
  private readonly emitter = new vscode.EventEmitter<ServerConnection | undefined>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly deps: ConnectionDeps) {}

  for(entry: ServerEntry): ServerConnection {
    let c = this.map.get(entry.id);
    if (!c) {
      c = new ServerConnection(entry, this.deps);
      c.onDidChange((x) => this.emitter.fire(x));
      this.map.set(entry.id, c);
    } else {
      c.entry = entry;
    }
    return c;
  }

  get(id: string): ServerConnection | undefined {
    return this.map.get(id);
  }

  async remove(id: string): Promise<void> {
    const c = this.map.get(id);
    this.map.delete(id);
    if (c) {
      await c.disconnect();
      c.dispose();
    }
    this.emitter.fire(undefined);
  }

  all(): ServerConnection[] {
    return [...this.map.values()];
  }

  dispose(): void {
    for (const c of this.map.values()) c.dispose();
    this.map.clear();
    this.emitter.dispose();
  }
}
