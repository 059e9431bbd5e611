/**
 * MCP authorization discovery: protected resource metadata (RFC 9728), then authorization server
 * metadata (RFC 8414 / OpenID Connect Discovery), in the order the MCP specification gives, plus the
 * 2025-03-26 layout as a labelled back-compat mode.
 *
 * oauth4webapi does the AS metadata requests and validation (`discoveryRequest` +
 * `processDiscoveryResponse`, which checks `issuer`). Hand-written here, and why:
 *  - the protected-resource step: MCP tries the WWW-Authenticate `resource_metadata` URL, then the
 *    path-inserted and root well-known URLs, and accepts a `resource` that is a same-origin path
 *    prefix of the server URL; oauth4webapi's `processResourceDiscoveryResponse` requires exact equality;
 *  - the address policy for every URL a document names (`admitUrl`: judged by the MCP server and by
 *    the host that served the document, before anything is fetched or opened; docs/SECURITY.md);
 *  - the OIDC path-insertion variant (`/.well-known/openid-configuration/{path}`) that oauth4webapi
 *    does not build;
 *  - the 2025-03-26 fallbacks (issuer mismatch tolerated with a label; default endpoints).
 *
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization
 * @see https://www.rfc-editor.org/rfc/rfc9728.html#section-3
 * @see https://www.rfc-editor.org/rfc/rfc8414.html#section-3.1
 */
import * as oauth from 'oauth4webapi';
import { InspectorError, isInspectorError } from '../errors';
import { admitUrl } from '../http/guardedFetch';
import { optionalString, optionalStringArray, readJsonObject, type JsonObject } from '../http/json';
import { checkUrl, type UrlSource } from '../http/urlPolicy';
import { wire, type OAuthContext } from './context';
import { STEP, type OAuthStep } from '../../shared/codes';

/** RFC 9728 §2 protected resource metadata (the fields we use; the rest is kept in `raw`). */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers?: string[];
  scopes_supported?: string[];
  bearer_methods_supported?: string[];
  resource_name?: string;
  raw: JsonObject;
}

export interface DiscoveryResult {
  /** Where the protected resource metadata came from, when there was one. */
  resourceMetadataUrl?: string;
  resourceMetadata?: ProtectedResourceMetadata;
  /** The `resource` value (RFC 8707) sent on authorization and token requests. */
  resource: string;
  /** Authorization server metadata as validated by oauth4webapi. */
  as: oauth.AuthorizationServer;
  /** Where the AS metadata came from; undefined when default endpoints were assumed. */
  asMetadataUrl?: string;
  /** 2025-03-26 layout: no protected resource metadata (labelled in the trace and the UI). */
  backCompat: boolean;
}

const PRM_STEP = STEP.protectedResourceMetadata;
const RESOURCE_METADATA_FIELD = 'resource_metadata (WWW-Authenticate)';
const AS_STEP = STEP.authorizationServerMetadata;

/** The canonical resource URI of an MCP server URL: no fragment, no query kept (RFC 8707 §2). */
export function canonicalResource(serverUrl: URL): string {
  const u = new URL(serverUrl.href);
  u.hash = '';
  return u.href;
}

/**
 * Candidate protected-resource metadata URLs, in the MCP specification's order.
 * @see https://www.rfc-editor.org/rfc/rfc9728.html#section-3.1 (path insertion)
 */
export function protectedResourceMetadataUrls(serverUrl: URL, fromChallenge?: string): URL[] {
  const out: URL[] = [];
  if (fromChallenge) out.push(checkUrl(fromChallenge, 'resource_metadata URL from WWW-Authenticate'));
  const path = serverUrl.pathname.replace(/\/+$/, '');
  if (path && path !== '/') out.push(new URL(`/.well-known/oauth-protected-resource${path}`, serverUrl.origin));
  out.push(new URL('/.well-known/oauth-protected-resource', serverUrl.origin));
  return dedupe(out);
}

/** The PRM `resource` must be the server: same origin, and a path prefix of the server URL. */
export function resourceMatchesServer(resource: string, serverUrl: URL): boolean {
  let r: URL;
  try {
    r = new URL(resource);
  } catch {
    return false;
  }
  if (r.origin !== serverUrl.origin || r.search || r.hash) return false;
  const rp = r.pathname.replace(/\/+$/, '');
  const sp = serverUrl.pathname.replace(/\/+$/, '');
  return rp === '' || sp === rp || sp.startsWith(`${rp}/`);
}

