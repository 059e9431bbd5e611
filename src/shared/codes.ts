/**
 * The names that cross layers, one list each: error codes, the steps of the OAuth flow (with the spec
 * section each implements), token finding codes, finding levels, and how error codes sort into
 * "needs sign-in" and "authorization problem". The engine (src/core), the adapters (src/vscode), the
 * CLI, the view models (src/present) and the webview (webview-ui, which may import only src/shared)
 * all name these, and decide on them — never on message text (docs/ARCHITECTURE.md, house style 2).
 *
 * No imports, no vscode, no DOM: every layer may load it.
 */

/* ------------------------------------------------------------------------------------ error codes */

/** The stable code of an InspectorError (src/core/errors.ts): callers switch on it, never on the message. */
export type ErrorCode =
  // URL and network policy (src/core/http)
  | 'url_scheme_refused'
  | 'url_invalid'
  | 'address_refused'
  | 'redirect_refused'
  | 'response_too_large'
  | 'request_timeout'
  | 'network_error'
  | 'invalid_json'
  // discovery
  /** The `resource_metadata` URL the server advertised (WWW-Authenticate) did not answer with metadata. */
  | 'resource_metadata_unavailable'
  | 'resource_metadata_invalid'
  | 'resource_mismatch'
  | 'as_metadata_not_found'
  | 'as_metadata_invalid'
  | 'issuer_mismatch'
  | 'pkce_s256_unsupported'
  // registration
  | 'registration_unavailable'
  /** The user chose to enter a client id ("Ask me" / manual policy) and entered none. */
  | 'client_id_not_entered'
  | 'registration_failed'
  | 'client_metadata_url_invalid'
  // authorization
  | 'authorization_cancelled'
  | 'authorization_denied'
  | 'authorization_timeout'
  | 'state_mismatch'
  | 'iss_mismatch'
  | 'callback_invalid'
  | 'browser_open_failed'
  // tokens
  | 'token_request_failed'
  | 'invalid_grant'
  | 'invalid_client'
  | 'refresh_failed'
  | 'revocation_failed'
  | 'step_up_limit'
  | 'insufficient_scope'
  | 'unauthorized'
  /** The server wants a token (or more scope) and the caller asked the engine not to sign in by itself. */
  | 'authorization_required'
  // MCP
  | 'mcp_connect_failed'
  | 'mcp_request_failed'
  /** The person (or the caller's AbortSignal) stopped an audit before it finished: no report. */
  | 'audit_cancelled'
  | 'tool_not_found'
  | 'skill_verification_failed'
  | 'invalid_arguments'
  /** The negotiated protocol or the server's capabilities do not offer what was asked (logging/setLevel). */
  | 'not_supported'
  // everything else
  | 'config_invalid'
  | 'internal';

/** A reply error's code across the webview boundary: the engine's, or the host's refusal of a message it does not accept. */
export type WebviewErrorCode = ErrorCode | 'bad_message';

/**
 * Codes for which signing in again — fresh tokens, or a fresh client registration first — is the fix:
 * the server wants a token or more scope ('authorization_required', 'insufficient_scope', and
 * 'unauthorized' after the engine gave up), or the authorization server refused what the client holds
 * ('invalid_grant': the code or refresh token is invalid, expired or revoked, RFC 6749 §5.2 — only a
 * new authorization grant helps; 'invalid_client': the client is unknown or its authentication
 * refused; 'refresh_failed': there is no refresh token; 'token_request_failed': the token request
 * failed, a new code is the retry). The editor offers "Sign In Again" and the tools panel offers
 * "Sign in and call" for exactly these. Not here: network and policy errors (Retry or a setting
 * fixes them) and a sign-in the person did not finish (`needsSignIn`; Retry signs in again).
 */
const AUTH_PROBLEMS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'authorization_required',
  'insufficient_scope',
  'unauthorized',
  'invalid_grant',
  'invalid_client',
  'refresh_failed',
  'token_request_failed',
]);

/**
 * Codes after which a server waits for a sign-in (the tree shows "sign-in required", not "error"):
 * the person did not finish one (cancelled, denied at the authorization server, timed out, or no
 * browser could be opened), the server asks for one the engine was told not to start
 * ('authorization_required'), or the stored one can no longer be used ('invalid_grant' drops the
 * stored tokens, RFC 6749 §5.2; 'refresh_failed': no refresh token). A refused client
 * ('invalid_client') or a server that refuses even fresh tokens ('unauthorized') is an error of the
 * setup, not a missing sign-in.
 */
