/**
 * An MCP session over the official SDK v2 (`@modelcontextprotocol/client`): Streamable HTTP with
 * fallback to the legacy HTTP+SSE transport, or stdio for local servers (no OAuth). Both protocol
 * eras, chosen by the SDK's version negotiation: a 2026-07-28 server is found by `server/discover`
 * and spoken to statelessly (version and capabilities in each request's `_meta`, the standard and
 * mirrored headers, `input_required` answered by the elicitation handler, `subscriptions/listen`);
 * an older server gets the `initialize` handshake. A pinned version skips the choice.
 * Auth happens in the fetch we hand the SDK (authFetch.ts); this class adds what an inspector needs
 * on top — paginated listings, tool security against the current token, tool-level auth challenges,
 * list_changed events, elicitation, and which era was negotiated and how.
 *
 * Over ~450 lines on purpose: one class over one SDK Client, whose connect (era negotiation, the
 * transport fallback), listings, calls with their challenges and close share the client, the
 * transport and the per-tool state. What is not the session is beside it: the protocol versions
 * (protocolVersion.ts), what a tools/list result must be (toolsList.ts), tool security (toolSecurity.ts).
 */
import {
  Client,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type CallToolResult,
  type ClientOptions,
  type ElicitRequest,
  type ElicitResult,
  type Prompt as McpPrompt,
  type Resource,
  type Tool,
  type Transport,
} from '@modelcontextprotocol/client';
import { SKILLS_EXTENSION_ID } from '@modelcontextprotocol/client/ext/skills';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { InspectorError, isInspectorError } from '../errors';
import type { GuardedFetch } from '../http/guardedFetch';
import type { AuthManager } from '../oauth/authManager';
import { bearerChallenge, parseChallenges, toolChallengeStatus, toolLevelChallenges } from '../oauth/challenge';
import type { Logger } from '../ports';
import { APPS_CLIENT_CAPABILITY, APPS_EXTENSION_ID } from './apps';
import { createAuthFetch } from './authFetch';
import { MessageLog } from './messageLog';
import { Redactor } from '../http/redact';
import { listPrompts as listPromptsPage, listResources as listResourcesPage } from './resources';
import { toolSecurity, type RefusedWithoutToken, type ToolSecurity } from './toolSecurity';
import { loggingSupport, serverLogEntry, withLogLevelMeta, type LoggingSupport, type LogLevel, type PingResult, type ServerLogEntry } from './serverLog';
import { isProtocolVersion, isStatelessEraVersion, STATELESS_ERA_VERSION, type Negotiation } from './protocolVersion';
import { invalidHeaderDeclaration, LooseListToolsResultSchema } from './toolsList';
import type { McpMethodStep } from '../../shared/codes';
import type { MessageOrigin } from '../../shared/messages';

/**
 * The MCP extensions this client implements, by identifier, as declared in `capabilities.extensions`:
 * Skills (SEP-2640) and MCP Apps (SEP-1865, with the view formats it renders: apps.ts).
 */
export const CLIENT_EXTENSIONS: Record<string, Record<string, string[]>> = { [SKILLS_EXTENSION_ID]: {}, [APPS_EXTENSION_ID]: APPS_CLIENT_CAPABILITY };

const TOOLS_CALL = 'tools/call ';

export const CLIENT_INFO = { name: 'mcp-oauth-inspector', title: 'MCP OAuth Inspector', version: '0.1.0' };

export type TransportKind = 'auto' | 'streamable-http' | 'sse';

export type ServerTarget =
  | { kind: 'http'; url: URL; transport?: TransportKind }
  | { kind: 'stdio'; command: string; args?: string[]; env?: Record<string, string>; cwd?: string };

