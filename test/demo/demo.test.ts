/**
 * The embedded demo, proved with the MCP SDK's OWN client auth (`auth()` + OAuthClientProvider,
 * StreamableHTTPClientTransport) and plain fetch — not with the inspector's engine, so the demo is
 * checked independently of the code it exists to test.
 *
 * Run: npx mocha test/demo/demo.test.ts
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { auth, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { startDemo, type DemoHandle } from '../../demo/index';

// ---------------------------------------------------------------------------------------------
// Test harness: a loopback redirect receiver, an in-memory OAuthClientProvider, raw MCP calls

/** The client's loopback redirect target (RFC 8252 §7.3): an ephemeral port, path /callback. */
async function startReceiver(): Promise<{ server: Server; redirectUrl: string }> {
  const server = createServer((req, res) => {
    res.writeHead(req.url?.startsWith('/callback?') ? 200 : 404, { 'content-type': 'text/plain' }).end('done');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, redirectUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback` };
}

class MemoryOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  #client: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #verifier = '';
  readonly #state = randomBytes(16).toString('base64url');

  constructor(
    readonly redirectUrl: string,
    options: { clientInformation?: OAuthClientInformationMixed; clientMetadataUrl?: string; scope?: string } = {},
  ) {
    this.#client = options.clientInformation;
    this.clientMetadataUrl = options.clientMetadataUrl;
    this.clientMetadata = {
      client_name: 'SDK test client',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: options.scope,
    };
  }

  readonly clientMetadataUrl: string | undefined;
  readonly clientMetadata: OAuthClientMetadata;
  state(): string {
    return this.#state;
  }
  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#client;
  }
  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.#client = info;
  }
  tokens(): OAuthTokens | undefined {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens;
  }
  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier;
  }
  codeVerifier(): string {
    return this.#verifier;
  }
  get accessToken(): string {
    assert.ok(this.#tokens?.access_token, 'no access token yet');
    return this.#tokens.access_token;
  }
}

/**
 * The SDK's auth() up to the redirect; then plain fetch GETs the authorization URL and follows the
 * redirects (auto-approve: no page, no cookies) to the loopback receiver; then auth() exchanges the code.
 */
async function signIn(serverUrl: string, provider: MemoryOAuthProvider, issuer: string, scope?: string): Promise<URL> {
  assert.equal(await auth(provider, { serverUrl, scope }), 'REDIRECT');
  const authorizationUrl = provider.authorizationUrl!;
  assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(authorizationUrl.searchParams.get('resource'), serverUrl);

  const response = await fetch(authorizationUrl);
  assert.equal(response.status, 200, `the redirect chain should end at the receiver, ended at ${response.url}`);
  const callback = new URL(response.url);
  assert.equal(`${callback.origin}${callback.pathname}`, provider.redirectUrl);
  assert.equal(callback.searchParams.get('state'), provider.state());
  assert.equal(callback.searchParams.get('iss'), issuer, 'RFC 9207 iss in the authorization response');
  const code = callback.searchParams.get('code');
  assert.ok(code, `no code in ${callback.search}`);

  assert.equal(await auth(provider, { serverUrl, authorizationCode: code, scope }), 'AUTHORIZED');
  return callback;
}

interface RawResponse {
  status: number;
  headers: Headers;
  /** The JSON-RPC message (from a JSON or an SSE body), or the JSON error body. */
  body: any;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const data = text
      .split('\n')
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trim())
      .filter(Boolean);
    return data.length ? JSON.parse(data[data.length - 1]) : undefined;
  }
  return JSON.parse(text);
}

/** A hand-driven Streamable HTTP session, to see the raw HTTP status and headers. */
class RawSession {
  #sessionId: string | undefined;
  #nextId = 1;
  constructor(
    readonly url: string,
    public token?: string,
  ) {}

  async post(message: unknown, token = this.token): Promise<RawResponse> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    };
    if (token) headers.authorization = `Bearer ${token}`;
    if (this.#sessionId) headers['mcp-session-id'] = this.#sessionId;
    const response = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify(message) });
    return { status: response.status, headers: response.headers, body: await readBody(response) };
  }

  async initialize(): Promise<RawResponse> {
    const init = await this.post({
      jsonrpc: '2.0',
      id: this.#nextId++,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    });
    if (init.status === 200) {
      this.#sessionId = init.headers.get('mcp-session-id') ?? undefined;
      assert.ok(this.#sessionId, 'stateful server: initialize returns Mcp-Session-Id');
      const ack = await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
      assert.equal(ack.status, 202);
    }
    return init;
  }

  request(method: string, params: unknown = {}, token = this.token): Promise<RawResponse> {
    return this.post({ jsonrpc: '2.0', id: this.#nextId++, method, params }, token);
  }

  callTool(name: string, args: Record<string, unknown> = {}, token = this.token): Promise<RawResponse> {
    return this.request('tools/call', { name, arguments: args }, token);
  }
}

async function openSession(url: string, token?: string): Promise<RawSession> {
  const session = new RawSession(url, token);
  const init = await session.initialize();
  assert.equal(init.status, 200, `initialize → ${init.status} ${JSON.stringify(init.body)}`);
  return session;
}

async function sdkClient(url: string, authProvider?: OAuthClientProvider): Promise<Client> {
  const client = new Client({ name: 'demo-test', version: '0.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), authProvider ? { authProvider } : {}));
  return client;
}

/** Response JSON, typed loosely on purpose: the assertions are the type check. */
async function json(response: Response | Promise<Response>): Promise<any> {
  return (await response).json();
}

function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((c) => c.text ?? '').join('\n');
}

function prmUrl(resource: string): string {
  const url = new URL(resource);
  return `${url.origin}/.well-known/oauth-protected-resource${url.pathname}`;
}

async function tokenRequest(issuer: string, params: Record<string, string>): Promise<{ status: number; body: any }> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
    redirect: 'manual',
  });
  return { status: response.status, body: await json(response) };
}

async function formPost(url: string, params: Record<string, string>): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
    redirect: 'manual',
  });
}

/** A browser in miniature: follows redirects by hand and keeps its cookies (one per signed-in user). */
class MiniBrowser {
  readonly #jar = new Map<string, string>();
  constructor(readonly base: string) {}

  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.#jar].filter(([, v]) => v).map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(new URL(url, this.base), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie } });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair.indexOf('=');
      this.#jar.set(pair.slice(0, index), pair.slice(index + 1));
    }
    return response;
  }

  /** GET `url`, then follow 302/303 redirects until a page answers. */
  async open(url: string): Promise<Response> {
    let response = await this.go(url);
    while (response.status === 303 || response.status === 302) response = await this.go(response.headers.get('location')!);
    return response;
  }

  submit(action: string, fields: Record<string, string>): Promise<Response> {
    return this.go(action, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
  }

  /** Follows the redirects after a form post up to the client's redirect URI, not fetching it; returns that URL. */
  async followTo(response: Response, redirectUrl: string): Promise<URL> {
    let location = response.headers.get('location');
    assert.ok(location, `expected a redirect, got ${response.status}`);
    while (!location.startsWith(redirectUrl)) {
      response = await this.go(location);
      location = response.headers.get('location');
      assert.ok(location, `expected a redirect, got ${response.status}`);
    }
    return new URL(location);
  }
}

interface LoginPage {
  readonly browser: MiniBrowser;
  readonly response: Response;
  readonly html: string;
  /** The form's action URL. */
  readonly action: string;
}

/** No auto-approve: the SDK's auth() up to the redirect, then a browser (fresh by default) opens the login page. */
async function openLoginPage(
  demo: DemoHandle,
  provider: MemoryOAuthProvider,
  serverUrl = demo.mcpUrl,
  browser = new MiniBrowser(demo.issuer),
  scope?: string,
): Promise<LoginPage> {
  assert.equal(await auth(provider, { serverUrl, scope }), 'REDIRECT');
  const response = await browser.open(provider.authorizationUrl!.href);
  assert.equal(response.status, 200);
  const html = await response.text();
  const action = new URL(/action="([^"]+)"/.exec(html)![1], demo.issuer).href;
  return { browser, response, html, action };
}

/** Submits the page's form (as `username`, on a login page), follows the redirects to the client and exchanges the code. */
async function completeLogin(
  demo: DemoHandle,
  provider: MemoryOAuthProvider,
  page: LoginPage,
  username: string,
  password: string,
  serverUrl = demo.mcpUrl,
  scope?: string,
): Promise<void> {
  const response = await page.browser.submit(page.action, { action: 'approve', username, password });
  assert.equal(response.status, 303, `sign-in as ${username} should redirect, got ${response.status}`);
  const callback = await page.browser.followTo(response, provider.redirectUrl);
  assert.equal(callback.searchParams.get('state'), provider.state());
  const code = callback.searchParams.get('code');
  assert.ok(code, `no code in ${callback.search}`);
  assert.equal(await auth(provider, { serverUrl, authorizationCode: code, scope }), 'AUTHORIZED');
}

/** The whole sign-in through the real login page, as `username`. */
async function signInOnPage(demo: DemoHandle, provider: MemoryOAuthProvider, username: string, password: string, serverUrl = demo.mcpUrl): Promise<void> {
  await completeLogin(demo, provider, await openLoginPage(demo, provider, serverUrl), username, password, serverUrl);
}

/** The `value` attribute of the form's `<input id=…>` (as the page wrote it, escaped). */
function inputValue(html: string, id: string): string | undefined {
  return new RegExp(`<input id="${id}"[^>]* value="([^"]*)"`).exec(html)?.[1];
}