const SIGN_IN_NEEDED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'authorization_cancelled',
  'authorization_denied',
  'authorization_timeout',
  'browser_open_failed',
  'authorization_required',
  'invalid_grant',
  'refresh_failed',
]);

/** Whether signing in again (fresh tokens or a fresh client) is the likely fix for an error with this code. */
export function isAuthProblem(code: string | undefined): boolean {
  return code !== undefined && AUTH_PROBLEMS.has(code as ErrorCode);
}

/** Whether an error with this code leaves its server waiting for a sign-in rather than failed. */
export function needsSignIn(code: string | undefined): boolean {
  return code !== undefined && SIGN_IN_NEEDED.has(code as ErrorCode);
}

/**
 * An error as it crosses a boundary (the webview protocol, a call record): the code, what happened
 * (the bare detail, without step, URL and hint) and those as fields. `errorText` composes them for
 * display; nothing cuts them back out of the text.
 */
export interface ErrorView<C extends string = WebviewErrorCode> {
  code: C;
  /** What happened, without the step, URL and hint. */
  message: string;
  /** The flow step it happened at, e.g. "token refresh". */
  step?: string;
  /** The URL involved, free of secrets (origin and path). */
  url?: string;
  /** What the user can do about it. */
  hint?: string;
}

/** "step: message (url). hint" — the one composition of an error for display (InspectorError's `message` too). */
export function errorText(e: Pick<ErrorView, 'message' | 'step' | 'url' | 'hint'>): string {
  let out = e.message;
  if (e.step) out = `${e.step}: ${out}`;
  if (e.url) out += ` (${e.url})`;
  if (e.hint) out += `. ${e.hint}`;
  return out;
}

/* ----------------------------------------------------------------------------------- flow steps */

/**
 * The steps of the OAuth flow the engine records in the trace and names in its errors. Every trace
 * note and exchange carries one of these (or an MCP request's `McpStep`); the flow panel and the
 * Markdown export group the trace by them.
 */
export const STEP = {
  protectedResourceMetadata: 'protected resource metadata',
  authorizationServerMetadata: 'authorization server metadata',
  clientRegistration: 'client registration',
  clientAuthentication: 'client authentication',
  authorization: 'authorization',
  authorizationRequest: 'authorization request',
  headlessAuthorization: 'headless authorization',
  authorizationCallback: 'authorization callback',
  tokenExchange: 'token exchange',
  tokenRefresh: 'token refresh',
  tokenRevocation: 'token revocation',
  tokenIntrospection: 'token introspection',
  tokenInspection: 'token inspection',
  jwks: 'JWKS (token signature)',
  stepUp: 'step-up',
  clientCredentials: 'client credentials grant',
  workloadIdentity: 'jwt-bearer grant (workload identity)',
  crossAppAccess: 'cross-app access',
  idJagExchange: 'token exchange at the identity provider',
  jwtBearer: 'jwt-bearer grant',
} as const;

export type OAuthStep = (typeof STEP)[keyof typeof STEP];

/** Every OAuth step, in flow order. */
export const OAUTH_STEPS: readonly OAuthStep[] = Object.values(STEP);

/**
 * The spec section each step implements, shown when its notes name none (every note carries its own
 * `spec`; exchanges do not). test/unit/shared/codes.test.ts fails on a step without one.
 */
export const OAUTH_STEP_SPEC: Record<OAuthStep, string> = {
  'protected resource metadata': 'RFC 9728 §3',
  'authorization server metadata': 'RFC 8414 §3',
  'client registration': 'RFC 7591 §3',
  'client authentication': 'RFC 6749 §2.3; RFC 7523 §2.2',
  authorization: 'MCP authorization §Authorization Flow Steps',
  'authorization request': 'RFC 7636 §4.3; OAuth 2.1 §4.1.1',
  'headless authorization': 'OAuth 2.1 §4.1.1',
  'authorization callback': 'OAuth 2.1 §4.1.2; RFC 9207 §2',
  'token exchange': 'OAuth 2.1 §4.1.3; RFC 7636 §4.5; RFC 8707 §2',
  'token refresh': 'RFC 6749 §6; RFC 8707 §2',
  'token revocation': 'RFC 7009 §2',
  'token introspection': 'RFC 7662 §2',
  'token inspection': 'RFC 9068 §4',
  'JWKS (token signature)': 'RFC 7517 §5; RFC 9068 §4',
  'step-up': 'MCP authorization §Step-Up Authorization Flow',
  'client credentials grant': 'RFC 6749 §4.4',
  'jwt-bearer grant (workload identity)': 'RFC 7523 §2.1; MCP SEP-1933',
  'cross-app access': 'RFC 8693 §2; RFC 7523 §2.1; ID-JAG draft',
  'token exchange at the identity provider': 'RFC 8693 §2; ID-JAG draft §4',
  'jwt-bearer grant': 'RFC 7523 §2.1; ID-JAG draft',
};