export interface McpSessionOptions {
  target: ServerTarget;
  fetch: GuardedFetch;
  auth?: AuthManager;
  logger: Logger;
  /** Answers a server's elicitation request; default declines. Schema defaults are applied by the SDK. */
  onElicit?: (request: ElicitRequest['params']) => Promise<ElicitResult>;
  onListChanged?: (what: 'tools' | 'resources' | 'prompts') => void;
  /** Each `notifications/message` log entry the server sends, made safe to show (serverLog.ts). */
  onLogMessage?: (entry: ServerLogEntry) => void;
  /** Max pages to follow on list calls (a hostile server could paginate forever). */
  maxPages?: number;
  /**
   * Speak exactly this protocol version instead of negotiating: a 2026-07-28 (or later) version is
   * asked for with `server/discover` and nothing else is accepted; an older one is the only version
   * `initialize` offers. Undefined: negotiate (discover, else initialize).
   */
  protocolVersion?: string;
  /**
   * The size of the message log every MCP message of this session is recorded in (messageLog.ts),
   * which redacts with the auth context's Redactor (or `redactor`).
   */
  messageLog?: { maxEntries?: number; maxPayloadChars?: number };
  /** The Redactor of a session without auth (stdio, tests); with auth, its context's. */
  redactor?: Redactor;
}

/** A list cut at the page limit while the server still offered a next page. */
export interface ListTruncation {
  /** The page limit that was reached. */
  maxPages: number;
  /** How many items the pages up to the limit held. */
  items: number;
}

/**
 * What the server answered to `initialize`: the negotiated protocol version, who it is, what it
 * offers, and its instructions. As the server sent them (shown as text, never interpreted).
 * @see https://modelcontextprotocol.io/specification/2025-06-18/basic/lifecycle#initialization
 */
export interface InitializeInfo {
  protocolVersion?: string;
  /** Which era was negotiated and how (discover or initialize). */
  era?: Negotiation['era'];
  negotiatedBy?: Negotiation['negotiatedBy'];
  serverInfo?: { name: string; version: string; title?: string };
  capabilities?: Record<string, unknown>;
  instructions?: string;
  /** `serverInfo.icons` as sent (MCP 2025-11-25 Icons; untrusted: present/serverInfo.ts decides what is shown). */
  icons?: unknown;
}

export interface ToolInfo {
  tool: Tool;
  security: ToolSecurity;
}

export interface CallToolOptions {
  /**
   * false: a challenge for this call (HTTP 401/403 or tool-level) does not start a sign-in; the call
   * rejects with 'authorization_required' / 'insufficient_scope' carrying the scopes the server asks
   * for, so a front end can offer the sign-in first. Default true (sign in / step up, then retry).
   */
  authorize?: boolean;
  /** Who the call is made for, marked on its messages in the message log (messageLog.ts `withOrigin`): an MCP App view's call. */
  origin?: MessageOrigin;
}

/** The outcome of checking `structuredContent` against the tool's `outputSchema`. */
export interface OutputCheck {
  valid: boolean;
  /** The SDK validator's messages (redacted). */
  errors: string[];
}

export interface InspectedCall {
  result: CallToolResult;
  /** Undefined when the tool declares no outputSchema (or the result is an error without structuredContent). */
  outputCheck?: OutputCheck;
}

export class McpSession {
  readonly client: Client;
  /** Every MCP message of this session, both directions, with the HTTP exchange it rode on. */
  readonly messages: MessageLog;
  transportKind?: 'streamable-http' | 'sse' | 'stdio';
  /** The server answered 401 to a request without a token: undeclared tools need auth. */
  serverRequiresAuth = false;
  private transport?: Transport;
  private closed = false;
  /** The tools of the last listing, by name: their schemas drive SEP-2243 header mirroring and the output check. */
  private readonly listedTools = new Map<string, Tool>();

