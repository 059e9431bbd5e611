/**
 * The baseline: an MCP client built only on the official SDK v2 (`@modelcontextprotocol/client`) —
 * its own OAuth (`auth()` driven through an `OAuthClientProvider` by `StreamableHTTPClientTransport`)
 * and its own version negotiation (`versionNegotiation: 'auto'` for the 2026-07-28 era: a
 * `server/discover` probe; `'legacy'` for the older one: the `initialize` handshake) — the way the
 * SDK's OAuth example client (examples/client/simpleOAuthClient.ts) does it: connect, get `UnauthorizedError`, let the
 * browser run the authorization, receive the code on a loopback listener, `transport.finishAuth(code)`,
 * then connect again with a new transport. The provider implements `discoveryState()` /
 * `saveDiscoveryState()` so the SDK does not discover twice: the best the SDK can do.
 *
 * Everything lives in memory (the `SdkStore`), so a second connect with the same store measures the
 * SDK's reconnect with stored tokens.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type OAuthClientInformationMixed,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
  type Tool,
} from '@modelcontextprotocol/client';
import type { BenchBrowser } from './browser';

/** What the SDK client keeps between connects (in memory: secrets never leave the process). */
export interface SdkStore {
  client?: OAuthClientInformationMixed;
  tokens?: OAuthTokens;
  discovery?: OAuthDiscoveryState;
  /** The redirect URI the client registered with (its loopback listener's, when it signed in). */
  redirectUri?: string;
}

/** A one-shot loopback listener for the authorization response (RFC 8252 §7.3), as the SDK example has. */
async function callbackListener(): Promise<{ redirectUri: string; code: Promise<URLSearchParams>; close(): Promise<void> }> {
  let server: Server;
  const code = new Promise<URLSearchParams>((resolve) => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/callback') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('Signed in. You can close this window.');
      resolve(url.searchParams);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server!.address() as AddressInfo).port;
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    code,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

class BenchProvider implements OAuthClientProvider {
  private verifier?: string;
  private expectedState?: string;
  pendingAuthorization?: URL;

  constructor(
    private readonly store: SdkStore,
    private readonly redirect: string,
    readonly clientMetadataUrl: string | undefined,
  ) {}

  get redirectUrl(): string {
    return this.redirect;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'SDK baseline',
      redirect_uris: [this.redirect],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      // as the engine registers: oidc-provider lets native clients use loopback redirect URIs
      application_type: 'native',
    } as OAuthClientMetadata;
  }

  state(): string {
    this.expectedState = randomBytes(16).toString('base64url');
    return this.expectedState;
  }

  checkState(received: string | null): void {
    if (!this.expectedState || received !== this.expectedState) throw new Error('SDK baseline: the callback state does not match');
  }

  clientInformation() {
    return this.store.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.store.client = info;
  }
  tokens() {
    return this.store.tokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.store.tokens = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.pendingAuthorization = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier(): string {
    if (!this.verifier) throw new Error('no code verifier saved');
    return this.verifier;
  }
  discoveryState() {
    return this.store.discovery;
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.store.discovery = state;
  }
}

export interface SdkConnectOptions {
  serverUrl: string;
  store: SdkStore;
  fetch: typeof fetch;
  browser: BenchBrowser;
  /** Use a Client ID Metadata Document with this https client_id (the AS must advertise support). */
  clientMetadataUrl?: string;
  /** 'modern': negotiate (server/discover first; 2026-07-28 when the server speaks it); 'legacy': initialize. */
  era: 'modern' | 'legacy';
}

export interface SdkConnection {
  client: Client;
  tools: Tool[];
  /** What the SDK negotiated ('modern': 2026-07-28). */
  era: string | undefined;
  close(): Promise<void>;
}

const CLIENT_INFO = { name: 'sdk-baseline', version: '0.0.0' };

/** From nothing (or what the store holds) to the tool list, as the SDK's example client does it. */
export async function sdkConnect(o: SdkConnectOptions): Promise<SdkConnection> {
  // The listener is only started when there are no tokens yet (a sign-in will be needed), like the
  // engine's receiver, which only listens during an authorization.
  const cb = o.store.tokens && o.store.redirectUri ? undefined : await callbackListener();
  try {
    const redirectUri = cb?.redirectUri ?? o.store.redirectUri!;
    o.store.redirectUri = redirectUri;
    const provider = new BenchProvider(o.store, redirectUri, o.clientMetadataUrl);
    const transportOptions = { authProvider: provider, fetch: o.fetch };
    const clientOptions = { versionNegotiation: { mode: o.era === 'modern' ? ('auto' as const) : ('legacy' as const) } };
    let transport = new StreamableHTTPClientTransport(new URL(o.serverUrl), transportOptions);
    let client = new Client(CLIENT_INFO, clientOptions);
    try {
      await client.connect(transport);
    } catch (err) {
      if (!(err instanceof UnauthorizedError) || !provider.pendingAuthorization || !cb) throw err;
      await client.close().catch(() => undefined);
      await o.browser.open(provider.pendingAuthorization, cb.redirectUri);
      const params = await cb.code;
      provider.checkState(params.get('state'));
      const code = params.get('code');
      if (!code) throw new Error(`SDK baseline: the authorization server answered ${params.get('error') ?? 'without a code'}`);
      await transport.finishAuth(code, params.get('iss') ?? undefined);
      transport = new StreamableHTTPClientTransport(new URL(o.serverUrl), transportOptions);
      client = new Client(CLIENT_INFO, clientOptions);
      await client.connect(transport);
    }
    const { tools } = await client.listTools();
    const t = transport;
    const c = client;
    return {
      client,
      tools,
      era: client.getProtocolEra(),
      close: async () => {
        await t.terminateSession().catch(() => undefined);
        await c.close().catch(() => undefined);
      },
    };
  } finally {
    await cb?.close();
  }
}
