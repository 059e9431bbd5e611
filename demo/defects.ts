/**
 * The defects the demo can plant on its deliberately misconfigured MCP path (`/mcp-misconfigured`),
 * so that `mcp-oauth-inspector audit` and the editor's Audit Server have something real to find.
 *
 * Each defect is one named mistake a real MCP server makes, chosen so that sign-in still works (a
 * defect that stops sign-in would hide everything the audit proves with a token). Each names the
 * audit check (`AUDIT_CHECKS` in src/shared/audit.ts) that must report it as `fail`; with any one
 * defect planted alone, that check is the only `fail` of the audit — demo/README.md has the table,
 * with the fix for each.
 *
 * `/mcp` and `/mcp-mixed` never carry a defect.
 */
import type { AuditCheckId } from '../src/shared/audit';

export type DemoDefect =
  /**
   * The 401 challenges (no token, invalid token, a protected tool called anonymously) are
   * `Bearer scope="…"` without `resource_metadata` (RFC 9728 §5.1), so a client must guess the
   * well-known URL (it finds it there). The 403 step-up challenge and the tool-level challenge
   * still name it. → `discovery.resource-metadata-in-challenge`
   */
  | 'challenge-without-resource-metadata'
  /**
   * The protected resource metadata is served as `text/plain` (the JSON body is right), not
   * `application/json` (RFC 9728 §3.2). → `discovery.metadata-served-as-json`
   */
  | 'metadata-as-text-plain'
  /**
   * The token check takes the verification key from the token's own `jwk` header when there is one
   * (RFC 8725 §3.10: never trust a key the token brings), so anyone can mint a token. A token that
   * names an unknown key only by `kid` is still refused. → `resource-server.embedded-jwk`
   */
  | 'trusts-embedded-jwk'
  /**
   * No audience check: a token the same authorization server issued for another resource (e.g. for
   * `/mcp`) is accepted (RFC 8707 §2, RFC 9068 §4). → `resource-server.other-resource`
   */
  | 'accepts-other-resource'
  /**
   * A token in the query string (`?access_token=…`, RFC 6750 §2.3, which OAuth 2.1 §5.2 and MCP
   * forbid) is accepted when there is no Authorization header — as a plain bearer token: that code
   * path predates DPoP and does not enforce a DPoP binding. → `resource-server.query-string-token`
   */
  | 'accepts-query-token'
  /**
   * A token lacking a tool's scope gets 403 `error="insufficient_scope"` without the `scope` it
   * needs (RFC 6750 §3.1), so no client can step up. → `resource-server.insufficient-scope`
   */
  | 'insufficient-scope-without-scope'
  /**
   * `search_docs` still declares `securitySchemes: [{ type: "noauth" }]`, but the endpoint refuses
   * an anonymous call to it with 401 (it works with any valid token).
   * → `tool-security.noauth-works-anonymously` (subject `search_docs`)
   */
  | 'noauth-tool-refuses';

/** Every defect, in the order of demo/README.md's table. */
export const DEMO_DEFECTS = [
  'challenge-without-resource-metadata',
  'metadata-as-text-plain',
  'trusts-embedded-jwk',
  'accepts-other-resource',
  'accepts-query-token',
  'insufficient-scope-without-scope',
  'noauth-tool-refuses',
] as const satisfies readonly DemoDefect[];

/** What `startDemo()` plants on `/mcp-misconfigured` unless told otherwise: all of them. */
export const DEFAULT_DEMO_DEFECTS: readonly DemoDefect[] = DEMO_DEFECTS;

/** The tool the `noauth-tool-refuses` defect breaks. */
export const NOAUTH_REFUSED_TOOL = 'search_docs';

/**
 * The audit check that reports each defect as `fail` (and, for per-tool checks, the subject).
 * Typed against the catalog, so a renamed check id fails to compile here.
 */
export const DEFECT_CHECKS: { readonly [D in DemoDefect]: { readonly id: AuditCheckId; readonly subject?: string } } = {
  'challenge-without-resource-metadata': { id: 'discovery.resource-metadata-in-challenge' },
  'metadata-as-text-plain': { id: 'discovery.metadata-served-as-json' },
  'trusts-embedded-jwk': { id: 'resource-server.embedded-jwk' },
  'accepts-other-resource': { id: 'resource-server.other-resource' },
  'accepts-query-token': { id: 'resource-server.query-string-token' },
  'insufficient-scope-without-scope': { id: 'resource-server.insufficient-scope' },
  'noauth-tool-refuses': { id: 'tool-security.noauth-works-anonymously', subject: NOAUTH_REFUSED_TOOL },
};

export function isDemoDefect(value: unknown): value is DemoDefect {
  return typeof value === 'string' && (DEMO_DEFECTS as readonly string[]).includes(value);
}
