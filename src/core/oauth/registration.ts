/**
 * Client registration: pre-registered, Client ID Metadata Document, Dynamic Client Registration, or
 * asked of the user — chosen by a policy. DCR's wire step is oauth4webapi's
 * (`dynamicClientRegistrationRequest` / `processDynamicClientRegistrationResponse`); client
 * authentication at the token endpoint is oauth4webapi's `ClientAuth` implementations.
 *
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization#client-registration-approaches
 * @see https://www.rfc-editor.org/rfc/rfc7591.html (DCR)
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/ (CIMD)
 */
import * as oauth from 'oauth4webapi';
import { importPKCS8 } from 'jose';
import { InspectorError } from '../errors';
import { readJsonObject } from '../http/json';
import { checkUrl } from '../http/urlPolicy';
import { wire, type OAuthContext } from './context';
import type { ClientIdRequest, Prompt } from '../ports';
import type { Redactor } from '../http/redact';
import { STEP } from '../../shared/codes';

export type RegistrationPolicy = 'auto' | 'preregistered' | 'cimd' | 'dcr' | 'manual';
export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

/** The default client metadata URL: the document shipped in media/client-metadata.json, published there. */
export const DEFAULT_CLIENT_METADATA_URL = 'https://mcp-oauth-inspector.github.io/client-metadata.json';
export const CLIENT_NAME = 'MCP OAuth Inspector';

export interface ClientConfig {
  policy: RegistrationPolicy;
  /** Pre-registered client (or the answer to "manual"). */
  client_id?: string;
  client_secret?: string;
  /**
   * A pre-registered client's secret, read only when the client is set up (the editor keeps it in
   * SecretStorage, so it never sits in a configuration object). `client_secret` wins when both are set.
   */
  loadClientSecret?: () => Promise<string | undefined>;
  token_endpoint_auth_method?: TokenEndpointAuthMethod;
  /** PKCS#8 PEM for private_key_jwt. */
  private_key_pem?: string;
  signing_alg?: string;
  /** CIMD: the https URL that is this client's id. */
  client_metadata_url?: string;
  client_name?: string;
}

export interface RegisteredClient {
  mode: Exclude<RegistrationPolicy, 'auto'>;
  issuer: string;
  client_id: string;
  client_secret?: string;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  redirect_uris?: string[];
  private_key_pem?: string;
  signing_alg?: string;
  client_secret_expires_at?: number;
  registered_at: number;
}

const REGISTRATION_STEP = STEP.clientRegistration;

/**
 * Whether a redirect URI is the loopback form a Client ID Metadata Document can list once for every
 * sign-in: `http://127.0.0.1|[::1]|localhost:<any port>/callback` (RFC 8252 §7.3: the port may vary,
 * the path may not). This project's document (media/client-metadata.json) lists exactly those. A
 * forwarded URI (a remote editor's proxy path) or the editor's own `vscode://` callback is not.
 */
export function isCimdLoopbackRedirect(uri: string): boolean {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  return u.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname) && u.pathname === '/callback' && !u.search && !u.hash;
}

/**
 * Which registration approach a policy leads to for this authorization server. `auto` prefers a Client
 * ID Metadata Document when the server supports one, except when this sign-in's redirect URI is not
 * the loopback form a document lists (a remote editor's forwarded URI): then Dynamic Client
 * Registration, which registers whatever URI the sign-in uses.
 */
export function chooseRegistrationMode(policy: RegistrationPolicy, config: ClientConfig, as: oauth.AuthorizationServer, redirectUri?: string): Exclude<RegistrationPolicy, 'auto'> {
  if (policy !== 'auto') return policy;
  if (config.client_id) return 'preregistered';
  const cimd = as.client_id_metadata_document_supported === true;
  if (cimd && (redirectUri === undefined || isCimdLoopbackRedirect(redirectUri) || !as.registration_endpoint)) return 'cimd';
  if (as.registration_endpoint) return 'dcr';
  return 'manual';
}

export interface RegisterOptions {
  config: ClientConfig;
  as: oauth.AuthorizationServer;
  /** The loopback redirect URI of the receiver for this attempt (DCR registers it). */
  redirectUri: string;
  prompt?: Prompt;
}

