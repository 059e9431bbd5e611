/// <reference path="./types/oidc-provider.d.ts" />
/**
 * The demo's authorization server: panva's oidc-provider (a certified OpenID Provider), configured
 * for MCP clients.
 *
 * - RFC 8414 / OIDC discovery with `code_challenge_methods_supported: ["S256"]`; PKCE required for
 *   every client.
 * - Open Dynamic Client Registration (RFC 7591). Registered clients default to
 *   `application_type: native`, so loopback redirect URIs accept any port (RFC 8252 §7.3 — in
 *   oidc-provider 9 native clients match `http://127.0.0.1|localhost|[::1]` redirects ignoring the
 *   port).
 * - Client ID Metadata Documents (`features.clientIdMetadataDocument`, draft-02). Offline: the
 *   extension's document URL is answered from `media/client-metadata.json`; other https client_id
 *   URLs are fetched only from loopback hosts.
 * - A pre-registered public native client `todo-local`, and a confidential one `todo-confidential`
 *   (client_secret_basic; its demo secret is in constants.ts).
 * - Resource indicators (RFC 8707): the MCP URLs, and any other path on the MCP server's origin
 *   (so an audit can get a token for another resource and see that the MCP server refuses it);
 *   access tokens are RS256 JWTs (RFC 9068) with `aud` = exactly the resource asked for, and a
 *   configurable short lifetime.
 * - Scopes `todos.read`, `todos.write`, `offline_access`; refresh tokens rotate on every use.
 * - Revocation (RFC 7009) and introspection (RFC 7662), extended to the JWT access tokens (which
 *   oidc-provider itself refuses) through the revocation list in revocations.ts.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { errors } from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import type { Client, ClientMetadata, Configuration, IssuedToken, KoaMiddleware, ResourceServerInfo } from 'oidc-provider';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet, type JWK } from 'jose';
import {
  findDemoAccount,
  EXTENSION_CLIENT_METADATA_URL,
  CONFIDENTIAL_CLIENT,
  PRE_REGISTERED_CLIENT_ID,
  RESOURCE_SCOPES,
} from './constants';
import { autoApproveCookieRelay, interactionRoutes, renderError } from './interactions';
import type { AccessTokenRevocations } from './revocations';

/** What the pre-registered clients share: native apps with loopback redirects and refresh tokens. */
const NATIVE_LOOPBACK_CLIENT = {
  application_type: 'native',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  // Loopback, any port (RFC 8252 §7.3): oidc-provider ignores the port for native clients.
  redirect_uris: ['http://127.0.0.1/callback', 'http://localhost/callback'],
} satisfies Partial<ClientMetadata>;

export interface AuthServerOptions {
  /** The issuer identifier, e.g. `http://localhost:5081` (no trailing slash). */
  readonly issuer: string;
  /** The MCP server URLs this AS issues tokens for; the first is used when a request names none. */
  readonly resources: readonly string[];
  /**
   * An origin (e.g. `http://localhost:5080`) any of whose paths is accepted as a resource too, with
   * `aud` bound to it like the others (RFC 8707 leaves which resources to accept to the AS).
   */
  readonly resourceOrigin?: string;
  readonly autoApprove: boolean;
  /** Access-token lifetime in seconds. */
  readonly tokenTtl: number;
  /** The parsed `media/client-metadata.json` (its client_id is the extension's metadata URL). */
  readonly clientMetadataDocument: ClientMetadata;
  readonly revocations: AccessTokenRevocations;
  readonly log: (line: string) => void;
  /** DPoP (RFC 9449): advertised, and tokens bound to the client's key when it sends a proof (default true). */
  readonly dpop?: boolean;
}

export interface AuthServer {
  readonly provider: Provider;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly jwksUri: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

/** A fresh signing key per run: tokens never outlive the demo process. */
function signingKeys(): { privateJwks: { keys: JWK[] }; publicJwks: JSONWebKeySet } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `demo-${randomBytes(6).toString('hex')}`;
  const common = { kid, use: 'sig', alg: 'RS256' };
  return {
    privateJwks: { keys: [{ ...(privateKey.export({ format: 'jwk' }) as JWK), ...common }] },
    publicJwks: { keys: [{ ...(publicKey.export({ format: 'jwk' }) as JWK), ...common }] },
  };
}

/**
 * The `fetch` oidc-provider uses for outgoing requests (Client ID Metadata Documents). The demo
 * machine is offline: the extension's own document comes from the repository; any other client_id
 * URL must be on loopback (and then skips oidc-provider's SSRF guard, which blocks loopback).
 */
