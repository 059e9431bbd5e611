/**
 * The Todo MCP server's tools, their per-tool security declarations, and the per-user store.
 *
 * Each tool declares `securitySchemes` (SEP-1488 / OpenAI Apps SDK shape: `noauth`, or `oauth2`
 * with scopes). The MCP server exposes them twice: as the top-level Tool field and in
 * `_meta.securitySchemes`, because clients read one or the other.
 */
import { z } from 'zod';
import type { AuthInfo, CallToolResult, McpServer, ToolAnnotations } from '@modelcontextprotocol/server';
import { findDemoAccount, SCOPE_READ, SCOPE_WRITE } from './constants';
import { toolUiMeta } from './todoView';

export type SecurityScheme = { type: 'noauth' } | { type: 'oauth2'; scopes: string[] };

/**
 * How a protected tool answers a caller without the scope it needs:
 * - `http`: the MCP server refuses the HTTP request (401 challenge / 403 insufficient_scope);
 * - `tool`: the call reaches the tool, which returns the tool-level challenge
 *   (`isError: true` + `_meta["mcp/www_authenticate"]`).
 */
export type ChallengeStyle = 'http' | 'tool';

/** What a tool needs to know about the request it serves. */
export interface ToolContext {
  /** The verified token, or undefined for an anonymous call. */
  readonly auth: AuthInfo | undefined;
  /** The protected-resource metadata URL of the endpoint serving this call (RFC 9728). */
  readonly resourceMetadataUrl: string;
  readonly todos: TodoStore;
}

export interface DemoTool {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly annotations: ToolAnnotations;
  readonly securitySchemes: readonly SecurityScheme[];
  /** The scope a caller must hold; undefined for public tools. */
  readonly requiredScope?: string;
  readonly challenge?: ChallengeStyle;
  readonly inputShape: z.ZodRawShape;
  run(args: Record<string, unknown>, ctx: ToolContext): CallToolResult | Promise<CallToolResult>;
}

/** Typed definition, erased to DemoTool for the table (arguments are validated by the SDK first). */
function defineTool<S extends z.ZodRawShape>(
  tool: Omit<DemoTool, 'inputShape' | 'run'> & {
    inputShape: S;
    run(args: z.infer<z.ZodObject<S>>, ctx: ToolContext): CallToolResult | Promise<CallToolResult>;
  },
): DemoTool {
  return tool as unknown as DemoTool;
}

// ---------------------------------------------------------------------------------------------
// Per-user todo store (keyed by the token's `sub`)

export interface Todo {
  id: string;
  title: string;
  done: boolean;
  createdAt: string;
}

const MAX_TODOS_PER_USER = 200;

export class TodoStore {
  readonly #byUser = new Map<string, { next: number; items: Todo[] }>();
  readonly #listeners = new Set<(sub: string, id: string) => void>();

