/**
 * The demo's MCP server: the official SDK v2 (`@modelcontextprotocol/server`) McpServer as an OAuth 2.1
 * resource server, serving both protocol eras on each path:
 *
 * - 2026-07-28 clients (`server/discover`, then stateless requests carrying the protocol version in
 *   `_meta`): the SDK's `createMcpHandler`, one McpServer per request;
 * - older clients (`initialize`): a sessionful Streamable HTTP transport per session (session ids,
 *   the GET stream, DELETE), as 2025 clients expect. `createMcpHandler`'s own legacy fallback is
 *   stateless (it answers GET and DELETE with 405), so the legacy requests are routed here with the
 *   SDK's own `isLegacyRequest` instead.
 *
 * Three paths:
 *
 * - `/mcp`       — the whole server behind OAuth: every request without a valid token → 401, with
 *                  a token lacking todos.read (the scope that 401 names) → 403.
 * - `/mcp-mixed` — per-tool protection: initialize / server/discover, tools/list and public tools work
 *                  anonymously; protected tools answer with an HTTP 401/403 challenge, except
 *                  get_secret_note, which answers with the tool-level challenge in its result.
 * - `/mcp-misconfigured` — `/mcp-mixed` with the defects of defects.ts planted (by default all of
 *                  them; `startDemo({ misconfigured: [...] })` picks), for the audit to find.
 *
 * Each path is its own protected resource (RFC 9728 metadata at the path-inserted well-known URL)
 * and only accepts JWT access tokens whose `aud` is exactly its URL (unless a planted defect says
 * otherwise). The token is checked on every HTTP request — initialize, every later POST, the GET
 * stream and DELETE — not only at initialize.
 *
 * `eras: 'legacy'` serves only the older protocol (a 2026-07-28 request is answered as a 2025
 * server answers it: 400, no session), for tests of a client's fallback.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { calculateJwkThumbprint, createRemoteJWKSet, decodeProtectedHeader, EmbeddedJWK, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  McpServer,
  WebStandardStreamableHTTPServerTransport,
  type AuthInfo,
  type McpHttpHandler,
  type Tool,
} from '@modelcontextprotocol/server';
import { MCP_PATH, MISCONFIGURED_PATH, MIXED_PATH, RESOURCE_SCOPES, SCOPE_READ } from './constants';
import { DEFAULT_DEMO_DEFECTS, NOAUTH_REFUSED_TOOL, type DemoDefect } from './defects';
import type { AccessTokenRevocations } from './revocations';
import { bearerChallenge, findTool, registerTodoTools, stepUpScope, TOOLS, type TodoStore } from './todoTools';
import { MY_TODOS_URI, registerTodoResources, resourceScopeNeeded } from './resources';
import { registerTodoView, toolUiMeta } from './todoView';

export type Protection = 'whole-server' | 'per-tool';
/** Which protocol eras the MCP endpoints serve: both (default), or only the older (`initialize`) one. */
export type DemoEras = 'both' | 'legacy';

export interface McpEndpoint {
  readonly path: string;
  readonly protection: Protection;
  /** The resource identifier: the endpoint's URL, and the `aud` its tokens must carry. */
  readonly resource: string;
  readonly resourceMetadataUrl: string;
  readonly name: string;
  /** The defects planted on this endpoint (defects.ts); empty on `/mcp` and `/mcp-mixed`. */
  readonly defects: ReadonlySet<DemoDefect>;
}

export interface McpServerOptions {
  /** `http://localhost:<port>` */
  readonly origin: string;
  readonly issuer: string;
  readonly jwksUri: string;
  readonly revocations: AccessTokenRevocations;
  readonly todos: TodoStore;
  readonly log: (line: string) => void;
  /** Default 'both'. */
  readonly eras?: DemoEras;
  /** The defects planted on `/mcp-misconfigured` (default DEFAULT_DEMO_DEFECTS; [] = none). */
  readonly misconfigured?: readonly DemoDefect[];
}

