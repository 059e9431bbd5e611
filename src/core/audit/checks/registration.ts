/**
 * [registration] — the client registration matrix in the order clients try it (pre-registered,
 * Client ID Metadata Document, Dynamic Client Registration; MCP authorization §Client Registration
 * Approaches), each tried and judged by the server's answer, and the negative probes: DCR must refuse
 * a non-loopback `http:` and a `javascript:` redirect URI (RFC 7591 §2 and §5, RFC 8252 §8.4), and the
 * authorization endpoint must refuse an unregistered redirect URI and an unknown client without
 * redirecting to it (RFC 6749 §4.1.2.1; a loopback redirect may vary only its port, RFC 8252 §7.3).
 *
 * An authorization request here is only sent and its answer read: no redirect it gives is followed,
 * nobody signs in, no code is ever exchanged. DCR wire steps are oauth4webapi's.
 */
import { randomInt } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { isInspectorError } from '../../errors';
import { bufferedText } from '../../http/guardedFetch';
import { wire } from '../../oauth/context';
import { DEFAULT_CLIENT_METADATA_URL, CLIENT_NAME } from '../../oauth/registration';
import type { AuditContext } from '../context';
import { exchangesSince, lastExchange } from '../support';

const STEP = 'audit client registration';
const AUTH_STEP = 'audit authorization request';
/** A host that is never contacted (RFC 2606 reserves example.com): only named in a registration or a redirect_uri. */
const FOREIGN_REDIRECT = 'https://mcp-audit.example.com/callback';
const HTTP_REDIRECT = 'http://mcp-audit.example.com/callback';
const JAVASCRIPT_REDIRECT = 'javascript:alert(document.domain)//';