function todoTitles(call: RawResponse): string[] {
  assert.equal(call.status, 200, `list_todos → ${call.status}`);
  assert.ok(!call.body.result.isError, call.body.result.content?.[0]?.text);
  return JSON.parse(call.body.result.content[0].text).todos.map((t: { title: string }) => t.title);
}

// ---------------------------------------------------------------------------------------------

describe('demo: OAuth-protected Todo MCP server + oidc-provider', function () {
  this.timeout(20_000);

  let demo: DemoHandle;
  let receiver: { server: Server; redirectUrl: string };
  const clients: Client[] = [];

  before(async () => {
    receiver = await startReceiver();
    demo = await startDemo({ port: 0, asPort: 0, autoApprove: true });
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await demo?.close();
    await demo?.close(); // idempotent
    receiver?.server.close();
  });

  async function track(client: Promise<Client>): Promise<Client> {
    const c = await client;
    clients.push(c);
    return c;
  }

  function todoLocal(scope?: string): MemoryOAuthProvider {
    return new MemoryOAuthProvider(receiver.redirectUrl, { clientInformation: { client_id: 'todo-local' }, scope });
  }

  it('reports real ports and binds them on loopback', () => {
    assert.match(demo.mcpUrl, /^http:\/\/localhost:\d+\/mcp$/);
    assert.match(demo.mixedUrl, /^http:\/\/localhost:\d+\/mcp-mixed$/);
    assert.match(demo.issuer, /^http:\/\/localhost:\d+$/);
    assert.notEqual(demo.mcpPort, 0);
    assert.notEqual(demo.asPort, 0);
  });

  it('advertises MCP-ready authorization server and protected-resource metadata', async () => {
    const as = await json(fetch(`${demo.issuer}/.well-known/oauth-authorization-server`));
    assert.equal(as.issuer, demo.issuer);
    assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
    assert.equal(as.client_id_metadata_document_supported, true);
    assert.ok(as.registration_endpoint);
    assert.ok(as.revocation_endpoint);
    assert.ok(as.introspection_endpoint);
    for (const scope of ['todos.read', 'todos.write', 'offline_access']) assert.ok(as.scopes_supported.includes(scope), scope);

    for (const resource of [demo.mcpUrl, demo.mixedUrl]) {
      const prm = await json(fetch(prmUrl(resource)));
      assert.equal(prm.resource, resource);
      assert.deepEqual(prm.authorization_servers, [demo.issuer]);
      assert.deepEqual(prm.scopes_supported, ['todos.read', 'todos.write']);
    }
  });

  it('/mcp answers a request without a token with a 401 challenge', async () => {
    const init = await new RawSession(demo.mcpUrl).initialize();
    assert.equal(init.status, 401);
    assert.equal(init.headers.get('www-authenticate'), `Bearer resource_metadata="${prmUrl(demo.mcpUrl)}", scope="todos.read"`);
  });

  it('PKCE is required: an authorization request without code_challenge is refused', async () => {
    const url = new URL(`${demo.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: 'todo-local',
      response_type: 'code',
      redirect_uri: receiver.redirectUrl,
      scope: 'todos.read',
      resource: demo.mcpUrl,
      state: 'x',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? '', demo.issuer);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description') ?? '', /PKCE/);
  });

  it('Dynamic Client Registration: the SDK registers, signs in, and uses the MCP server', async () => {
    const provider = new MemoryOAuthProvider(receiver.redirectUrl);
    await signIn(demo.mcpUrl, provider, demo.issuer);
    const registered = provider.clientInformation()!;
    assert.ok(registered.client_id && registered.client_id !== 'todo-local');

    const claims = decodeJwt(provider.accessToken);
    assert.equal(claims.aud, demo.mcpUrl, 'aud is the MCP server URL (RFC 8707)');
    assert.equal(claims.iss, demo.issuer);
    assert.equal(claims.client_id, registered.client_id);
    assert.equal(claims.sub, 'demo');
    assert.deepEqual(String(claims.scope).split(' ').sort(), ['todos.read', 'todos.write']);
    assert.ok(provider.tokens()?.refresh_token, 'public native client with refresh_token grant gets a refresh token');

    const client = await track(sdkClient(demo.mcpUrl, provider));
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['add_todo', 'complete_todo', 'get_secret_note', 'list_todos', 'search_docs', 'whoami']);
    const added = JSON.parse(textOf(await client.callTool({ name: 'add_todo', arguments: { title: 'write the demo' } })));
    assert.equal(added.added.title, 'write the demo');
    await client.callTool({ name: 'complete_todo', arguments: { id: added.added.id } });
    const listed = JSON.parse(textOf(await client.callTool({ name: 'list_todos', arguments: {} })));
    assert.deepEqual(listed.todos.map((t: { title: string; done: boolean }) => [t.title, t.done]), [['write the demo', true]]);
    const me = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
    assert.equal(me.signedIn, true);
    assert.equal(me.client_id, registered.client_id);
  });

  it('pre-registered todo-local signs in with a loopback redirect on any port', async () => {
    const provider = todoLocal();
    await signIn(demo.mixedUrl, provider, demo.issuer);
    const claims = decodeJwt(provider.accessToken);
    assert.equal(claims.client_id, 'todo-local');
    assert.equal(claims.aud, demo.mixedUrl);

    const client = await track(sdkClient(demo.mixedUrl, provider));
    const note = await client.callTool({ name: 'get_secret_note', arguments: {} });
    assert.ok(!note.isError);
    assert.match(textOf(note), /secret/);
  });

  it('Client ID Metadata Document: the extension URL is the client_id, resolved offline from media/', async () => {
    const provider = new MemoryOAuthProvider(receiver.redirectUrl, { clientMetadataUrl: demo.clientMetadataUrl });
    await signIn(demo.mcpUrl, provider, demo.issuer);
    assert.equal(provider.clientInformation()?.client_id, 'https://mcp-oauth-inspector.github.io/client-metadata.json');
    const claims = decodeJwt(provider.accessToken);
    assert.equal(claims.client_id, 'https://mcp-oauth-inspector.github.io/client-metadata.json');
    assert.equal(claims.aud, demo.mcpUrl);
    const client = await track(sdkClient(demo.mcpUrl, provider));
    assert.ok((await client.listTools()).tools.length > 0);
  });

  it('refuses other (non-loopback) client_id URLs instead of fetching them', async () => {
    const url = new URL(`${demo.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: 'https://clients.example.com/metadata.json',
      response_type: 'code',
      redirect_uri: receiver.redirectUrl,
      code_challenge: 'a'.repeat(43),
      code_challenge_method: 'S256',
      scope: 'todos.read',
    }).toString();
    const response = await fetch(url, { redirect: 'manual' });
    assert.equal(response.status, 400, 'no redirect to an unverified client');
    assert.match(await response.text(), /<code>invalid_client<\/code>/);
  });

  it('/mcp-mixed: anonymous initialize, tools/list and public tools work; securitySchemes are declared', async () => {
    const client = await track(sdkClient(demo.mixedUrl));
    const found = await client.callTool({ name: 'search_docs', arguments: { query: 'pkce' } });
    assert.ok(!found.isError);
    assert.match(textOf(found), /PKCE/);
    const me = JSON.parse(textOf(await client.callTool({ name: 'whoami', arguments: {} })));
    assert.equal(me.signedIn, false);

    const raw = await openSession(demo.mixedUrl);
    const list = await raw.request('tools/list');
    assert.equal(list.status, 200);
    const tools = new Map<string, any>(list.body.result.tools.map((t: { name: string }) => [t.name, t]));
    const expected: Record<string, unknown> = {
      search_docs: [{ type: 'noauth' }],
      whoami: [{ type: 'noauth' }, { type: 'oauth2', scopes: ['todos.read'] }],
      list_todos: [{ type: 'oauth2', scopes: ['todos.read'] }],
      add_todo: [{ type: 'oauth2', scopes: ['todos.write'] }],
      complete_todo: [{ type: 'oauth2', scopes: ['todos.write'] }],
      get_secret_note: [{ type: 'oauth2', scopes: ['todos.read'] }],
    };
    for (const [name, schemes] of Object.entries(expected)) {
      assert.deepEqual(tools.get(name)?.securitySchemes, schemes, `${name} top-level securitySchemes`);
      assert.deepEqual(tools.get(name)?._meta?.securitySchemes, schemes, `${name} _meta.securitySchemes`);
    }
    assert.equal(tools.get('add_todo').inputSchema.type, 'object');
    assert.ok(tools.get('add_todo').inputSchema.properties.title);
  });

  it('/mcp-mixed: a protected tool called anonymously gets an HTTP 401 challenge', async () => {
    const raw = await openSession(demo.mixedUrl);
    const call = await raw.callTool('list_todos');
    assert.equal(call.status, 401);
    assert.equal(call.headers.get('www-authenticate'), `Bearer resource_metadata="${prmUrl(demo.mixedUrl)}", scope="todos.read"`);
    const write = await raw.callTool('add_todo', { title: 'x' });
    assert.equal(write.status, 401);
    assert.match(write.headers.get('www-authenticate') ?? '', /scope="todos.write"/);
  });

  it('/mcp-mixed: get_secret_note answers anonymously with the tool-level challenge', async () => {
    const client = await track(sdkClient(demo.mixedUrl));
    const result = await client.callTool({ name: 'get_secret_note', arguments: {} });
    assert.equal(result.isError, true);
    assert.deepEqual(result._meta?.['mcp/www_authenticate'], [
      `Bearer resource_metadata="${prmUrl(demo.mixedUrl)}", error="insufficient_scope", scope="todos.read"`,
    ]);
  });

  it('a todos.read token calling add_todo gets 403 insufficient_scope naming todos.write; step-up fixes it', async () => {
    const reader = todoLocal();
    await signIn(demo.mcpUrl, reader, demo.issuer, 'todos.read');
    assert.equal(decodeJwt(reader.accessToken).scope, 'todos.read');
    const raw = await openSession(demo.mcpUrl, reader.accessToken);
    assert.equal((await raw.callTool('list_todos')).status, 200);
    const denied = await raw.callTool('add_todo', { title: 'nope' });
    assert.equal(denied.status, 403);
    const challenge = denied.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^Bearer resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"/);
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="todos.read todos.write"/);

    const writer = todoLocal();
    await signIn(demo.mcpUrl, writer, demo.issuer, 'todos.read todos.write');
    raw.token = writer.accessToken;
    const allowed = await raw.callTool('add_todo', { title: 'after step-up' });
    assert.equal(allowed.status, 200);
    assert.ok(!allowed.body.result.isError);
  });

  it('refresh works and rotates; replaying a used refresh token revokes the grant', async () => {
    const provider = todoLocal();
    await signIn(demo.mcpUrl, provider, demo.issuer);
    const first = provider.tokens()!;
    assert.ok(first.refresh_token);

    // The SDK's own refresh path: auth() with a stored refresh token.
    assert.equal(await auth(provider, { serverUrl: demo.mcpUrl }), 'AUTHORIZED');
    const second = provider.tokens()!;
    assert.ok(second.refresh_token);
    assert.notEqual(second.refresh_token, first.refresh_token, 'refresh token rotated');
    assert.notEqual(second.access_token, first.access_token);
    assert.equal(decodeJwt(second.access_token).aud, demo.mcpUrl);
    const raw = await openSession(demo.mcpUrl, second.access_token);
    assert.equal((await raw.callTool('list_todos')).status, 200);

    const replay = await tokenRequest(demo.issuer, {
      grant_type: 'refresh_token',
      client_id: 'todo-local',
      refresh_token: first.refresh_token!,
      resource: demo.mcpUrl,
    });
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
    const afterReplay = await raw.callTool('list_todos');
    assert.equal(afterReplay.status, 401, 'reuse detection revoked the grant, and its access tokens with it');
    assert.match(afterReplay.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });

  it('revoking the access token makes the MCP server reject it; introspection agrees', async () => {
    const provider = todoLocal();
    await signIn(demo.mcpUrl, provider, demo.issuer);
    const token = provider.accessToken;
    const raw = await openSession(demo.mcpUrl, token);
    assert.equal((await raw.callTool('list_todos')).status, 200);

    const active = await json(formPost(`${demo.issuer}/token/introspection`, { client_id: 'todo-local', token }));
    assert.equal(active.active, true);
    assert.equal(active.aud, demo.mcpUrl);
    assert.equal(active.sub, 'demo');

    const revoked = await formPost(`${demo.issuer}/token/revocation`, { client_id: 'todo-local', token, token_type_hint: 'access_token' });
    assert.equal(revoked.status, 200);

    const rejected = await raw.callTool('list_todos');
    assert.equal(rejected.status, 401);
    assert.match(rejected.headers.get('www-authenticate') ?? '', /error="invalid_token", error_description="The access token has been revoked"/);
    const inactive = await json(formPost(`${demo.issuer}/token/introspection`, { client_id: 'todo-local', token }));
    assert.deepEqual(inactive, { active: false });
  });

  it('revoking the refresh token (sign-out) revokes the grant: access token rejected, refresh refused', async () => {
    const provider = todoLocal();
    await signIn(demo.mcpUrl, provider, demo.issuer);
    const { access_token, refresh_token } = provider.tokens()!;
    const raw = await openSession(demo.mcpUrl, access_token);

    const revoked = await formPost(`${demo.issuer}/token/revocation`, { client_id: 'todo-local', token: refresh_token!, token_type_hint: 'refresh_token' });
    assert.equal(revoked.status, 200);

    assert.equal((await raw.callTool('list_todos')).status, 401);
    const refresh = await tokenRequest(demo.issuer, { grant_type: 'refresh_token', client_id: 'todo-local', refresh_token: refresh_token!, resource: demo.mcpUrl });
    assert.equal(refresh.body.error, 'invalid_grant');
  });

  it('a token issued for another resource (wrong aud) is rejected', async () => {
    const provider = todoLocal();
    await signIn(demo.mcpUrl, provider, demo.issuer);
    const init = await new RawSession(demo.mixedUrl, provider.accessToken).initialize();
    assert.equal(init.status, 401);
    assert.equal(
      init.headers.get('www-authenticate'),
      `Bearer resource_metadata="${prmUrl(demo.mixedUrl)}", error="invalid_token", error_description="The access token was issued for a different resource (aud)", scope="todos.read"`,
    );
  });

  it('checks the token on every request, not only at initialize', async () => {
    const provider = todoLocal();
    await signIn(demo.mcpUrl, provider, demo.issuer);
    const raw = await openSession(demo.mcpUrl, provider.accessToken);
    const anonymous = await raw.request('tools/list', {}, '');
    assert.equal(anonymous.status, 401);

    const other = todoLocal();
    await signIn(demo.mixedUrl, other, demo.issuer);
    assert.equal((await raw.request('tools/list', {}, other.accessToken)).status, 401, 'a /mcp-mixed token is not valid on /mcp');
    assert.equal((await raw.request('tools/list')).status, 200);
  });

  it('keeps todos per user and per token subject across both endpoints', async () => {
    const provider = todoLocal();
    await signIn(demo.mixedUrl, provider, demo.issuer);
    const raw = await openSession(demo.mixedUrl, provider.accessToken);
    const listed = await raw.callTool('list_todos');
    assert.equal(listed.status, 200);
    // Same demo user as the DCR test above: its todos are visible, whatever the client.
    assert.ok(JSON.parse(listed.body.result.content[0].text).todos.some((t: { title: string }) => t.title === 'write the demo'));
  });
});