export interface McpHttpServer {
  readonly endpoints: readonly McpEndpoint[];
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

const WELL_KNOWN_PRM = '/.well-known/oauth-protected-resource';
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_SESSIONS_PER_ENDPOINT = 200;
/** What /mcp asks for in its first challenge; writing tools then step up to todos.write. */
const BASE_SCOPE = SCOPE_READ;

/** The endpoints, in this order: `/mcp`, `/mcp-mixed`, `/mcp-misconfigured` (with `misconfigured` planted). */
export function mcpEndpoints(origin: string, misconfigured: readonly DemoDefect[] = DEFAULT_DEMO_DEFECTS): McpEndpoint[] {
  return [
    {
      path: MCP_PATH,
      protection: 'whole-server',
      resource: `${origin}${MCP_PATH}`,
      resourceMetadataUrl: `${origin}${WELL_KNOWN_PRM}${MCP_PATH}`,
      name: 'Todo MCP demo (whole server behind OAuth)',
      defects: new Set(),
    },
    {
      path: MIXED_PATH,
      protection: 'per-tool',
      resource: `${origin}${MIXED_PATH}`,
      resourceMetadataUrl: `${origin}${WELL_KNOWN_PRM}${MIXED_PATH}`,
      name: 'Todo MCP demo (per-tool protection)',
      defects: new Set(),
    },
    {
      path: MISCONFIGURED_PATH,
      protection: 'per-tool',
      resource: `${origin}${MISCONFIGURED_PATH}`,
      resourceMetadataUrl: `${origin}${WELL_KNOWN_PRM}${MISCONFIGURED_PATH}`,
      name: 'Todo MCP demo (deliberately misconfigured, for Audit Server)',
      defects: new Set(misconfigured),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly body: unknown = undefined,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function jsonRpcError(code: number, message: string, id: unknown = null): unknown {
  return { jsonrpc: '2.0', error: { code, message }, id };
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, 'request body too large', {}, jsonRpcError(-32600, 'Request body too large'));
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpProblem(400, 'parse error', {}, jsonRpcError(-32700, 'Parse error: the body is not JSON'));
  }
}

/**
 * The Node request as a web Request for the SDK (its body already read: passed again as parsedBody).
 * Its signal aborts when the client goes away before the response is finished (the response's
 * 'close'; the request's own 'close' fires once its body is read).
 */
function toWebRequest(req: IncomingMessage, res: ServerResponse, origin: string, body: unknown): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  headers.delete('content-length');
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  return new Request(new URL(req.url ?? '/', origin), {
    method: req.method,
    headers,
    body: req.method === 'POST' ? JSON.stringify(body) : undefined,
    signal: abort.signal,
  });
}

/** Writes the SDK's web Response to Node, streaming (SSE) bodies as they come; stops when the client goes. */
async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  res.once('close', () => void reader.cancel().catch(() => undefined));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve));
    }
  } catch {
    // the client went away, or the transport closed the stream
  } finally {
    res.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Bearer token verification (RFC 6750, RFC 9068)

type TokenCheck = { auth: AuthInfo } | { invalid: string } | { none: true };

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The access token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'The access token was issued for a different resource (aud)';
    if (error.claim === 'iss') return 'The access token was issued by a different authorization server (iss)';
    if (error.claim === 'typ') return 'This is not an access token (typ must be at+jwt)';
    return `The access token failed the ${error.claim} check`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey) {
    return 'The access token signature could not be verified';
  }
  return 'The access token is malformed';
}

/** Proof algorithms the resource accepts (RFC 9449 §4.2: asymmetric only). */
const DPOP_ALGS = ['ES256', 'ES384', 'EdDSA', 'PS256', 'RS256'];
/** How far a proof's iat may be from now (RFC 9449 §11.1 leaves the window to the server). */
const DPOP_MAX_SKEW_S = 300;
const MAX_SEEN_PROOFS = 10_000;

/**
 * RFC 9449 §4.3 and §7.1: the DPoP proof that must accompany a DPoP-bound access token — signed by
 * the key its `jwk` header names, for this method and URL, recent, used once, with `ath` = the
 * token's hash, and that key's thumbprint must be the token's `cnf.jkt`. Returns what is wrong, or
 * undefined. (The authorization server, oidc-provider, binds the tokens when the client asks with a
 * proof; the engine does whenever the AS advertises DPoP.)
 */