export async function registerClient(ctx: OAuthContext, opts: RegisterOptions): Promise<RegisteredClient> {
  const { config, as } = opts;
  const mode = chooseRegistrationMode(config.policy, config, as, opts.redirectUri);
  if (config.policy === 'auto' && mode === 'dcr' && as.client_id_metadata_document_supported === true) {
    ctx.trace.note(REGISTRATION_STEP, 'info', `the server supports Client ID Metadata Documents, but this sign-in's redirect URI (${opts.redirectUri}) is not a loopback /callback URI a document can list; registering dynamically instead`, 'CIMD §4; RFC 8252 §7.3');
  }
  const base = { issuer: as.issuer, registered_at: Math.floor(ctx.clock.now() / 1000) };
  switch (mode) {
    case 'preregistered': {
      if (!config.client_id) {
        throw new InspectorError('config_invalid', 'the registration policy is "preregistered" but no client id is configured', { step: REGISTRATION_STEP, hint: 'Enter the client id (and secret, for a confidential client) registered at the authorization server' });
      }
      const client_secret = config.client_secret ?? (await config.loadClientSecret?.());
      ctx.redactor.addSecret(client_secret);
      const method = config.token_endpoint_auth_method ?? (config.private_key_pem ? 'private_key_jwt' : client_secret ? pickSecretMethod(as) : 'none');
      ctx.trace.note(REGISTRATION_STEP, 'pass', `pre-registered client ${config.client_id} (${method})`, 'MCP authorization §client registration');
      return { ...base, mode, client_id: config.client_id, client_secret, token_endpoint_auth_method: method, private_key_pem: config.private_key_pem, signing_alg: config.signing_alg };
    }
    case 'cimd': {
      const url = config.client_metadata_url ?? DEFAULT_CLIENT_METADATA_URL;
      let parsed: URL;
      try {
        parsed = checkUrl(url, 'client metadata URL');
      } catch (err) {
        throw new InspectorError('client_metadata_url_invalid', `the client metadata URL is refused: ${(err as Error).message}`, { step: REGISTRATION_STEP, cause: err });
      }
      if (parsed.protocol !== 'https:' || parsed.pathname === '/' ) {
        throw new InspectorError('client_metadata_url_invalid', `a client metadata URL must be https with a path (got ${parsed.origin}${parsed.pathname})`, { step: REGISTRATION_STEP, hint: 'Publish media/client-metadata.json at an https URL you control and set it as the client metadata URL' });
      }
      if (as.client_id_metadata_document_supported !== true) {
        ctx.trace.note(REGISTRATION_STEP, 'warn', 'the authorization server does not advertise client_id_metadata_document_supported; trying the client metadata URL anyway because the policy asks for it', 'CIMD §5');
      }
      if (!isCimdLoopbackRedirect(opts.redirectUri)) {
        if (parsed.href === DEFAULT_CLIENT_METADATA_URL) {
          // This project's own document lists only loopback /callback URIs: the authorization server
          // would refuse the sign-in in the browser, and the editor would wait for a callback that never comes.
          throw new InspectorError('config_invalid', `this sign-in would send the browser back to ${opts.redirectUri}, which the Client ID Metadata Document ${parsed.href} does not list (it lists http://127.0.0.1/callback and http://localhost/callback on any port)`, {
            step: REGISTRATION_STEP,
            hint: 'Use Dynamic Client Registration (or Automatic registration), or set mcpOAuthInspector.redirectMode to loopback where the browser runs on this machine, or publish your own document listing this URI',
          });
        }
        ctx.trace.note(REGISTRATION_STEP, 'warn', `this sign-in's redirect URI (${opts.redirectUri}) is not a loopback /callback URI; the document at ${parsed.href} must list it exactly, or the authorization server will refuse the sign-in`, 'CIMD §4');
      }
      ctx.trace.note(REGISTRATION_STEP, 'pass', `Client ID Metadata Document: client_id ${parsed.href}`, 'CIMD §3');
      return { ...base, mode, client_id: parsed.href, token_endpoint_auth_method: 'none' };
    }
    case 'dcr':
      return dynamicRegistration(ctx, opts, base);
    case 'manual': {
      const why = clientIdRequest(config.policy, as);
      const answer = await opts.prompt?.askClientCredentials?.(as.issuer, why);
      if (!answer?.client_id) {
        if (why.reason === 'chosen') {
          // The user chose to enter a client id: say that, not what the server lacks (it may support both).
          throw new InspectorError('client_id_not_entered', `the registration policy is "Ask me" and no client id was entered for ${as.issuer}`, {
            step: REGISTRATION_STEP,
            hint: `Enter the client id registered at the authorization server${automaticOptions(why) ? `, or choose Automatic registration: this server supports ${automaticOptions(why)}` : ''}`,
          });
        }
        throw new InspectorError('registration_unavailable', `the authorization server ${as.issuer} offers neither Client ID Metadata Documents nor Dynamic Client Registration`, {
          step: REGISTRATION_STEP,
          hint: 'Register a client at the authorization server and connect again with its client id (policy "preregistered")',
        });
      }
      const method = answer.client_secret ? pickSecretMethod(as) : 'none';
      const because = why.reason === 'chosen' ? 'registration policy "Ask me"' : 'no automatic registration is possible';
      ctx.trace.note(REGISTRATION_STEP, 'pass', `client id entered by the user (${because}): ${answer.client_id} (${method})`);
      return { ...base, mode, client_id: answer.client_id, client_secret: answer.client_secret, token_endpoint_auth_method: method };
    }
  }
}