export async function fetchProtectedResourceMetadata(
  ctx: OAuthContext,
  serverUrl: URL,
  fromChallenge?: string,
): Promise<{ url: string; metadata: ProtectedResourceMetadata } | undefined> {
  // The server's own pointer (RFC 9728 §5.1) is the only place to look when there is one (MCP
  // authorization §Protected Resource Metadata Discovery): if it fails, that is the finding.
  const advertised = fromChallenge
    ? await admitUrl(ctx.fetch, fromChallenge, 'resource_metadata URL from WWW-Authenticate', { document: serverUrl, field: RESOURCE_METADATA_FIELD }, PRM_STEP)
    : undefined;
  for (const url of advertised ? [advertised] : protectedResourceMetadataUrls(serverUrl)) {
    let res: Response;
    try {
      res = await ctx.fetch(url, { purpose: 'resource-metadata', step: PRM_STEP, headers: { accept: 'application/json' } });
    } catch (err) {
      if (advertised && isInspectorError(err, 'network_error')) throw advertisedMetadataFailed(ctx, serverUrl, url, `could not be fetched (${err.message})`, err);
      if (isInspectorError(err, 'network_error')) {
        ctx.trace.note(PRM_STEP, 'warn', `could not fetch ${url.href}: ${err.message}`, 'RFC 9728 §3');
        continue;
      }
      throw err;
    }
    if (res.status !== 200) {
      if (advertised) throw advertisedMetadataFailed(ctx, serverUrl, url, `answered HTTP ${res.status}`);
      ctx.trace.note(PRM_STEP, 'info', `${url.href} answered HTTP ${res.status}; trying the next location`, 'RFC 9728 §3.1');
      continue;
    }
    const where = { step: PRM_STEP, url: url.href };
    const body = await readJsonObject(res, 'protected resource metadata', where);
    const resource = optionalString(body, 'resource', 'protected resource metadata', where);
    if (!resource) throw new InspectorError('resource_metadata_invalid', 'the metadata has no "resource"', { ...where, hint: 'RFC 9728 §2 requires "resource"' });
    const metadata: ProtectedResourceMetadata = {
      resource,
      authorization_servers: optionalStringArray(body, 'authorization_servers', 'protected resource metadata', where),
      scopes_supported: optionalStringArray(body, 'scopes_supported', 'protected resource metadata', where),
      bearer_methods_supported: optionalStringArray(body, 'bearer_methods_supported', 'protected resource metadata', where),
      resource_name: optionalString(body, 'resource_name', 'protected resource metadata', where),
      raw: body,
    };
    if (!resourceMatchesServer(resource, serverUrl)) {
      ctx.trace.note(PRM_STEP, 'fail', `"resource" in the protected resource metadata (${resource}) does not match the server URL ${serverUrl.href}; the metadata is discarded and no authorization server is contacted`, 'RFC 9728 §3.3');
      throw new InspectorError('resource_mismatch', `the metadata names the resource "${resource}", which is not this server (${serverUrl.href})`, {
        ...where,
        hint: 'The server must publish metadata whose "resource" is its own URL (same origin, path prefix allowed); nothing was sent to any authorization server',
      });
    }
    ctx.trace.note(PRM_STEP, 'pass', `found at ${url.href}; resource ${resource}; authorization servers: ${(metadata.authorization_servers ?? []).join(', ') || 'none'}`, 'RFC 9728 §3');
    resourceMetadataFindings(ctx, metadata);
    return { url: url.href, metadata };
  }
  return undefined;
}

/**
 * Well-known AS metadata URLs for an issuer, in the MCP specification's order.
 * Returned as [url, algorithm] where algorithm tells oauth4webapi's `discoveryRequest` how to build
 * it, or 'oidc-insert' for the variant we build ourselves.
 */
