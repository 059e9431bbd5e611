/**
 * One error type for everything the engine reports. Callers switch on `code`, never on the message
 * (the panva/jose `util/errors.ts` pattern). Every message says what failed, where (step and URL)
 * and what to do next, and never carries a secret: messages are built from redacted inputs only.
 */
export type InspectorErrorCode =
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
  | 'tool_not_found'
  | 'skill_verification_failed'
  | 'invalid_arguments'
  // everything else
  | 'config_invalid'
  | 'internal';

export interface InspectorErrorDetails {
  /** The step of the flow, e.g. "protected resource discovery". */
  step?: string;
  /** The URL involved, already free of secrets (no query string with codes or tokens). */
  url?: string;
  /**
   * The field a refused URL came from (`token_endpoint`, `authorization_servers`, `jwks_uri`,
   * `resource_metadata (WWW-Authenticate)`, `redirect (Location)` …), when it came from a document.
   */
  field?: string;
  /** What the user can do about it. */
  hint?: string;
  /**
   * For 'authorization_required' / 'insufficient_scope': the scopes the server asks for (its
   * challenge's `scope`, else what scope selection would ask for). Scope names are not secrets.
   */
  scopes?: string[];
  cause?: unknown;
}

/** Marks InspectorErrors across copies of this module (the extension and engine bundles each hold one). */
const BRAND = Symbol.for('mcp-oauth-inspector.InspectorError');

export class InspectorError extends Error {
  /**
   * `instanceof InspectorError` holds for an InspectorError made by either bundle's copy of this
   * class (dist/extension.js and dist/engine.js, see esbuild.mjs): errors cross between them.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== InspectorError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  readonly code: InspectorErrorCode;
  /** What happened, without the step, URL and hint that `message` composes around it for display. */
  readonly detail: string;
  readonly step?: string;
  readonly url?: string;
  readonly field?: string;
  readonly hint?: string;
  readonly scopes?: string[];

  constructor(code: InspectorErrorCode, message: string, details: InspectorErrorDetails = {}) {
    super(composeMessage(message, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'InspectorError';
    Object.defineProperty(this, BRAND, { value: true });
    this.code = code;
    this.detail = message;
    this.step = details.step;
    this.url = details.url;
    this.field = details.field;
    this.hint = details.hint;
    this.scopes = details.scopes;
  }
}

function composeMessage(message: string, d: InspectorErrorDetails): string {
  let out = message;
  if (d.step) out = `${d.step}: ${out}`;
  if (d.url) out += ` (${d.url})`;
  if (d.hint) out += `. ${d.hint}`;
  return out;
}

export function isInspectorError(err: unknown, code?: InspectorErrorCode): err is InspectorError {
  return err instanceof InspectorError && (code === undefined || err.code === code);
}
