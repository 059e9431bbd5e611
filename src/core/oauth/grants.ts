/**
 * Non-interactive grants: client credentials (RFC 6749 §4.4), workload identity federation (an RFC
 * 7523 jwt-bearer grant with the workload's own JWT), and cross-app access — an RFC 8693
 * token exchange at the enterprise IdP for an Identity Assertion JWT Authorization Grant (ID-JAG),
 * then the RFC 7523 jwt-bearer grant at the MCP server's authorization server. Wire steps are
 * oauth4webapi's (`clientCredentialsGrantRequest`, `genericTokenEndpointRequest` and their
 * `process…Response`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749.html#section-4.4
 * @see https://www.rfc-editor.org/rfc/rfc8693.html
 * @see https://www.rfc-editor.org/rfc/rfc7523.html#section-2.1
 * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-identity-assertion-authz-grant/
 */
import * as oauth from 'oauth4webapi';
import { InspectorError } from '../errors';
import { checkUrl } from '../http/urlPolicy';
import { wire, type OAuthContext } from './context';
import { withDpopNonceRetry } from './dpop';
import { clientAuthentication, oauthErrorText, toOAuthClient, type RegisteredClient } from './registration';
import { rememberSecrets, tokenError, tokenSetFrom, type TokenSet } from './tokens';
import { STEP, type OAuthStep } from '../../shared/codes';

export interface CrossAppAccessConfig {
  /** The enterprise IdP's issuer and token endpoint. */
  idp_issuer: string;
  idp_token_endpoint: string;
  /** This client at the IdP. */
  idp_client_id: string;
  idp_client_secret?: string;
  /** The user's ID token from the IdP (the subject token). */
  idp_id_token: string;
}

/**
 * Workload identity federation (MCP SEP-1933): the workload presents a JWT its platform issued
 * (a Kubernetes service account token, a cloud identity token…) as an RFC 7523 jwt-bearer assertion.
 */
export interface WorkloadIdentityConfig {
  /** The workload's JWT, audience the authorization server. A secret: redacted everywhere. */
  assertion: string;
}

export const TOKEN_TYPE_ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
export const TOKEN_TYPE_ID_JAG = 'urn:ietf:params:oauth:token-type:id-jag';
export const GRANT_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const GRANT_JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export async function clientCredentialsGrant(
  ctx: OAuthContext,
  o: { as: oauth.AuthorizationServer; client: RegisteredClient; resource: string; scope?: string; dpop?: oauth.DPoPHandle },
): Promise<TokenSet> {
  const step = STEP.clientCredentials;
  const params: Record<string, string> = { resource: o.resource };
  if (o.scope) params.scope = o.scope;
  try {
    const r = await withDpopNonceRetry(
      ctx,
      step,
      o.dpop,
      async () => oauth.clientCredentialsGrantRequest(o.as, toOAuthClient(o.client), await clientAuthentication(o.client), params, { DPoP: o.dpop, ...wire(ctx, 'token', step) }),
      (res) => oauth.processClientCredentialsResponse(o.as, toOAuthClient(o.client), res),
    );
    rememberSecrets(ctx, r);
    ctx.trace.note(step, 'pass', `access token issued to client ${o.client.client_id} (${o.client.token_endpoint_auth_method})`, 'RFC 6749 §4.4');
    return tokenSetFrom(r, { now: ctx.clock.now(), issuer: o.as.issuer, client_id: o.client.client_id, resource: o.resource, requestedScope: o.scope, grant: 'client_credentials' });
  } catch (err) {
    throw tokenError(err, step, o.as.token_endpoint, ctx.redactor);
  }
}

/**
 * RFC 7523 §2.1: the jwt-bearer grant at `o.as` with `assertion` (a workload's JWT, or an ID-JAG),
 * for `o.resource` and `o.scope`, with this client's authentication and a DPoP proof when bound
 * tokens are in use (a `use_dpop_nonce` answered once). The response's secrets are redacted.
 */
async function jwtBearerRequest(
  ctx: OAuthContext,
  o: { as: oauth.AuthorizationServer; client: RegisteredClient; resource: string; scope?: string; dpop?: oauth.DPoPHandle },
  assertion: string,
  step: OAuthStep,
): Promise<oauth.TokenEndpointResponse> {
  const params: Record<string, string> = { assertion, resource: o.resource };
  if (o.scope) params.scope = o.scope;
  const r = await withDpopNonceRetry(
    ctx,
    step,
    o.dpop,
    async () => oauth.genericTokenEndpointRequest(o.as, toOAuthClient(o.client), await clientAuthentication(o.client), GRANT_JWT_BEARER, params, { DPoP: o.dpop, ...wire(ctx, 'token', step) }),
    (res) => oauth.processGenericTokenEndpointResponse(o.as, toOAuthClient(o.client), res),
  );
  rememberSecrets(ctx, r);
  return r;
}

