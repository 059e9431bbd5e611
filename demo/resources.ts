/**
 * The Todo MCP server's resources, resource template and prompt:
 *
 * - `todo://about` — public, text/markdown: what the demo is;
 * - `todo://me/todos` — the signed-in user's todos as JSON; needs todos.read (on `/mcp-mixed` an
 *   anonymous read gets the HTTP 401 challenge, like a protected tool); subscribers hear
 *   `notifications/resources/updated` when a tool changes the list;
 * - `todo://todos/{id}` — one of the user's todos; `completion/complete` offers the user's ids;
 * - the prompt `summarize_todos` (argument `style`, completed from brief | detailed | checklist),
 *   which needs todos.read too.
 * @see https://modelcontextprotocol.io/specification/2025-06-18/server/resources
 * @see https://modelcontextprotocol.io/specification/2025-06-18/server/prompts
 */
import { z } from 'zod';
import { ResourceTemplate, type AuthInfo, type McpServer } from '@modelcontextprotocol/server';
import { SCOPE_READ } from './constants';
import type { TodoStore } from './todoTools';

export const ABOUT_URI = 'todo://about';
export const MY_TODOS_URI = 'todo://me/todos';
export const TODO_TEMPLATE = 'todo://todos/{id}';
export const SUMMARY_PROMPT = 'summarize_todos';
export const SUMMARY_STYLES = ['brief', 'detailed', 'checklist'] as const;

const ABOUT = `# Todo MCP demo

A local demo server for **MCP OAuth Inspector**.

- \`${ABOUT_URI}\` (this page) is public.
- \`${MY_TODOS_URI}\` lists *your* todos: it needs the \`${SCOPE_READ}\` scope. Subscribe to it, then call \`add_todo\`.
- \`${TODO_TEMPLATE}\` reads one todo by id (completion offers your ids).
- The prompt \`${SUMMARY_PROMPT}\` summarizes your todos.
`;

/** The scope an MCP request needs when it reads a protected resource or gets the prompt; undefined when public. */
export function resourceScopeNeeded(message: unknown): string | undefined {
  const { method, params } = (message ?? {}) as { method?: unknown; params?: { uri?: unknown; name?: unknown } };
  if (method === 'resources/read' || method === 'resources/subscribe') {
    return typeof params?.uri === 'string' && params.uri !== ABOUT_URI ? SCOPE_READ : undefined;
  }
  if (method === 'prompts/get') return params?.name === SUMMARY_PROMPT ? SCOPE_READ : undefined;
  return undefined;
}

function subjectOf(auth: AuthInfo | undefined): string | undefined {
  const sub = auth?.extra?.sub;
  return typeof sub === 'string' && auth?.scopes.includes(SCOPE_READ) ? sub : undefined;
}

const refused = (uri: string) => ({ contents: [{ uri, mimeType: 'text/plain', text: `Reading ${uri} needs the ${SCOPE_READ} scope.` }] });

/** Registers the resources, the template and the prompt; `authOf` gives the verified token of a request. */
export function registerTodoResources(server: McpServer, todos: TodoStore): void {
  server.registerResource('about', ABOUT_URI, { title: 'About this demo', mimeType: 'text/markdown', description: 'Public: works without signing in.' }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: 'text/markdown', text: ABOUT }],
  }));
  server.registerResource('my_todos', MY_TODOS_URI, { title: 'My todos', mimeType: 'application/json', description: `Your todos (needs ${SCOPE_READ}). Subscribe to hear changes.` }, async (uri, ctx) => {
    const sub = subjectOf(ctx.http?.authInfo);
    if (!sub) return refused(uri.href);
    return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify({ user: sub, todos: todos.list(sub) }, null, 2) }] };
  });
  server.registerResource(
    'todo',
    new ResourceTemplate(TODO_TEMPLATE, { list: undefined, complete: { id: () => [] } }),
    { title: 'One todo', mimeType: 'application/json', description: `One of your todos by id (needs ${SCOPE_READ}).` },
    async (uri, vars, ctx) => {
      const sub = subjectOf(ctx.http?.authInfo);
      if (!sub) return refused(uri.href);
      const todo = todos.list(sub).find((t) => t.id === String(vars.id));
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(todo ?? { error: `You have no todo with id "${String(vars.id)}"` }, null, 2) }] };
    },
  );
  server.registerPrompt(
    SUMMARY_PROMPT,
    { title: 'Summarize my todos', description: `Asks a model to summarize your todos (needs ${SCOPE_READ}).`, argsSchema: z.object({ style: z.string().describe(`One of ${SUMMARY_STYLES.join(', ')}`) }) },
    ({ style }, ctx) => {
      const sub = subjectOf(ctx.http?.authInfo);
      const list = sub ? todos.list(sub) : [];
      return {
        description: `A ${style} summary of ${sub ?? 'nobody'}'s todos`,
        messages: [
          { role: 'user', content: { type: 'text', text: `Summarize my todos (${style}). Open: ${list.filter((t) => !t.done).length}, done: ${list.filter((t) => t.done).length}.` } },
          { role: 'user', content: { type: 'resource', resource: { uri: MY_TODOS_URI, mimeType: 'application/json', text: JSON.stringify(list) } } },
        ],
      };
    },
  );
  // completion/complete with the caller's token: the template's ids are the caller's own todos
  // (the SDK's per-variable callback does not see the request, so the handler is replaced).
  server.server.setRequestHandler('completion/complete', (req, ctx) => {
    const { ref, argument } = req.params;
    const prefix = argument.value ?? '';
    let values: string[] = [];
    if (ref.type === 'ref/resource' && ref.uri === TODO_TEMPLATE && argument.name === 'id') {
      const sub = subjectOf(ctx.http?.authInfo);
      values = sub ? todos.list(sub).map((t) => t.id) : [];
    } else if (ref.type === 'ref/prompt' && ref.name === SUMMARY_PROMPT && argument.name === 'style') {
      values = [...SUMMARY_STYLES];
    }
    const hits = values.filter((v) => v.startsWith(prefix));
    return { completion: { values: hits.slice(0, 100), total: hits.length, hasMore: hits.length > 100 } };
  });
}
