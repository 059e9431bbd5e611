/**
 * [discovery] — how a client finds out that the server needs a token and where to get one: the 401
 * challenge (RFC 6750 §3, RFC 9728 §5.1), the protected resource metadata where the challenge says
 * and at the well-known path (RFC 9728 §3.1), its `resource` (RFC 9728 §3.3), its media type and
 * redirects (RFC 9728 §3.2), its authorization servers (RFC 8414), and the challenge's scope.
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#authorization-server-discovery
 */
import { canonicalResource, fetchAuthorizationServerMetadata, protectedResourceMetadataUrls } from '../../oauth/discovery';
import { splitScopes } from '../../oauth/challenge';
import { isInspectorError } from '../../errors';
import type { AuditContext } from '../context';
import { challengeText } from '../probe';
import { exchangesSince, isJsonMediaType, lastExchange, mediaType, rawGet, type RawDocument } from '../support';

const STEP = 'audit protected resource metadata';

export async function discoveryChecks(ctx: AuditContext): Promise<void> {
  const { facts } = ctx;
  const ch = facts.challenge;
  if (facts.noOAuth) {
    for (const id of ['discovery.unauthenticated-challenge', 'discovery.resource-metadata-in-challenge', 'discovery.metadata-at-advertised-url', 'discovery.metadata-at-well-known', 'discovery.metadata-resource-matches', 'discovery.metadata-served-as-json', 'discovery.authorization-servers-resolve', 'discovery.challenge-scope-supported'] as const) ctx.skip(id, facts.noOAuth);
    return;
  }

  // discovery.unauthenticated-challenge
  if (ch) {
    const scheme = ch.challenge?.scheme;
    const via = facts.protectedCall ? ` (the server answers initialize and tools/list without a token; the call of ${facts.protectedCall.tool}, which it declares protected, was refused)` : '';
    if (facts.protectedCall?.via === 'tool-result') {
      ctx.report({
        id: 'discovery.unauthenticated-challenge',
        level: 'warn',
        finding: `The call of ${facts.protectedCall.tool} without a token was answered with HTTP ${ch.status} and a tool-level challenge in _meta["mcp/www_authenticate"] (${challengeText(ch.challenge)}), not with HTTP 401.`,
        fix: `Answer a tools/call of ${facts.protectedCall.tool} without a token with HTTP 401 and WWW-Authenticate: Bearer resource_metadata="…" as well, so clients that act only on HTTP challenges can sign in.`,
        exchanges: [ch.exchange],
      });
    } else if (ch.status === 401 && (scheme === 'bearer' || scheme === 'dpop')) {
      ctx.report({ id: 'discovery.unauthenticated-challenge', level: 'pass', finding: `A request without a token got HTTP 401 with WWW-Authenticate: ${challengeText(ch.challenge)}${via}.`, exchanges: [ch.exchange] });
    } else {
      ctx.report({
        id: 'discovery.unauthenticated-challenge',
        level: 'fail',
        finding: ch.status === 401 ? `A request without a token got HTTP 401 without a ${ch.challenge ? 'Bearer' : 'parsable'} WWW-Authenticate challenge${via}.` : `A request without a token got HTTP ${ch.status} instead of 401${via}.`,
        fix: 'Answer a request that needs a token and carries none with HTTP 401 and a header such as WWW-Authenticate: Bearer resource_metadata="<your metadata URL>" (RFC 6750 §3, RFC 9728 §5.1). 403 is for a token lacking a scope.',
        exchanges: [ch.exchange],
      });
    }
  } else if (facts.protectedCall?.via === 'none') {
    ctx.report({
      id: 'discovery.unauthenticated-challenge',
      level: 'fail',
      finding: `${facts.protectedCall.tool} declares securitySchemes oauth2, but a call without a token was not refused (no HTTP 401, no tool-level challenge).`,
      fix: `Refuse ${facts.protectedCall.tool} without a token with HTTP 401 and WWW-Authenticate: Bearer resource_metadata="…", or declare it noauth if it is public.`,
      exchanges: [facts.protectedCall.exchange],
    });
  } else if (facts.protectedCall?.via === 'unclear') {
    ctx.skip('discovery.unauthenticated-challenge', `the call of ${facts.protectedCall.tool} without a token was answered with an error that is no challenge (its input check may run before authorization), so it shows nothing about the 401; the tool-security checks call the tools with a token too`);
  } else {
    ctx.skip('discovery.unauthenticated-challenge', facts.tools ? 'the server answered every request made without a token and declares no tool that needs one (no protected tool to call)' : 'the first request could not be answered (see the exchanges of the other checks)');
  }

  // discovery.resource-metadata-in-challenge
  if (ch?.challenge) {
    if (ch.challenge.resource_metadata) ctx.report({ id: 'discovery.resource-metadata-in-challenge', level: 'pass', finding: `The challenge names resource_metadata="${ch.challenge.resource_metadata}".`, exchanges: [ch.exchange] });
    else
      ctx.report({
        id: 'discovery.resource-metadata-in-challenge',
        level: 'fail',
        finding: 'The challenge has no resource_metadata parameter: a client must guess the metadata URL (well-known locations), and clients that only follow the header cannot sign in.',
        fix: `Add resource_metadata="<URL of your protected resource metadata>" to every 401 WWW-Authenticate header, e.g. Bearer resource_metadata="${new URL(`/.well-known/oauth-protected-resource${ctx.serverUrl.pathname.replace(/\/+$/, '')}`, ctx.serverUrl.origin).href}".`,
        exchanges: [ch.exchange],
      });
  } else ctx.skip('discovery.resource-metadata-in-challenge', ch ? 'the refusal carried no parsable challenge (see discovery.unauthenticated-challenge)' : 'there was no challenge to look at');

  // discovery.metadata-at-advertised-url
  const advertised = ch?.challenge?.resource_metadata;
  let advertisedDoc: RawDocument | undefined;
  if (advertised) {
    try {
      advertisedDoc = await rawGet(ctx, advertised, 'resource-metadata', STEP);
      const ok = advertisedDoc.status === 200 && typeof advertisedDoc.json?.resource === 'string';
      ctx.report({
        id: 'discovery.metadata-at-advertised-url',
        level: ok ? 'pass' : 'fail',
        finding: ok ? `${advertised} answers HTTP 200 with protected resource metadata.` : `${advertised}, which the challenge names, answered HTTP ${advertisedDoc.status}${advertisedDoc.status === 200 ? ' without a JSON object with "resource"' : ''}.`,
        ...(ok ? {} : { fix: `Serve the protected resource metadata (a JSON object with "resource" and "authorization_servers") at ${advertised}, or name the URL where it is served in resource_metadata.` }),
        exchanges: [advertisedDoc.exchange],
      });
    } catch (err) {
      ctx.report({ id: 'discovery.metadata-at-advertised-url', level: 'fail', finding: `${advertised}, which the challenge names, could not be fetched: ${errorText(ctx, err)}`, fix: 'Name a resource_metadata URL clients can fetch (https, or http on loopback), on a host they may reach.', exchanges: [] });
    }
  } else ctx.skip('discovery.metadata-at-advertised-url', 'the challenge names no resource_metadata URL');

  // discovery.metadata-at-well-known
  const wellKnown = protectedResourceMetadataUrls(ctx.serverUrl);
  let wellKnownDoc: { url: string; doc: RawDocument } | undefined;
  const tried: number[] = [];
  for (const url of wellKnown) {
    try {
      const doc = await rawGet(ctx, url, 'resource-metadata', STEP);
      tried.push(doc.exchange);
      if (doc.status === 200 && typeof doc.json?.resource === 'string') {
        wellKnownDoc = { url: url.href, doc };
        break;
      }
    } catch {
      /* the next location */
    }
  }
  if (wellKnownDoc) ctx.report({ id: 'discovery.metadata-at-well-known', level: 'pass', finding: `Protected resource metadata is served at ${wellKnownDoc.url}.`, exchanges: tried });
  else
    ctx.report({
      id: 'discovery.metadata-at-well-known',
      level: advertisedDoc?.status === 200 ? 'warn' : 'fail',
      finding: `No protected resource metadata at ${wellKnown.map((u) => u.href).join(' or ')}${advertisedDoc?.status === 200 ? '; clients find it only through the challenge' : ''}.`,
      fix: `Serve the metadata at ${wellKnown[0].href} (RFC 9728 §3.1 inserts the well-known path before the server's path).`,
      exchanges: tried,
    });

  // The document the rest looks at: where the challenge points, else the well-known one.
  const doc = advertisedDoc?.status === 200 && advertisedDoc.json ? { url: advertised!, doc: advertisedDoc } : wellKnownDoc;

  // discovery.metadata-resource-matches
  if (doc?.doc.json) {
    const resource = doc.doc.json.resource;
    const expected = canonicalResource(ctx.serverUrl);
    const trimmed = (s: string) => s.replace(/\/+$/, '');
    if (resource === expected) ctx.report({ id: 'discovery.metadata-resource-matches', level: 'pass', finding: `"resource" is ${expected}, this server's URL.`, exchanges: [doc.doc.exchange] });
    else if (typeof resource === 'string' && trimmed(resource) === trimmed(expected))
      ctx.report({ id: 'discovery.metadata-resource-matches', level: 'warn', finding: `"resource" is ${resource}, which differs from the server URL ${expected} only by a trailing slash; clients that compare exactly refuse it.`, fix: `Set "resource" to exactly ${expected} in the metadata at ${doc.url}.`, exchanges: [doc.doc.exchange] });
    else
      ctx.report({
        id: 'discovery.metadata-resource-matches',
        level: 'fail',
        finding: `"resource" is ${typeof resource === 'string' ? resource : JSON.stringify(resource)}, not this server's URL ${expected}: clients discard the metadata (RFC 9728 §3.3), and tokens are issued for the wrong audience.`,
        fix: `Set "resource" to ${expected} (scheme, host, port and path exactly as clients use it) in the metadata at ${doc.url}.`,
        exchanges: [doc.doc.exchange],
      });
  } else ctx.skip('discovery.metadata-resource-matches', 'no protected resource metadata was found');

  // discovery.metadata-served-as-json
  if (doc) {
    const problems: string[] = [];
    const ids = [doc.doc.exchange];
    if (!isJsonMediaType(doc.doc.headers['content-type'])) problems.push(`it is served as ${mediaType(doc.doc.headers['content-type']) || 'no Content-Type'}, not application/json`);
    // A redirect on any location a client may try (the challenge's or the well-known ones).
    for (const url of [...(advertised ? [advertised] : []), ...wellKnown.map((u) => u.href)]) {
      if (url === doc.url) continue;
      try {
        const other = await rawGet(ctx, url, 'resource-metadata', STEP);
        if (other.status >= 300 && other.status < 400) {
          problems.push(`${url} answers with a redirect (HTTP ${other.status})`);
          ids.push(other.exchange);
        }
      } catch {
        /* unreachable locations are judged by the other checks */
      }
    }
    ctx.report({
      id: 'discovery.metadata-served-as-json',
      level: problems.length ? 'fail' : 'pass',
      finding: problems.length ? `The protected resource metadata at ${doc.url}: ${problems.join('; ')}.` : `${doc.url} is served as application/json without a redirect.`,
      ...(problems.length ? { fix: 'Serve the metadata with Content-Type: application/json and HTTP 200 at the URL itself (clients do not follow redirects for metadata across origins, RFC 9728 §3.2).' } : {}),
      exchanges: ids,
    });
  } else ctx.skip('discovery.metadata-served-as-json', 'no protected resource metadata was found');

  // discovery.authorization-servers-resolve
  const servers = doc?.doc.json?.authorization_servers;
  if (Array.isArray(servers) && servers.length && servers.every((s) => typeof s === 'string')) {
    const bad: string[] = [];
    const ids: number[] = [];
    for (const issuer of servers as string[]) {
      if (facts.discovery?.as.issuer === issuer) continue; // resolved by the audit's own discovery
      const before = lastExchange(ctx.conn);
      try {
        const found = await fetchAuthorizationServerMetadata(ctx.conn.ctx, issuer, { source: { document: new URL(doc!.url), field: 'authorization_servers' } });
        if (!found) bad.push(`${issuer} (no metadata at its well-known URLs)`);
      } catch (err) {
        // Metadata that names another issuer is found: that is authorization-server.issuer-matches' finding.
        if (!isInspectorError(err, 'issuer_mismatch')) bad.push(`${issuer} (${errorText(ctx, err)})`);
      }
      ids.push(...exchangesSince(ctx.conn, before));
    }
    if (facts.discovery?.asMetadataUrl) ids.unshift(...exchangesOf(ctx, facts.discovery.asMetadataUrl));
    ctx.report({
      id: 'discovery.authorization-servers-resolve',
      level: bad.length ? 'fail' : 'pass',
      finding: bad.length ? `authorization_servers lists ${servers.length}; these do not resolve to authorization server metadata: ${bad.join('; ')}.` : `Every authorization server listed (${(servers as string[]).join(', ')}) serves its metadata.`,
      ...(bad.length ? { fix: 'List only issuers that publish RFC 8414 metadata (/.well-known/oauth-authorization-server) or OpenID configuration, with an issuer equal to the listed value.' } : {}),
      exchanges: ids,
    });
  } else if (doc) {
    ctx.report({ id: 'discovery.authorization-servers-resolve', level: 'fail', finding: 'The protected resource metadata lists no authorization_servers.', fix: 'Add "authorization_servers": ["<issuer URL>"] to the metadata (RFC 9728 §2).', exchanges: [doc.doc.exchange] });
  } else ctx.skip('discovery.authorization-servers-resolve', 'no protected resource metadata was found');

  // discovery.challenge-scope-supported
  const asked = splitScopes(ch?.challenge?.scope);
  if (!asked.length) ctx.skip('discovery.challenge-scope-supported', ch?.challenge ? 'the challenge names no scope' : 'there was no challenge to look at');
  else if (!doc?.doc.json) ctx.skip('discovery.challenge-scope-supported', 'no protected resource metadata was found');
  else {
    const supported = Array.isArray(doc.doc.json.scopes_supported) ? (doc.doc.json.scopes_supported as unknown[]).filter((s): s is string => typeof s === 'string') : undefined;
    const missing = supported ? asked.filter((s) => !supported.includes(s)) : asked;
    ctx.report({
      id: 'discovery.challenge-scope-supported',
      level: !supported ? 'warn' : missing.length ? 'fail' : 'pass',
      finding: !supported
        ? `The challenge asks for scope "${asked.join(' ')}", and the metadata lists no scopes_supported to check it against.`
        : missing.length
          ? `The challenge asks for ${missing.join(' ')}, which scopes_supported (${supported.join(' ')}) does not list.`
          : `The challenge's scope "${asked.join(' ')}" is within scopes_supported.`,
      ...(!supported || missing.length ? { fix: `List every scope the server challenges with in scopes_supported of ${doc.url}.` } : {}),
      exchanges: [ch!.exchange, doc.doc.exchange],
    });
  }
}

function errorText(ctx: AuditContext, err: unknown): string {
  const text = isInspectorError(err) ? err.message : ((err as Error)?.message ?? String(err));
  return ctx.conn.redactor.text(text).slice(0, 300);
}

/** The exchanges that fetched `url` (the audit's discovery, for the proof of a pass). */
function exchangesOf(ctx: AuditContext, url: string): number[] {
  return ctx.conn.trace.all().filter((e) => e.kind === 'http' && e.request.url === url).map((e) => e.id).slice(-1);
}
