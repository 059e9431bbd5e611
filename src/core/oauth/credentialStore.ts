/**
 * One MCP server's OAuth state behind the SecretStore port, and the layout of its keys — the only
 * place that knows it (docs/SECURITY.md, "Tokens and credentials"). Front ends ask this store (a
 * client secret to keep, whether a changed key is this server's); the state machine
 * (authManager.ts) loads and saves through it.
 *
 * Layout, under `mcp-oauth-inspector/v1/<canonical resource>/`:
 *  - `session`: the discovery result and the client id — not secret, kept here so a reconnect needs
 *    no discovery requests and so Sign Out deletes it with the rest;
 *  - `client/<issuer>`: the registered client (its secret, private key) per authorization server;
 *  - `client-secret/<client id>`: a pre-registered confidential client's secret, entered by the user;
 *  - `tokens/<issuer>/<client id>`: the token set;
 *  - `dpop-key/<issuer>/<client id>`: the DPoP key pair those tokens are bound to (RFC 9449), kept
 *    with them and deleted with them.
 *  - `external-tokens`: an access token (and refresh token) the user pasted for this server (grant
 *    'external'); used instead of the signed-in ones until a sign-in or refresh replaces it.
 * Credentials are keyed by issuer (and client): a server whose metadata later names another
 * authorization server never gets the old client's tokens or id.
 *
 * Every secret read from or written to the store is handed to the redactor first, so it cannot turn
 * up in a trace, a log or a message afterwards.
 */
import type { Redactor } from '../http/redact';
import type { SecretStore } from '../ports';
import { canonicalResource, type DiscoveryResult } from './discovery';
import { PRIVATE_JWK_MEMBERS, type StoredDpopKey } from './dpop';
import type { RegisteredClient } from './registration';
import type { TokenSet } from './tokens';

/**
 * Secret keys for one MCP server. Tokens are keyed by resource + issuer + client, so a server whose
 * metadata later names another authorization server never gets the old client's tokens.
 */
export class CredentialKeys {
  constructor(readonly serverKey: string) {}
  get prefix(): string {
    return `mcp-oauth-inspector/v1/${this.serverKey}/`;
  }
  get session(): string {
    return `${this.prefix}session`;
  }
  client(issuer: string): string {
    return `${this.prefix}client/${issuer}`;
  }
  /** A pre-registered confidential client's secret, entered by the user (one per client id). */
  clientSecret(clientId: string): string {
    return `${this.prefix}client-secret/${clientId}`;
  }
  tokens(issuer: string, clientId: string): string {
    return `${this.prefix}tokens/${issuer}/${clientId}`;
  }
  /** A token set the user pasted (grant 'external'): one per server, whatever issued it. */
  get externalTokens(): string {
    return `${this.prefix}external-tokens`;
  }
  /** The DPoP key pair the tokens of this issuer + client are bound to (RFC 9449), kept with them. */
  dpopKey(issuer: string, clientId: string): string {
    return `${this.prefix}dpop-key/${issuer}/${clientId}`;
  }
}

/** A stored JSON value; a value that does not parse is deleted (it can only be damage) and reads as absent. */
export async function readJsonSecret<T>(store: SecretStore, key: string): Promise<T | undefined> {
  const raw = await store.get(key);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    await store.delete(key);
    return undefined;
  }
}

/** Non-secret session facts kept beside the secrets so a reconnect needs no discovery requests. */
export interface StoredSession {
  discovery: Omit<DiscoveryResult, 'resourceMetadata'> & { resourceMetadata?: DiscoveryResult['resourceMetadata'] };
  client_id?: string;
}

export class CredentialStore {
  readonly keys: CredentialKeys;

  /** `serverKey`: the MCP server's canonical resource URI (see `forServer`). */
  constructor(
    private readonly secrets: SecretStore,
    serverKey: string,
    private readonly redactor?: Redactor,
  ) {
    this.keys = new CredentialKeys(serverKey);
  }

  /** The store of the MCP server at `serverUrl` (keyed by its canonical resource URI, RFC 8707 §2). */
  static forServer(secrets: SecretStore, serverUrl: URL | string, redactor?: Redactor): CredentialStore {
    return new CredentialStore(secrets, canonicalResource(new URL(String(serverUrl))), redactor);
  }

  /** Whether a secret-store key is one of this server's (another window changed it: read the state again). */
  owns(key: string): boolean {
    return key.startsWith(this.keys.prefix);
  }

  loadSession(): Promise<StoredSession | undefined> {
    return readJsonSecret<StoredSession>(this.secrets, this.keys.session);
  }

  async saveSession(discovery: DiscoveryResult, clientId: string | undefined): Promise<void> {
    const s: StoredSession = { discovery, client_id: clientId };
    await this.secrets.store(this.keys.session, JSON.stringify(s));
  }

