/**
 * The Todo demo's MCP App (SEP-1865, extension `io.modelcontextprotocol/ui`), server side, with the
 * official SDK's server helpers (`@modelcontextprotocol/ext-apps/server`): the `ui://todos/view`
 * resource (`text/html;profile=mcp-app`) and the link from `list_todos` to it (`_meta.ui.resourceUri`).
 * The page is one self-contained HTML document: demo/view/todoApp.ts bundled with esbuild (the app
 * SDK inlined), with no network source of its own, so its resource declares no CSP domains.
 * @see https://github.com/modelcontextprotocol/ext-apps/blob/main/specification/2026-01-26/apps.mdx
 */
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { registerAppResource, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import type { McpServer } from '@modelcontextprotocol/server';

export const TODO_VIEW_URI = 'ui://todos/view';
/** The tools whose results the view shows (their `_meta.ui.resourceUri`). */
export const TOOLS_WITH_VIEW: ReadonlySet<string> = new Set(['list_todos']);

/** `_meta.ui` for a tool with the view; undefined for the others. */
export function toolUiMeta(name: string): { resourceUri: string } | undefined {
  return TOOLS_WITH_VIEW.has(name) ? { resourceUri: TODO_VIEW_URI } : undefined;
}

const STYLE = `
:root { color-scheme: light dark; font-family: var(--font-sans, system-ui, sans-serif); }
body { margin: 0; padding: 12px; color: var(--color-text-primary, CanvasText); background: var(--color-background-primary, Canvas); }
h1 { font-size: 1.1em; margin: 0 0 8px; }
ul { list-style: none; padding: 0; margin: 0 0 12px; }
li { display: flex; gap: 8px; align-items: center; padding: 4px 0; border-bottom: 1px solid var(--color-border-primary, #8884); }
li span { flex: 1; }
li.done span { text-decoration: line-through; opacity: .7; }
form { display: flex; gap: 8px; }
input { flex: 1; padding: 4px 6px; color: inherit; background: var(--color-background-secondary, Field); border: 1px solid var(--color-border-primary, #888); }
button { padding: 4px 10px; color: var(--color-text-inverse, ButtonText); background: var(--color-background-inverse, ButtonFace); border: 1px solid var(--color-border-primary, #888); cursor: pointer; }
#status[data-kind=error] { color: var(--color-text-danger, #c33); }
`;

let html: string | undefined;

/** The view's page, built once per process (the app script bundled and inlined). */
export function todoViewHtml(): string {
  if (html) return html;
  const entry = fileURLToPath(new URL('./view/todoApp.ts', import.meta.url));
  const out = buildSync({ entryPoints: [entry], bundle: true, format: 'iife', platform: 'browser', target: 'es2022', minify: true, write: false, logLevel: 'silent', legalComments: 'none' });
  // `</script` cannot end the inline script early: the bundle is JavaScript, escaped where it matters.
  const script = out.outputFiles[0].text.replace(/<\/(script)/gi, '<\\/$1');
  html = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>My todos</title><style>${STYLE}</style></head>
<body>
<h1>My todos</h1>
<ul id="todos" aria-label="Todos"></ul>
<form id="add"><input id="title" aria-label="New todo" placeholder="What needs doing" maxlength="200" required><button type="button">Add</button></form>
<p id="status" role="status"></p>
<script>${script}</script>
</body>
</html>`;
  return html;
}

/** Registers the view's `ui://` resource with the app SDK's helper. */
export function registerTodoView(server: McpServer): void {
  registerAppResource(
    server,
    'todos_view',
    TODO_VIEW_URI,
    { title: 'My todos (view)', description: 'The interactive view of list_todos (MCP Apps).', mimeType: RESOURCE_MIME_TYPE, _meta: { ui: { prefersBorder: true } } },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: RESOURCE_MIME_TYPE, text: todoViewHtml(), _meta: { ui: { prefersBorder: true } } }] }),
  );
}
