/**
 * Authorization code grant with PKCE S256 for a native app: build the authorization request (state,
 * PKCE, `resource`, `scope`), open the browser, receive the callback on the loopback receiver,
 * validate it (state, `iss`) and exchange the code. Wire steps are oauth4webapi's
 * (`calculatePKCECodeChallenge`, `validateAuthResponse`, `authorizationCodeGrantRequest`,
 * `processAuthorizationCodeResponse`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7636.html (PKCE)
 * @see https://www.rfc-editor.org/rfc/rfc8252.html (native apps, loopback redirect)
 * @see https://www.rfc-editor.org/rfc/rfc9207.html (iss)
 * @see https://www.rfc-editor.org/rfc/rfc8707.html (resource indicators)
 */
import * as oauth from 'oauth4webapi';
import { InspectorError, isInspectorError } from '../errors';
import { checkUrl } from '../http/urlPolicy';
import type { Browser, Prompt } from '../ports';
import { wire, type OAuthContext } from './context';
import { withDpopNonceRetry } from './dpop';
import { startLoopbackReceiver } from './redirect/loopback';
import { redirectUriRegistered, stateMatches, type RedirectReceiver, type RedirectReceiverFactory } from './redirect/redirectReceiver';
import { clientAuthentication, oauthErrorText, registerClient, toOAuthClient, type ClientConfig, type RegisteredClient } from './registration';
import { idTokenAsOAuth2, rememberSecrets, tokenError, tokenResponseFindings, tokenSetFrom, type TokenSet } from './tokens';
import { STEP } from '../../shared/codes';

export interface AuthorizationCodeOptions {
  as: oauth.AuthorizationServer;
  resource: string;
  scope?: string;
  /** The registered client to use, or undefined to register one now (DCR needs the redirect URI first). */
  client?: RegisteredClient;
  clientConfig: ClientConfig;
  browser: Browser;
  prompt?: Prompt;
  backCompat: boolean;
  /** Called with the (new) client as soon as it exists, so it is stored even if the user cancels. */
  onClient?: (client: RegisteredClient) => Promise<void>;
  /** Hosts the user already approved (no confirmation prompt for them). */
  knownHosts?: ReadonlySet<string>;
  timeoutMs?: number;
  redirectHost?: '127.0.0.1' | 'localhost';
  /** A fixed port for the loopback receiver (default ephemeral); see RedirectReceiverOptions.port. */
  redirectPort?: number;
  /**
   * Receiver factory. Default: the loopback receiver on 127.0.0.1 (with `redirectHost`). The extension
   * may route the loopback redirect through asExternalUri, or receive it through its URI handler.
   */
  startReceiver?: RedirectReceiverFactory;
  signal?: AbortSignal;
  /** DPoP proofs for the token request (RFC 9449 §5), when the authorization server supports DPoP. */
  dpop?: oauth.DPoPHandle;
}

const REQUEST_STEP = STEP.authorizationRequest;
/** PKCE support is a property of the authorization server metadata: its finding is shown with that step. */
const METADATA_STEP = STEP.authorizationServerMetadata;

/** What to do when an authorization server may not know the redirect URI of this attempt (not for DCR clients: they register it). */
export function redirectUriHint(client: Pick<RegisteredClient, 'client_id' | 'mode'>, redirectUri: string): string {
  return `If the authorization server said the redirect_uri is not registered: register ${redirectUri} as a redirect URI of client ${client.client_id} there, use Dynamic Client Registration, or choose another redirect mode`;
}

function withRedirectHint(err: InspectorError, client: RegisteredClient, redirectUri: string): InspectorError {
  // The same error with the longer hint (`detail` is the message without step, URL and hint).
  return new InspectorError(err.code, err.detail, {
    step: err.step,
    url: err.url,
    hint: `${err.hint ? `${err.hint}. ` : ''}${redirectUriHint(client, redirectUri)}`,
    cause: err,
  });
}

/**
 * What is wrong with the callback's `iss` (RFC 9207 §2.4), or undefined when nothing is: the rules of
 * oauth4webapi's validateAuthResponse — one value at most; required when the authorization server
 * advertises `authorization_response_iss_parameter_supported`; when present, equal to the issuer.
 */
