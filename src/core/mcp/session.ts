/**
 * An MCP session over the official SDK: Streamable HTTP with fallback to the legacy HTTP+SSE
 * transport, or stdio for local servers (no OAuth). Auth happens in the fetch we hand the SDK
 * (authFetch.ts); this class adds what an inspector needs on top — paginated listings, tool security
 * against the current token, tool-level auth challenges, list_changed events, elicitation.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CallToolResultSchema,
  ElicitRequestSchema,
  ListToolsResultSchema,
  type CallToolResult,
  type ElicitRequest,
  type ElicitResult,
  type Prompt as McpPrompt,
  type Resource,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { InspectorError, isInspectorError } from '../errors';
import type { GuardedFetch } from '../http/guardedFetch';
import type { AuthManager } from '../oauth/authManager';
import { bearerChallenge, parseChallenges, toolChallengeStatus, toolLevelChallenges } from '../oauth/challenge';
import type { Logger } from '../ports';
import { createAuthFetch } from './authFetch';
import { toolSecurity, type RefusedWithoutToken, type ToolSecurity } from './toolSecurity';

const TOOLS_CALL = 'tools/call ';

/**
 * tools/list as the SDK parses it, except that each tool keeps the fields the SDK's schema does not
 * know: the SDK's zod object strips unknown keys, which would drop a tool's top-level `securitySchemes`.
 */
