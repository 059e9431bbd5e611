/// <reference path="../../demo/types/oidc-provider.d.ts" />
/**
 * The upstream OpenID Provider of the interop suite: panva's oidc-provider (the demo's own
 * authorization server library) with its stock OpenID Connect behaviour where it matters here —
 * a refresh token only for offline_access, and offline_access only with prompt=consent (its default
 * `issueRefreshToken` and OpenID Connect Core §11). Sign-in is the demo's auto-approve interaction
 * (the demo user), so the engine's headless browser completes it. Access tokens for a resource are
 * RS256 JWTs (RFC 9068) with `aud` = the resource, which mcp-use verifies against the JWKS.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import type { ClientMetadata, Configuration, ResourceServerInfo } from 'oidc-provider';
import type { JWK } from 'jose';
import { findDemoAccount, RESOURCE_SCOPES } from '../../demo/constants';
import { autoApproveCookieRelay, interactionRoutes } from '../../demo/interactions';

export interface Upstream {
  issuer: string;
  jwksUri: string;
  provider: Provider;
  /** Set the resource a request that names none is for (the proxy does not forward `resource`). */
  setDefaultResource(resource: string): void;
  log: string[];
  close(): Promise<void>;
}

export async function startUpstream(opts: { clients?: ClientMetadata[] } = {}): Promise<Upstream> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: `interop-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' };
  let defaultResource = `${issuer}/no-resource`;
  const log: string[] = [];
  const configuration: Configuration = {
    adapter: createMemoryAdapter(),
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    clients: opts.clients ?? [],
    clientDefaults: { application_type: 'native', grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'RS256' },
    responseTypes: ['code'],
    scopes: ['openid', 'offline_access', 'profile', 'email', ...RESOURCE_SCOPES],
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    pkce: { required: () => true },
    async findAccount(_ctx: unknown, sub: string) {
      const account = findDemoAccount(sub);
      return account && { accountId: account.username, claims: () => ({ sub: account.username, name: account.name, email: `${account.username}@example.test` }) };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      // DPoP stays on, as oidc-provider ships: mcp-use (both lines) takes only `Authorization: Bearer`,
      // so a client must not bind its tokens just because the provider could.
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string | string[]) => oneOf ?? defaultResource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resource: string): Promise<ResourceServerInfo> => ({
          scope: RESOURCE_SCOPES.join(' '),
          audience: resource,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    // Tokens are not tied to the browser session (the headless browser keeps none).
    expiresWithSession: async () => false,
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600, RefreshToken: 3600 },
  };
  const provider = new Provider(issuer, configuration);
  provider.use(autoApproveCookieRelay(provider));
  provider.use(
    interactionRoutes(provider, {
      autoApprove: true,
      get defaultResource() {
        return defaultResource;
      },
      log: (l) => log.push(l),
    }),
  );
  for (const event of ['grant.error', 'authorization.error', 'registration_create.error', 'server_error']) {
    provider.on(event, (_ctx: unknown, error: unknown) => {
      const e = error as { error?: string; error_description?: string; message?: string };
      log.push(`${event}: ${e.error ?? e.message ?? 'error'}${e.error_description ? ` — ${e.error_description}` : ''}`);
    });
  }
  const handler = provider.callback();
  server.on('request', handler);
  return {
    issuer,
    jwksUri: new URL(provider.pathFor('jwks'), issuer).href,
    provider,
    setDefaultResource: (r) => void (defaultResource = r),
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