/** Why a client id is asked for under this policy, and what the server supports. */
export function clientIdRequest(policy: RegistrationPolicy, as: oauth.AuthorizationServer): ClientIdRequest {
  return { reason: policy === 'manual' ? 'chosen' : 'no-automatic-registration', cimd: as.client_id_metadata_document_supported === true, dcr: typeof as.registration_endpoint === 'string' };
}

/** "Client ID Metadata Documents and Dynamic Client Registration", one of them, or '' for neither. */
function automaticOptions(why: ClientIdRequest): string {
  return [why.cimd && 'Client ID Metadata Documents', why.dcr && 'Dynamic Client Registration'].filter(Boolean).join(' and ');
}

/**
 * The question the editor shows when it asks for a client id: what is true for this server — the
 * user chose to enter one (and what the server would also allow), or nothing else is possible.
 */
export function clientIdPromptText(issuer: string, why: ClientIdRequest = { reason: 'no-automatic-registration', cimd: false, dcr: false }): string {
  if (why.reason === 'chosen') {
    const also = automaticOptions(why);
    return `You chose to enter a client ID for ${issuer} (registration "Ask me").${also ? ` This server also supports ${also}.` : ''} Enter the client id registered there.`;
  }
  return `${issuer} supports neither Client ID Metadata Documents nor Dynamic Client Registration. Enter the client id registered there.`;
}

