/**
 * What the editor keeps of a connected server's resources beyond ServerConnection's lists: its
 * resource templates (listed once per engine connection, for the tree's "Resource Templates" group and
 * the Resources panel), the last read of each URI (for Save), and "Load more" for a cut listing
 * (src/core/mcp/resources.ts keeps the cursor on the session). Per engine connection: a reconnect
 * builds a new one and starts over. Values of the engine go through engine() (src/vscode/engine.ts).
 */
import type { Connection } from '../core/connection';
import type { ResourceTemplate } from '../core/mcp/resources';
import type { ServerConnection } from './connections';
import { engine } from './engine';

interface Extra {
  conn: Connection;
  templates?: ResourceTemplate[];
  templatesMore?: boolean;
  loading?: Promise<void>;
  /** The last resources/read result per URI (redacted), for Save; at most 20 kept. */
  reads: Map<string, unknown>;
}

const extras = new WeakMap<ServerConnection, Extra>();

function extraOf(c: ServerConnection): Extra | undefined {
  const conn = c.conn;
  if (!conn) return undefined;
  let x = extras.get(c);
  if (!x || x.conn !== conn) extras.set(c, (x = { conn, reads: new Map() }));
  return x;
}

/**
 * The server's resource templates, when listed; the first call on a connected server lists them in
 * the background and tells the server's listeners (the tree re-renders) when they are in.
 */
export function resourceTemplates(c: ServerConnection): ResourceTemplate[] {
  const x = c.state === 'connected' ? extraOf(c) : undefined;
  if (!x) return [];
  if (!x.templates && !x.loading) {
    x.loading = engine()
      .listResourceTemplates(x.conn.session)
      .then(
        (page) => {
          x.templates = page.items;
          x.templatesMore = page.nextCursor !== undefined;
        },
        () => {
          x.templates = [];
        },
      )
      .then(() => c.changed());
  }
  return x.templates ?? [];
}

/** Whether the resources (or prompts) listing was cut and can go on. */
export function hasMore(c: ServerConnection, what: 'resources' | 'prompts'): boolean {
  const s = c.conn?.session;
  return !!(what === 'resources' ? s?.resourcesCursor : s?.promptsCursor);
}

/** The next run of pages of a cut listing, appended to the server's list. */
export async function loadMore(c: ServerConnection, what: 'resources' | 'prompts'): Promise<boolean> {
  const s = c.conn?.session;
  if (!s) return false;
  if (what === 'resources' && s.resourcesCursor) {
    const page = await engine().listResources(s, { cursor: s.resourcesCursor });
    c.resources = [...c.resources, ...page.items];
    s.resourcesCursor = page.nextCursor;
  } else if (what === 'prompts' && s.promptsCursor) {
    const page = await engine().listPrompts(s, { cursor: s.promptsCursor });
    c.prompts = [...c.prompts, ...page.items];
    s.promptsCursor = page.nextCursor;
  }
  c.changed();
  return hasMore(c, what);
}

export function rememberRead(c: ServerConnection, uri: string, result: unknown): void {
  const x = extraOf(c);
  if (!x) return;
  x.reads.delete(uri);
  x.reads.set(uri, result);
  if (x.reads.size > 20) x.reads.delete(x.reads.keys().next().value as string);
}

export function lastRead(c: ServerConnection, uri: string): unknown {
  return extraOf(c)?.reads.get(uri);
}