async function dpopProblem(req: IncomingMessage, token: string, jkt: unknown, seen: Map<string, number>): Promise<string | undefined> {
  const proof = req.headers.dpop;
  if (typeof proof !== 'string' || !proof) return 'A DPoP-bound access token needs a DPoP proof (the DPoP header)';
  let verified;
  try {
    verified = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: DPOP_ALGS, requiredClaims: ['jti', 'htm', 'htu', 'iat', 'ath'] });
  } catch {
    return 'The DPoP proof is malformed or its signature does not verify';
  }
  const { payload, protectedHeader } = verified;
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
  let htu: URL;
  try {
    htu = new URL(String(payload.htu));
  } catch {
    return 'The DPoP proof names no valid htu';
  }
  if (payload.htm !== req.method) return 'The DPoP proof is for another HTTP method (htm)';
  if (`${htu.origin}${htu.pathname}` !== `${url.origin}${url.pathname}`) return 'The DPoP proof is for another URL (htu)';
  if (Math.abs(Date.now() / 1000 - Number(payload.iat)) > DPOP_MAX_SKEW_S) return 'The DPoP proof is too old or from the future (iat)';
  if (payload.ath !== createHash('sha256').update(token).digest('base64url')) return 'The DPoP proof is for another access token (ath)';
  if (!protectedHeader.jwk || (await calculateJwkThumbprint(protectedHeader.jwk)) !== jkt) return "The DPoP proof's key is not the one the token is bound to (cnf.jkt)";
  const jti = String(payload.jti);
  const now = Date.now();
  if ((seen.get(jti) ?? 0) > now) return 'The DPoP proof was already used (jti)';
  if (seen.size >= MAX_SEEN_PROOFS) for (const [k, until] of seen) if (until <= now || seen.size >= MAX_SEEN_PROOFS) seen.delete(k);
  seen.set(jti, now + 2 * DPOP_MAX_SKEW_S * 1000);
  return undefined;
}

/** Algorithms the `trusts-embedded-jwk` defect accepts for a key the token brings (any asymmetric one). */
const EMBEDDED_JWK_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** The `access_token` query parameter (RFC 6750 §2.3) — read only by the `accepts-query-token` defect. */
function queryAccessToken(req: IncomingMessage): string | undefined {
  const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('access_token');
  return token || undefined;
}

function hasEmbeddedJwk(token: string): boolean {
  try {
    return decodeProtectedHeader(token).jwk !== undefined;
  } catch {
    return false;
  }
}

function createTokenVerifier(options: McpServerOptions) {
  const jwks = createRemoteJWKSet(new URL(options.jwksUri));
  const seenProofs = new Map<string, number>();
  return async (req: IncomingMessage, endpoint: McpEndpoint): Promise<TokenCheck> => {
    const { defects } = endpoint;
    const header = req.headers.authorization;
    let scheme: string;
    let token: string;
    // Defect `accepts-query-token`: a query-string token is taken as a plain bearer token.
    const fromQuery = header === undefined && defects.has('accepts-query-token') ? queryAccessToken(req) : undefined;
    if (fromQuery !== undefined) {
      scheme = 'bearer';
      token = fromQuery;
    } else {
      if (header === undefined) return { none: true };
      const match = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
      if (!match) return { invalid: 'The Authorization header must be "Bearer <token>" (or "DPoP <token>" with a DPoP proof)' };
      scheme = match[1].toLowerCase();
      token = match[2];
    }
    // Defect `trusts-embedded-jwk`: the key comes from the token's own header when it brings one.
    const embedded = defects.has('trusts-embedded-jwk') && hasEmbeddedJwk(token);
    const key: JWTVerifyGetKey = embedded ? EmbeddedJWK : jwks;
    try {
      const { payload } = await jwtVerify(token, key, {
        issuer: options.issuer,
        // Defect `accepts-other-resource`: no audience check.
        ...(defects.has('accepts-other-resource') ? {} : { audience: endpoint.resource }),
        typ: 'at+jwt',
        algorithms: embedded ? EMBEDDED_JWK_ALGS : ['RS256'],
        requiredClaims: ['exp', 'iat', 'jti', 'sub', 'client_id'],
      });
      if (options.revocations.isRevoked(String(payload.jti))) return { invalid: 'The access token has been revoked' };
      const jkt = (payload.cnf as { jkt?: unknown } | undefined)?.jkt;
      if (fromQuery !== undefined) {
        // The query-token code path predates DPoP: it never looks at a binding (part of the defect).
      } else if (jkt !== undefined) {
        // RFC 9449 §7.2: a DPoP-bound token is only accepted with the DPoP scheme and its proof.
        if (scheme !== 'dpop') return { invalid: 'This access token is DPoP-bound: present it as "DPoP <token>" with a DPoP proof' };
        const problem = await dpopProblem(req, token, jkt, seenProofs);
        if (problem) return { invalid: problem };
      } else if (scheme === 'dpop') {
        return { invalid: 'This access token is not DPoP-bound: present it as "Bearer <token>"' };
      }
      return {
        auth: {
          token,
          clientId: String(payload.client_id),
          scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
          expiresAt: payload.exp,
          resource: new URL(endpoint.resource),
          extra: { sub: payload.sub, jti: payload.jti, ...(jkt !== undefined ? { jkt } : {}) },
        },
      };
    } catch (error) {
      return { invalid: describeJoseError(error) };
    }
  };
}

