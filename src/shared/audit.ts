/**
 * The audit's names and report shape, shared by the engine (`src/core/audit`), the CLI, the Audit
 * panel (webview) and the exports. One list of checks: every check the audit can report is a key of
 * `AUDIT_CHECKS`, with its category, title and the spec sections it rests on. Ids are stable: CI
 * jobs and JUnit reports name them, so renaming one is a breaking change.
 *
 * No vscode, no DOM, no Node: plain data and types.
 */

export const AUDIT_CATEGORIES = [
  'discovery',
  'authorization-server',
  'registration',
  'token',
  'resource-server',
  'tool-security',
  'transport',
  'clients',
] as const;
export type AuditCategory = (typeof AUDIT_CATEGORIES)[number];

export const AUDIT_LEVELS = ['fail', 'warn', 'pass', 'skip'] as const;
/** `skip` always carries its reason in `finding`. */
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

interface CheckSpec {
  readonly category: AuditCategory;
  readonly title: string;
  /** Spec sections, e.g. "RFC 9728 §5.1", "MCP 2026-07-28 Authorization §Protected Resource Metadata Discovery". */
  readonly spec: readonly string[];
}

const MCP_AUTH = 'MCP Authorization';

export const AUDIT_CHECKS = {
  // [discovery]
  'discovery.unauthenticated-challenge': { category: 'discovery', title: 'A request without a token gets 401 with a Bearer challenge', spec: ['RFC 6750 §3', 'RFC 9728 §5.1', `${MCP_AUTH} §Authorization Server Discovery`] },
  'discovery.resource-metadata-in-challenge': { category: 'discovery', title: 'The challenge names resource_metadata', spec: ['RFC 9728 §5.1'] },
  'discovery.metadata-at-advertised-url': { category: 'discovery', title: 'Protected resource metadata is served where the challenge says', spec: ['RFC 9728 §5.1'] },
  'discovery.metadata-at-well-known': { category: 'discovery', title: 'Protected resource metadata is served at the well-known path', spec: ['RFC 9728 §3.1'] },
  'discovery.metadata-resource-matches': { category: 'discovery', title: "The metadata's resource is this server's URL, path included", spec: ['RFC 9728 §3.3', 'RFC 8707 §2'] },
  'discovery.metadata-served-as-json': { category: 'discovery', title: 'Metadata is served as application/json without redirects', spec: ['RFC 9728 §3.2'] },
  'discovery.authorization-servers-resolve': { category: 'discovery', title: 'authorization_servers resolve to authorization server metadata', spec: ['RFC 9728 §2', 'RFC 8414 §3'] },
  'discovery.challenge-scope-supported': { category: 'discovery', title: "The challenge's scope is within scopes_supported", spec: ['RFC 6750 §3', 'RFC 9728 §2'] },
  // [authorization-server]
  'authorization-server.metadata-found': { category: 'authorization-server', title: 'Authorization server metadata is found in the order the spec gives', spec: ['RFC 8414 §3.1', 'OpenID Connect Discovery 1.0 §4', `${MCP_AUTH} §Authorization Server Metadata Discovery`] },
  'authorization-server.issuer-matches': { category: 'authorization-server', title: 'issuer equals the URL the metadata was derived from', spec: ['RFC 8414 §3.3'] },
  'authorization-server.pkce-s256': { category: 'authorization-server', title: 'code_challenge_methods_supported includes S256', spec: ['RFC 7636 §4.2', 'RFC 8414 §2', `${MCP_AUTH} §Authorization Code Protection`] },
  'authorization-server.iss-parameter': { category: 'authorization-server', title: 'The authorization response iss parameter agrees with the metadata', spec: ['RFC 9207 §2', 'RFC 9207 §3'] },
  'authorization-server.registration-advertised': { category: 'authorization-server', title: 'A registration option is advertised (CIMD or DCR)', spec: ['RFC 7591 §3', 'draft-ietf-oauth-client-id-metadata-document', `${MCP_AUTH} §Client Registration Approaches`] },
  'authorization-server.sign-in': { category: 'authorization-server', title: 'Sign-in completes', spec: ['RFC 6749 §4.1', 'RFC 7636'] },
  'authorization-server.token-no-store': { category: 'authorization-server', title: 'The token endpoint answers with Cache-Control: no-store', spec: ['RFC 6749 §5.1'] },
  'authorization-server.jwks-usable': { category: 'authorization-server', title: 'jwks_uri answers with usable keys', spec: ['RFC 8414 §2', 'RFC 7517 §5'] },
  'authorization-server.refresh-offline-access': { category: 'authorization-server', title: 'A refresh token is issued when offline_access is asked for', spec: ['RFC 6749 §6', 'OpenID Connect Core 1.0 §11'] },
  'authorization-server.refresh-rotation': { category: 'authorization-server', title: 'Refresh works, and rotation behaviour', spec: ['RFC 6749 §6', 'OAuth 2.1 §4.3.1'] },
  // [registration]
  'registration.pre-registered': { category: 'registration', title: 'The pre-registered client is accepted', spec: [`${MCP_AUTH} §Client Registration Approaches`] },
  'registration.client-id-metadata-document': { category: 'registration', title: 'A Client ID Metadata Document is accepted', spec: ['draft-ietf-oauth-client-id-metadata-document', `${MCP_AUTH} §Client ID Metadata Documents`] },
  'registration.dynamic-client-registration': { category: 'registration', title: 'Dynamic Client Registration works with a loopback redirect', spec: ['RFC 7591 §3', 'RFC 8252 §7.3'] },
  'registration.dcr-refuses-http-redirect': { category: 'registration', title: 'DCR refuses a non-loopback http: redirect URI', spec: ['RFC 7591 §2', 'RFC 8252 §8.4', 'OAuth 2.1 §2.3.1'] },
  'registration.dcr-refuses-javascript-redirect': { category: 'registration', title: 'DCR refuses a javascript: redirect URI', spec: ['RFC 7591 §5', 'RFC 6819 §4.2.4'] },
  'registration.authorize-refuses-unregistered-redirect': { category: 'registration', title: 'The authorization endpoint refuses an unregistered redirect URI without redirecting to it', spec: ['RFC 6749 §4.1.2.1', 'RFC 8252 §7.3', 'OAuth 2.1 §4.1.1'] },
  'registration.authorize-refuses-unknown-client': { category: 'registration', title: 'The authorization endpoint refuses an unknown client_id without redirecting', spec: ['RFC 6749 §4.1.2.1'] },
  // [token]
  'token.audience': { category: 'token', title: "The access token's audience is this resource", spec: ['RFC 8707 §2', 'RFC 9068 §3', `${MCP_AUTH} §Token Audience Binding and Validation`] },
  'token.issuer': { category: 'token', title: "The access token's issuer is the authorization server", spec: ['RFC 9068 §4'] },
  'token.lifetime': { category: 'token', title: 'The access token lifetime is sane (24 h at most)', spec: ['OAuth 2.1 §7.1', 'RFC 9700 §2.2.2'] },
  'token.scopes': { category: 'token', title: 'The access token carries its scopes', spec: ['RFC 9068 §2.2.3', 'RFC 6749 §3.3'] },
  'token.signature': { category: 'token', title: "The access token's signature verifies against the issuer's JWKS", spec: ['RFC 9068 §4', 'RFC 7515'] },
  // [resource-server]
  'resource-server.no-token': { category: 'resource-server', title: 'A request without a token is refused with 401', spec: ['RFC 6750 §3.1', `${MCP_AUTH} §Token Handling`] },
  'resource-server.malformed-token': { category: 'resource-server', title: 'A malformed token is refused with 401 invalid_token', spec: ['RFC 6750 §3.1'] },
  'resource-server.tampered-signature': { category: 'resource-server', title: 'The real token with a tampered signature is refused', spec: ['RFC 9068 §4', 'RFC 7515 §5.2'] },
  'resource-server.alg-none': { category: 'resource-server', title: 'An alg "none" copy of the token is refused', spec: ['RFC 8725 §3.1', 'RFC 9068 §4'] },
  'resource-server.unknown-key': { category: 'resource-server', title: 'A token signed by a key the issuer never published is refused', spec: ['RFC 9068 §4', 'RFC 8725 §3.1'] },
  'resource-server.embedded-jwk': { category: 'resource-server', title: 'A token that brings its own key in the jwk header is refused', spec: ['RFC 8725 §3.10', 'RFC 7515 §4.1.3'] },
  'resource-server.other-resource': { category: 'resource-server', title: 'A token issued for another resource is refused', spec: ['RFC 8707 §2', 'RFC 9068 §4', `${MCP_AUTH} §Token Audience Binding and Validation`] },
  'resource-server.expired-token': { category: 'resource-server', title: 'An expired token is refused', spec: ['RFC 9068 §4', 'RFC 6750 §3.1'] },
  'resource-server.revoked-token': { category: 'resource-server', title: 'A revoked token is refused', spec: ['RFC 7009 §2', 'RFC 7662 §2.2'] },
  'resource-server.query-string-token': { category: 'resource-server', title: 'A token in the query string is refused', spec: ['OAuth 2.1 §5.2', `${MCP_AUTH} §Token Requirements`] },
  'resource-server.insufficient-scope': { category: 'resource-server', title: 'A token without the needed scope gets 403 insufficient_scope with scope and resource_metadata', spec: ['RFC 6750 §3.1', `${MCP_AUTH} §Scope Challenge Handling`] },
  // [tool-security] — one check per tool (`subject` = the tool's name)
  'tool-security.noauth-works-anonymously': { category: 'tool-security', title: 'A tool declared noauth works without a token', spec: ['OpenAI Apps SDK securitySchemes', 'SEP-1488'] },
  'tool-security.oauth-refuses-anonymous': { category: 'tool-security', title: 'A tool declared oauth2 refuses a call without a token', spec: ['SEP-1488', 'RFC 6750 §3.1'] },
  'tool-security.oauth-works-with-scopes': { category: 'tool-security', title: 'A tool declared oauth2 works with a token holding its scopes', spec: ['SEP-1488'] },
  'tool-security.oauth-refuses-without-scopes': { category: 'tool-security', title: 'A tool declared oauth2 refuses a token lacking its scopes', spec: ['SEP-1488', 'RFC 6750 §3.1'] },
  // [transport]
  'transport.protocol-version': { category: 'transport', title: 'Protocol era and version negotiated', spec: ['MCP Lifecycle §Version Negotiation'] },
  'transport.older-versions': { category: 'transport', title: 'The server answers the older protocol versions it claims', spec: ['MCP Lifecycle §Version Negotiation'] },
  'transport.cors-mcp': { category: 'transport', title: 'CORS preflight on the MCP endpoint (browser-based clients)', spec: ['Fetch Standard §CORS protocol', 'MCP Transports §Streamable HTTP'] },
  'transport.cors-metadata': { category: 'transport', title: 'CORS on the metadata documents (browser-based clients)', spec: ['RFC 9728 §3', 'RFC 8414 §3'] },
  'transport.session-behaviour': { category: 'transport', title: 'Session or stateless behaviour matches the negotiated version', spec: ['MCP Transports §Session Management'] },
  // [clients] — warn, never fail
  'clients.http-challenge-only': { category: 'clients', title: 'Clients that react only to HTTP 401/403 challenges', spec: ['RFC 6750 §3'] },
  'clients.meta-challenge-only': { category: 'clients', title: 'Clients that react only to the tool-level _meta challenge', spec: ['SEP-1488'] },
  'clients.loopback-registration': { category: 'clients', title: 'Clients that need CIMD or DCR with loopback redirects', spec: ['RFC 8252 §7.3', `${MCP_AUTH} §Client Registration Approaches`] },
  'clients.offline-refresh': { category: 'clients', title: 'Clients that need offline_access refresh', spec: ['RFC 6749 §6'] },
} as const satisfies Record<string, CheckSpec>;