/**
 * An MCP request as a trace step: "MCP initialize", "MCP tools/call get_weather". Its spec section
 * depends on the answer (a 401/403 starts discovery), so it is not in OAUTH_STEP_SPEC.
 */
export type McpStep = `MCP ${string}`;

/** The audit (src/core/audit) and the requests it sends on purpose: "audit probe: tools/list". Its checks carry their own spec sections. */
export type AuditStep = 'audit' | `audit ${string}`;

/** The step of a trace entry. */
export type TraceStep = OAuthStep | McpStep | AuditStep;

/** The step an MCP operation failed at when it is named by its method: "tools/list", "tools/call get_weather", "skills/list". */
export type McpMethodStep = `${'tools' | 'resources' | 'prompts' | 'skills' | 'completion' | 'logging' | 'server'}/${string}` | 'ping';

/** The step an InspectorError names: a trace step, an MCP method, or loading a skill's files. */
export type ErrorStep = TraceStep | McpMethodStep | 'skill load';

export function isOAuthStep(step: string): step is OAuthStep {
  return Object.hasOwn(OAUTH_STEP_SPEC, step);
}

/* ------------------------------------------------------------------------------------- findings */

/** How serious a finding is: a trace note, a token check, a flow step. */
export type FindingLevel = 'pass' | 'info' | 'warn' | 'fail';

/**
 * What each token finding code (src/core/inspect/token.ts) checks, as the row label the token panel
 * shows. The order of the labels in this table is the order of the rows (signature, issuer and
 * audience first: the verification). The DPoP binding findings are labelled "Other" as before.
 */
export const TOKEN_FINDING_CHECK = {
  signature_valid: 'Signature',
  signature_invalid: 'Signature',
  signature_unchecked: 'Signature',
  signature_unverifiable: 'Signature',
  unsigned: 'Signature',
  jwks_unavailable: 'Signature',
  issuer_match: 'Issuer',
  issuer_mismatch: 'Issuer',
  issuer_missing: 'Issuer',
  audience_match: 'Audience',
  audience_mismatch: 'Audience',
  audience_missing: 'Audience',
  audience_unknown: 'Audience',
  expired: 'Lifetime',
  expires_soon: 'Lifetime',
  not_expired: 'Lifetime',
  no_expiry: 'Lifetime',
  expiry_unknown: 'Lifetime',
  not_yet_valid: 'Lifetime',
  issued_in_future: 'Lifetime',
  scope_present: 'Scopes',
  scope_missing: 'Scopes',
  scope_unknown: 'Scopes',
  scope_from_token_response: 'Scopes',
  typ: 'Token type (typ)',
  introspection_active: 'Introspection',
  introspection_inactive: 'Introspection',
  introspection_failed: 'Introspection',
  opaque: 'Format',
  encrypted: 'Format',
  malformed_jwt: 'Format',
  token_too_large: 'Format',
  invalid_claims: 'Claims',
  invalid_claim: 'Claims',
  suspicious_claims: 'Claims',
  dpop_bound: 'Other',
  dpop_key_mismatch: 'Other',
  dpop_unbound: 'Other',
  cnf_other: 'Other',
} as const;

/** The stable code of a token finding: callers switch on it. */
export type TokenFindingCode = keyof typeof TOKEN_FINDING_CHECK;

/** The row label of a token finding ("Signature", "Audience", …). */
export type TokenCheckLabel = (typeof TOKEN_FINDING_CHECK)[TokenFindingCode];

/** The order of the rows: labels in the order the table first names them. */
export const TOKEN_CHECK_ORDER: readonly TokenCheckLabel[] = [...new Set(Object.values(TOKEN_FINDING_CHECK))];

export function isTokenFindingCode(code: string): code is TokenFindingCode {
  return Object.hasOwn(TOKEN_FINDING_CHECK, code);
}