// ---------------------------------------------------------------------------------------------
// The MCP server (one McpServer + transport per session)

/** Tool list with `securitySchemes` both top-level and in `_meta` (the SDK's own list has no hook for extra Tool fields). */
function toolList(): Tool[] {
  return TOOLS.map((tool) => {
    const definition: Tool & { securitySchemes: unknown } = {
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: z.toJSONSchema(z.object(tool.inputShape), { io: 'input', target: 'draft-2020-12' }) as Tool['inputSchema'],
      annotations: tool.annotations,
      securitySchemes: tool.securitySchemes,
      _meta: { securitySchemes: tool.securitySchemes, ...(toolUiMeta(tool.name) ? { ui: toolUiMeta(tool.name) } : {}) },
    };
    return definition;
  });
}

function buildMcpServer(endpoint: McpEndpoint, todos: TodoStore, subscribed?: Set<string>): McpServer {
  const server = new McpServer(
    { name: 'mcp-oauth-inspector-todo-demo', title: endpoint.name, version: '0.1.0' },
    {
      // resources (subscribable), prompts, completions and log messages: demo/resources.ts, todoTools.ts
      capabilities: { tools: {}, resources: { subscribe: true }, prompts: {}, completions: {}, logging: {} },
      instructions:
        endpoint.protection === 'whole-server'
          ? 'A Todo list behind OAuth. Every request needs an access token for this URL (todos.read to read, todos.write to change).'
          : endpoint.path === MISCONFIGURED_PATH
            ? 'A Todo list with per-tool protection and deliberately planted OAuth mistakes (listed in demo/README.md of the inspector repository), for trying Audit Server. Do not copy its configuration.'
            : 'A Todo list with per-tool protection. search_docs and whoami work anonymously; list_todos needs todos.read; add_todo and complete_todo need todos.write; get_secret_note answers anonymous calls with a tool-level auth challenge.',
    },
  );
  registerTodoTools(server, (auth) => ({ auth, todos, resourceMetadataUrl: endpoint.resourceMetadataUrl }));
  registerTodoResources(server, todos);
  registerTodoView(server);
  // Session era: resources/subscribe keeps the URIs this session hears updates of (2026-07-28 clients
  // use subscriptions/listen, which createMcpHandler serves).
  server.server.setRequestHandler('resources/subscribe', (req) => (subscribed?.add(req.params.uri), {}));
  server.server.setRequestHandler('resources/unsubscribe', (req) => (subscribed?.delete(req.params.uri), {}));
  // Replaces the SDK's tools/list handler (installed by registerTool) with one that adds securitySchemes.
  server.server.setRequestHandler('tools/list', () => ({ tools: toolList() }));
  return server;
}

interface Session {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly server: McpServer;
  /** On /mcp a session belongs to the user who opened it. */
  readonly sub: string | undefined;
  /** The URIs this session subscribed to (resources/subscribe). */
  readonly subscribed: Set<string>;
}