export function authorizationServerMetadataUrls(issuer: URL): Array<{ url: URL; kind: 'oauth2' | 'oidc' | 'oidc-insert' }> {
  const path = issuer.pathname.replace(/\/+$/, '');
  if (!path) {
    return [
      { url: new URL('/.well-known/oauth-authorization-server', issuer.origin), kind: 'oauth2' },
      { url: new URL('/.well-known/openid-configuration', issuer.origin), kind: 'oidc' },
    ];
  }
  return [
    { url: new URL(`/.well-known/oauth-authorization-server${path}`, issuer.origin), kind: 'oauth2' },
    { url: new URL(`/.well-known/openid-configuration${path}`, issuer.origin), kind: 'oidc-insert' },
    { url: new URL(`${path}/.well-known/openid-configuration`, issuer.origin), kind: 'oidc' },
  ];
}

async function fetchAsMetadataResponse(ctx: OAuthContext, issuer: URL, c: { url: URL; kind: 'oauth2' | 'oidc' | 'oidc-insert' }): Promise<Response> {
  if (c.kind === 'oidc-insert') {
    return ctx.fetch(c.url, { purpose: 'as-metadata', step: AS_STEP, headers: { accept: 'application/json' } });
  }
  return oauth.discoveryRequest(issuer, { algorithm: c.kind, ...wire(ctx, 'as-metadata', AS_STEP) });
}

/** Fetch and validate AS metadata for an issuer (tries each well-known location in order). */
export async function fetchAuthorizationServerMetadata(
  ctx: OAuthContext,
  issuerUrl: string,
  opts: { backCompat?: boolean; source?: UrlSource } = {},
): Promise<{ as: oauth.AuthorizationServer; url: string } | undefined> {
  const issuer = opts.source ? await admitUrl(ctx.fetch, issuerUrl, 'authorization server issuer', opts.source, AS_STEP) : checkUrl(issuerUrl, 'authorization server issuer', [], { step: AS_STEP });
  for (const c of authorizationServerMetadataUrls(issuer)) {
    // Each well-known URL is on the issuer's host, named by the same document as the issuer.
    if (opts.source) await admitUrl(ctx.fetch, c.url, 'authorization server metadata URL', opts.source, AS_STEP);
    let res: Response;
    try {
      res = await fetchAsMetadataResponse(ctx, issuer, c);
    } catch (err) {
      if (isInspectorError(err, 'network_error')) {
        ctx.trace.note(AS_STEP, 'warn', `could not fetch ${c.url.href}: ${err.message}`, 'RFC 8414 §3');
        continue;
      }
      throw err;
    }
    if (res.status !== 200) {
      ctx.trace.note(AS_STEP, 'info', `${c.url.href} answered HTTP ${res.status}; trying the next location`, 'RFC 8414 §3.1');
      continue;
    }
    const where = { step: AS_STEP, url: c.url.href };
    const body = await readJsonObject(res, 'authorization server metadata', where);
    let as: oauth.AuthorizationServer;
    try {
      as = await oauth.processDiscoveryResponse(issuer, res);
    } catch (err) {
      const advertised = typeof body.issuer === 'string' ? body.issuer : undefined;
      if (opts.backCompat && advertised && (err as { code?: string }).code === oauth.JSON_ATTRIBUTE_COMPARISON) {
        // 2025-03-26 layout: metadata at the server origin may name an issuer with a path. Accept it,
        // labelled; the issuer it names is what `iss` must match from here on.
        ctx.trace.note(AS_STEP, 'warn', `back-compat (2025-03-26): metadata at ${c.url.href} names issuer ${advertised}, not ${issuer.href}; accepted only because this server publishes no protected resource metadata`, 'MCP 2025-03-26 §2.3');
        as = { ...(body as unknown as oauth.AuthorizationServer), issuer: advertised };
      } else {
        throw asMetadataError(err, issuer, where);
      }
    }
    await checkAsEndpoints(ctx, as, c.url, where);
    ctx.trace.note(AS_STEP, 'pass', `issuer ${as.issuer}; authorization ${as.authorization_endpoint ?? 'none'}, token ${as.token_endpoint ?? 'none'}${as.registration_endpoint ? `, registration ${as.registration_endpoint}` : ''}`, 'RFC 8414 §3');
    authorizationServerFindings(ctx, as);
    return { as, url: c.url.href };
  }
  return undefined;
}

/**
 * What the protected resource metadata says beyond the checks that stop the flow: findings for the
 * flow panel, never a refusal.
 */