  constructor(private readonly opts: McpSessionOptions) {
    const pin = opts.protocolVersion;
    if (pin !== undefined && !isProtocolVersion(pin)) {
      throw new InspectorError('config_invalid', `protocol version ${JSON.stringify(pin.slice(0, 40))} is not a version (YYYY-MM-DD)`, {
        step: 'MCP protocol version',
        hint: `Set a version such as ${STATELESS_ERA_VERSION} or 2025-06-18, or leave it empty to negotiate`,
      });
    }
    const options: ClientOptions = {
      // Extensions this client speaks are declared in capabilities.extensions (a server sees them in
      // initialize or in every request's _meta): the Skills extension (SEP-2640, src/core/skills.ts).
      capabilities: { elicitation: { form: { applyDefaults: true } }, extensions: CLIENT_EXTENSIONS },
      // Negotiate by default: server/discover, and initialize when the server does not know it.
      versionNegotiation: { mode: pin === undefined ? 'auto' : isStatelessEraVersion(pin) ? { pin } : 'legacy' },
      // A pinned older version is the only one initialize offers (and accepts back).
      ...(pin !== undefined && !isStatelessEraVersion(pin) ? { supportedProtocolVersions: [pin] } : {}),
      // The session pages itself (listToolsPaged); the SDK's own walk only runs for its header-mismatch retry.
      listMaxPages: opts.maxPages ?? 50,
      listChanged: {
        tools: { autoRefresh: false, onChanged: () => opts.onListChanged?.('tools') },
        resources: { autoRefresh: false, onChanged: () => opts.onListChanged?.('resources') },
        prompts: { autoRefresh: false, onChanged: () => opts.onListChanged?.('prompts') },
      },
    };
    this.client = new Client(CLIENT_INFO, options);
    this.messages = new MessageLog({
        ...opts.messageLog,
        redactor: opts.auth?.ctx?.redactor ?? opts.redactor ?? new Redactor(),
        protocol: () => ({ version: this.protocolVersion, era: this.negotiation?.era }),
        transport: () => this.transportKind,
      });
    // Server-initiated elicitation (session era) and the elicitation requests of an input_required
    // result (2026-07-28, answered by the SDK through this same handler before it retries the call).
    this.client.setRequestHandler('elicitation/create', async (req) => {
      if (!opts.onElicit) return { action: 'decline' };
      return opts.onElicit(req.params);
    });
    // Server log entries (MCP server utilities §logging); the message log records them as well.
    this.client.setNotificationHandler('notifications/message', (n) => {
      try {
        opts.onLogMessage?.(serverLogEntry(n.params, Date.now()));
      } catch {
        /* a listener never breaks the session */
      }
    });
  }

  /** The level set with `setLogLevel`, if any (2026-07-28: sent in each request's `_meta`). */
  logLevel?: LogLevel;

  /** How the server's log level can be set on the negotiated protocol (serverLog.ts). */
  get logging(): LoggingSupport {
    return loggingSupport(this.negotiation?.era, this.serverCapabilities as Record<string, unknown> | undefined);
  }

  /**
   * Set the server's log level: `logging/setLevel` on the session era; on 2026-07-28 the level is
   * sent in every later request's `_meta` (serverLog.ts). Throws 'not_supported' with the reason when
   * the server does not declare logging.
   */
  async setLogLevel(level: LogLevel): Promise<LoggingSupport['mode']> {
    const support = this.logging;
    if (support.mode === 'none') {
      throw new InspectorError('not_supported', `the server's log level cannot be set: ${support.reason}`, { step: 'logging/setLevel', hint: 'Log messages the server sends anyway still appear in the message log' });
    }
    if (support.mode === 'setLevel') await this.request(() => this.client.setLoggingLevel(level), 'logging/setLevel');
    this.logLevel = level;
    return support.mode;
  }

  /**
   * A timed round trip: `ping` on the session era; `server/discover` on 2026-07-28, which has no ping
   * (MCP basic utilities §ping; SEP-2575's stateless protocol).
   */
  async ping(): Promise<PingResult> {
    const method = this.negotiation?.era === 'stateless-2026' ? 'server/discover' : 'ping';
    const started = performance.now();
    await this.request(() => (method === 'ping' ? this.client.ping() : this.client.discover()), method);
    return { method, ms: Math.round((performance.now() - started) * 10) / 10 };
  }

  get serverInfo() {
    return this.client.getServerVersion();
  }

  get serverCapabilities() {
    return this.client.getServerCapabilities();
  }

  get protocolVersion(): string | undefined {
    return this.client.getNegotiatedProtocolVersion();
  }

  /** Which era was negotiated, and how; undefined before connect. */
  get negotiation(): Negotiation | undefined {
    const era = this.client.getProtocolEra();
    if (!era) return undefined;
    const stateless = era === 'modern';
    return {
      protocolVersion: this.protocolVersion,
      era: stateless ? 'stateless-2026' : 'session',
      negotiatedBy: stateless ? 'discover' : 'initialize',
      ...(this.opts.protocolVersion ? { pinned: this.opts.protocolVersion } : {}),
    };
  }