export async function registrationChecks(ctx: AuditContext): Promise<void> {
  const { facts, conn } = ctx;
  const as = facts.discovery?.as;
  const used = conn.auth.client?.mode;
  const signedIn = !!facts.tokens;
  const signInFailure = facts.signInFailure;
  const signInIds = conn.trace.all().filter((e) => e.kind === 'http' && (e.purpose === 'registration' || e.purpose === 'token' || e.purpose === 'authorization')).map((e) => e.id);

  if (!as) {
    const why = facts.noOAuth ?? `no authorization server metadata was read${facts.discoveryFailure ? ` (${facts.discoveryFailure.message})` : ''}`;
    for (const id of ['registration.pre-registered', 'registration.client-id-metadata-document', 'registration.dynamic-client-registration', 'registration.dcr-refuses-http-redirect', 'registration.dcr-refuses-javascript-redirect', 'registration.authorize-refuses-unregistered-redirect', 'registration.authorize-refuses-unknown-client'] as const) ctx.skip(id, why);
    return;
  }

  // pre-registered
  if (!ctx.options.clientId) ctx.skip('registration.pre-registered', 'no pre-registered client id was given (--client-id)');
  else if (used === 'preregistered' && signedIn) ctx.report({ id: 'registration.pre-registered', level: 'pass', finding: `The sign-in with pre-registered client ${ctx.options.clientId} completed.`, exchanges: signInIds });
  else if (signInFailure) ctx.report({ id: 'registration.pre-registered', level: 'fail', finding: `The sign-in with pre-registered client ${ctx.options.clientId} did not complete: ${signInFailure.message}`, fix: `Check that client ${ctx.options.clientId} exists at ${as.issuer}, allows the authorization code grant with PKCE, and accepts loopback redirect URIs on any port (http://127.0.0.1/callback, RFC 8252 §7.3).`, exchanges: signInIds });
  else ctx.report(await authorizeAccepts(ctx, 'registration.pre-registered', ctx.options.clientId, 'the pre-registered client'));

  // client-id-metadata-document
  const cimdAdvertised = as.client_id_metadata_document_supported === true;
  if (used === 'cimd' && signedIn) ctx.report({ id: 'registration.client-id-metadata-document', level: 'pass', finding: `The sign-in with the Client ID Metadata Document ${conn.auth.client?.client_id} completed.`, exchanges: signInIds });
  else if (!cimdAdvertised) ctx.skip('registration.client-id-metadata-document', 'the authorization server does not advertise client_id_metadata_document_supported');
  else if (used === 'cimd' && signInFailure) ctx.report({ id: 'registration.client-id-metadata-document', level: 'fail', finding: `The sign-in with a Client ID Metadata Document did not complete: ${signInFailure.message}`, fix: 'Fetch the client metadata document named by an https client_id, and accept the redirect URIs it lists (loopback ones on any port).', exchanges: signInIds });
  else ctx.report(await authorizeAccepts(ctx, 'registration.client-id-metadata-document', DEFAULT_CLIENT_METADATA_URL, 'the Client ID Metadata Document'));

  // dynamic-client-registration
  let dcrClient: string | undefined;
  if (!as.registration_endpoint) ctx.skip('registration.dynamic-client-registration', 'the authorization server advertises no registration_endpoint');
  else if (used === 'dcr' && signedIn) {
    dcrClient = conn.auth.client?.client_id;
    ctx.report({ id: 'registration.dynamic-client-registration', level: 'pass', finding: `The sign-in registered client ${dcrClient} with a loopback redirect URI and completed.`, exchanges: signInIds });
  } else {
    const r = await register(ctx, [`http://127.0.0.1:${loopbackPort()}/callback`]);
    if (r.accepted) dcrClient = r.clientId;
    ctx.report({
      id: 'registration.dynamic-client-registration',
      level: r.accepted ? 'pass' : 'fail',
      finding: r.accepted ? `Registration of a native client with a loopback redirect URI was accepted (client ${r.clientId}).` : `Registration of a native client with a loopback redirect URI was refused: ${r.answer}.`,
      ...(r.accepted ? {} : { fix: `Accept open registration (RFC 7591) of public native clients (token_endpoint_auth_method none) whose redirect URIs are loopback (http://127.0.0.1/…, any port) at ${as.registration_endpoint}, or stop advertising registration_endpoint.` }),
      exchanges: r.exchanges,
    });
  }

  // dcr-refuses-http-redirect, dcr-refuses-javascript-redirect
  for (const [id, uri, what] of [
    ['registration.dcr-refuses-http-redirect', HTTP_REDIRECT, 'a plain http: redirect URI on a non-loopback host'],
    ['registration.dcr-refuses-javascript-redirect', JAVASCRIPT_REDIRECT, 'a javascript: redirect URI'],
  ] as const) {
    if (!as.registration_endpoint) {
      ctx.skip(id, 'the authorization server advertises no registration_endpoint');
      continue;
    }
    const r = await register(ctx, [uri]);
    ctx.report({
      id,
      level: r.accepted ? 'fail' : 'pass',
      finding: r.accepted ? `Registration with ${what} (${uri}) was accepted (client ${r.clientId}): a code for that client can be sent ${id.endsWith('javascript-redirect') ? 'into a script' : 'in the clear, to any host'}.` : `Registration with ${what} was refused: ${r.answer}.`,
      ...(r.accepted ? { fix: `Refuse redirect URIs other than https:, loopback http: (127.0.0.1, [::1], localhost) and private-use schemes at ${as.registration_endpoint} with invalid_redirect_uri (RFC 7591 §3.2.2).` } : {}),
      exchanges: r.exchanges,
    });
  }

  // authorize-refuses-unregistered-redirect
  const known = conn.auth.client?.client_id ?? dcrClient;
  if (!as.authorization_endpoint) {
    ctx.skip('registration.authorize-refuses-unregistered-redirect', 'the metadata has no authorization_endpoint');
    ctx.skip('registration.authorize-refuses-unknown-client', 'the metadata has no authorization_endpoint');
    return;
  }
  if (!known) ctx.skip('registration.authorize-refuses-unregistered-redirect', 'no client is known to the authorization server (the sign-in and registration did not produce one)');
  else {
    const results = [];
    for (const uri of [FOREIGN_REDIRECT, `http://127.0.0.1:${loopbackPort()}/not-registered`]) results.push({ uri, r: await authorizeProbe(ctx, known, uri) });
    const redirected = results.filter((x) => x.r.verdict === 'redirected-to-it');
    const unclear = results.filter((x) => x.r.verdict === 'elsewhere');
    const ids = results.flatMap((x) => x.r.exchanges);
    if (redirected.length)
      ctx.report({
        id: 'registration.authorize-refuses-unregistered-redirect',
        level: 'fail',
        finding: `An authorization request for client ${known} with a redirect URI it never registered (${redirected.map((x) => x.uri).join(', ')}) was answered with a redirect to that URI: codes and errors go wherever an attacker asks.`,
        fix: 'Compare redirect_uri with the client\'s registered URIs exactly (for loopback URIs, ignoring only the port, RFC 8252 §7.3), and answer a mismatch with an error page of your own, never a redirect (RFC 6749 §4.1.2.1).',
        exchanges: ids,
      });
    else if (unclear.length)
      ctx.report({
        id: 'registration.authorize-refuses-unregistered-redirect',
        level: 'warn',
        finding: `An authorization request with an unregistered redirect URI (${unclear.map((x) => `${x.uri}: ${x.r.answer}`).join('; ')}) was not refused up front; the audit does not sign in to see what happens next.`,
        fix: 'Check redirect_uri before showing the sign-in page, and answer a mismatch with an error page (RFC 6749 §4.1.2.1).',
        exchanges: ids,
      });
    else ctx.report({ id: 'registration.authorize-refuses-unregistered-redirect', level: 'pass', finding: `Unregistered redirect URIs (another host; a loopback URI with another path) were refused without a redirect: ${results.map((x) => x.r.answer).join('; ')}.`, exchanges: ids });
  }

  // authorize-refuses-unknown-client
  const unknownClient = `mcp-audit-unknown-client-${oauth.generateRandomState().slice(0, 12)}`;
  const redirect = `http://127.0.0.1:${loopbackPort()}/callback`;
  const r = await authorizeProbe(ctx, unknownClient, redirect);
  ctx.report({
    id: 'registration.authorize-refuses-unknown-client',
    level: r.verdict === 'redirected-to-it' ? 'fail' : r.verdict === 'elsewhere' ? 'warn' : 'pass',
    finding:
      r.verdict === 'redirected-to-it'
        ? `An authorization request for a client_id that does not exist was answered with a redirect to its redirect_uri: ${r.answer}.`
        : r.verdict === 'elsewhere'
          ? `An authorization request for a client_id that does not exist was not refused up front: ${r.answer}.`
          : `An authorization request for a client_id that does not exist was refused without a redirect: ${r.answer}.`,
    ...(r.verdict === 'refused' ? {} : { fix: 'Answer an unknown client_id with an error page of your own — never a redirect to the redirect_uri it names (RFC 6749 §4.1.2.1).' }),
    exchanges: r.exchanges,
  });
}