export function resourceMetadataFindings(ctx: OAuthContext, md: ProtectedResourceMetadata): void {
  const methods = md.bearer_methods_supported;
  if (methods && !methods.includes('header')) {
    // MCP authorization §Access Token Usage: the client MUST send the token in the Authorization header.
    ctx.trace.note(
      PRM_STEP,
      'warn',
      `bearer_methods_supported is ${JSON.stringify(methods)} without "header"; MCP clients send the token only in the Authorization header, so this server may refuse it`,
      'RFC 9728 §2; MCP authorization §Access Token Usage',
    );
  }
  if (!md.scopes_supported?.length) {
    ctx.trace.note(PRM_STEP, 'info', 'the metadata lists no scopes_supported: the client asks for the scopes the server challenges with, or none', 'RFC 9728 §2; MCP authorization §Scope Selection Strategy');
  }
}

/**
 * What the authorization server metadata says beyond the checks that stop the flow (issuer, URL
 * policy, PKCE at authorization time): findings for the flow panel, never a refusal.
 */
export function authorizationServerFindings(ctx: OAuthContext, as: oauth.AuthorizationServer): void {
  const types = as.response_types_supported;
  if (!Array.isArray(types)) {
    ctx.trace.note(AS_STEP, 'warn', 'the metadata has no response_types_supported (REQUIRED by RFC 8414 §2); assuming "code"', 'RFC 8414 §2');
  } else if (!types.includes('code')) {
    ctx.trace.note(AS_STEP, 'warn', `response_types_supported is ${JSON.stringify(types)} without "code": the authorization code flow MCP uses may be refused`, 'RFC 8414 §2; OAuth 2.1 §4.1');
  }
  if (as.authorization_response_iss_parameter_supported === true) {
    ctx.trace.note(AS_STEP, 'pass', 'the authorization server sends "iss" in authorization responses, so the callback is checked against mix-up attacks', 'RFC 9207 §3');
  } else {
    ctx.trace.note(
      AS_STEP,
      'info',
      'the authorization server does not advertise authorization_response_iss_parameter_supported: the client cannot detect a mix-up between authorization servers from the callback',
      'RFC 9207 §3',
    );
  }
}

function asMetadataError(err: unknown, issuer: URL, where: { step: OAuthStep; url: string }): InspectorError {
  const code = (err as { code?: string }).code;
  if (code === oauth.JSON_ATTRIBUTE_COMPARISON) {
    return new InspectorError('issuer_mismatch', `the metadata's "issuer" does not match the issuer it was fetched for (${issuer.href})`, {
      ...where,
      cause: err,
      hint: 'RFC 8414 §3.3: the issuer must be identical; fix the authorization server configuration',
    });
  }
  return new InspectorError('as_metadata_invalid', `the authorization server metadata is not valid: ${(err as Error).message}`, { ...where, cause: err });
}

/** The endpoints an authorization server's metadata names: every one passes the URL policy before use. */
const AS_ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'revocation_endpoint', 'introspection_endpoint', 'jwks_uri'] as const;

/**
 * Every endpoint the AS advertises must pass the URL policy before we ever use it — the scheme gate,
 * and the address gate judged by the MCP server and by the host that served this metadata (a public
 * authorization server may not name loopback, private or link-local endpoints). A refusal names the
 * field; nothing has been fetched or opened. The guarded fetch remembers each endpoint's source, so
 * the token, registration, revocation and JWKS requests later are judged the same way again.
 */