  /** The `initialize` result (or what `server/discover` said), once connected; undefined before. */
  get initializeResult(): InitializeInfo | undefined {
    const serverInfo = this.client.getServerVersion();
    const capabilities = this.client.getServerCapabilities();
    const negotiation = this.negotiation;
    if (!serverInfo && !capabilities && !negotiation) return undefined;
    return {
      protocolVersion: this.protocolVersion,
      era: negotiation?.era,
      negotiatedBy: negotiation?.negotiatedBy,
      serverInfo: serverInfo && { name: serverInfo.name, version: serverInfo.version, title: serverInfo.title },
      capabilities: capabilities as Record<string, unknown> | undefined,
      instructions: this.client.getInstructions(),
      icons: (serverInfo as { icons?: unknown } | undefined)?.icons,
    };
  }

  async connect(): Promise<void> {
    const t = this.opts.target;
    if (t.kind === 'stdio') {
      this.transport = new StdioClientTransport({ command: t.command, args: t.args, env: t.env, cwd: t.cwd, stderr: 'pipe' });
      this.transportKind = 'stdio';
      await this.connectWith(this.transport, t.command);
      return;
    }
    const fetch = createAuthFetch({
      // Under the auth fetch: the message log sees the Authorization header that went out, each attempt.
      fetch: this.messages.tapFetch(this.opts.fetch),
      auth: this.opts.auth,
      onAuthRequired: (op, status) => {
        this.serverRequiresAuth = true;
        if (op.startsWith(TOOLS_CALL)) this.noteRefusedWithoutToken(op.slice(TOOLS_CALL.length), status, 'http');
      },
    });
    const kind = t.transport ?? 'auto';
    // Redirects are our guarded fetch's business (its policy, its trace); a challenge too (authFetch):
    // the transport only reports a 403 it was handed back, it never signs in by itself.
    const common = { fetch, redirectPolicy: 'follow' as const };
    if (kind !== 'sse') {
      try {
        this.transport = new StreamableHTTPClientTransport(t.url, { ...common, onInsufficientScope: 'throw' });
        this.transportKind = 'streamable-http';
        await this.connectWith(this.transport, t.url.href);
        return;
      } catch (err) {
        if (kind === 'streamable-http' || !looksLikeLegacyServer(err)) throw err;
        this.opts.logger.info(`Streamable HTTP refused at ${t.url.href}; trying the legacy HTTP+SSE transport`);
        await this.transport?.close().catch(() => {});
      }
    }
    this.transport = new SSEClientTransport(t.url, common);
    this.transportKind = 'sse';
    await this.connectWith(this.transport, t.url.href);
  }

  private async connectWith(transport: Transport, where: string): Promise<void> {
    this.assumeCompleteResults(transport);
    this.messages.tapTransport(transport);
    // Outermost, so the message log records the request as it went (with the level in `_meta`).
    const send = transport.send.bind(transport);
    transport.send = (message, options) => send(this.logLevel && this.client.getProtocolEra() === 'modern' ? withLogLevelMeta(message, this.logLevel) : message, options);
    try {
      await this.client.connect(transport);
    } catch (err) {
      if (isInspectorError(err)) throw err;
      const inner = findInspectorError(err);
      if (inner) throw inner;
      const pin = this.opts.protocolVersion;
      if (pin !== undefined && err instanceof SdkError && err.code === SdkErrorCode.EraNegotiationFailed) {
        throw new InspectorError('mcp_connect_failed', `the MCP server does not offer the pinned protocol version ${pin}: ${this.redact((err as Error)?.message ?? String(err))}`, {
          step: 'MCP server/discover',
          url: where,
          cause: err,
          hint: 'Clear the protocol version pin (setting mcpOAuthInspector.protocolVersion, CLI --protocol-version) to negotiate, or pin a version the server supports',
        });
      }
      throw new InspectorError('mcp_connect_failed', `the MCP server did not complete ${pin && isStatelessEraVersion(pin) ? 'server/discover' : 'initialize'}: ${this.redact((err as Error)?.message ?? String(err))}`, {
        step: 'MCP initialize',
        url: where,
        cause: err,
        hint: pin ? `Check the server URL, and that it speaks MCP ${pin} (the pinned version)` : 'Check the server URL and that it speaks MCP (Streamable HTTP or HTTP+SSE)',
      });
    }
  }

