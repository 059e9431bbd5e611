/**
 * The demo speaks both protocol eras, proved with the official SDK v2 client
 * (`@modelcontextprotocol/client`) — its own OAuth (`auth()` + an OAuthClientProvider) for the tokens
 * and its own version negotiation for the connect:
 *
 * - a 2026-07-28 client (`versionNegotiation: 'auto'`) finds the demo with `server/discover` and
 *   talks to it statelessly (no session id);
 * - an older client (`'legacy'`: the `initialize` handshake, byte-equivalent to a 2025 client) gets
 *   a session, as before;
 * - the demo started with `eras: 'legacy'` only answers `initialize`, and the same auto-negotiating
 *   client falls back to it.
 *
 * On each, a protected tool call with a token works and the per-tool security (securitySchemes, the
 * HTTP challenge, the tool-level challenge) is what the older tests already prove on the old wire.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  auth,
  Client,
  StreamableHTTPClientTransport,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
} from '@modelcontextprotocol/client';
import { startDemo, type DemoHandle } from '../../demo/index';

class MemoryProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  #client: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #verifier = '';
  #discovery: OAuthDiscoveryState | undefined;
  readonly #state = randomBytes(16).toString('base64url');
  readonly clientMetadata: OAuthClientMetadata;

  constructor(readonly redirectUrl: string) {
    this.clientMetadata = {
      client_name: 'SDK v2 test client',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
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
  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.#discovery = state;
  }
  discoveryState(): OAuthDiscoveryState | undefined {
    return this.#discovery;
  }
}

/** One fetch that records the JSON-RPC method (or HTTP method) and status of every MCP request. */
type Log = Array<{ method: string; status: number; session: boolean; body?: string }>;

function recordingFetch(log: Log): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    let method = init?.method ?? 'GET';
    if (typeof init?.body === 'string') {
      try {
        method = (JSON.parse(init.body) as { method?: string }).method ?? 'response';
      } catch {
        // not JSON: keep the HTTP method
      }
    }
    const body = method === 'tools/list' ? await response.clone().text() : undefined;
    log.push({ method, status: response.status, session: response.headers.has('mcp-session-id'), body });
    return response;
  };
}