/** A loopback port for redirect URIs that are only named, never listened on. */
function loopbackPort(): number {
  return randomInt(49152, 65536);
}

interface Registration {
  accepted: boolean;
  clientId?: string;
  /** The server's answer in plain words (status and error). */
  answer: string;
  exchanges: number[];
}

/** One Dynamic Client Registration request (RFC 7591 §3.1) for a public native client. */
async function register(ctx: AuditContext, redirectUris: string[]): Promise<Registration> {
  const as = ctx.facts.discovery!.as;
  const since = lastExchange(ctx.conn);
  // As the engine registers (src/core/oauth/registration.ts): a public client unless the server takes only confidential ones.
  const supported = as.token_endpoint_auth_methods_supported;
  const method = !Array.isArray(supported) || supported.includes('none') ? 'none' : (['client_secret_basic', 'client_secret_post'].find((m) => supported.includes(m)) ?? 'none');
  try {
    const res = await oauth.dynamicClientRegistrationRequest(
      as,
      { client_name: `${CLIENT_NAME} (audit)`, redirect_uris: redirectUris, grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: method, application_type: 'native' },
      wire(ctx.conn.ctx, 'registration', STEP),
    );
    const text = bufferedText(res) ?? (await res.text().catch(() => ''));
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    for (const k of ['client_secret', 'registration_access_token']) if (typeof body?.[k] === 'string') ctx.conn.redactor.addSecret(body[k] as string);
    const accepted = res.status >= 200 && res.status < 300 && typeof body?.client_id === 'string';
    const error = typeof body?.error === 'string' ? ` ${body.error}` : '';
    return { accepted, clientId: accepted ? (body!.client_id as string) : undefined, answer: `HTTP ${res.status}${error}`, exchanges: exchangesSince(ctx.conn, since) };
  } catch (err) {
    const text = ctx.conn.redactor.text((err as Error)?.message ?? String(err)).slice(0, 200);
    return { accepted: false, answer: isInspectorError(err) ? `${err.code}: ${text}` : text, exchanges: exchangesSince(ctx.conn, since) };
  }
}

