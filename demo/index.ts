/// <reference path="./types/oidc-provider.d.ts" />
/**
 * The embedded demo: a real OAuth-protected Todo MCP server behind a real authorization server,
 * in one process, bound to loopback only. Not part of the packaged extension.
 *
 *   import { startDemo } from '../demo/index';
 *   const demo = await startDemo({ port: 0, asPort: 0, autoApprove: true });
 *   // demo.mcpUrl, demo.mixedUrl, demo.misconfiguredUrl, demo.issuer …
 *   await demo.close();
 *
 * `npm run demo` runs demo/main.ts, which reads the MCP_DEMO_* environment variables.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientMetadata } from 'oidc-provider';
import { createAuthServer } from './authServer';
import {
  DEFAULT_AS_PORT,
  DEFAULT_MCP_PORT,
  DEFAULT_TOKEN_TTL_SECONDS,
  EXTENSION_CLIENT_METADATA_URL,
  CONFIDENTIAL_CLIENT,
  PRE_REGISTERED_CLIENT_ID,
} from './constants';
import { DEFAULT_DEMO_DEFECTS, isDemoDefect, type DemoDefect } from './defects';
export { DEFAULT_DEMO_DEFECTS, DEFECT_CHECKS, DEMO_DEFECTS, NOAUTH_REFUSED_TOOL, type DemoDefect } from './defects';
import { createMcpHttpServer, type DemoEras } from './mcpServer';
import { AccessTokenRevocations } from './revocations';
import { TodoStore } from './todoTools';

export interface DemoOptions {
  /** MCP server port (default 5080; 0 = any free port). */
  readonly port?: number;
  /** Authorization server port (default 5081; 0 = any free port). */
  readonly asPort?: number;
  /** Sign the `demo` user (DEMO_USER) in and grant consent without a page (default false); the other accounts need the page. */
  readonly autoApprove?: boolean;
  /** Access-token lifetime in seconds (default 600). */
  readonly tokenTtl?: number;
  /** Where log lines go (default: nowhere). Never receives token values. */
  readonly log?: (line: string) => void;
  /** The client metadata document answered for the extension's client_id URL (default media/client-metadata.json). */
  readonly clientMetadataPath?: string | URL;
  /**
   * Which MCP protocol eras the server speaks (default 'both': 2026-07-28 clients via server/discover,
   * older clients via initialize). 'legacy': initialize only, as a server on SDK 1.x — for testing a
   * client's fallback.
   */
  readonly eras?: DemoEras;
  /**
   * DPoP (RFC 9449, default true): the authorization server advertises it and binds the tokens of a
   * client that sends a proof; the MCP server then accepts them only with `Authorization: DPoP` and
   * a valid proof. false: Bearer tokens only (for tests that replay a token by hand).
   */
  readonly dpop?: boolean;
  /**
   * The defects planted on `/mcp-misconfigured` (defects.ts; default DEFAULT_DEMO_DEFECTS, all of
   * them). One defect, e.g. `['accepts-query-token']`, makes a fixture for the one audit check that
   * catches it; `[]` makes that path a correct per-tool server like `/mcp-mixed`. `/mcp` and
   * `/mcp-mixed` are never affected.
   */
  readonly misconfigured?: readonly DemoDefect[];
}

export interface DemoHandle {
  /** The whole-server-protected MCP endpoint, e.g. http://localhost:5080/mcp */
  readonly mcpUrl: string;
  /** The per-tool-protected MCP endpoint, e.g. http://localhost:5080/mcp-mixed */
  readonly mixedUrl: string;
  /** The per-tool-protected MCP endpoint with planted defects, e.g. http://localhost:5080/mcp-misconfigured */
  readonly misconfiguredUrl: string;
  /** The defects planted on misconfiguredUrl. */
  readonly misconfiguredDefects: readonly DemoDefect[];
  /** The authorization server's issuer identifier, e.g. http://localhost:5081 */
  readonly issuer: string;
  readonly mcpPort: number;
  readonly asPort: number;
  /** The pre-registered public client id (`todo-local`). */
  readonly preRegisteredClientId: string;
  /** The pre-registered confidential client (`todo-confidential`, client_secret_basic) and its demo secret. */
  readonly confidentialClient: { readonly client_id: string; readonly client_secret: string };
  /** The client_id URL whose metadata document the AS answers from the repository. */
  readonly clientMetadataUrl: string;
  /** Stops both servers; safe to call more than once. */
  close(): Promise<void>;
}