  /**
   * SEP-2322 (2026-07-28): a result without `resultType` is a complete result — the client MUST
   * assume "complete" when it is not specified. The SDK refuses such a result on the 2026-07-28 wire,
   * so responses reaching it from the transport get the default written in (only on that era, only
   * on results that lack it; the server's text is not otherwise touched).
   */
  private assumeCompleteResults(transport: Transport): void {
    let handler: Transport['onmessage'];
    Object.defineProperty(transport, 'onmessage', {
      configurable: true,
      enumerable: true,
      get: () => handler,
      set: (h: Transport['onmessage']) => {
        handler = h && ((message, extra) => h(this.client.getProtocolEra() === 'modern' ? withDefaultResultType(message) : message, extra));
      },
    });
  }

  async listTools(): Promise<ToolInfo[]> {
    return (await this.listToolsPaged()).tools;
  }

  /**
   * tools/list, following `nextCursor` for at most `maxPages` pages (default the session's
   * `maxPages`, 50). `truncated` is set when the server still had a next page at the limit, so a
   * front end can say the list is cut and offer a higher limit instead of cutting it silently.
   */
  async listToolsPaged(maxPages = this.opts.maxPages ?? 50): Promise<{ tools: ToolInfo[]; truncated?: ListTruncation }> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (; pages < maxPages; pages++) {
      const r = await this.request(() => this.client.request({ method: 'tools/list', params: cursor ? { cursor } : undefined }, LooseListToolsResultSchema), 'tools/list');
      tools.push(...this.withoutInvalidHeaderDeclarations(r.tools));
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    this.listedTools.clear();
    for (const tool of tools) this.listedTools.set(tool.name, tool);
    const infos = tools.map((tool) => ({ tool, security: this.securityOf(tool) }));
    return cursor ? { tools: infos, truncated: { maxPages, items: tools.length } } : { tools: infos };
  }

  /**
   * SEP-2243 (2026-07-28, Streamable HTTP): a tool whose `x-mcp-header` declarations break the rules
   * cannot be called (its arguments cannot be mirrored into headers) and is left out, with a warning
   * naming the tool and why. Session-era connections and stdio keep every tool.
   */
  private withoutInvalidHeaderDeclarations(tools: Tool[]): Tool[] {
    if (this.client.getProtocolEra() !== 'modern' || this.transportKind === 'stdio') return tools;
    return tools.filter((tool) => {
      const problem = invalidHeaderDeclaration(tool.inputSchema);
      if (problem) this.opts.logger.warn(`tools/list: left out tool "${tool.name.slice(0, 100)}": ${problem} (SEP-2243 x-mcp-header)`);
      return !problem;
    });
  }

  securityOf(tool: Tool): ToolSecurity {
    const auth = this.opts.auth;
    return toolSecurity(tool as unknown as Record<string, unknown>, auth?.grantedScopes() ?? [], !!auth?.tokens, this.serverRequiresAuth, this.refusedWithoutToken.get(tool.name));
  }

  /**
   * Calls made without a token that the server refused, by tool name (the latest; cleared when such
   * a call later succeeds). A tool declared public (noauth) shows the disagreement (ToolSecurity.mismatch).
   */
  private readonly refusedWithoutToken = new Map<string, RefusedWithoutToken>();

  private noteRefusedWithoutToken(tool: string, status: number, via: RefusedWithoutToken['via']): void {
    if (!this.refusedWithoutToken.has(tool) && this.refusedWithoutToken.size >= 1000) return; // a server cannot grow it without bound
    this.refusedWithoutToken.set(tool, { status, via, at: Date.now() });
  }

  /** The page limit of a listing run (McpSessionOptions.maxPages, default 50). */
  get maxPages(): number {
    return this.opts.maxPages ?? 50;
  }

