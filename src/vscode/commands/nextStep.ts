import * as vscode from 'vscode';
import { isInspectorError } from '../../core/errors';
import { sanitizeServerText } from '../../core/text/scrub';
import { isAuthProblem } from '../../shared/codes';
import type { ServerConnection } from '../connections';
import type { Services } from '../services';

/**
 * An error as a notification (an InspectorError's message already says step, URL and what to do);
 * redacted, and server text cannot form a markdown link (`[x](command:…)` would be clickable).
 */
function notificationText(s: Services, err: unknown): string {
  return sanitizeServerText(s.redactor.text((err as Error)?.message ?? String(err)), 1000);
}

/**
 * Errors whose notification offerNextStep already put up, so the command table shows no second one.
 * A WeakSet here, in the adapter that shows them, instead of a `shown` flag written onto the error:
 * the error stays as the engine made it (typed; possibly another bundle's InspectorError), the
 * question is asked in a typed way, a thrown non-object is not swapped for a wrapper object by
 * Object.assign, and the entry goes with the error (FailureLog logs once the same way,
 * src/present/failureLine.ts).
 */
const offered = new WeakSet<object>();

/** Whether offerNextStep has already shown this error. */
export function nextStepOffered(err: unknown): boolean {
  return typeof err === 'object' && err !== null && offered.has(err);
}

/**
 * Errors offer the next step: Sign In Again (for an authorization problem of a known server), Retry
 * (the same command again), Show Log. The buttons run fixed commands; nothing from the error text.
 */
export async function offerNextStep(s: Services, err: unknown, opts: { server?: ServerConnection; retry?: () => Thenable<unknown> }): Promise<void> {
  if (typeof err === 'object' && err !== null) offered.add(err);
  const message = notificationText(s, err);
  const c = opts.server;
  // src/shared/codes.ts isAuthProblem: the one list (the tools panel's "Sign in and call" uses it too).
  const authProblem = !!c && isInspectorError(err) && isAuthProblem(err.code);
  const actions = [...(authProblem ? ['Sign In Again'] : []), ...(opts.retry ? ['Retry'] : []), 'Show Log'];
  const choice = await vscode.window.showErrorMessage(c ? `${c.entry.name}: ${message}` : message, ...actions);
  if (choice === 'Retry') await opts.retry?.();
  else if (choice === 'Sign In Again' && c) {
    await c.signOut();
    await vscode.commands.executeCommand('mcpOAuthInspector.connect', { url: c.entry.url, name: c.entry.name });
  } else if (choice === 'Show Log') s.channel.show(true);
}