const DEFAULT_CLIENT_METADATA = new URL('../media/client-metadata.json', import.meta.url);
const HOST = '127.0.0.1';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** DNS-rebinding guard: only loopback Host headers naming this server's port are served. */
function loopbackHost(req: IncomingMessage, port: number): boolean {
  const host = (req.headers.host ?? '').toLowerCase();
  return host === `localhost:${port}` || host === `127.0.0.1:${port}` || host === `[::1]:${port}`;
}

/** A server on 127.0.0.1 whose handler is attached later (the handlers need the actual ports). */
async function listenLoopback(port: number): Promise<{ server: Server; port: number; setHandler(handler: Handler): void }> {
  let current: Handler = (_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('starting');
  };
  const server = createServer((req, res) => {
    if (!loopbackHost(req, (server.address() as AddressInfo).port)) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('This demo server only answers requests for localhost.');
      return;
    }
    current(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    setHandler(handler) {
      current = handler;
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function checkPort(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new RangeError(`${name} must be a port number (0–65535), got ${value}`);
  return value;
}

async function loadClientMetadata(path: string | URL): Promise<ClientMetadata> {
  const document = JSON.parse(await readFile(path, 'utf8')) as ClientMetadata;
  if (document.client_id !== EXTENSION_CLIENT_METADATA_URL) {
    throw new Error(`${String(path)}: client_id must be ${EXTENSION_CLIENT_METADATA_URL} (a Client ID Metadata Document names its own URL)`);
  }
  return document;
}

export async function startDemo(options: DemoOptions = {}): Promise<DemoHandle> {
  const log = options.log ?? (() => undefined);
  const tokenTtl = options.tokenTtl ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(tokenTtl) || tokenTtl < 1) throw new RangeError(`tokenTtl must be a whole number of seconds ≥ 1, got ${tokenTtl}`);
  const misconfigured = [...new Set(options.misconfigured ?? DEFAULT_DEMO_DEFECTS)];
  for (const defect of misconfigured) {
    if (!isDemoDefect(defect)) throw new RangeError(`misconfigured: unknown defect ${JSON.stringify(defect)}; the defects are listed in demo/defects.ts`);
  }
  const clientMetadataDocument = await loadClientMetadata(options.clientMetadataPath ?? DEFAULT_CLIENT_METADATA);

  const as = await listenLoopback(checkPort('asPort', options.asPort ?? DEFAULT_AS_PORT));
  let mcp: Awaited<ReturnType<typeof listenLoopback>>;
  try {
    mcp = await listenLoopback(checkPort('port', options.port ?? DEFAULT_MCP_PORT));
  } catch (error) {
    await closeServer(as.server);
    throw error;
  }

  const issuer = `http://localhost:${as.port}`;
  const origin = `http://localhost:${mcp.port}`;
  const revocations = new AccessTokenRevocations();
  const mcpServer = createMcpHttpServer({
    origin,
    issuer,
    jwksUri: `${issuer}/jwks`,
    revocations,
    todos: new TodoStore(),
    log: (line) => log(`[mcp] ${line}`),
    eras: options.eras ?? 'both',
    misconfigured,
  });
  const authServer = createAuthServer({
    issuer,
    resources: mcpServer.endpoints.map((e) => e.resource),
    resourceOrigin: origin,
    autoApprove: options.autoApprove ?? false,
    tokenTtl,
    clientMetadataDocument,
    revocations,
    log: (line) => log(`[auth] ${line}`),
    dpop: options.dpop ?? true,
  });
  if (authServer.jwksUri !== `${issuer}/jwks`) throw new Error(`unexpected jwks_uri ${authServer.jwksUri}`);
  as.setHandler(authServer.handler);
  mcp.setHandler(mcpServer.handler);

  let closing: Promise<void> | undefined;
  const [mcpEndpoint, mixedEndpoint, misconfiguredEndpoint] = mcpServer.endpoints;
  return {
    mcpUrl: mcpEndpoint.resource,
    mixedUrl: mixedEndpoint.resource,
    misconfiguredUrl: misconfiguredEndpoint.resource,
    misconfiguredDefects: misconfigured,
    issuer,
    mcpPort: mcp.port,
    asPort: as.port,
    preRegisteredClientId: PRE_REGISTERED_CLIENT_ID,
    confidentialClient: CONFIDENTIAL_CLIENT,
    clientMetadataUrl: EXTENSION_CLIENT_METADATA_URL,
    close() {
      closing ??= (async () => {
        await mcpServer.close();
        await Promise.all([closeServer(mcp.server), closeServer(as.server)]);
      })();
      return closing;
    },
  };
}
