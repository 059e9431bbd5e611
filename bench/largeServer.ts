/**
 * Section 4's fixture: a local MCP server (the official SDK's `McpServer`, Streamable HTTP, no auth)
 * with 1,000 tools whose input schemas look like real ones — a few properties each, enums, bounds,
 * optional arrays, a nested object now and then, descriptions on everything — and a third each of
 * public, OAuth-scoped and undeclared `securitySchemes` (in `_meta`, where the demo puts them), so the
 * engine's per-tool security has real work to do. Listens on 127.0.0.1 on an ephemeral port.
 *
 * The SDK's McpServer answers tools/list in one page (it does not paginate); the client code follows
 * `nextCursor` when a server does.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

const AREAS = ['issues', 'pull_requests', 'files', 'calendar', 'contacts', 'invoices', 'deployments', 'tickets', 'documents', 'metrics'];
const VERBS = ['list', 'get', 'create', 'update', 'delete', 'search', 'archive', 'export', 'assign', 'comment'];
const STATES = ['open', 'closed', 'draft', 'archived', 'all'];

interface ToolSpec {
  name: string;
  title: string;
  description: string;
  shape: z.ZodRawShape;
  readOnly: boolean;
  securitySchemes?: Array<{ type: 'noauth' } | { type: 'oauth2'; scopes: string[] }>;
}

/** The 1,000 tool definitions (deterministic: the same every run). */
export function largeToolSpecs(count = 1000): ToolSpec[] {
  const out: ToolSpec[] = [];
  for (let i = 0; i < count; i++) {
    const area = AREAS[i % AREAS.length];
    const verb = VERBS[Math.floor(i / AREAS.length) % VERBS.length];
    const n = Math.floor(i / (AREAS.length * VERBS.length));
    const noun = area.replace(/_/g, ' ');
    const shape: Record<string, z.ZodType> = {
      workspace: z.string().min(1).describe(`The workspace that owns the ${noun}, e.g. "acme-prod".`),
      state: z.enum(STATES as [string, ...string[]]).default('open').describe(`Only ${noun} in this state.`),
      limit: z.number().int().min(1).max(200).optional().describe('How many results to return (1–200, default 50).'),
    };
    if (verb === 'get' || verb === 'update' || verb === 'delete' || verb === 'archive' || verb === 'assign' || verb === 'comment') {
      shape.id = z.string().regex(/^[A-Z]+-\d+$/).describe(`The ${noun} identifier, e.g. "PRJ-123".`);
    }
    if (verb === 'search' || verb === 'list') {
      shape.query = z.string().max(500).optional().describe('Free-text filter applied to titles and bodies.');
      shape.sort = z.enum(['created', 'updated', 'priority', 'relevance']).optional().describe('Sort order of the results.');
      shape.labels = z.array(z.string()).max(20).optional().describe('Only items carrying all of these labels.');
    }
    if (verb === 'create' || verb === 'update' || verb === 'comment') {
      shape.body = z
        .object({
          title: z.string().max(200).describe('A one-line summary.'),
          text: z.string().max(20000).optional().describe('Markdown body.'),
          priority: z.enum(['low', 'normal', 'high', 'urgent']).optional().describe('How soon this needs attention.'),
        })
        .describe(`The ${noun} content.`);
    }
    if (verb === 'export') shape.format = z.enum(['csv', 'json', 'xlsx']).default('csv').describe('File format of the export.');
    if (verb === 'assign') shape.assignee = z.string().email().describe('E-mail address of the new assignee.');
    const readOnly = verb === 'list' || verb === 'get' || verb === 'search' || verb === 'export';
    const kind = i % 3;
    out.push({
      name: `${area}_${verb}_${n}`,
      title: `${verb[0].toUpperCase()}${verb.slice(1)} ${noun} (${n})`,
      description: `${verb[0].toUpperCase()}${verb.slice(1)} ${noun} in a workspace. ${readOnly ? 'Read-only: never changes anything.' : 'Changes data: the user is asked to confirm.'} Results are paginated; pass the returned cursor to continue.`,
      shape,
      readOnly,
      securitySchemes: kind === 0 ? [{ type: 'noauth' }] : kind === 1 ? [{ type: 'oauth2', scopes: [`${area}.${readOnly ? 'read' : 'write'}`] }] : undefined,
    });
  }
  return out;
}

function buildServer(specs: readonly ToolSpec[]): McpServer {
  const server = new McpServer({ name: 'bench-large', version: '1.0.0' });
  for (const t of specs) {
    server.registerTool(
      t.name,
      {
        title: t.title,
        description: t.description,
        inputSchema: t.shape,
        annotations: { readOnlyHint: t.readOnly, destructiveHint: !t.readOnly, openWorldHint: false },
        ...(t.securitySchemes ? { _meta: { securitySchemes: t.securitySchemes } } : {}),
      },
      () => ({ content: [{ type: 'text', text: 'ok' }] }),
    );
  }
  return server;
}

export interface LargeServer {
  url: string;
  toolCount: number;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

/** Starts the fixture; one McpServer per MCP session (as the SDK's examples do). */
export async function startLargeServer(count = 1000): Promise<LargeServer> {
  const specs = largeToolSpecs(count);
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    const sid = req.headers['mcp-session-id'];
    const existing = typeof sid === 'string' ? sessions.get(sid) : undefined;
    if (req.method === 'POST') {
      const body = await readJson(req);
      if (existing) return existing.handleRequest(req, res, body);
      if (!isInitializeRequest(body)) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'no session' }, id: null }));
        return;
      }
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, transport),
      });
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await buildServer(specs).connect(transport);
      return transport.handleRequest(req, res, body);
    }
    if (!existing) {
      res.writeHead(404).end();
      return;
    }
    return existing.handleRequest(req, res);
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String((err as Error)?.message ?? err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    toolCount: specs.length,
    close: async () => {
      await Promise.all([...sessions.values()].map((t) => t.close().catch(() => undefined)));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