describe('demo: short-lived tokens and the login page', function () {
  this.timeout(20_000);
  let receiver: { server: Server; redirectUrl: string };
  before(async () => {
    receiver = await startReceiver();
  });
  after(() => receiver?.server.close());

  it('an expired access token gets 401 invalid_token, and the SDK refreshes it', async () => {
    const demo = await startDemo({ port: 0, asPort: 0, autoApprove: true, tokenTtl: 1 });
    try {
      const provider = new MemoryOAuthProvider(receiver.redirectUrl, { clientInformation: { client_id: 'todo-local' } });
      await signIn(demo.mcpUrl, provider, demo.issuer);
      const claims = decodeJwt(provider.accessToken);
      assert.equal(claims.exp! - claims.iat!, 1);
      const raw = await openSession(demo.mcpUrl, provider.accessToken);
      await new Promise((resolve) => setTimeout(resolve, 2100));
      const expired = await raw.callTool('list_todos');
      assert.equal(expired.status, 401);
      assert.match(expired.headers.get('www-authenticate') ?? '', /error="invalid_token", error_description="The access token has expired"/);

      assert.equal(await auth(provider, { serverUrl: demo.mcpUrl }), 'AUTHORIZED');
      raw.token = provider.accessToken;
      assert.equal((await raw.callTool('list_todos')).status, 200);
    } finally {
      await demo.close();
    }
  });

  it('without auto-approve, the demo user signs in and consents on a page', async () => {
    const demo = await startDemo({ port: 0, asPort: 0 });
    try {
      const provider = new MemoryOAuthProvider(receiver.redirectUrl, { clientInformation: { client_id: 'todo-local' } });
      const page = await openLoginPage(demo, provider);
      assert.match(page.html, /username <code>demo<\/code>, password <code>demo<\/code>/);
      assert.match(page.response.headers.get('content-security-policy') ?? '', /default-src 'none'/);

      const wrong = await page.browser.submit(page.action, { action: 'approve', username: 'demo', password: 'nope' });
      assert.equal(wrong.status, 401);

      await completeLogin(demo, provider, page, 'demo', 'demo');
      assert.equal(decodeJwt(provider.accessToken).sub, 'demo');
    } finally {
      await demo.close();
    }
  });
});