interface AuthorizeAnswer {
  /** redirected-to-it: a 3xx to the redirect_uri given; refused: an error answered in place; elsewhere: anything else (a sign-in page). */
  verdict: 'redirected-to-it' | 'refused' | 'elsewhere';
  /** The redirect carried `error=` (a refusal delivered to the redirect_uri). */
  error?: string;
  answer: string;
  exchanges: number[];
}

/**
 * One authorization request (RFC 6749 §4.1.1 with PKCE and `resource`), sent and read, never
 * followed: the authorization server's answer says whether it accepted the client and redirect URI.
 */
async function authorizeProbe(ctx: AuditContext, clientId: string, redirectUri: string): Promise<AuthorizeAnswer> {
  const as = ctx.facts.discovery!.as;
  const since = lastExchange(ctx.conn);
  const verifier = oauth.generateRandomCodeVerifier();
  ctx.conn.redactor.addSecret(verifier);
  const url = new URL(as.authorization_endpoint!);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', oauth.generateRandomState());
  url.searchParams.set('resource', ctx.facts.discovery!.resource);
  try {
    const res = await ctx.conn.fetch(url, { method: 'GET', purpose: 'authorization', step: AUTH_STEP, redirect: 'manual', headers: { accept: 'text/html,application/json' } });
    await res.body?.cancel().catch(() => undefined);
    const location = res.headers.get('location');
    const exchanges = exchangesSince(ctx.conn, since);
    if (res.status >= 300 && res.status < 400 && location) {
      let to: URL | undefined;
      try {
        to = new URL(location, url);
      } catch {
        to = undefined;
      }
      const target = new URL(redirectUri);
      const toTarget = !!to && to.protocol === target.protocol && to.host === target.host && to.pathname === target.pathname;
      const error = to?.searchParams.get('error') ?? undefined;
      if (toTarget) return { verdict: 'redirected-to-it', error, answer: `HTTP ${res.status} to the redirect_uri${error ? ` with error=${error}` : ''}`, exchanges };
      return { verdict: 'elsewhere', answer: `HTTP ${res.status} to ${to ? `${to.origin}${to.pathname}` : 'an invalid Location'}`, exchanges };
    }
    if (res.status >= 400) return { verdict: 'refused', answer: `HTTP ${res.status}`, exchanges };
    return { verdict: 'elsewhere', answer: `HTTP ${res.status} (a page of its own, e.g. the sign-in page)`, exchanges };
  } catch (err) {
    return { verdict: 'refused', answer: `the request failed: ${ctx.conn.redactor.text((err as Error)?.message ?? String(err)).slice(0, 200)}`, exchanges: exchangesSince(ctx.conn, since) };
  }
}

/**
 * Whether the authorization endpoint takes `clientId` with a loopback redirect URI on a port of its
 * own: a redirect to a page of the server's (sign-in, consent) or to the redirect URI with a code is
 * acceptance; an error in place, or `error=` sent to the redirect URI, is refusal.
 */
async function authorizeAccepts(ctx: AuditContext, id: 'registration.pre-registered' | 'registration.client-id-metadata-document', clientId: string, what: string) {
  const r = await authorizeProbe(ctx, clientId, `http://127.0.0.1:${loopbackPort()}/callback`);
  const accepted = r.verdict === 'elsewhere' || (r.verdict === 'redirected-to-it' && !r.error);
  return {
    id,
    level: accepted ? ('pass' as const) : ('fail' as const),
    finding: accepted ? `The authorization endpoint accepted ${what} (${clientId}) with a loopback redirect URI: ${r.answer}.` : `The authorization endpoint refused ${what} (${clientId}) with a loopback redirect URI: ${r.answer}.`,
    ...(accepted ? {} : { fix: id === 'registration.client-id-metadata-document' ? 'Fetch the client metadata document at an https client_id and accept the loopback redirect URIs it lists on any port (RFC 8252 §7.3), or stop advertising client_id_metadata_document_supported.' : `Register ${clientId} for the authorization code grant with loopback redirect URIs (any port).` }),
    exchanges: r.exchanges,
  };
}