  /** Where the last listResources / listPrompts run stopped while the server had more (resources.ts). */
  resourcesCursor?: string;
  promptsCursor?: string;

  /** resources/list, one run of pages (resources.ts: a cut list keeps its cursor, shown as "more"). */
  async listResources(): Promise<Resource[]> {
    const page = await listResourcesPage(this);
    this.resourcesCursor = page.nextCursor;
    return page.items;
  }

  async listPrompts(): Promise<McpPrompt[]> {
    const page = await listPromptsPage(this);
    this.promptsCursor = page.nextCursor;
    return page.items;
  }

  /**
   * One MCP request named by its method for errors (resources.ts runs its requests here). With
   * `authorize` false, a challenge for `what` (the operation authFetch.ts counts: "resources/read <uri>")
   * rejects with the scopes it asks for instead of signing in, as CallToolOptions.authorize.
   */
  operation<T>(what: McpMethodStep, fn: () => Promise<T>, authorize?: boolean): Promise<T> {
    const auth = this.opts.auth;
    const run = async () => {
      const r = await this.request(fn, what);
      auth?.succeeded(what);
      return r;
    };
    return authorize === false && auth ? auth.withoutAuthorization(what, run) : run();
  }

  /**
   * tools/call. A result carrying a tool-level challenge (`isError` + `_meta["mcp/www_authenticate"]`)
   * starts the same authorization / step-up flow as an HTTP 401/403, then the call is retried
   * (unless `opts.authorize` is false). The SDK checks structuredContent against the tool's
   * outputSchema and throws when it does not match.
   */
  async callTool(name: string, args: Record<string, unknown> = {}, opts: CallToolOptions = {}): Promise<CallToolResult> {
    const toolDefinition = this.listedTools.get(name);
    return this.callWithChallenges(name, opts, () => this.client.callTool({ name, arguments: args }, toolDefinition ? { toolDefinition } : undefined) as Promise<CallToolResult>);
  }

  /**
   * tools/call for an inspector: like `callTool`, but a result whose structuredContent does not
   * match the outputSchema is returned (not thrown) with the check's outcome, so both can be shown.
   * The check is the SDK's own validator for the tool (cached by `listTools`).
   */
  async inspectToolCall(name: string, args: Record<string, unknown> = {}, opts: CallToolOptions = {}): Promise<InspectedCall> {
    // The listed tool without its outputSchema: the SDK mirrors its header parameters and does not
    // throw on a mismatching result, which checkOutput reports instead.
    const listed = this.listedTools.get(name);
    const toolDefinition = listed ? ({ ...listed, outputSchema: undefined } as Tool) : undefined;
    const result = await this.callWithChallenges(name, opts, () => this.client.callTool({ name, arguments: args }, toolDefinition ? { toolDefinition } : undefined) as Promise<CallToolResult>);
    return { result, outputCheck: this.checkOutput(name, result) };
  }

  private async callWithChallenges(name: string, opts: CallToolOptions, call: () => Promise<CallToolResult>): Promise<CallToolResult> {
    const op: McpMethodStep = `tools/call ${name}`;
    const auth = this.opts.auth;
    const loop = async (): Promise<CallToolResult> => {
      for (;;) {
        // The token this call is about to carry (the fetch asks the same single-flight source), so a
        // challenge to a token another call has meanwhile replaced is answered by a plain retry.
        const sentToken = auth ? await auth.accessToken() : undefined;
        const refusedBefore = this.refusedWithoutToken.get(name);
        const result = await this.request(call, op);
        const challenges = toolLevelChallenges(result);
        if (challenges.length === 0 || !auth) {
          auth?.succeeded(op);
          // answered without a token (and not refused on the way): an earlier refusal no longer holds
          if (!sentToken && !auth?.tokens && this.refusedWithoutToken.get(name) === refusedBefore) this.refusedWithoutToken.delete(name);
          return result;
        }
        // One header value of all the challenge strings (RFC 9110 §11.6.1: a list of challenges).
        const header = challenges.join(', ');
        const hadToken = !!auth.tokens;
        // invalid_token or no error → the 401 path (refresh, else sign in); insufficient_scope → step-up.
        // handleChallenge counts the authorizations per operation, so a tool that always challenges ends.
        const status = toolChallengeStatus(bearerChallenge(await parseChallenges(header)), hadToken);
        if (!sentToken) this.noteRefusedWithoutToken(name, status, 'tool-result');
        const retry = await auth.handleChallenge({ status, header, op, hadToken, sentToken: hadToken ? sentToken : undefined, interactive: opts.authorize === false ? false : undefined });
        if (!retry) return result;
      }
    };
    // The HTTP-level challenges of this call are handled in the fetch (authFetch.ts): tell the auth
    // manager for the duration of the call that this operation must not sign in by itself.
    return this.messages.withOrigin(opts.origin, () => (opts.authorize === false && auth ? auth.withoutAuthorization(op, loop) : loop()));
  }