const LooseListToolsResultSchema = ListToolsResultSchema.extend({ tools: ListToolsResultSchema.shape.tools.element.loose().array() });

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
  /** Max pages to follow on list calls (a hostile server could paginate forever). */
  maxPages?: number;
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
  serverInfo?: { name: string; version: string; title?: string };
  capabilities?: Record<string, unknown>;
  instructions?: string;
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
  transportKind?: 'streamable-http' | 'sse' | 'stdio';
  /** The server answered 401 to a request without a token: undeclared tools need auth. */
  serverRequiresAuth = false;
  private transport?: Transport;
  private closed = false;
  /** The protocol version `initialize` negotiated (the SDK hands it to the transport; kept here for every transport, stdio included). */
  private negotiatedVersion?: string;

  constructor(private readonly opts: McpSessionOptions) {
    this.client = new Client(CLIENT_INFO, {
      capabilities: { elicitation: { form: { applyDefaults: true } } },
      listChanged: {
        tools: { onChanged: () => opts.onListChanged?.('tools') },
        resources: { onChanged: () => opts.onListChanged?.('resources') },
        prompts: { onChanged: () => opts.onListChanged?.('prompts') },
      },
    });
    this.client.setRequestHandler(ElicitRequestSchema, async (req) => {
      if (!opts.onElicit) return { action: 'decline' };
      return opts.onElicit(req.params);
    });
  }

  get serverInfo() {
    return this.client.getServerVersion();
  }

  get serverCapabilities() {
    return this.client.getServerCapabilities();
  }

  get protocolVersion(): string | undefined {
    return this.negotiatedVersion ?? (this.transport as { protocolVersion?: string } | undefined)?.protocolVersion;
  }

  /** The `initialize` result, once the session is initialized; undefined before. */
  get initializeResult(): InitializeInfo | undefined {
    const serverInfo = this.client.getServerVersion();
    const capabilities = this.client.getServerCapabilities();
    if (!serverInfo && !capabilities && !this.negotiatedVersion) return undefined;
    return {
      protocolVersion: this.protocolVersion,
      serverInfo: serverInfo && { name: serverInfo.name, version: serverInfo.version, title: serverInfo.title },
      capabilities: capabilities as Record<string, unknown> | undefined,
      instructions: this.client.getInstructions(),
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
      fetch: this.opts.fetch,
      auth: this.opts.auth,
      onAuthRequired: (op, status) => {
        this.serverRequiresAuth = true;
        if (op.startsWith(TOOLS_CALL)) this.noteRefusedWithoutToken(op.slice(TOOLS_CALL.length), status, 'http');
      },
    });
    const kind = t.transport ?? 'auto';
    if (kind !== 'sse') {
      try {
        this.transport = new StreamableHTTPClientTransport(t.url, { fetch });
        this.transportKind = 'streamable-http';
        await this.connectWith(this.transport, t.url.href);
        return;
      } catch (err) {
        if (kind === 'streamable-http' || !looksLikeLegacyServer(err)) throw err;
        this.opts.logger.info(`Streamable HTTP refused at ${t.url.href}; trying the legacy HTTP+SSE transport`);
        await this.transport?.close().catch(() => {});
      }
    }
    this.transport = new SSEClientTransport(t.url, { fetch });
    this.transportKind = 'sse';
    await this.connectWith(this.transport, t.url.href);
  }

  private async connectWith(transport: Transport, where: string): Promise<void> {
    // Client.connect tells the transport the negotiated version through setProtocolVersion (HTTP
    // transports send it as a header); note it on the way, for every transport.
    const setVersion = transport.setProtocolVersion?.bind(transport);
    transport.setProtocolVersion = (version: string) => {
      this.negotiatedVersion = version;
      setVersion?.(version);
    };
    try {
      await this.client.connect(transport);
    } catch (err) {
      if (isInspectorError(err)) throw err;
      const inner = findInspectorError(err);
      if (inner) throw inner;
      throw new InspectorError('mcp_connect_failed', `the MCP server did not complete initialize: ${this.redact((err as Error)?.message ?? String(err))}`, {
        step: 'MCP initialize',
        url: where,
        cause: err,
        hint: 'Check the server URL and that it speaks MCP (Streamable HTTP or HTTP+SSE)',
      });
    }
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
      tools.push(...(r.tools as Tool[]));
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    // What Client.listTools does after each page (output-schema validators for tools/call), once for all pages.
    (this.client as unknown as { cacheToolMetadata?: (t: Tool[]) => void }).cacheToolMetadata?.(tools);
    const infos = tools.map((tool) => ({ tool, security: this.securityOf(tool) }));
    return cursor ? { tools: infos, truncated: { maxPages, items: tools.length } } : { tools: infos };
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

  async listResources(): Promise<Resource[]> {
    if (!this.serverCapabilities?.resources) return [];
    const out: Resource[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < (this.opts.maxPages ?? 50); page++) {
      const r = await this.request(() => this.client.listResources(cursor ? { cursor } : undefined), 'resources/list');
      out.push(...r.resources);
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    return out;
  }

  async listPrompts(): Promise<McpPrompt[]> {
    if (!this.serverCapabilities?.prompts) return [];
    const out: McpPrompt[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < (this.opts.maxPages ?? 50); page++) {
      const r = await this.request(() => this.client.listPrompts(cursor ? { cursor } : undefined), 'prompts/list');
      out.push(...r.prompts);
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    return out;
  }

  /**
   * tools/call. A result carrying a tool-level challenge (`isError` + `_meta["mcp/www_authenticate"]`)
   * starts the same authorization / step-up flow as an HTTP 401/403, then the call is retried
   * (unless `opts.authorize` is false). The SDK checks structuredContent against the tool's
   * outputSchema and throws when it does not match.
   */
  async callTool(name: string, args: Record<string, unknown> = {}, opts: CallToolOptions = {}): Promise<CallToolResult> {
    return this.callWithChallenges(name, opts, () => this.client.callTool({ name, arguments: args }) as Promise<CallToolResult>);
  }

  /**
   * tools/call for an inspector: like `callTool`, but a result whose structuredContent does not
   * match the outputSchema is returned (not thrown) with the check's outcome, so both can be shown.
   * The check is the SDK's own validator for the tool (cached by `listTools`).
   */
  async inspectToolCall(name: string, args: Record<string, unknown> = {}, opts: CallToolOptions = {}): Promise<InspectedCall> {
    const result = await this.callWithChallenges(name, opts, () => this.client.request({ method: 'tools/call', params: { name, arguments: args } }, CallToolResultSchema) as Promise<CallToolResult>);
    return { result, outputCheck: this.checkOutput(name, result) };
  }

  private async callWithChallenges(name: string, opts: CallToolOptions, call: () => Promise<CallToolResult>): Promise<CallToolResult> {
    const op = `tools/call ${name}`;
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
    return opts.authorize === false && auth ? auth.withoutAuthorization(op, loop) : loop();
  }

  /** What the SDK's Client.callTool checks, as data: https://modelcontextprotocol.io/specification/2025-06-18/server/tools#output-schema */
  private checkOutput(name: string, result: CallToolResult): OutputCheck | undefined {
    const client = this.client as unknown as { getToolOutputValidator?: (tool: string) => ((v: unknown) => { valid: boolean; errorMessage?: string }) | undefined };
    const validator = client.getToolOutputValidator?.(name);
    if (!validator) return undefined;
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

  private async request<T>(fn: () => Promise<T>, what: string): Promise<T> {
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
    return this.opts.auth ? this.opts.auth.ctx.redactor.text(text) : text;
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
 * server of the old HTTP+SSE transport. Decided by the SDK error's HTTP status (its `code`), never
 * by message text; the SDK may wrap it, so the cause chain is searched.
 */
function looksLikeLegacyServer(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    if (e instanceof StreamableHTTPError) return e.code === 404 || e.code === 405;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
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
