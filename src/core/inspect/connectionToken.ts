import type { Connection } from '../connection';
import { canonicalResource } from '../oauth/discovery';
import { clientAuthentication } from '../oauth/registration';
import { inspectToken, type TokenInspection } from './token';

/**
 * Inspect the access token a connection holds, against what the connection discovered: the
 * issuer and its JWKS, the resource as the expected audience, and introspection (RFC 7662) when
 * the authorization server offers it and the client can authenticate. Undefined when not signed in.
 */
export async function inspectConnectionToken(conn: Connection, candidate?: string): Promise<TokenInspection | undefined> {
  await conn.auth.load();
  // `candidate`: a token the user is about to paste (Use Access Token…), inspected against this
  // connection's discovery and client before it is kept; otherwise the token the connection holds.
  const t = candidate !== undefined ? { access_token: candidate, grant: 'external' as const, scope: undefined, expires_at: undefined, token_type: 'Bearer' } : conn.auth.tokens;
  const disc = conn.auth.discovery;
  // A token the user pasted is inspected before any discovery: the server URL is its resource then.
  if (!t || (!disc && t.grant !== 'external')) return undefined;
  const client = conn.auth.client;
  const endpoint = disc?.as.introspection_endpoint;
  const canAuthenticate = !!client && client.token_endpoint_auth_method !== 'none';
  return inspectToken({
    token: t.access_token,
    expectedIssuer: disc?.as.issuer,
    expectedAudience: disc?.resource ?? canonicalResource(conn.serverUrl),
    jwksUri: disc?.as.jwks_uri,
    grantedScopes: t.scope?.split(' '),
    expiresAt: t.expires_at,
    tokenType: t.token_type,
    dpopThumbprint: candidate !== undefined ? undefined : await conn.auth.dpopKeys.thumbprint(),
    introspection: disc && endpoint && canAuthenticate ? { endpoint, issuer: disc.as.issuer, client_id: client.client_id, clientAuth: await clientAuthentication(client) } : undefined,
    introspectionUnavailable: !disc
      ? 'the authorization server is not known yet (no discovery has run for this server)'
      : !endpoint
      ? 'the authorization server metadata has no introspection_endpoint (RFC 7662)'
      : canAuthenticate
        ? undefined
        : `the authorization server offers introspection, but ${client ? `client ${client.client_id} is a public client (token_endpoint_auth_method none) and` : 'without a client registration the inspector'} cannot authenticate to it (RFC 7662 §2.1)`,
    fetch: conn.fetch,
  });
}
