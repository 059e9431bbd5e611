import * as vscode from 'vscode';
import { isInspectorError } from '../../core/errors';
import { sanitizeServerText } from '../../core/text/scrub';
import type { ServerConnection } from '../connections';
import type { Services } from '../services';

/**
 * An error as a notification (an InspectorError's message already says step, URL and what to do);
 * redacted, and server text cannot form a markdown link (`[x](command:…)` would be clickable).
 */
function notificationText(s: Services, err: unknown): string {
  return sanitizeServerText(s.redactor.text((err as Error)?.message ?? String(err)), 1000);
}

/** Error codes for which signing in again (fresh tokens, or a fresh client) is the likely fix. */
const AUTH_PROBLEMS = ['invalid_grant', 'invalid_client', 'unauthorized', 'insufficient_scope', 'refresh_failed', 'authorization_required', 'token_request_failed'];

/**
 * Errors offer the next step: Sign In Again (for an authorization problem of a known server), Retry
 * (the same command again), Show Log. The buttons run fixed commands; nothing from the error text.
 */
export async function offerNextStep(s: Services, err: unknown, opts: { server?: ServerConnection; retry?: () => Thenable<unknown> }): Promise<void> {
  const message = notificationText(s, err);
  const c = opts.server;
  const authProblem = !!c && isInspectorError(err) && AUTH_PROBLEMS.includes(err.code);
  const actions = [...(authProblem ? ['Sign In Again'] : []), ...(opts.retry ? ['Retry'] : []), 'Show Log'];
  const choice = await vscode.window.showErrorMessage(c ? `${c.entry.name}: ${message}` : message, ...actions);
  if (choice === 'Retry') await opts.retry?.();
  else if (choice === 'Sign In Again' && c) {
    await c.signOut();
    await vscode.commands.executeCommand('mcpOAuthInspector.connect', { url: c.entry.url, name: c.entry.name });
  } else if (choice === 'Show Log') s.channel.show(true);
}