export type AuditCheckId = keyof typeof AUDIT_CHECKS;

export function auditCheckSpec(id: AuditCheckId): CheckSpec {
  return AUDIT_CHECKS[id];
}

/**
 * Why a check was skipped, when the remedy is the person's choice and each front end words it its
 * own way (the CLI's flag, the editor's button): the finding says what happened, front-end neutral.
 * - `tools-with-side-effects`: the tool is not annotated read-only, and the audit was not told it may
 *   call every tool.
 */
export type AuditSkipReason = 'tools-with-side-effects';

export interface AuditCheck {
  id: AuditCheckId;
  category: AuditCategory;
  level: AuditLevel;
  title: string;
  /** What the check is about when it runs once per thing (tool-security: the tool's name). */
  subject?: string;
  /** Plain words: what was seen. For `skip`, the reason it was skipped. */
  finding: string;
  /** For some skips, why as a code: the front end adds its own words for the remedy. */
  reason?: AuditSkipReason;
  /** What to change, where. Present for `fail` and `warn`. */
  fix?: string;
  spec: string[];
  /** Trace exchange ids (the flow panel's entries) that prove the finding. */
  exchanges: number[];
}

export interface AuditSummary {
  pass: number;
  warn: number;
  fail: number;
  skip: number;
}

export interface AuditReport {
  server: string;
  protocolVersion?: string;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  /** HTTP requests the audit made (every one is in the trace). */
  requests: number;
  summary: AuditSummary;
  checks: AuditCheck[];
}

export function summarize(checks: readonly AuditCheck[]): AuditSummary {
  const s: AuditSummary = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) s[c.level]++;
  return s;
}

/** Exit status of `mcp-oauth-inspector audit`: 0 no fail, 1 any fail (2 is the CLI's: the audit could not run). */
export function auditExitCode(report: AuditReport): 0 | 1 {
  return report.summary.fail > 0 ? 1 : 0;
}
