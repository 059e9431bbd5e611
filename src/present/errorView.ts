/**
 * An error as it crosses to a panel (a reply, a call record): its code and its parts as fields —
 * the bare detail, the step, the URL, the hint, the scopes a server asks for — each redacted, so the
 * panel composes them (src/shared/codes.ts errorText) and never cuts them out of a message. An
 * error that is not an InspectorError (a bug, or a library's own) is 'internal' with its message.
 * No vscode, no DOM.
 */
import { isInspectorError } from '../core/errors';
import type { ErrorCode, ErrorView } from '../shared/codes';

export function errorView(err: unknown, redact: (s: string) => string): ErrorView<ErrorCode> & { scopes?: string[] } {
  if (!isInspectorError(err)) return { code: 'internal', message: redact(String((err as Error)?.message ?? err)) };
  return {
    code: err.code,
    message: redact(err.detail),
    ...(err.step ? { step: redact(err.step) } : {}),
    ...(err.url ? { url: redact(err.url) } : {}),
    ...(err.hint ? { hint: redact(err.hint) } : {}),
    ...(err.scopes ? { scopes: err.scopes } : {}),
  };
}
