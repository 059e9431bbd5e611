/**
 * The Todo demo's MCP App view (SEP-1865), browser side, on the official app SDK
 * (`@modelcontextprotocol/ext-apps`, its `App`): shows the signed-in user's todos, adds one and
 * completes one by calling the server's tools through the host — which carries the user's token,
 * and signs in or steps up (todos.write) when a call needs it. demo/todoView.ts bundles this file
 * into the view's single HTML page. No network of its own: every call goes through the host.
 */
import { App, applyDocumentTheme, applyHostStyleVariables, type McpUiHostContext } from '@modelcontextprotocol/ext-apps';

interface Todo {
  id: string;
  title: string;
  done: boolean;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const list = $<HTMLUListElement>('todos');
const status = $<HTMLParagraphElement>('status');
const form = $<HTMLFormElement>('add');
const input = $<HTMLInputElement>('title');

const app = new App({ name: 'todo-demo-view', version: '0.1.0' });

function say(text: string, kind: 'info' | 'error' = 'info'): void {
  status.textContent = text;
  status.dataset.kind = kind;
}

/** The tools answer JSON text (demo/todoTools.ts); the view reads the first text part. */
function parse(result: { content?: Array<{ type: string; text?: string }>; isError?: boolean }): Record<string, unknown> | undefined {
  const text = result.content?.find((c) => c.type === 'text')?.text;
  if (result.isError) throw new Error(text ?? 'the tool failed');
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function render(todos: Todo[]): void {
  list.replaceChildren(
    ...todos.map((t) => {
      const li = document.createElement('li');
      li.dataset.id = t.id;
      li.className = t.done ? 'done' : '';
      const label = document.createElement('span');
      label.textContent = t.title;
      li.append(label);
      if (!t.done) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = 'Complete';
        b.setAttribute('aria-label', `Complete ${t.title}`);
        b.addEventListener('click', () => void complete(t.id));
        li.append(b);
      }
      return li;
    }),
  );
  if (todos.length === 0) say('No todos yet: add one.');
}

function showList(data: Record<string, unknown> | undefined): void {
  const todos = Array.isArray(data?.todos) ? (data.todos as Todo[]) : [];
  render(todos);
  list.dataset.loaded = 'true';
}

async function refresh(): Promise<void> {
  try {
    showList(parse(await app.callServerTool({ name: 'list_todos', arguments: {} })));
  } catch (err) {
    say(`Could not list the todos: ${(err as Error).message}`, 'error');
  }
}

async function add(title: string): Promise<void> {
  say(`Adding "${title}"…`);
  try {
    parse(await app.callServerTool({ name: 'add_todo', arguments: { title } }));
    input.value = '';
    say(`Added "${title}".`);
    await refresh();
  } catch (err) {
    say(`Could not add: ${(err as Error).message}`, 'error');
  }
}

async function complete(id: string): Promise<void> {
  try {
    parse(await app.callServerTool({ name: 'complete_todo', arguments: { id } }));
    say(`Completed #${id}.`);
    await refresh();
  } catch (err) {
    say(`Could not complete: ${(err as Error).message}`, 'error');
  }
}

function applyContext(ctx: McpUiHostContext | undefined): void {
  if (ctx?.theme) applyDocumentTheme(ctx.theme);
  if (ctx?.styles?.variables) applyHostStyleVariables(ctx.styles.variables);
}

// A click and Enter, not the form's submit: a host may sandbox the view without allow-forms, and
// then a form is never submitted (HTML: the sandboxed forms browsing context flag).
const submit = () => {
  const title = input.value.trim();
  if (title) void add(title);
};
form.querySelector('button')!.addEventListener('click', submit);
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    e.preventDefault();
    submit();
  }
});

// The result of the list_todos call the view was opened for.
app.ontoolresult = (params) => {
  try {
    showList(parse(params as Parameters<typeof parse>[0]));
  } catch (err) {
    say((err as Error).message, 'error');
  }
};
app.onhostcontextchanged = (ctx) => applyContext(ctx);

void app.connect().then(
  () => {
    applyContext(app.getHostContext());
    document.body.dataset.connected = 'true';
    if (list.dataset.loaded !== 'true') void refresh();
  },
  (err: unknown) => say(`The host did not connect: ${(err as Error).message}`, 'error'),
);