describe('demo: two accounts on the login page, kept apart', function () {
  this.timeout(20_000);
  let demo: DemoHandle;
  let receiver: { server: Server; redirectUrl: string };
  before(async () => {
    receiver = await startReceiver();
    demo = await startDemo({ port: 0, asPort: 0 }); // no auto-approve: every sign-in goes through the page
  });
  after(async () => {
    await demo?.close();
    receiver?.server.close();
  });

  function todoLocal(): MemoryOAuthProvider {
    return new MemoryOAuthProvider(receiver.redirectUrl, { clientInformation: { client_id: 'todo-local' } });
  }

  it('the login page lists both accounts; demo and alice sign in there and get different token subjects', async () => {
    const demoUser = todoLocal();
    const page = await openLoginPage(demo, demoUser);
    assert.match(page.html, /username <code>demo<\/code>, password <code>demo<\/code>/);
    assert.match(page.html, /username <code>alice<\/code>, password <code>alice<\/code>/);
    assert.equal(inputValue(page.html, 'username'), 'demo', 'the form starts filled in for demo');
    await completeLogin(demo, demoUser, page, 'demo', 'demo');

    const alice = todoLocal();
    await signInOnPage(demo, alice, 'alice', 'alice');

    const demoClaims = decodeJwt(demoUser.accessToken);
    const aliceClaims = decodeJwt(alice.accessToken);
    assert.equal(demoClaims.sub, 'demo');
    assert.equal(aliceClaims.sub, 'alice');
    assert.notEqual(aliceClaims.sub, demoClaims.sub);
    assert.equal(aliceClaims.client_id, 'todo-local', 'same client, different users');
    assert.equal(aliceClaims.aud, demo.mcpUrl);

    const introspected = await json(formPost(`${demo.issuer}/token/introspection`, { client_id: 'todo-local', token: alice.accessToken }));
    assert.equal(introspected.active, true);
    assert.equal(introspected.sub, 'alice');

    const me = JSON.parse(textOf((await (await openSession(demo.mcpUrl, alice.accessToken)).callTool('whoami')).body.result));
    assert.deepEqual([me.sub, me.name], ['alice', 'Alice']);
    const them = JSON.parse(textOf((await (await openSession(demo.mcpUrl, demoUser.accessToken)).callTool('whoami')).body.result));
    assert.deepEqual([them.sub, them.name], ['demo', 'Demo User']);
  });

  it("a todo alice adds is in alice's list_todos and not in demo's (nor can demo complete it)", async () => {
    const alice = todoLocal();
    await signInOnPage(demo, alice, 'alice', 'alice');
    const demoUser = todoLocal();
    await signInOnPage(demo, demoUser, 'demo', 'demo');
    assert.notEqual(decodeJwt(alice.accessToken).sub, decodeJwt(demoUser.accessToken).sub);

    const asAlice = await openSession(demo.mcpUrl, alice.accessToken);
    const asDemo = await openSession(demo.mcpUrl, demoUser.accessToken);
    const added = await asAlice.callTool('add_todo', { title: "alice's private todo" });
    assert.equal(added.status, 200);
    assert.ok(!added.body.result.isError);
    const aliceTodo = JSON.parse(added.body.result.content[0].text).added as { id: string; title: string };

    assert.ok(todoTitles(await asAlice.callTool('list_todos')).includes("alice's private todo"), "in alice's list");
    assert.ok(!todoTitles(await asDemo.callTool('list_todos')).includes("alice's private todo"), "not in demo's list");

    // The ids are per user: demo naming alice's id reaches nothing of alice's.
    const completed = await asDemo.callTool('complete_todo', { id: aliceTodo.id });
    assert.equal(completed.body.result.isError, true);
    const aliceAfter = JSON.parse((await asAlice.callTool('list_todos')).body.result.content[0].text).todos as Array<{ id: string; done: boolean }>;
    assert.equal(aliceAfter.find((t) => t.id === aliceTodo.id)?.done, false);

    // And the other way round, on the per-tool endpoint too (one store for both endpoints).
    assert.equal((await asDemo.callTool('add_todo', { title: "demo's own todo" })).status, 200);
    assert.ok(!todoTitles(await asAlice.callTool('list_todos')).includes("demo's own todo"));
    const mixedDemo = todoLocal();
    await signInOnPage(demo, mixedDemo, 'demo', 'demo', demo.mixedUrl);
    const mixedTitles = todoTitles(await (await openSession(demo.mixedUrl, mixedDemo.accessToken)).callTool('list_todos'));
    assert.ok(mixedTitles.includes("demo's own todo"));
    assert.ok(!mixedTitles.includes("alice's private todo"));

    // A /mcp session belongs to the user who opened it: demo's token cannot use alice's session.
    assert.equal((await asAlice.callTool('list_todos', {}, demoUser.accessToken)).status, 404);
  });

  it('a wrong password for alice gets the 401 page and no code or token; the right one then signs alice in', async () => {
    const alice = todoLocal();
    const page = await openLoginPage(demo, alice);

    for (const password of ['wrong', 'demo', '']) {
      const refused = await page.browser.submit(page.action, { action: 'approve', username: 'alice', password });
      assert.equal(refused.status, 401, `password ${JSON.stringify(password)}`);
      assert.equal(refused.headers.get('location'), null, 'no redirect, so no code reaches the client');
      assert.match(refused.headers.get('content-type') ?? '', /^text\/html/);
      const html = await refused.text();
      assert.match(html, /<div class="error">Wrong username or password/);
      assert.equal(inputValue(html, 'username'), 'alice', 'the page keeps the username tried');
      assert.equal(inputValue(html, 'password'), '', 'and not a password');
      assert.equal(/action="([^"]+)"/.exec(html)?.[1], new URL(page.action).pathname, 'the same sign-in goes on');
    }
    assert.equal(alice.tokens(), undefined, 'no token');

    await completeLogin(demo, alice, page, 'alice', 'alice');
    assert.equal(decodeJwt(alice.accessToken).sub, 'alice');
  });

  it('the login page shows a typed username as text, never as markup', async () => {
    const page = await openLoginPage(demo, todoLocal());
    const hostile = `"><script>alert('x')</script><b a='`;
    const refused = await page.browser.submit(page.action, { action: 'approve', username: hostile, password: 'x' });
    assert.equal(refused.status, 401);
    const html = await refused.text();
    assert.ok(!html.includes('<script>'), 'no markup from the form');
    assert.ok(!html.includes(hostile));
    assert.equal(inputValue(html, 'username'), '&#34;&#62;&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;&#60;b a=&#39;');
    assert.match(refused.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  });

  it('a browser already signed in as alice is only asked to consent, and the grant is alice\'s', async () => {
    const browser = new MiniBrowser(demo.issuer);
    const reader = todoLocal();
    const login = await openLoginPage(demo, reader, demo.mcpUrl, browser, 'todos.read');
    await completeLogin(demo, reader, login, 'alice', 'alice', demo.mcpUrl, 'todos.read');
    assert.deepEqual([decodeJwt(reader.accessToken).sub, decodeJwt(reader.accessToken).scope], ['alice', 'todos.read']);

    // Step-up in the same browser: the session is alice's, so the page asks for consent only.
    const writer = todoLocal();
    const consent = await openLoginPage(demo, writer, demo.mcpUrl, browser, 'todos.read todos.write');
    assert.match(consent.html, /<h1>Allow access<\/h1>/);
    assert.match(consent.html, /Signed in as <code>alice<\/code>/);
    assert.equal(inputValue(consent.html, 'username'), undefined, 'no login fields');
    await completeLogin(demo, writer, consent, '', '', demo.mcpUrl, 'todos.read todos.write');
    const claims = decodeJwt(writer.accessToken);
    assert.equal(claims.sub, 'alice');
    assert.deepEqual(String(claims.scope).split(' ').sort(), ['todos.read', 'todos.write']);
    const raw = await openSession(demo.mcpUrl, writer.accessToken);
    assert.equal((await raw.callTool('add_todo', { title: 'after consent' })).status, 200);
    assert.ok(todoTitles(await raw.callTool('list_todos')).includes('after consent'));
  });

  it('an unknown username is refused like a wrong password', async () => {
    const provider = todoLocal();
    const page = await openLoginPage(demo, provider);
    for (const username of ['bob', 'Alice', 'alice ', '__proto__', 'constructor']) {
      const refused = await page.browser.submit(page.action, { action: 'approve', username, password: username });
      assert.equal(refused.status, 401, username);
    }
    assert.equal(provider.tokens(), undefined);
  });
});