async function checkAsEndpoints(ctx: OAuthContext, as: oauth.AuthorizationServer, document: URL, where: { step: OAuthStep; url: string }): Promise<void> {
  for (const key of AS_ENDPOINTS) {
    const v = as[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new InspectorError('as_metadata_invalid', `"${key}" must be a string`, { ...where, field: key });
    await admitUrl(ctx.fetch, v, key, { document, field: key }, AS_STEP);
  }
}

/**
 * Judge the endpoints of a discovery restored from storage (no discovery requests ran this session)
 * as if just discovered: a stored session from before a policy change gets no exemption, and the
 * guarded fetch learns each endpoint's source for the requests that follow.
 */
export async function admitStoredDiscovery(ctx: OAuthContext, serverUrl: URL, disc: DiscoveryResult): Promise<void> {
  const document = new URL(disc.asMetadataUrl ?? serverUrl.origin);
  await checkAsEndpoints(ctx, disc.as, document, { step: AS_STEP, url: document.href });
}

/**
 * The server's WWW-Authenticate named its protected resource metadata and that URL did not deliver
 * it: the root cause of anything that would follow, so discovery stops here (no well-known URLs, no
 * 2025-03-26 fallback, no registration attempt).
 */
function advertisedMetadataFailed(ctx: OAuthContext, serverUrl: URL, url: URL, what: string, cause?: unknown): InspectorError {
  const shown = `${url.origin}${url.pathname}`;
  ctx.trace.note(PRM_STEP, 'fail', `the resource_metadata URL the server advertised in WWW-Authenticate (${shown}) ${what}; discovery stops here (the well-known locations and the 2025-03-26 layout apply only when the server names no metadata URL)`, 'RFC 9728 §5.1; MCP authorization §Protected Resource Metadata Discovery');
  return new InspectorError('resource_metadata_unavailable', `the server's WWW-Authenticate names its protected resource metadata at ${shown}, which ${what}`, {
    step: PRM_STEP,
    field: RESOURCE_METADATA_FIELD,
    url: shown,
    cause,
    hint: `The MCP server (${serverUrl.origin}) must publish RFC 9728 metadata at that URL — a JSON object with "resource" (its own URL) and "authorization_servers" — or stop advertising it; nothing else was tried`,
  });
}

/**
 * The whole discovery for one MCP server.
 * @param challengeResourceMetadata `resource_metadata` from a WWW-Authenticate challenge, if any
 */
export async function discover(ctx: OAuthContext, serverUrl: URL, challengeResourceMetadata?: string): Promise<DiscoveryResult> {
  const prm = await fetchProtectedResourceMetadata(ctx, serverUrl, challengeResourceMetadata);
  if (prm) {
    const issuers = prm.metadata.authorization_servers ?? [];
    if (issuers.length === 0) {
      throw new InspectorError('resource_metadata_invalid', 'the protected resource metadata names no authorization server', {
        step: PRM_STEP,
        url: prm.url,
        hint: 'Add "authorization_servers" to the metadata (RFC 9728 §2)',
      });
    }
    if (issuers.length > 1) ctx.trace.note(AS_STEP, 'info', `several authorization servers are listed; using the first, ${issuers[0]}`, 'RFC 9728 §7.6');
    const found = await fetchAuthorizationServerMetadata(ctx, issuers[0], { source: { document: new URL(prm.url), field: 'authorization_servers' } });
    if (!found) {
      throw new InspectorError('as_metadata_not_found', `no authorization server metadata found for ${issuers[0]}`, {
        step: AS_STEP,
        url: issuers[0],
        hint: 'Publish RFC 8414 metadata at /.well-known/oauth-authorization-server or OpenID configuration at /.well-known/openid-configuration',
      });
    }
    return { resourceMetadataUrl: prm.url, resourceMetadata: prm.metadata, resource: prm.metadata.resource, as: found.as, asMetadataUrl: found.url, backCompat: false };
  }

  // 2025-03-26 layout: no protected resource metadata. The authorization base URL is the server's origin.
  ctx.trace.note(PRM_STEP, 'warn', 'no protected resource metadata found: falling back to the 2025-03-26 layout (authorization server at the server origin)', 'MCP 2025-03-26 §2.3.2');
  const origin = new URL(serverUrl.origin);
  const found = await fetchAuthorizationServerMetadata(ctx, origin.href, { backCompat: true });
  if (found) {
    return { resource: canonicalResource(serverUrl), as: found.as, asMetadataUrl: found.url, backCompat: true };
  }
  ctx.trace.note(AS_STEP, 'warn', `back-compat (2025-03-26): no authorization server metadata at ${origin.origin}; assuming the default endpoints /authorize, /token and /register`, 'MCP 2025-03-26 §2.3.3');
  const as: oauth.AuthorizationServer = {
    issuer: origin.origin,
    authorization_endpoint: new URL('/authorize', origin).href,
    token_endpoint: new URL('/token', origin).href,
    registration_endpoint: new URL('/register', origin).href,
  };
  return { resource: canonicalResource(serverUrl), as, backCompat: true };
}

function dedupe(urls: URL[]): URL[] {
  const seen = new Set<string>();
  return urls.filter((u) => (seen.has(u.href) ? false : (seen.add(u.href), true)));
}
