/**
 * What every audit check module gets: the connection the audit signed in with, the facts earlier
 * phases gathered, a probe that sends one MCP request with exactly the credentials a check chooses,
 * and a way to report. Check modules (`checks/*.ts`) export `async (ctx: AuditContext) => void`
 * and report every check they own exactly once — `pass`, `warn`, `fail`, or `skip` with its reason.
 *
 * Rules every check obeys (docs/SECURITY.md):
 * - a token goes only to the server it was issued for (the probe only ever targets `serverUrl`);
 * - a tool with side effects is called only when `options.callTools === 'all'`;
 * - every token a check makes (forged, tampered, derived) is given to `ctx.conn.redactor.addSecret`
 *   before it is sent, so the trace, logs and report never show it.
 */
import type { AuditCategory, AuditCheck, AuditCheckId, AuditSkipReason } from '../../shared/audit';
import type { Connection } from '../connection';
import type { BearerChallenge } from '../oauth/challenge';
import type { DiscoveryResult } from '../oauth/discovery';
import type { TokenSet } from '../oauth/tokens';

export interface AuditRunOptions {
  /** `read-only` (default): call only tools annotated readOnlyHint; `all`: call every tool. */
  callTools: 'read-only' | 'all';
  /** Wait for the real token to expire for `resource-server.expired-token` even when it lives over 10 s. */
  waitExpiry: boolean;
  /** Run only these categories (none: all). */
  only?: AuditCategory[];
  /** The pre-registered client id, when the user has one (registration matrix). */
  clientId?: string;
  /** Another resource of the same authorization server, for `resource-server.other-resource` (RFC 8707). */
  otherResource?: string;
}

/** How a probe presents (or doesn't) a token. */
export type ProbeAuth =
  | { kind: 'none' }
  /** `Authorization: Bearer <token>` (or the DPoP scheme with a proof when the token is DPoP-bound and `dpop` is set). */
  | { kind: 'bearer'; token: string; dpop?: boolean }
  /** `?access_token=<token>` on the MCP URL (RFC 6750 §2.3, which OAuth 2.1 forbids). */
  | { kind: 'query'; token: string };

export interface ProbeResponse {
  status: number;
  /** The trace exchange id of the request (for `AuditCheck.exchanges`). */
  exchange: number;
  /** Lower-cased response header names. */
  headers: Record<string, string>;
  /** The parsed `WWW-Authenticate` Bearer (or DPoP) challenge, when there is one. */
  challenge?: BearerChallenge;
  /** The JSON-RPC message that answered (JSON or the first event-stream message), when there is one. */
  message?: { result?: unknown; error?: { code: number; message: string; data?: unknown } };
  /** A tool-level challenge from the result's `_meta["mcp/www_authenticate"]`, parsed. */
  toolChallenge?: BearerChallenge;
}

/** What earlier phases learned. Checks read it; only the runner writes it. */
export interface AuditFacts {
  /** The negotiated protocol version and era, once connected. */
  protocolVersion?: string;
  era?: 'legacy' | 'stateless';
  /** The unauthenticated challenge that started discovery (if the server sent one). */
  challenge?: { exchange: number; status: number; challenge?: BearerChallenge };
  discovery?: DiscoveryResult;
  /** The tokens the audit signed in with; undefined when sign-in failed (then token checks skip). */
  tokens?: TokenSet;
  /** Why sign-in failed, when it did (a finding, not a crash). */
  signInFailure?: { code: string; message: string };
  /** tools/list as the server answered it (raw tool objects). */
  tools?: Array<Record<string, unknown>>;
  /** Why discovery failed, when it did (then sign-in cannot start). */
  discoveryFailure?: { code: string; message: string; hint?: string };
  /** Why the MCP session could not be opened (with the token, or anonymously), when it could not. */
  connectFailure?: { code: string; message: string };
  /**
   * A server that answers anonymously (per-tool security): the anonymous call of a tool it declares
   * protected, and how it was refused — an HTTP 401/403, a tool-level `_meta` challenge, not at all
   * (it answered), or unclear (an error result without a challenge: its input check may come first).
   */
  protectedCall?: { tool: string; via: 'http' | 'tool-result' | 'none' | 'unclear'; exchange: number };
  /** The audit used the sign-in the caller's secret store held (RunAuditOptions.reuseSignIn) instead of its own. */
  signInReused?: boolean;
  /** The `iss` values of the sign-in's authorization response (RFC 9207), when the callback arrived. */
  callbackIss?: string[];
  /**
   * Set when the server does not use OAuth at all — it answered every request without a token,
   * declares no protected tool and publishes no protected resource metadata — with that reason:
   * the checks about OAuth skip with it instead of failing.
   */
  noOAuth?: string;
}

export interface AuditContext {
  readonly serverUrl: URL;
  readonly conn: Connection;
  readonly options: AuditRunOptions;
  readonly facts: AuditFacts;
  /**
   * Send one MCP JSON-RPC request to `serverUrl` with exactly `auth` (nothing added), with the
   * headers the negotiated era needs (session id after an initialize in the legacy era,
   * `MCP-Protocol-Version` and the standard headers in 2026-07-28). Recorded in the trace.
   */
  mcp(method: string, params: Record<string, unknown> | undefined, auth: ProbeAuth): Promise<ProbeResponse>;
  /** Report a check. `category`, `title` and `spec` come from AUDIT_CHECKS unless given. */
  report(check: Omit<AuditCheck, 'category' | 'title' | 'spec'> & { spec?: string[]; title?: string }): void;
  /** Shorthand for a `skip` with its reason (and its code, when the remedy is a choice the front end words). */
  skip(id: AuditCheckId, reason: string, subject?: string, code?: AuditSkipReason): void;
  /** Sleep (injected clock in tests). */
  sleep(ms: number): Promise<void>;
}

/** A check module. */
export type AuditPhase = (ctx: AuditContext) => Promise<void>;
