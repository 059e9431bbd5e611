/**
 * One error type for everything the engine reports. Callers switch on `code`, never on the message
 * (the panva/jose `util/errors.ts` pattern). Every error says what failed (`detail`), where (`step`,
 * `url`) and what to do next (`hint`) as fields; `message` composes them for display only
 * (`errorText` in src/shared/codes.ts), and nothing cuts them back out of it. No secret: messages are
 * built from redacted inputs only.
 */
import { errorText, type ErrorCode, type ErrorStep } from '../shared/codes';

/** The codes live in src/shared/codes.ts (the webview and the adapters name them too). */
export type InspectorErrorCode = ErrorCode;
export type { ErrorCode } from '../shared/codes';

export interface InspectorErrorDetails {
  /** The step of the flow, e.g. "protected resource metadata" (src/shared/codes.ts STEP). */
  step?: ErrorStep;
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
  readonly step?: ErrorStep;
  readonly url?: string;
  readonly field?: string;
  readonly hint?: string;
  readonly scopes?: string[];

  constructor(code: InspectorErrorCode, message: string, details: InspectorErrorDetails = {}) {
    super(errorText({ message, step: details.step, url: details.url, hint: details.hint }), details.cause === undefined ? undefined : { cause: details.cause });
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

export function isInspectorError(err: unknown, code?: InspectorErrorCode): err is InspectorError {
  return err instanceof InspectorError && (code === undefined || err.code === code);
}