async function dynamicRegistration(ctx: OAuthContext, opts: RegisterOptions, base: { issuer: string; registered_at: number }): Promise<RegisteredClient> {
  const { as, config } = opts;
  if (!as.registration_endpoint) {
    throw new InspectorError('registration_unavailable', 'the authorization server has no registration_endpoint, so Dynamic Client Registration is not possible', {
      step: REGISTRATION_STEP,
      url: as.issuer,
      hint: 'Use a pre-registered client id, or a Client ID Metadata Document if the server supports it',
    });
  }
  const supported = as.token_endpoint_auth_methods_supported;
  const method: TokenEndpointAuthMethod = !supported || supported.includes('none') ? 'none' : pickSecretMethod(as);
  const metadata: Partial<oauth.OmitSymbolProperties<oauth.Client>> = {
    client_name: config.client_name ?? CLIENT_NAME,
    redirect_uris: [opts.redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: method,
    application_type: 'native',
  };
  // No `scope` in the registration: a server that records it (RFC 7591 §2) would then refuse any later
  // step-up beyond the scopes of the first sign-in.
  let reg: oauth.OmitSymbolProperties<oauth.Client>;
  try {
    const res = await oauth.dynamicClientRegistrationRequest(as, metadata, wire(ctx, 'registration', REGISTRATION_STEP));
    const body = res.status === 201 || res.status === 200 ? await readJsonObject(res, 'registration response', { step: REGISTRATION_STEP, url: as.registration_endpoint }) : undefined;
    try {
      reg = await oauth.processDynamicClientRegistrationResponse(res);
    } catch (err) {
      // RFC 7591 §3.2.1 makes client_secret_expires_at REQUIRED with a client_secret; oauth4webapi
      // enforces that. Many servers omit it: the inspector reports it and carries on (0 = never expires).
      if (body && typeof body.client_id === 'string' && /client_secret_expires_at/.test((err as Error).message)) {
        ctx.trace.note(REGISTRATION_STEP, 'warn', 'the registration response has a client_secret but no numeric client_secret_expires_at (REQUIRED by RFC 7591 §3.2.1); treating the secret as non-expiring', 'RFC 7591 §3.2.1');
        reg = { ...(body as unknown as oauth.OmitSymbolProperties<oauth.Client>), client_secret_expires_at: 0 };
      } else {
        throw err;
      }
    }
  } catch (err) {
    // Our own refusals (redirect, address, scheme, timeout, invalid JSON) already say what, where and why.
    if (err instanceof InspectorError) throw err;
    ctx.trace.note(REGISTRATION_STEP, 'fail', `Dynamic Client Registration was refused: ${oauthErrorText(err, ctx.redactor)}`, 'RFC 7591 §3.2.2');
    throw new InspectorError('registration_failed', `Dynamic Client Registration was refused: ${oauthErrorText(err, ctx.redactor)}`, {
      step: REGISTRATION_STEP,
      url: as.registration_endpoint,
      cause: err,
      hint: `Check that the server allows open registration of native clients with the redirect URI ${opts.redirectUri}, or use a pre-registered client`,
    });
  }
  const issuedSecret = typeof reg.client_secret === 'string' ? reg.client_secret : undefined;
  ctx.redactor.addSecret(issuedSecret);
  const returned = typeof reg.token_endpoint_auth_method === 'string' ? (reg.token_endpoint_auth_method as TokenEndpointAuthMethod) : undefined;
  // RFC 7591 §2: the default method is client_secret_basic; a server that issued no secret means none.
  let finalMethod: TokenEndpointAuthMethod = returned ?? (issuedSecret ? 'client_secret_basic' : 'none');
  if ((finalMethod === 'client_secret_basic' || finalMethod === 'client_secret_post') && !issuedSecret) {
    // A DCR facade in front of a pre-registered client (an OAuth proxy) answers with the method it
    // uses upstream and adds the secret itself at its token endpoint. The SDK's own client then sends
    // no secret; so does this one — failing only at the token exchange, after the user signed in,
    // helps no one.
    ctx.trace.note(
      REGISTRATION_STEP,
      'warn',
      `the registration response names ${finalMethod} but issues no client_secret (a proxy that adds the secret itself does this); continuing as a public client (token_endpoint_auth_method none)`,
      'RFC 7591 §3.2.1',
    );
    finalMethod = 'none';
  }
  ctx.trace.note(REGISTRATION_STEP, 'pass', `registered client ${reg.client_id} (${finalMethod})`, 'RFC 7591 §3');
  return {
    ...base,
    mode: 'dcr',
    client_id: reg.client_id,
    client_secret: issuedSecret,
    token_endpoint_auth_method: finalMethod,
    redirect_uris: Array.isArray(reg.redirect_uris) ? (reg.redirect_uris as string[]) : [opts.redirectUri],
    client_secret_expires_at: typeof reg.client_secret_expires_at === 'number' ? reg.client_secret_expires_at : undefined,
  };
}

function pickSecretMethod(as: oauth.AuthorizationServer): TokenEndpointAuthMethod {
  const supported = as.token_endpoint_auth_methods_supported;
  if (!supported || supported.includes('client_secret_basic')) return 'client_secret_basic';
  if (supported.includes('client_secret_post')) return 'client_secret_post';
  return 'client_secret_basic';
}

/** oauth4webapi's client object for a registration. */
export function toOAuthClient(reg: RegisteredClient): oauth.Client {
  return { client_id: reg.client_id, token_endpoint_auth_method: reg.token_endpoint_auth_method };
}

/** oauth4webapi's client authentication for a registration. */
export async function clientAuthentication(reg: RegisteredClient): Promise<oauth.ClientAuth> {
  switch (reg.token_endpoint_auth_method) {
    case 'none':
      return oauth.None();
    case 'client_secret_basic':
      return clientSecretBasic(reg.client_id, requireSecret(reg));
    case 'client_secret_post':
      return oauth.ClientSecretPost(requireSecret(reg));
    case 'private_key_jwt': {
      if (!reg.private_key_pem) throw new InspectorError('config_invalid', 'private_key_jwt needs a private key (PKCS#8 PEM)', { step: STEP.clientAuthentication });
      const alg = reg.signing_alg ?? 'ES256';
      let key: oauth.CryptoKey;
      try {
        key = (await importPKCS8(reg.private_key_pem, alg)) as oauth.CryptoKey;
      } catch (err) {
        throw new InspectorError('config_invalid', `the private key could not be read as a PKCS#8 ${alg} key`, { step: STEP.clientAuthentication, cause: err, hint: 'Provide an unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----")' });
      }
      return oauth.PrivateKeyJwt({ key });
    }
    default:
      throw new InspectorError('config_invalid', `unsupported token_endpoint_auth_method "${String(reg.token_endpoint_auth_method)}"`, { step: STEP.clientAuthentication });
  }
}

/**
 * client_secret_basic (RFC 6749 §2.3.1), plugged into oauth4webapi's `ClientAuth` extension point.
 * oauth4webapi's own `ClientSecretBasic` percent-encodes every character outside [A-Za-z0-9],
 * including `-`, `_`, `.` and `~` (the letter of §2.3.1 read strictly). Servers that compare the
 * decoded Basic credentials without form-decoding them — the MCP conformance suite's mock among
 * them — then reject ids like `pre-registered-client`. The application/x-www-form-urlencoded
 * serializer (WHATWG URL, which URLSearchParams implements) leaves `*-._` as they are, which every
 * server that does decode reads identically.
 */
export function clientSecretBasic(clientId: string, clientSecret: string): oauth.ClientAuth {
  const enc = (v: string) => new URLSearchParams({ v }).toString().slice(2);
  return (_as, _client, _body, headers) => {
    headers.set('authorization', `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`);
  };
}

function requireSecret(reg: RegisteredClient): string {
  if (!reg.client_secret) {
    throw new InspectorError('config_invalid', `the client ${reg.client_id} uses ${reg.token_endpoint_auth_method} but has no client secret`, { step: STEP.clientAuthentication, hint: 'Enter the client secret, or register the client again' });
  }
  return reg.client_secret;
}

/**
 * A short description of an oauth4webapi failure (error code + description). The description is the
 * server's text: a hostile server may echo a token or secret back, so pass the redactor.
 */
export function oauthErrorText(err: unknown, redactor?: Redactor): string {
  const text = rawOauthErrorText(err, redactor);
  return redactor ? redactor.text(text) : text;
}

function rawOauthErrorText(err: unknown, redactor?: Redactor): string {
  // Redact before cutting: a cut through an echoed secret would leave a prefix no redactor matches.
  const clip = (d: string) => (redactor ? redactor.text(d) : d).slice(0, 300);
  if (err instanceof oauth.ResponseBodyError) {
    const desc = typeof err.error_description === 'string' ? `: ${clip(err.error_description)}` : '';
    return `${err.error}${desc} (HTTP ${err.status})`;
  }
  if (err instanceof oauth.AuthorizationResponseError) {
    const desc = typeof err.error_description === 'string' ? `: ${clip(err.error_description)}` : '';
    return `${err.error}${desc}`;
  }
  if (err instanceof oauth.OperationProcessingError) {
    const status = (err.cause as { status?: number } | undefined)?.status;
    return `${err.message}${status ? ` (HTTP ${status})` : ''}`;
  }
  return (err as Error)?.message ?? String(err);
}