/**
 * The RFC 7523 jwt-bearer grant with the workload's own JWT (workload identity federation). A refusal
 * is final: the same assertion would be refused again, and no other grant is tried.
 * @see https://www.rfc-editor.org/rfc/rfc7523.html#section-2.1
 */
export async function workloadIdentityGrant(
  ctx: OAuthContext,
  o: { as: oauth.AuthorizationServer; client: RegisteredClient; resource: string; scope?: string; workload: WorkloadIdentityConfig; dpop?: oauth.DPoPHandle },
): Promise<TokenSet> {
  const step = STEP.workloadIdentity;
  ctx.redactor.addSecret(o.workload.assertion);
  try {
    const r = await jwtBearerRequest(ctx, o, o.workload.assertion, step);
    ctx.trace.note(step, 'pass', `access token issued for the workload's assertion (client ${o.client.client_id})`, 'RFC 7523 §2.1; MCP SEP-1933');
    return tokenSetFrom(r, { now: ctx.clock.now(), issuer: o.as.issuer, client_id: o.client.client_id, resource: o.resource, requestedScope: o.scope, grant: 'jwt-bearer' });
  } catch (err) {
    ctx.trace.note(step, 'fail', `the authorization server refused the workload's assertion: ${oauthErrorText(err, ctx.redactor)}; not retried (the same assertion would be refused again)`, 'RFC 7523 §3.1');
    throw tokenError(err, step, o.as.token_endpoint, ctx.redactor);
  }
}

export async function crossAppAccessGrant(
  ctx: OAuthContext,
  o: { as: oauth.AuthorizationServer; client: RegisteredClient; resource: string; scope?: string; idp: CrossAppAccessConfig; dpop?: oauth.DPoPHandle },
): Promise<TokenSet> {
  const exchangeStep = STEP.idJagExchange;
  ctx.redactor.addSecret(o.idp.idp_id_token);
  ctx.redactor.addSecret(o.idp.idp_client_secret);
  const idpAs: oauth.AuthorizationServer = {
    issuer: (checkUrl(o.idp.idp_issuer, 'identity provider issuer'), o.idp.idp_issuer),
    token_endpoint: checkUrl(o.idp.idp_token_endpoint, 'identity provider token endpoint').href,
  };
  const idpClient: oauth.Client = { client_id: o.idp.idp_client_id };
  const idpAuth = o.idp.idp_client_secret ? oauth.ClientSecretPost(o.idp.idp_client_secret) : oauth.None();

  // Step 1 — RFC 8693: ID token → ID-JAG, for this authorization server and this resource.
  let idJag: string;
  try {
    const params: Record<string, string> = {
      subject_token: o.idp.idp_id_token,
      subject_token_type: TOKEN_TYPE_ID_TOKEN,
      requested_token_type: TOKEN_TYPE_ID_JAG,
      audience: o.as.issuer,
      resource: o.resource,
    };
    if (o.scope) params.scope = o.scope;
    const res = await oauth.genericTokenEndpointRequest(idpAs, idpClient, idpAuth, GRANT_TOKEN_EXCHANGE, params, wire(ctx, 'token', exchangeStep));
    // An ID-JAG response has token_type "N_A" (RFC 8693 §2.2.1): tell oauth4webapi that is expected.
    const r = await oauth.processGenericTokenEndpointResponse(idpAs, idpClient, res, { recognizedTokenTypes: { n_a: () => {} } });
    if (r.issued_token_type !== TOKEN_TYPE_ID_JAG) {
      // The IdP's text: a hostile one may echo the ID token or client secret back in it.
      const issued = ctx.redactor.text(String(r.issued_token_type)).slice(0, 200);
      throw new InspectorError('token_request_failed', `the identity provider issued "${issued}", not an ID-JAG`, { step: exchangeStep, url: idpAs.token_endpoint });
    }
    idJag = r.access_token;
    ctx.redactor.addSecret(idJag);
    ctx.trace.note(exchangeStep, 'pass', `ID-JAG issued for audience ${o.as.issuer} and resource ${o.resource}`, 'RFC 8693 §2; ID-JAG draft §4');
  } catch (err) {
    if (err instanceof InspectorError) throw err;
    throw new InspectorError('token_request_failed', `the identity provider refused the token exchange: ${oauthErrorText(err, ctx.redactor)}`, { step: exchangeStep, url: idpAs.token_endpoint, cause: err });
  }

  // Step 2 — RFC 7523: ID-JAG → access token at the MCP server's authorization server.
  const bearerStep = STEP.jwtBearer;
  try {
    const r = await jwtBearerRequest(ctx, o, idJag, bearerStep);
    ctx.trace.note(bearerStep, 'pass', 'access token issued for the ID-JAG', 'RFC 7523 §2.1');
    return tokenSetFrom(r, { now: ctx.clock.now(), issuer: o.as.issuer, client_id: o.client.client_id, resource: o.resource, requestedScope: o.scope, grant: 'jwt-bearer' });
  } catch (err) {
    throw tokenError(err, bearerStep, o.as.token_endpoint, ctx.redactor);
  }
}