  /** What the SDK's Client.callTool checks, as data: https://modelcontextprotocol.io/specification/2025-06-18/server/tools#output-schema */
  private checkOutput(name: string, result: CallToolResult): OutputCheck | undefined {
    const tool = this.listedTools.get(name);
    if (!tool?.outputSchema) return undefined;
    // The SDK's own compile step for a tool's outputSchema (the one Client.callTool uses).
    const client = this.client as unknown as { _compileOutputValidator?: (t: Tool) => { ok: true; validator: (v: unknown) => { valid: boolean; errorMessage?: string } } | { ok: false; compileError: unknown } | undefined };
    const compiled = client._compileOutputValidator?.(tool);
    if (!compiled) return undefined;
    if (!compiled.ok) {
      const e = compiled.compileError;
      return { valid: false, errors: [this.redact(`The tool's outputSchema cannot be used: ${(e instanceof Error ? e.message : String(e)).slice(0, 200)}`)] };
    }
    const validator = compiled.validator;
    if (result.structuredContent === undefined) {
      return result.isError ? undefined : { valid: false, errors: [`Tool ${name} has an output schema but did not return structured content`] };
    }
    try {
      const v = validator(result.structuredContent);
      return v.valid ? { valid: true, errors: [] } : { valid: false, errors: [this.redact(`Structured content does not match the tool's output schema: ${v.errorMessage ?? 'invalid'}`)] };
    } catch (err) {
      return { valid: false, errors: [this.redact(`Failed to validate structured content: ${(err as Error)?.message ?? String(err)}`)] };
    }
  }

  private async request<T>(fn: () => Promise<T>, what: McpMethodStep): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const inner = findInspectorError(err);
      if (inner) throw inner;
      throw new InspectorError('mcp_request_failed', `${what} failed: ${this.redact((err as Error)?.message ?? String(err))}`, { step: what, cause: err });
    }
  }

  /** SDK error messages quote the server's response text, which may echo our token back. */
  private redact(text: string): string {
    const redactor = this.opts.auth?.ctx?.redactor;
    return redactor ? redactor.text(text) : text;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const t = this.transport as StreamableHTTPClientTransport | undefined;
    try {
      if (t instanceof StreamableHTTPClientTransport && t.sessionId) await t.terminateSession().catch(() => {});
      await this.client.close();
    } catch {
      /* closing twice or a dead transport is fine */
    }
  }
}

/**
 * MCP transports §backwards compatibility: a POST of initialize refused with 404 / 405 means a
 * server of the old HTTP+SSE transport. Decided by the SDK error's HTTP status, never by message
 * text; the SDK may wrap it, so the cause chain is searched.
 */
function looksLikeLegacyServer(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    if (e instanceof SdkHttpError) return e.status === 404 || e.status === 405;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** A JSON-RPC result without `resultType`, as the complete result SEP-2322 says it is. */
function withDefaultResultType<M>(message: M): M {
  const result = (message as { result?: unknown }).result;
  if (!result || typeof result !== 'object' || Array.isArray(result) || 'resultType' in result) return message;
  return { ...message, result: { ...result, resultType: 'complete' } };
}

/** The SDK wraps errors from our fetch; dig out ours so users see our message and code. */
function findInspectorError(err: unknown): InspectorError | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    if (isInspectorError(e)) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