function offlineFetch(document: ClientMetadata) {
  return async (url: string | URL, init: RequestInit & { dispatcher?: unknown } = {}): Promise<Response> => {
    const target = new URL(String(url));
    if (target.href === EXTENSION_CLIENT_METADATA_URL) {
      return Response.json(document, { headers: { 'cache-control': 'max-age=60' } });
    }
    if (isLoopbackHost(target.hostname)) {
      const { dispatcher: _ssrfGuard, ...rest } = init;
      return fetch(target, { ...rest, redirect: 'manual' });
    }
    throw new Error(`the demo authorization server is offline and does not fetch ${target.origin}`);
  };
}

/** The JWT access-token claims the demo relies on (RFC 9068 §2.2). */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope?: string;
}

/**
 * oidc-provider answers `unsupported_token_type` when a JWT access token is sent to the revocation
 * or introspection endpoint — after it has authenticated the client. This middleware runs around
 * those endpoints and, for a JWT this issuer signed, turns that answer into a real one:
 * revocation lists the token's jti (RFC 7009: 200 either way), introspection reports its state.
 * Client authentication stays oidc-provider's own: `ctx.oidc.client` is set only when it passed.
 */
function structuredTokenEndpoints(provider: Provider, publicJwks: JSONWebKeySet, revocations: AccessTokenRevocations): KoaMiddleware {
  const keys = createLocalJWKSet(publicJwks);
  const revocationPath = provider.pathFor('revocation');
  const introspectionPath = provider.pathFor('introspection');

  async function ownAccessToken(token: string): Promise<AccessTokenClaims | undefined> {
    try {
      // Signature and issuer only: an expired token can still be revoked (a no-op) or introspected (inactive).
      const { payload, protectedHeader } = await compactVerify(token, keys, { algorithms: ['RS256'] });
      if (protectedHeader.typ !== 'at+jwt') return undefined;
      const claims = JSON.parse(new TextDecoder().decode(payload)) as AccessTokenClaims;
      return claims.iss === provider.issuer && typeof claims.jti === 'string' ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  return async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST' || (ctx.path !== revocationPath && ctx.path !== introspectionPath)) return;
    if (ctx.status !== 400 || (ctx.body as { error?: unknown } | undefined)?.error !== 'unsupported_token_type') return;
    const client = ctx.oidc?.client;
    const token = ctx.oidc?.params?.token;
    if (!client || typeof token !== 'string') return;
    const claims = await ownAccessToken(token);
    if (!claims) return;

    const ownToken = claims.client_id === client.clientId;
    if (ctx.path === revocationPath) {
      if (ownToken) revocations.revokeToken(claims.jti, claims.exp);
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    // Introspection: a public client may only learn about its own tokens (like oidc-provider's default).
    const allowed = ownToken || client.clientAuthMethod !== 'none';
    const active = allowed && claims.exp > Math.floor(Date.now() / 1000) && !revocations.isRevoked(claims.jti);
    ctx.status = 200;
    ctx.body = active
      ? {
          active: true,
          iss: claims.iss,
          sub: claims.sub,
          aud: claims.aud,
          client_id: claims.client_id,
          scope: claims.scope,
          exp: claims.exp,
          iat: claims.iat,
          jti: claims.jti,
          token_type: 'Bearer',
        }
      : { active: false };
  };
}

/** `resource` is an absolute URL with a path on `origin`, no query or fragment (RFC 8707 §2), in normal form. */
function onResourceOrigin(resource: string, origin: string | undefined): boolean {
  if (!origin) return false;
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    return false;
  }
  return url.origin === origin && url.pathname !== '/' && !url.search && !url.hash && url.href === resource;
}

export function createAuthServer(options: AuthServerOptions): AuthServer {
  const { issuer, resources, tokenTtl, revocations, log } = options;
  const { privateJwks, publicJwks } = signingKeys();
  const defaultResource = resources[0];

  const configuration: Configuration = {
    // oidc-provider's own memory adapter, one store per demo instance (tests run several per process).
    adapter: createMemoryAdapter(),
    jwks: privateJwks,
    cookies: { keys: [randomBytes(32).toString('base64url')] },

    clients: [
      { ...NATIVE_LOOPBACK_CLIENT, client_id: PRE_REGISTERED_CLIENT_ID, client_name: 'Todo (pre-registered local client)', token_endpoint_auth_method: 'none' },
      { ...NATIVE_LOOPBACK_CLIENT, ...CONFIDENTIAL_CLIENT, client_name: 'Todo (pre-registered confidential client)', token_endpoint_auth_method: 'client_secret_basic' },
    ],
    // Defaults for registered (DCR) clients. `native` makes loopback redirects port-agnostic;
    // everything else is RFC 7591's default.
    clientDefaults: {
      application_type: 'native',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', ...RESOURCE_SCOPES],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    pkce: { required: () => true },

    // The demo accounts (constants.ts): the username is the account id, hence the tokens' `sub`.
    async findAccount(_ctx: unknown, sub: string) {
      const account = findDemoAccount(sub);
      if (!account) return undefined;
      return {
        accountId: account.username,
        claims: () => ({ sub: account.username, name: account.name, preferred_username: account.username }),
      };
    },

    renderError,
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },

    features: {
      devInteractions: { enabled: false },
      // DPoP-bound tokens for clients that send a proof (the MCP server then checks proofs: mcpServer.ts).
      dPoP: { enabled: options.dpop ?? true },
      registration: { enabled: true },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: Client, token: { clientId?: string }) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: Client, token: { clientId?: string }) =>
          client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
      },
      resourceIndicators: {
        enabled: true,
        // A request without `resource` is for the whole-server MCP endpoint.
        defaultResource: async (_ctx: unknown, _client: Client, oneOf?: string | string[]) => oneOf ?? defaultResource,
        // A token request without `resource` gets the resource that was granted.
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resourceIndicator: string): Promise<ResourceServerInfo> => {
          if (!resources.includes(resourceIndicator) && !onResourceOrigin(resourceIndicator, options.resourceOrigin)) {
            throw new errors.InvalidTarget(
              `unknown resource; this authorization server issues tokens for ${resources.join(', ')}${options.resourceOrigin ? ` and other paths on ${options.resourceOrigin}` : ''}`,
            );
          }
          return {
            scope: RESOURCE_SCOPES.join(' '),
            audience: resourceIndicator,
            accessTokenTTL: tokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
      clientIdMetadataDocument: {
        enabled: true,
        ack: 'draft-02',
        allowFetch: async (_ctx: unknown, clientId: string) =>
          clientId === EXTENSION_CLIENT_METADATA_URL || isLoopbackHost(new URL(clientId).hostname),
      },
    },
    fetch: offlineFetch(options.clientMetadataDocument),

    // Refresh tokens: with offline_access, as usual — and also for public native clients allowed
    // the refresh_token grant, because MCP clients rarely ask for offline_access and an inspector
    // must be able to show refresh working. Every use rotates (the old token then stops working,
    // and replaying it revokes the grant — oidc-provider's reuse detection).
    issueRefreshToken: async (_ctx: unknown, client: Client, code: { scopes: Set<string> }) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.scopes.has('offline_access') || (client.applicationType === 'native' && client.clientAuthMethod === 'none')),
    rotateRefreshToken: () => true,
    // Tokens are not tied to the browser session (the CLI and tests have none).
    expiresWithSession: async () => false,

    ttl: {
      AccessToken: tokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 24 * 3600,
      Grant: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
    },
  };

  const provider = new Provider(issuer, configuration);

  // Outermost first: JWT revocation/introspection, auto-approve cookie relay, interaction pages.
  provider.use(structuredTokenEndpoints(provider, publicJwks, revocations));
  if (options.autoApprove) provider.use(autoApproveCookieRelay(provider));
  provider.use(interactionRoutes(provider, { autoApprove: options.autoApprove, defaultResource, log }));

  provider.on('access_token.issued', (token: IssuedToken) => {
    const now = Math.floor(Date.now() / 1000);
    revocations.trackIssued(token.grantId, token.jti, token.exp ?? now + Math.max(tokenTtl, token.expiration ?? 0));
  });
  provider.on('grant.revoked', (_ctx: unknown, grantId: string) => {
    revocations.revokeGrant(grantId);
    log('grant revoked: its access and refresh tokens no longer work');
  });
  provider.on('registration_create.success', (_ctx: unknown, client: unknown) => {
    log(`client registered (DCR): ${(client as Client).clientId}`);
  });
  provider.on('grant.success', (ctx: unknown) => {
    const { oidc } = ctx as { oidc: { client?: Client; params?: Record<string, unknown> } };
    log(`tokens issued to ${oidc.client?.clientId ?? '?'} (${String(oidc.params?.grant_type ?? '?')})`);
  });
  for (const event of ['grant.error', 'authorization.error', 'registration_create.error', 'revocation.error', 'introspection.error']) {
    provider.on(event, (_ctx: unknown, error: unknown) => {
      const { error: code, error_description: description } = error as { error?: string; error_description?: string };
      // JWT access tokens at revocation/introspection are handled by structuredTokenEndpoints.
      if (code === 'unsupported_token_type') return;
      log(`${event}: ${code ?? 'error'}${description ? ` — ${description}` : ''}`);
    });
  }
  provider.on('server_error', (_ctx: unknown, error: Error) => log(`server error: ${error.message}`));

  return { provider, handler: provider.callback(), jwksUri: new URL(provider.pathFor('jwks'), issuer).href };
}
