/**
 * [authorization-server] — the authorization server as the audit's one sign-in saw it: metadata found
 * in the spec's order (RFC 8414 §3.1, OpenID Connect Discovery §4), `issuer` exact (RFC 8414 §3.3),
 * PKCE S256 (RFC 7636), `iss` in the authorization response as advertised (RFC 9207), registration
 * options, `Cache-Control: no-store` on token responses (RFC 6749 §5.1), usable JWKS (RFC 7517), and
 * refresh tokens for `offline_access` with their rotation (RFC 6749 §6, OAuth 2.1 §4.3.1).
 * `authorization-server.sign-in` is reported by the runner, which signs in.
 */
import { importJWK, type JWK } from 'jose';
import { isInspectorError } from '../../errors';
import { authorizationServerMetadataUrls } from '../../oauth/discovery';
import { isDpopTokenType, PRIVATE_JWK_MEMBERS } from '../../oauth/dpop';
import { splitScopes } from '../../oauth/challenge';
import type { AuditContext } from '../context';
import { exchangesSince, lastExchange, noTokenReason, rawGet } from '../support';

export async function authorizationServerChecks(ctx: AuditContext): Promise<void> {
  const { facts, conn } = ctx;
  const disc = facts.discovery;
  if (facts.noOAuth) {
    for (const id of ['authorization-server.metadata-found', 'authorization-server.issuer-matches', 'authorization-server.pkce-s256', 'authorization-server.iss-parameter', 'authorization-server.registration-advertised', 'authorization-server.token-no-store', 'authorization-server.jwks-usable', 'authorization-server.refresh-offline-access', 'authorization-server.refresh-rotation'] as const) ctx.skip(id, facts.noOAuth);
    return;
  }
  const failure = facts.discoveryFailure;
  const asIds = disc?.asMetadataUrl ? conn.trace.all().filter((e) => e.kind === 'http' && e.purpose === 'as-metadata').map((e) => e.id) : [];

  // metadata-found, issuer-matches
  if (disc) {
    const issuer = new URL(disc.as.issuer);
    const candidates = authorizationServerMetadataUrls(issuer).map((c) => c.url.href);
    const at = disc.asMetadataUrl ? candidates.indexOf(disc.asMetadataUrl) : -1;
    if (disc.backCompat) {
      ctx.report({
        id: 'authorization-server.metadata-found',
        level: 'warn',
        finding: `No protected resource metadata: the authorization server was assumed at the server's origin (the 2025-03-26 layout)${disc.asMetadataUrl ? `, and its metadata found at ${disc.asMetadataUrl}` : ', with default endpoints'}.`,
        fix: 'Publish protected resource metadata (RFC 9728) naming the authorization server; current MCP clients look for it first.',
        exchanges: asIds,
      });
    } else {
      ctx.report({ id: 'authorization-server.metadata-found', level: 'pass', finding: `Found at ${disc.asMetadataUrl}${at >= 0 ? ` (location ${at + 1} of ${candidates.length} in the spec's order)` : ''}.`, exchanges: asIds });
    }
    // The identifier the client started from: the entry of authorization_servers (or, in the
    // 2025-03-26 layout, the server's origin). oauth4webapi compares URLs, so "https://as" and
    // "https://as/" pass it; RFC 8414 §3.3 asks for the identical string.
    const listed = disc.resourceMetadata?.authorization_servers?.[0] ?? new URL(disc.asMetadataUrl ?? ctx.serverUrl.href).origin;
    const trim = (x: string) => x.replace(/\/+$/, '');
    const level = disc.as.issuer === listed ? 'pass' : trim(disc.as.issuer) === trim(listed) ? 'warn' : disc.backCompat ? 'warn' : 'fail';
    ctx.report({
      id: 'authorization-server.issuer-matches',
      level,
      finding:
        level === 'pass'
          ? `"issuer" is ${disc.as.issuer}, exactly the identifier the metadata was derived from.`
          : trim(disc.as.issuer) === trim(listed)
            ? `"issuer" is ${disc.as.issuer}, but the identifier it was derived from is ${listed}: they differ by a trailing slash, and clients that compare strings (as RFC 8414 §3.3 says) refuse the metadata.`
            : `"issuer" ${disc.as.issuer} is not ${listed}, the identifier its metadata was derived from${disc.backCompat ? '; accepted only in the 2025-03-26 layout' : ''}.`,
      ...(level === 'pass' ? {} : { fix: `Use one spelling of the issuer everywhere: the same string in "issuer" of the metadata, in authorization_servers of the protected resource metadata, and in the tokens' iss (e.g. ${listed}).` }),
      exchanges: asIds,
    });
  } else {
    const notFound = failure?.code === 'as_metadata_not_found';
    const mismatch = failure?.code === 'issuer_mismatch';
    const ids = conn.trace.all().filter((e) => e.kind === 'http' && e.purpose === 'as-metadata').map((e) => e.id);
    if (notFound) ctx.report({ id: 'authorization-server.metadata-found', level: 'fail', finding: `No authorization server metadata: ${failure!.message}`, fix: failure!.hint ?? 'Publish RFC 8414 metadata at /.well-known/oauth-authorization-server (or OpenID configuration).', exchanges: ids });
    else if (mismatch) ctx.report({ id: 'authorization-server.metadata-found', level: 'pass', finding: 'Authorization server metadata was found (its issuer is wrong: see authorization-server.issuer-matches).', exchanges: ids });
    else ctx.skip('authorization-server.metadata-found', `discovery stopped before the authorization server${failure ? `: ${failure.message}` : ''}`);
    if (mismatch) ctx.report({ id: 'authorization-server.issuer-matches', level: 'fail', finding: failure!.message, fix: 'Set "issuer" in the metadata to exactly the issuer identifier listed in authorization_servers (same scheme, host, port and path; no trailing slash difference), RFC 8414 §3.3.', exchanges: ids });
    else ctx.skip('authorization-server.issuer-matches', 'no authorization server metadata was read');
  }

  // pkce-s256
  if (disc) {
    const methods = disc.as.code_challenge_methods_supported;
    const ok = Array.isArray(methods) && methods.includes('S256');
    ctx.report({
      id: 'authorization-server.pkce-s256',
      level: ok ? 'pass' : 'fail',
      finding: ok ? `code_challenge_methods_supported is ${JSON.stringify(methods)}.` : methods === undefined ? 'The metadata has no code_challenge_methods_supported: MCP clients must refuse to proceed.' : `code_challenge_methods_supported is ${JSON.stringify(methods)}, without S256.`,
      ...(ok ? {} : { fix: 'Support PKCE with S256 and advertise it: "code_challenge_methods_supported": ["S256"] in the authorization server metadata.' }),
      exchanges: asIds,
    });
  } else ctx.skip('authorization-server.pkce-s256', 'no authorization server metadata was read');

  // iss-parameter
  const signIn = facts.signInFailure;
  if (!disc) ctx.skip('authorization-server.iss-parameter', 'no authorization server metadata was read');
  else if (signIn?.code === 'iss_mismatch') ctx.report({ id: 'authorization-server.iss-parameter', level: 'fail', finding: `The authorization response's iss disagrees with the metadata: ${signIn.message}`, fix: `Return iss=${disc.as.issuer} (exactly the metadata's issuer) in every authorization response, or stop advertising authorization_response_iss_parameter_supported.`, exchanges: idsOf(ctx, 'authorization') });
  else if (!facts.callbackIss)
    ctx.skip(
      'authorization-server.iss-parameter',
      signIn ? `the sign-in did not reach the authorization response (${signIn.code})` : facts.signInReused ? 'the audit reused the sign-in this server already had, so it saw no authorization response (sign out and audit again to check it)' : 'no authorization response was received',
    );
  else {
    const advertised = disc.as.authorization_response_iss_parameter_supported === true;
    const iss = facts.callbackIss;
    const ids = idsOf(ctx, 'authorization');
    if (advertised && iss.length === 1 && iss[0] === disc.as.issuer) ctx.report({ id: 'authorization-server.iss-parameter', level: 'pass', finding: `authorization_response_iss_parameter_supported is true and the response carried iss=${iss[0]}.`, exchanges: ids });
    else if (advertised) ctx.report({ id: 'authorization-server.iss-parameter', level: 'fail', finding: `authorization_response_iss_parameter_supported is true, but the response carried ${iss.length ? `iss=${iss.join(', ')}` : 'no iss'}.`, fix: `Return exactly one iss=${disc.as.issuer} in every authorization response (RFC 9207 §2).`, exchanges: ids });
    else if (iss.length)
      ctx.report({ id: 'authorization-server.iss-parameter', level: 'warn', finding: `The response carried iss=${iss.join(', ')}, but the metadata does not advertise authorization_response_iss_parameter_supported, so clients cannot require it.`, fix: 'Add "authorization_response_iss_parameter_supported": true to the authorization server metadata.', exchanges: ids });
    else
      ctx.report({ id: 'authorization-server.iss-parameter', level: 'warn', finding: 'The authorization response carries no iss and the metadata does not advertise it: clients cannot detect a mix-up between authorization servers.', fix: 'Return iss in authorization responses and advertise "authorization_response_iss_parameter_supported": true (RFC 9207).', exchanges: ids });
  }

  // registration-advertised
  if (disc) {
    const cimd = disc.as.client_id_metadata_document_supported === true;
    const dcr = typeof disc.as.registration_endpoint === 'string';
    const what = [cimd && 'Client ID Metadata Documents (client_id_metadata_document_supported)', dcr && `Dynamic Client Registration (${disc.as.registration_endpoint})`].filter(Boolean);
    ctx.report({
      id: 'authorization-server.registration-advertised',
      level: what.length ? 'pass' : 'warn',
      finding: what.length ? `Advertised: ${what.join(' and ')}.` : 'Neither Client ID Metadata Documents nor Dynamic Client Registration is advertised: only clients registered by hand beforehand can sign in.',
      ...(what.length ? {} : { fix: 'Advertise "client_id_metadata_document_supported": true (and fetch client metadata documents), or a registration_endpoint (RFC 7591), in the authorization server metadata.' }),
      exchanges: asIds,
    });
  } else ctx.skip('authorization-server.registration-advertised', 'no authorization server metadata was read');

  // token-no-store
  const tokenResponses = conn.trace.all().filter((e) => e.kind === 'http' && e.purpose === 'token' && e.response && e.response.status === 200);
  if (!tokenResponses.length) ctx.skip('authorization-server.token-no-store', signIn ? `no token response to look at (sign-in failed: ${signIn.code})` : 'no token response to look at');
  else {
    const bad = tokenResponses.filter((e) => e.kind === 'http' && !/(^|,)\s*no-store\s*(,|$)/i.test(e.response!.headers['cache-control'] ?? ''));
    ctx.report({
      id: 'authorization-server.token-no-store',
      level: bad.length ? 'fail' : 'pass',
      finding: bad.length ? `${bad.length} of ${tokenResponses.length} token responses came without Cache-Control: no-store: caches on the way may keep the tokens.` : 'Token responses carry Cache-Control: no-store.',
      ...(bad.length ? { fix: 'Send Cache-Control: no-store (and Pragma: no-cache) on every token endpoint response that carries tokens (RFC 6749 §5.1).' } : {}),
      exchanges: (bad.length ? bad : tokenResponses).map((e) => e.id),
    });
  }

  // jwks-usable
  if (!disc) ctx.skip('authorization-server.jwks-usable', 'no authorization server metadata was read');
  else if (!disc.as.jwks_uri) ctx.skip('authorization-server.jwks-usable', 'the metadata advertises no jwks_uri (JWT access tokens cannot be verified by anyone outside the authorization server)');
  else await jwks(ctx, disc.as.jwks_uri);

  // refresh-offline-access, refresh-rotation
  const t = facts.tokens;
  if (!t || !disc) {
    const why = noTokenReason(facts);
    ctx.skip('authorization-server.refresh-offline-access', why);
    ctx.skip('authorization-server.refresh-rotation', why);
    return;
  }
  const offered = Array.isArray(disc.as.scopes_supported) && disc.as.scopes_supported.includes('offline_access');
  const tokenIds = idsOf(ctx, 'token');
  if (t.refresh_token) ctx.report({ id: 'authorization-server.refresh-offline-access', level: 'pass', finding: `A refresh token was issued${offered ? ' for offline_access' : ''}.`, exchanges: tokenIds });
  else if (offered)
    ctx.report({
      id: 'authorization-server.refresh-offline-access',
      level: 'fail',
      finding: 'offline_access is listed in scopes_supported and was asked for, but no refresh token was issued: every client must sign in again when the access token expires.',
      fix: 'Issue a refresh token when offline_access is granted (for an OpenID Provider, the request carries prompt=consent, OpenID Connect Core §11; an OAuth proxy in front of one must forward prompt).',
      exchanges: tokenIds,
    });
  else ctx.report({ id: 'authorization-server.refresh-offline-access', level: 'warn', finding: 'No refresh token was issued, and offline_access is not in scopes_supported: a sign-in lasts as long as the access token.', fix: 'Issue refresh tokens to MCP clients (list offline_access in scopes_supported if the server grants them only for it).', exchanges: tokenIds });

  if (!t.refresh_token) {
    ctx.skip('authorization-server.refresh-rotation', 'no refresh token was issued');
    return;
  }
  const since = lastExchange(conn);
  try {
    const before = t.refresh_token;
    const next = await conn.auth.refresh();
    facts.tokens = next;
    conn.redactor.addSecret(next.access_token);
    const rotated = !!next.refresh_token && next.refresh_token !== before;
    const publicClient = conn.auth.client?.token_endpoint_auth_method === 'none';
    const bound = isDpopTokenType(next.token_type);
    const risky = !rotated && publicClient && !bound;
    ctx.report({
      id: 'authorization-server.refresh-rotation',
      level: risky ? 'warn' : 'pass',
      finding: `The refresh worked; the refresh token was ${rotated ? 'rotated (a new one issued)' : 'kept'}${bound ? ', and the tokens are DPoP-bound' : ''}.${risky ? ' A public client\'s refresh token that is neither rotated nor sender-constrained can be replayed by whoever steals it.' : ''}`,
      ...(risky ? { fix: 'Rotate refresh tokens of public clients on every use, or bind them with DPoP (OAuth 2.1 §4.3.1).' } : {}),
      exchanges: exchangesSince(conn, since),
    });
    void splitScopes;
  } catch (err) {
    ctx.report({
      id: 'authorization-server.refresh-rotation',
      level: 'fail',
      finding: `The refresh token was refused: ${conn.redactor.text((err as Error)?.message ?? String(err)).slice(0, 300)}`,
      fix: isInspectorError(err) && err.hint ? err.hint : 'Accept the refresh token you issued (with the same resource and client authentication) at the token endpoint.',
      exchanges: exchangesSince(conn, since),
    });
  }
}

async function jwks(ctx: AuditContext, uri: string): Promise<void> {
  try {
    const doc = await rawGet(ctx, uri, 'jwks', 'audit JWKS');
    const keys = Array.isArray(doc.json?.keys) ? (doc.json!.keys as unknown[]).filter((k): k is JWK => !!k && typeof k === 'object') : undefined;
    if (doc.status !== 200 || !keys) {
      ctx.report({ id: 'authorization-server.jwks-usable', level: 'fail', finding: `${uri} answered HTTP ${doc.status}${doc.status === 200 ? ' without a "keys" array' : ''}.`, fix: `Serve a JWK Set ({"keys": [...]}, RFC 7517 §5) at ${uri}.`, exchanges: [doc.exchange] });
      return;
    }
    const leaked = keys.filter((k) => PRIVATE_JWK_MEMBERS.some((m) => m in k));
    if (leaked.length) {
      ctx.report({ id: 'authorization-server.jwks-usable', level: 'fail', finding: `${uri} publishes ${leaked.length} private key${leaked.length > 1 ? 's' : ''} (members such as "d"): anyone can sign tokens the server accepts.`, fix: 'Publish only the public members of each key; rotate every key whose private part was published.', exchanges: [doc.exchange] });
      return;
    }
    let usable = 0;
    for (const k of keys) {
      if (k.use === 'enc') continue;
      try {
        await importJWK(k, typeof k.alg === 'string' ? k.alg : k.kty === 'RSA' ? 'RS256' : k.kty === 'OKP' ? 'EdDSA' : k.crv === 'P-384' ? 'ES384' : 'ES256');
        usable++;
      } catch {
        /* not a usable verification key */
      }
    }
    ctx.report({
      id: 'authorization-server.jwks-usable',
      level: usable ? 'pass' : 'fail',
      finding: usable ? `${uri} serves ${usable} usable signature verification key${usable > 1 ? 's' : ''} (of ${keys.length}).` : `${uri} serves ${keys.length} key${keys.length === 1 ? '' : 's'}, none usable to verify a signature.`,
      ...(usable ? {} : { fix: 'Publish the public keys the authorization server signs access tokens with (kty, crv/n/e, kid, alg).' }),
      exchanges: [doc.exchange],
    });
  } catch (err) {
    ctx.report({ id: 'authorization-server.jwks-usable', level: 'fail', finding: `${uri} could not be fetched: ${ctx.conn.redactor.text((err as Error)?.message ?? String(err)).slice(0, 300)}`, fix: 'Serve the JWK Set at jwks_uri on a host clients may reach.', exchanges: [] });
  }
}

function idsOf(ctx: AuditContext, purpose: 'authorization' | 'token'): number[] {
  return ctx.conn.trace.all().filter((e) => e.kind === 'http' && e.purpose === purpose).map((e) => e.id);
}