function issProblem(as: oauth.AuthorizationServer, params: URLSearchParams): string | undefined {
  const values = params.getAll('iss');
  if (values.length > 1) return `the callback carries "iss" more than once (the issuer is ${as.issuer})`;
  const iss = values[0];
  if (!iss && as.authorization_response_iss_parameter_supported) return `the callback has no "iss" although the authorization server ${as.issuer} advertises it`;
  if (iss && iss !== as.issuer) return `the callback's "iss" does not match the issuer ${as.issuer}`;
  return undefined;
}

/** Refuse a server that does not advertise PKCE S256 (back-compat mode excepted, labelled). */
export function checkPkceSupport(ctx: OAuthContext, as: oauth.AuthorizationServer, backCompat: boolean): void {
  const methods = as.code_challenge_methods_supported;
  if (Array.isArray(methods) && methods.includes('S256')) {
    ctx.trace.note(METADATA_STEP, 'pass', 'the authorization server advertises PKCE S256', 'RFC 7636 §4.2; MCP authorization §Authorization Code Protection');
    return;
  }
  const why = methods === undefined ? 'does not advertise code_challenge_methods_supported' : `advertises code_challenge_methods_supported ${JSON.stringify(methods)} without S256`;
  if (backCompat && methods === undefined) {
    ctx.trace.note(METADATA_STEP, 'warn', `back-compat (2025-03-26): the authorization server ${why}; using S256 anyway`, 'MCP 2025-03-26 §2.4');
    return;
  }
  ctx.trace.note(METADATA_STEP, 'fail', `S256 not advertised: the authorization server ${why}; MCP clients must refuse to proceed`, 'RFC 7636 §4.2; MCP authorization §Authorization Code Protection');
  throw new InspectorError('pkce_s256_unsupported', `the authorization server ${as.issuer} ${why}`, {
    step: REQUEST_STEP,
    hint: 'MCP requires PKCE with S256: add "code_challenge_methods_supported": ["S256"] to the authorization server metadata',
  });
}

/**
 * Whether the authorization server is an OpenID Provider: it lists `openid` in scopes_supported, or
 * its metadata is an OpenID Connect Discovery document (`subject_types_supported` and
 * `id_token_signing_alg_values_supported` are REQUIRED there, and mean nothing to plain OAuth 2.0).
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata (§3)
 */
export function isOpenIdProvider(as: oauth.AuthorizationServer): boolean {
  if (Array.isArray(as.scopes_supported) && as.scopes_supported.includes('openid')) return true;
  return Array.isArray(as.subject_types_supported) && Array.isArray(as.id_token_signing_alg_values_supported);
}