describe('demo: both protocol eras, with the SDK v2 client', function () {
  this.timeout(30_000);
  let demo: DemoHandle;
  let legacyOnly: DemoHandle;
  let receiver: Server;
  let redirectUrl: string;
  const clients: Client[] = [];

  before(async () => {
    [demo, legacyOnly] = await Promise.all([
      startDemo({ port: 0, asPort: 0, autoApprove: true }),
      startDemo({ port: 0, asPort: 0, autoApprove: true, eras: 'legacy' }),
    ]);
    receiver = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('done'));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    redirectUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callback`;
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all([demo?.close(), legacyOnly?.close()]);
    receiver?.close();
  });

  /** The SDK v2's own OAuth up to a token (auto-approve: the redirects end at the receiver). */
  async function signIn(serverUrl: string, scope: string): Promise<MemoryProvider> {
    const provider = new MemoryProvider(redirectUrl);
    assert.equal(await auth(provider, { serverUrl, scope }), 'REDIRECT');
    const callback = new URL((await fetch(provider.authorizationUrl!)).url);
    const code = callback.searchParams.get('code');
    assert.ok(code, `no code in ${callback.search}`);
    assert.equal(await auth(provider, { serverUrl, authorizationCode: code, iss: callback.searchParams.get('iss') ?? undefined, scope }), 'AUTHORIZED');
    return provider;
  }

  async function connect(serverUrl: string, mode: 'auto' | 'legacy', provider?: MemoryProvider) {
    const log: Log = [];
    const client = new Client({ name: 'eras-test', version: '0.0.0' }, { versionNegotiation: { mode } });
    clients.push(client);
    const transport = new StreamableHTTPClientTransport(new URL(serverUrl), { authProvider: provider, fetch: recordingFetch(log) });
    await client.connect(transport);
    return { client, log };
  }

  it('2026-07-28: server/discover, stateless; a protected call with a token works on /mcp', async () => {
    const provider = await signIn(demo.mcpUrl, 'todos.read todos.write');
    const { client, log } = await connect(demo.mcpUrl, 'auto', provider);
    assert.equal(client.getProtocolEra(), 'modern');
    assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
    assert.equal(log[0].method, 'server/discover');
    assert.ok(!log.some((e) => e.method === 'initialize'), 'no initialize');
    const added = await client.callTool({ name: 'add_todo', arguments: { title: 'modern era' } });
    assert.notEqual(added.isError, true, JSON.stringify(added));
    const listed = await client.callTool({ name: 'list_todos', arguments: {} });
    assert.match(JSON.stringify(listed.content), /modern era/);
    assert.ok(!log.some((e) => e.session), 'no session id on the 2026-07-28 wire');
  });

  it('2026-07-28 on /mcp-mixed: anonymous discover and tools/list (securitySchemes), 401 for a protected tool, the tool-level challenge', async () => {
    const { client, log } = await connect(demo.mixedUrl, 'auto');
    assert.equal(client.getProtocolEra(), 'modern');
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    assert.deepEqual(byName.get('search_docs')?._meta?.securitySchemes, [{ type: 'noauth' }]);
    assert.deepEqual(byName.get('add_todo')?._meta?.securitySchemes, [{ type: 'oauth2', scopes: ['todos.write'] }]);
    // On the wire the top-level field is there too (the SDK client's Tool type drops unknown fields).
    const wire = JSON.parse(log.find((e) => e.method === 'tools/list')!.body!) as { result: { tools: Array<{ name: string; securitySchemes?: unknown }> } };
    assert.deepEqual(wire.result.tools.find((t) => t.name === 'add_todo')?.securitySchemes, [{ type: 'oauth2', scopes: ['todos.write'] }]);
    const secret = await client.callTool({ name: 'get_secret_note', arguments: {} });
    assert.equal(secret.isError, true);
    assert.match(String((secret._meta as Record<string, unknown[]>)['mcp/www_authenticate'][0]), /resource_metadata=.*mcp-mixed/);
    await assert.rejects(client.callTool({ name: 'list_todos', arguments: {} }));
    assert.equal(log.at(-1)?.status, 401, 'the protected tool was refused by HTTP 401');
  });

  it('older clients: initialize, a session; a protected call with a token works on /mcp', async () => {
    const provider = await signIn(demo.mcpUrl, 'todos.read todos.write');
    const { client, log } = await connect(demo.mcpUrl, 'legacy', provider);
    assert.equal(client.getProtocolEra(), 'legacy');
    assert.equal(log[0].method, 'initialize');
    assert.ok(log[0].session, 'the initialize answer carries a session id');
    assert.ok(!log.some((e) => e.method === 'server/discover'), 'no server/discover');
    const added = await client.callTool({ name: 'add_todo', arguments: { title: 'older era' } });
    assert.notEqual(added.isError, true, JSON.stringify(added));
    const listed = await client.callTool({ name: 'list_todos', arguments: {} });
    assert.match(JSON.stringify(listed.content), /older era/);
  });

  it("the same user's todos are the same on both wires", async () => {
    const provider = await signIn(demo.mixedUrl, 'todos.read todos.write');
    const modern = await connect(demo.mixedUrl, 'auto', provider);
    const older = await connect(demo.mixedUrl, 'legacy', provider);
    await modern.client.callTool({ name: 'add_todo', arguments: { title: 'both wires' } });
    const listed = await older.client.callTool({ name: 'list_todos', arguments: {} });
    assert.match(JSON.stringify(listed.content), /both wires/);
  });

  it("eras: 'legacy' answers only initialize: the auto-negotiating client falls back, and a protected call works", async () => {
    const provider = await signIn(legacyOnly.mcpUrl, 'todos.read');
    const { client, log } = await connect(legacyOnly.mcpUrl, 'auto', provider);
    assert.equal(client.getProtocolEra(), 'legacy');
    assert.ok(log.some((e) => e.method === 'initialize' && e.session), 'fell back to initialize and got a session');
    const listed = await client.callTool({ name: 'list_todos', arguments: {} });
    assert.notEqual(listed.isError, true, JSON.stringify(listed));
  });
});