export function createMcpHttpServer(options: McpServerOptions): McpHttpServer {
  const endpoints = mcpEndpoints(options.origin, options.misconfigured);
  const verify = createTokenVerifier(options);
  const sessions = new Map<string, Map<string, Session>>(endpoints.map((e) => [e.path, new Map()]));
  const { log } = options;
  // The 2026-07-28 leg; legacy traffic never reaches it ('reject': the sessionful leg below serves it).
  const modernHandlers = new Map<string, McpHttpHandler>(
    endpoints.map((e) => [
      e.path,
      createMcpHandler(() => buildMcpServer(e, options.todos), {
        legacy: 'reject',
        onerror: (error) => log(`MCP (2026-07-28) ${e.path}: ${error.message}`),
      }),
    ]),
  );

  function challenge401(endpoint: McpEndpoint, scope: string, invalid?: string): HttpProblem {
    const header = bearerChallenge({
      // Defect `challenge-without-resource-metadata`: the 401 challenges do not say where the metadata is.
      resource_metadata: endpoint.defects.has('challenge-without-resource-metadata') ? undefined : endpoint.resourceMetadataUrl,
      ...(invalid ? { error: 'invalid_token', error_description: invalid } : {}),
      scope,
    });
    return new HttpProblem(401, invalid ?? 'authorization required', { 'www-authenticate': header }, {
      error: invalid ? 'invalid_token' : 'unauthorized',
      error_description: invalid ?? `This request needs an access token for ${endpoint.resource} (scope: ${scope}).`,
    });
  }

  function challenge403(endpoint: McpEndpoint, auth: AuthInfo, needed: string, toolName: string): HttpProblem {
    if (endpoint.defects.has('insufficient-scope-without-scope')) {
      // Defect: the refusal names no scope, so a client cannot know what to ask for.
      const description = `${toolName}: insufficient scope`;
      return new HttpProblem(
        403,
        description,
        { 'www-authenticate': bearerChallenge({ resource_metadata: endpoint.resourceMetadataUrl, error: 'insufficient_scope', error_description: description }) },
        { error: 'insufficient_scope', error_description: description },
      );
    }
    const scope = stepUpScope(auth, needed);
    const description = `${toolName} needs the ${needed} scope`;
    return new HttpProblem(
      403,
      description,
      { 'www-authenticate': bearerChallenge({ resource_metadata: endpoint.resourceMetadataUrl, error: 'insufficient_scope', error_description: description, scope }) },
      { error: 'insufficient_scope', error_description: `${description}; re-authorize with scope "${scope}".` },
    );
  }

  /** Per-tool HTTP checks for every tools/call in the body (single message or batch); the protected resources and prompt likewise. */
  function checkToolCalls(endpoint: McpEndpoint, body: unknown, auth: AuthInfo | undefined): void {
    for (const message of Array.isArray(body) ? body : [body]) {
      const resourceScope = resourceScopeNeeded(message);
      if (resourceScope) {
        const what = String((message as { params?: { uri?: unknown; name?: unknown } }).params?.uri ?? (message as { params?: { name?: unknown } }).params?.name);
        if (!auth) throw challenge401(endpoint, resourceScope);
        if (!auth.scopes.includes(resourceScope)) throw challenge403(endpoint, auth, resourceScope, what);
        continue;
      }
      const { method, params } = (message ?? {}) as { method?: unknown; params?: { name?: unknown } };
      if (method !== 'tools/call') continue;
      const tool = findTool(params?.name);
      // Defect `noauth-tool-refuses`: a tool declared noauth is refused to anonymous callers.
      if (!auth && tool?.name === NOAUTH_REFUSED_TOOL && endpoint.defects.has('noauth-tool-refuses')) throw challenge401(endpoint, BASE_SCOPE);
      if (!tool?.requiredScope || tool.challenge !== 'http') continue;
      if (!auth) throw challenge401(endpoint, tool.requiredScope);
      if (!auth.scopes.includes(tool.requiredScope)) throw challenge403(endpoint, auth, tool.requiredScope, tool.name);
    }
  }

  async function handleMcp(endpoint: McpEndpoint, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!['GET', 'POST', 'DELETE'].includes(req.method ?? '')) {
      throw new HttpProblem(405, 'method not allowed', { allow: 'GET, POST, DELETE' }, jsonRpcError(-32000, 'Method not allowed'));
    }

    const check = await verify(req, endpoint);
    if ('invalid' in check) throw challenge401(endpoint, BASE_SCOPE, check.invalid);
    const auth = 'auth' in check ? check.auth : undefined;
    if (endpoint.protection === 'whole-server' && !auth) throw challenge401(endpoint, BASE_SCOPE);
    // Its 401 names todos.read as the scope every request needs (RFC 6750 §3), so a token without it
    // is refused with the step-up challenge, not served.
    if (endpoint.protection === 'whole-server' && auth && !auth.scopes.includes(BASE_SCOPE)) {
      throw challenge403(endpoint, auth, BASE_SCOPE, `every request to ${endpoint.path}`);
    }

    const body = req.method === 'POST' ? await readJsonBody(req) : undefined;
    checkToolCalls(endpoint, body, auth);

    const sub = typeof auth?.extra?.sub === 'string' ? auth.extra.sub : undefined;
    const request = toWebRequest(req, res, options.origin, body);
    const modern = options.eras !== 'legacy' && !(await isLegacyRequest(request.clone(), body));
    if (modern) {
      // 2026-07-28: stateless, one McpServer per request (createMcpHandler's factory).
      await sendWebResponse(res, await modernHandlers.get(endpoint.path)!.fetch(request, { authInfo: auth, parsedBody: body }));
      return;
    }

    const table = sessions.get(endpoint.path)!;
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = table.get(sessionId);
      if (!session || (endpoint.protection === 'whole-server' && session.sub !== sub)) {
        throw new HttpProblem(404, 'session not found', {}, jsonRpcError(-32001, 'Session not found'));
      }
      await sendWebResponse(res, await session.transport.handleRequest(request, { parsedBody: body, authInfo: auth }));
      return;
    }

    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      throw new HttpProblem(400, 'no session', {}, jsonRpcError(-32000, 'Bad Request: no valid Mcp-Session-Id header; send initialize first'));
    }

    if (table.size >= MAX_SESSIONS_PER_ENDPOINT) {
      const [oldestId, oldest] = table.entries().next().value as [string, Session];
      table.delete(oldestId);
      await oldest.transport.close().catch(() => undefined);
    }
    const subscribed = new Set<string>();
    const server = buildMcpServer(endpoint, options.todos, subscribed);
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        table.set(id, { transport, server, sub, subscribed });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) table.delete(transport.sessionId);
    };
    await server.connect(transport);
    await sendWebResponse(res, await transport.handleRequest(request, { parsedBody: body, authInfo: auth }));
  }

  // A tool changed someone's todos: tell the subscribers of the per-user resources (each reads its
  // own list again with its own token). 2026-07-28: on the open subscriptions/listen streams.
  const stopListening = options.todos.onChange((sub, id) => {
    const uris = [MY_TODOS_URI, `todo://todos/${id}`];
    for (const h of modernHandlers.values()) for (const uri of uris) h.notify.resourceUpdated(uri);
    for (const table of sessions.values()) {
      for (const s of table.values()) {
        if (s.sub !== undefined && s.sub !== sub) continue;
        for (const uri of uris) if (s.subscribed.has(uri)) void s.server.server.sendResourceUpdated({ uri }).catch(() => undefined);
      }
    }
  });

  function protectedResourceMetadata(endpoint: McpEndpoint): unknown {
    return {
      resource: endpoint.resource,
      authorization_servers: [options.issuer],
      scopes_supported: [...RESOURCE_SCOPES],
      bearer_methods_supported: ['header'],
      // RFC 9728 §2: this server takes DPoP-bound tokens (with their proofs) as well as Bearer ones.
      dpop_signing_alg_values_supported: DPOP_ALGS,
      resource_name: endpoint.name,
    };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', options.origin);

    if (pathname.startsWith(WELL_KNOWN_PRM)) {
      const endpoint = endpoints.find((e) => `${WELL_KNOWN_PRM}${e.path}` === pathname);
      if (!endpoint) throw new HttpProblem(404, 'not found', {}, { error: 'not_found', error_description: `Try ${WELL_KNOWN_PRM}${MCP_PATH}` });
      if (req.method !== 'GET') throw new HttpProblem(405, 'method not allowed', { allow: 'GET' }, { error: 'method_not_allowed' });
      sendJson(res, 200, protectedResourceMetadata(endpoint), {
        'access-control-allow-origin': '*',
        // Defect `metadata-as-text-plain`: right body, wrong media type (RFC 9728 §3.2).
        ...(endpoint.defects.has('metadata-as-text-plain') ? { 'content-type': 'text/plain; charset=utf-8' } : {}),
      });
      return;
    }

    const endpoint = endpoints.find((e) => e.path === pathname);
    if (!endpoint) throw new HttpProblem(404, 'not found', {}, { error: 'not_found', error_description: `The MCP endpoints are ${MCP_PATH}, ${MIXED_PATH} and ${MISCONFIGURED_PATH}` });
    await handleMcp(endpoint, req, res);
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpProblem) {
        if (error.status === 401 || error.status === 403) log(`${req.method} ${req.url} → ${error.status} ${error.message}`);
        if (!res.headersSent) sendJson(res, error.status, error.body ?? { error: error.message }, error.headers);
        else res.end();
        return;
      }
      log(`MCP server error on ${req.method} ${req.url}: ${(error as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, jsonRpcError(-32603, 'Internal error'));
      else res.end();
    });
  };

  async function close(): Promise<void> {
    stopListening();
    const all = [...sessions.values()].flatMap((table) => [...table.values()]);
    for (const table of sessions.values()) table.clear();
    await Promise.all([
      ...all.map((s) => s.transport.close().catch(() => undefined)),
      ...[...modernHandlers.values()].map((h) => h.close().catch(() => undefined)),
    ]);
  }

  return { endpoints, handler, close };
}