export async function authorizeWithCode(ctx: OAuthContext, opts: AuthorizationCodeOptions): Promise<{ tokens: TokenSet; client: RegisteredClient }> {
  const { as } = opts;
  checkPkceSupport(ctx, as, opts.backCompat);
  if (!as.authorization_endpoint) throw new InspectorError('as_metadata_invalid', 'the authorization server has no authorization_endpoint', { step: REQUEST_STEP, url: as.issuer });
  const authorizationEndpoint = checkUrl(as.authorization_endpoint, 'authorization_endpoint');

  const state = oauth.generateRandomState();
  const receiverOptions = { expectedState: state, timeoutMs: opts.timeoutMs ?? 300_000, signal: opts.signal, port: opts.redirectPort };
  const receiver: RedirectReceiver = opts.startReceiver
    ? await opts.startReceiver(receiverOptions)
    : await startLoopbackReceiver({ ...receiverOptions, redirectHost: opts.redirectHost });
  try {
    let client = opts.client;
    // A client registered (DCR) for another redirect URI — another redirect mode, another forwarded
    // port, another editor callback — would be refused at the authorization endpoint: register again.
    if (client?.mode === 'dcr' && client.redirect_uris?.length && !redirectUriRegistered(client.redirect_uris, receiver.redirectUri)) {
      ctx.trace.note(STEP.clientRegistration, 'warn', `client ${client.client_id} was registered for another redirect URI than ${receiver.redirectUri}; registering again`, 'RFC 7591 §2; RFC 6749 §3.1.2');
      client = undefined;
    }
    if (!client) {
      client = await registerClient(ctx, { config: opts.clientConfig, as, redirectUri: receiver.redirectUri, prompt: opts.prompt });
      await opts.onClient?.(client);
    }
    // A fresh verifier per attempt (RFC 7636 §4.1: 43–128 characters; oauth4webapi makes 43).
    const verifier = oauth.generateRandomCodeVerifier();
    ctx.redactor.addSecret(verifier);
    const challenge = await oauth.calculatePKCECodeChallenge(verifier);
    const url = new URL(authorizationEndpoint.href);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', client.client_id);
    url.searchParams.set('redirect_uri', receiver.redirectUri);
    url.searchParams.set('code_challenge', challenge);
    url.searchParams.set('code_challenge_method', 'S256');
    url.searchParams.set('state', state);
    url.searchParams.set('resource', opts.resource);
    if (opts.scope) url.searchParams.set('scope', opts.scope);
    // OpenID Connect Core §11: an OpenID Provider ignores offline_access unless the request also
    // carries prompt=consent — and then silently issues no refresh token.
    const offlineConsent = (opts.scope ?? '').split(/\s+/).includes('offline_access') && isOpenIdProvider(as);
    if (offlineConsent) url.searchParams.set('prompt', 'consent');
    ctx.trace.note(REQUEST_STEP, 'pass', `authorization request to ${url.origin}${url.pathname}: client_id ${client.client_id}, redirect_uri ${receiver.redirectUri}, resource ${opts.resource}, scope ${opts.scope ?? '(omitted)'}, PKCE S256, state`, 'RFC 6749 §4.1.1; RFC 7636 §4.3; RFC 8707 §2');
    if (offlineConsent) {
      ctx.trace.note(REQUEST_STEP, 'info', 'the authorization server is an OpenID Provider: offline_access is asked with prompt=consent, without which it issues no refresh token', 'OpenID Connect Core §11');
    }

    if (opts.prompt?.confirmAuthorizationHost && !opts.knownHosts?.has(url.host)) {
      const ok = await opts.prompt.confirmAuthorizationHost(url.host, url);
      if (!ok) throw new InspectorError('authorization_cancelled', `sign-in at ${url.host} was cancelled`, { step: REQUEST_STEP });
    }
    try {
      await opts.browser.open(url, receiver.redirectUri);
    } catch (err) {
      if (isInspectorError(err)) throw err;
      throw new InspectorError('browser_open_failed', `the browser could not be opened: ${(err as Error).message}`, { step: REQUEST_STEP, cause: err, hint: 'Copy the authorization URL from the log and open it yourself' });
    }

    const callbackStep = STEP.authorizationCallback;
    let callback: Awaited<ReturnType<RedirectReceiver['waitForCallback']>>;
    try {
      callback = await receiver.waitForCallback();
    } catch (err) {
      // The authorization server refuses an unregistered redirect_uri on its own page and never
      // redirects back: all the flow sees is the timeout. Say which URI it must know.
      if (isInspectorError(err, 'authorization_timeout') && client.mode !== 'dcr') err = withRedirectHint(err, client, receiver.redirectUri);
      if (isInspectorError(err)) {
        // The receiver's message already carries the server's error text, sanitized and redacted.
        const text = err.detail;
        const denied = err.code === 'authorization_denied' || err.code === 'callback_invalid';
        ctx.trace.note(callbackStep, denied ? 'fail' : 'warn', denied ? `the authorization server answered with an error instead of a code: ${text}` : `the sign-in did not complete: ${text}`, 'RFC 6749 §4.1.2.1');
      }
      throw err;
    }
    // iss and state are compared here, before validateAuthResponse, because oauth4webapi's errors do
    // not say which of the two failed: a missing or wrong "iss" and a missing or wrong "state" are all
    // an OperationProcessingError with the same code (OAUTH_INVALID_RESPONSE) and a cause of
    // { expected?, parameters }, and telling them apart by the message text is what house style
    // forbids. The rules and their order are oauth4webapi's (RFC 9207 iss first, then state);
    // validateAuthResponse still runs afterwards and anything else it refuses is 'callback_invalid'.
    const issMismatch = issProblem(as, callback.params);
    if (issMismatch) {
      ctx.trace.note(callbackStep, 'fail', issMismatch, 'RFC 9207 §2.4');
      throw new InspectorError('iss_mismatch', `${issMismatch}; the code was not exchanged`, { step: callbackStep, hint: 'This can be a mix-up attack; check which authorization server answered' });
    }
    const states = callback.params.getAll('state');
    if (states.length !== 1 || !stateMatches(states[0] ?? '', state)) {
      ctx.trace.note(callbackStep, 'fail', `the callback's "state" ${states.length === 0 ? 'is missing' : 'does not match the request'}; the code was not exchanged`, 'RFC 6749 §10.12; OAuth 2.1 §7.5');
      throw new InspectorError('state_mismatch', `the callback's "state" ${states.length === 0 ? 'is missing' : 'does not match'}; the code was not exchanged`, { step: callbackStep });
    }
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(as, toOAuthClient(client), callback.params, state);
    } catch (err) {
      if (err instanceof oauth.AuthorizationResponseError) {
        const text = oauthErrorText(err, ctx.redactor);
        ctx.trace.note(callbackStep, 'fail', `the authorization server answered with an error instead of a code: ${text}`, 'RFC 6749 §4.1.2.1');
        throw new InspectorError('authorization_denied', `the authorization server returned an error: ${text}`, { step: callbackStep, cause: err });
      }
      const msg = ctx.redactor.text((err as Error).message);
      ctx.trace.note(callbackStep, 'fail', `the callback is not valid: ${msg}`, 'RFC 6749 §4.1.2');
      throw new InspectorError('callback_invalid', `the callback is not valid: ${msg}`, { step: callbackStep, cause: err });
    }
    const code = params.get('code');
    if (code) ctx.redactor.addSecret(code);
    ctx.trace.note(callbackStep, 'pass', `callback received with matching state${params.has('iss') ? ' and iss' : ''}`, 'RFC 6749 §4.1.2; RFC 9207');
    if (!params.has('iss') && as.authorization_response_iss_parameter_supported !== true) {
      ctx.trace.note(callbackStep, 'info', 'the callback carries no "iss" (and the server does not advertise it): which authorization server answered cannot be checked', 'RFC 9207 §2.4');
    }

    const tokenStep = STEP.tokenExchange;
    try {
      const registered = client;
      const r = await withDpopNonceRetry(
        ctx,
        tokenStep,
        opts.dpop,
        async () =>
          oauth.authorizationCodeGrantRequest(as, toOAuthClient(registered), await clientAuthentication(registered), params, receiver.redirectUri, verifier, {
            additionalParameters: { resource: opts.resource },
            DPoP: opts.dpop,
            ...wire(ctx, 'token', tokenStep),
          }),
        async (res) => oauth.processAuthorizationCodeResponse(as, toOAuthClient(registered), await idTokenAsOAuth2(ctx, tokenStep, as, registered.client_id, res, opts.scope)),
      );
      rememberSecrets(ctx, r);
      const tokens = tokenSetFrom(r, { now: ctx.clock.now(), issuer: as.issuer, client_id: client.client_id, resource: opts.resource, requestedScope: opts.scope, grant: 'authorization_code' });
      ctx.trace.note(tokenStep, 'pass', `access token issued (${r.token_type}${r.expires_in ? `, expires in ${r.expires_in} s` : ''}${r.refresh_token ? ', with a refresh token' : ''}); scope ${tokens.scope ?? '(none)'}`, 'RFC 6749 §4.1.3; RFC 7636 §4.5');
      tokenResponseFindings(ctx, tokenStep, r, opts.scope);
      if (!r.refresh_token && (opts.scope ?? '').split(/\s+/).includes('offline_access')) {
        ctx.trace.note(
          tokenStep,
          'warn',
          `offline_access was asked for${offlineConsent ? ' with prompt=consent' : ''} but no refresh token was issued: the sign-in lasts as long as the access token${r.expires_in ? ` (${r.expires_in} s)` : ''}${offlineConsent ? '; an OAuth proxy in front of an OpenID Provider that does not forward prompt makes the provider drop offline_access' : ''}`,
          'OpenID Connect Core §11; RFC 6749 §1.5',
        );
      }
      return { tokens, client };
    } catch (err) {
      const e = tokenError(err, tokenStep, as.token_endpoint, ctx.redactor);
      ctx.trace.note(tokenStep, 'fail', `the code exchange was refused: ${oauthErrorText(err, ctx.redactor)}`, 'RFC 6749 §5.2; OAuth 2.1 §4.1.3');
      throw e;
    }
  } finally {
    await receiver.close();
  }
}