  /** Told of every added or completed todo (the MCP server sends notifications/resources/updated). */
  onChange(listener: (sub: string, id: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(sub: string, id: string): void {
    for (const l of this.#listeners) l(sub, id);
  }

  list(sub: string): Todo[] {
    return [...(this.#byUser.get(sub)?.items ?? [])];
  }

  add(sub: string, title: string): Todo {
    let entry = this.#byUser.get(sub);
    if (!entry) {
      entry = { next: 1, items: [] };
      this.#byUser.set(sub, entry);
    }
    if (entry.items.length >= MAX_TODOS_PER_USER) {
      throw new Error(`This demo keeps at most ${MAX_TODOS_PER_USER} todos per user; complete or restart to add more.`);
    }
    const todo: Todo = { id: String(entry.next++), title, done: false, createdAt: new Date().toISOString() };
    entry.items.push(todo);
    this.#changed(sub, todo.id);
    return todo;
  }

  complete(sub: string, id: string): Todo | undefined {
    const todo = this.#byUser.get(sub)?.items.find((t) => t.id === id);
    if (todo) {
      todo.done = true;
      this.#changed(sub, id);
    }
    return todo;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function text(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }] };
}

function failure(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

function subjectOf(auth: AuthInfo | undefined): string | undefined {
  const sub = auth?.extra?.sub;
  return typeof sub === 'string' ? sub : undefined;
}

/** The scopes to ask for when stepping up: what the token already has plus what is needed. */
export function stepUpScope(auth: AuthInfo | undefined, needed: string): string {
  const scopes = new Set<string>((auth?.scopes ?? []).filter((s) => s === SCOPE_READ || s === SCOPE_WRITE));
  scopes.add(needed);
  return [...scopes].join(' ');
}

/** RFC 6750 §3 challenge; every value here is produced by the demo itself (no quotes inside). */
export function bearerChallenge(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}="${value.replace(/["\\]/g, '')}"`);
  return `Bearer ${parts.join(', ')}`;
}

/**
 * Defence in depth: the HTTP layer already refuses `http`-style tools without the scope, but a
 * tool never trusts that alone.
 */
function missingScope(tool: { requiredScope?: string }, auth: AuthInfo | undefined): boolean {
  return tool.requiredScope !== undefined && !(auth?.scopes.includes(tool.requiredScope) ?? false);
}

// ---------------------------------------------------------------------------------------------
// The docs searched by the public tool

const DOCS: ReadonlyArray<{ title: string; body: string }> = [
  {
    title: 'Protected resource metadata (RFC 9728)',
    body: 'An MCP server names its authorization server at /.well-known/oauth-protected-resource/<path>. A 401 carries WWW-Authenticate: Bearer resource_metadata="…" so the client knows where to look.',
  },
  {
    title: 'PKCE (RFC 7636)',
    body: 'Every authorization request carries a code_challenge (S256); the token request proves possession with the code_verifier. This authorization server requires PKCE for every client.',
  },
  {
    title: 'Dynamic Client Registration (RFC 7591)',
    body: 'A client without a client_id can register itself at the registration_endpoint. Registration here is open; native clients may use any loopback port (RFC 8252 §7.3).',
  },
  {
    title: 'Client ID Metadata Documents',
    body: 'A client can use an https URL as its client_id; the authorization server fetches the JSON document at that URL. Look for client_id_metadata_document_supported in the metadata.',
  },
  {
    title: 'Resource indicators (RFC 8707)',
    body: 'The resource parameter names the MCP server a token is for. Access tokens here are JWTs whose aud is exactly that URL; a token for /mcp is refused by /mcp-mixed.',
  },
  {
    title: 'Step-up authorization',
    body: 'A token with todos.read calling add_todo gets 403 with WWW-Authenticate error="insufficient_scope", scope="todos.read todos.write". The client re-authorizes with the larger scope.',
  },
  {
    title: 'Refresh token rotation',
    body: 'Every refresh returns a new refresh token and invalidates the old one; reusing an old refresh token revokes the whole grant.',
  },
  {
    title: 'Tool-level auth challenge',
    body: 'get_secret_note answers an anonymous call with isError and _meta["mcp/www_authenticate"], instead of an HTTP 401, so a client can sign in from inside a tool result.',
  },
];

// ---------------------------------------------------------------------------------------------
// The tools

export const TOOLS: readonly DemoTool[] = [
  defineTool({
    name: 'search_docs',
    title: 'Search the OAuth docs',
    description: 'Search short notes about MCP authorization. Public: works without signing in.',
    annotations: { readOnlyHint: true, openWorldHint: false },
    securitySchemes: [{ type: 'noauth' }],
    inputShape: { query: z.string().min(1).max(200).describe('Words to look for, e.g. "pkce" or "refresh"') },
    run({ query }) {
      const words = query.toLowerCase().split(/\s+/).filter(Boolean);
      const hits = DOCS.filter((doc) => {
        const haystack = `${doc.title} ${doc.body}`.toLowerCase();
        return words.some((word) => haystack.includes(word));
      });
      if (hits.length === 0) return text(`No notes match "${query}". Try: pkce, registration, refresh, scope.`);
      return text(hits.map((doc) => `## ${doc.title}\n${doc.body}`).join('\n\n'));
    },
  }),
  defineTool({
    name: 'whoami',
    title: 'Who am I?',
    description: 'Says who the server thinks you are. Works anonymously; shows your identity, client and scopes when called with a token.',
    annotations: { readOnlyHint: true, openWorldHint: false },
    securitySchemes: [{ type: 'noauth' }, { type: 'oauth2', scopes: [SCOPE_READ] }],
    inputShape: {},
    run(_args, { auth }) {
      const sub = subjectOf(auth);
      if (!auth || !sub) {
        return text({ signedIn: false, message: 'You are anonymous. Call with an access token to see your identity, client and scopes.' });
      }
      return text({
        signedIn: true,
        sub,
        name: findDemoAccount(sub)?.name,
        client_id: auth.clientId,
        scopes: auth.scopes,
        audience: auth.resource?.href,
        expires_at: auth.expiresAt ? new Date(auth.expiresAt * 1000).toISOString() : undefined,
      });
    },
  }),
  defineTool({
    name: 'list_todos',
    title: 'List my todos',
    description: 'Lists the todos of the signed-in user. Needs the todos.read scope.',
    annotations: { readOnlyHint: true, openWorldHint: false },
    securitySchemes: [{ type: 'oauth2', scopes: [SCOPE_READ] }],
    requiredScope: SCOPE_READ,
    challenge: 'http',
    inputShape: {},
    run(_args, { auth, todos }) {
      const sub = subjectOf(auth);
      if (!sub || missingScope({ requiredScope: SCOPE_READ }, auth)) return failure(`list_todos needs the ${SCOPE_READ} scope.`);
      return text({ todos: todos.list(sub) });
    },
  }),
  defineTool({
    name: 'add_todo',
    title: 'Add a todo',
    description: 'Adds a todo for the signed-in user. Needs the todos.write scope.',
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    securitySchemes: [{ type: 'oauth2', scopes: [SCOPE_WRITE] }],
    requiredScope: SCOPE_WRITE,
    challenge: 'http',
    inputShape: { title: z.string().min(1).max(200).describe('What needs doing') },
    run({ title }, { auth, todos }) {
      const sub = subjectOf(auth);
      if (!sub || missingScope({ requiredScope: SCOPE_WRITE }, auth)) return failure(`add_todo needs the ${SCOPE_WRITE} scope.`);
      try {
        return text({ added: todos.add(sub, title) });
      } catch (error) {
        return failure((error as Error).message);
      }
    },
  }),
  defineTool({
    name: 'complete_todo',
    title: 'Complete a todo',
    description: 'Marks one of your todos as done. Needs the todos.write scope.',
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    securitySchemes: [{ type: 'oauth2', scopes: [SCOPE_WRITE] }],
    requiredScope: SCOPE_WRITE,
    challenge: 'http',
    inputShape: { id: z.string().min(1).max(20).describe('The id returned by add_todo or list_todos') },
    run({ id }, { auth, todos }) {
      const sub = subjectOf(auth);
      if (!sub || missingScope({ requiredScope: SCOPE_WRITE }, auth)) return failure(`complete_todo needs the ${SCOPE_WRITE} scope.`);
      const todo = todos.complete(sub, id);
      return todo ? text({ completed: todo }) : failure(`You have no todo with id "${id}". Call list_todos to see your ids.`);
    },
  }),
  defineTool({
    name: 'get_secret_note',
    title: 'Read the secret note',
    description:
      'Returns a note only signed-in users may read (todos.read). Anonymous calls get a tool-level auth challenge in the result instead of an HTTP 401.',
    annotations: { readOnlyHint: true, openWorldHint: false },
    securitySchemes: [{ type: 'oauth2', scopes: [SCOPE_READ] }],
    requiredScope: SCOPE_READ,
    challenge: 'tool',
    inputShape: {},
    run(_args, { auth, resourceMetadataUrl }) {
      const sub = subjectOf(auth);
      if (!sub || missingScope({ requiredScope: SCOPE_READ }, auth)) {
        return {
          isError: true,
          content: [{ type: 'text', text: `get_secret_note needs you to sign in with the ${SCOPE_READ} scope.` }],
          _meta: {
            'mcp/www_authenticate': [
              bearerChallenge({
                resource_metadata: resourceMetadataUrl,
                error: 'insufficient_scope',
                scope: stepUpScope(auth, SCOPE_READ),
              }),
            ],
          },
        };
      }
      return text({ note: `Hello ${sub}: the secret ingredient of this demo is a real authorization server.` });
    },
  }),
];

export function findTool(name: unknown): DemoTool | undefined {
  return TOOLS.find((tool) => tool.name === name);
}

/** Registers every tool on an McpServer; `context` supplies the per-request view. */
export function registerTodoTools(
  server: McpServer,
  context: (auth: AuthInfo | undefined) => ToolContext,
): void {
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: z.object(tool.inputShape),
        annotations: tool.annotations,
        // list_todos names its MCP App view (demo/todoView.ts, SEP-1865 _meta.ui.resourceUri)
        _meta: { securitySchemes: tool.securitySchemes, ...(toolUiMeta(tool.name) ? { ui: toolUiMeta(tool.name) } : {}) },
      },
      async (args: Record<string, unknown>, ctx) => {
        const result = await tool.run(args, context(ctx.http?.authInfo));
        // A log message per call (notifications/message; MCP server utilities §logging), when the
        // client can receive one: the session era, and 2026-07-28 requests answered as a stream.
        const who = subjectOf(ctx.http?.authInfo) ?? 'anonymous';
        try {
          await ctx.mcpReq.log(result.isError ? 'warning' : 'info', { tool: tool.name, user: who, isError: result.isError === true }, 'todo-demo');
        } catch {
          /* no way to send it on this request */
        }
        return result;
      },
    );
  }
}