  async loadClient(issuer: string): Promise<RegisteredClient | undefined> {
    const client = await readJsonSecret<RegisteredClient>(this.secrets, this.keys.client(issuer));
    if (client?.client_secret) this.redactor?.addSecret(client.client_secret);
    return client;
  }

  async saveClient(client: RegisteredClient): Promise<void> {
    if (client.client_secret) this.redactor?.addSecret(client.client_secret);
    await this.secrets.store(this.keys.client(client.issuer), JSON.stringify(client));
  }

  async loadTokens(issuer: string, clientId: string): Promise<TokenSet | undefined> {
    const tokens = await readJsonSecret<TokenSet>(this.secrets, this.keys.tokens(issuer, clientId));
    if (tokens) this.redactTokens(tokens);
    return tokens;
  }

  async loadDpopKey(issuer: string, clientId: string): Promise<StoredDpopKey | undefined> {
    const key = await readJsonSecret<StoredDpopKey>(this.secrets, this.keys.dpopKey(issuer, clientId));
    if (key) this.redactKey(key);
    return key;
  }

  /**
   * Keep a token set, and with it the DPoP key it is bound to; without a key (a Bearer token) any key
   * stored for this issuer and client is deleted, so no stale key outlives its tokens.
   */
  async saveTokens(tokens: TokenSet, dpopKey?: StoredDpopKey): Promise<void> {
    this.redactTokens(tokens);
    await this.secrets.store(this.keys.tokens(tokens.issuer, tokens.client_id), JSON.stringify(tokens));
    const keyName = this.keys.dpopKey(tokens.issuer, tokens.client_id);
    if (dpopKey) {
      this.redactKey(dpopKey);
      await this.secrets.store(keyName, JSON.stringify(dpopKey));
    } else await this.secrets.delete(keyName);
  }

  /** The token set the user pasted for this server (grant 'external'), if any. */
  async loadExternalTokens(): Promise<TokenSet | undefined> {
    const tokens = await readJsonSecret<TokenSet>(this.secrets, this.keys.externalTokens);
    if (!tokens || tokens.grant !== 'external' || typeof tokens.access_token !== 'string') return undefined;
    this.redactTokens(tokens);
    return tokens;
  }

  /** Keep a token set the user pasted; its secrets go to the redactor before they are stored. */
  async storeExternalTokens(tokens: TokenSet & { grant: 'external' }): Promise<void> {
    this.redactTokens(tokens);
    await this.secrets.store(this.keys.externalTokens, JSON.stringify(tokens));
  }

  /** Forget the pasted token set (a sign-in or refresh replaced it, or the server refused it for good). */
  async dropExternalTokens(): Promise<void> {
    await this.secrets.delete(this.keys.externalTokens);
  }

  /** Delete the tokens of this issuer and client and the DPoP key bound to them. */
  async dropTokens(issuer: string, clientId: string): Promise<void> {
    await this.secrets.delete(this.keys.tokens(issuer, clientId));
    await this.secrets.delete(this.keys.dpopKey(issuer, clientId));
  }

  /** Delete the client registered with `issuer`, and its tokens and DPoP key when its id is known. */
  async forgetClient(issuer: string, clientId: string | undefined): Promise<void> {
    if (clientId !== undefined) await this.dropTokens(issuer, clientId);
    await this.secrets.delete(this.keys.client(issuer));
  }

  /** Delete every secret of this server (Sign Out): the session, clients, client secrets, tokens, keys. */
  async deleteAll(): Promise<void> {
    for (const key of await this.secrets.keys(this.keys.prefix)) await this.secrets.delete(key);
  }

  /** A pre-registered confidential client's secret, as the user entered it. */
  async loadClientSecret(clientId: string): Promise<string | undefined> {
    const secret = await this.secrets.get(this.keys.clientSecret(clientId));
    if (secret) this.redactor?.addSecret(secret);
    return secret;
  }

  /** Keep the user's secret for a pre-registered client; an empty one deletes what was kept. */
  async storeClientSecret(clientId: string, secret: string): Promise<void> {
    if (!secret) return this.secrets.delete(this.keys.clientSecret(clientId));
    this.redactor?.addSecret(secret);
    await this.secrets.store(this.keys.clientSecret(clientId), secret);
  }

  private redactTokens(tokens: TokenSet): void {
    this.redactor?.addSecret(tokens.access_token);
    this.redactor?.addSecret(tokens.refresh_token);
  }

  /** The private members of a DPoP key are secrets like tokens: never in a log, trace or message. */
  private redactKey(key: StoredDpopKey): void {
    for (const m of PRIVATE_JWK_MEMBERS) {
      const v = (key.privateJwk as Record<string, unknown> | undefined)?.[m];
      if (typeof v === 'string') this.redactor?.addSecret(v);
    }
  }
}
