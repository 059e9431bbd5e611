/**
 * Sign-in from a panel (tools, resources, prompts, an App view): under a cancellable progress
 * notification that names the authorization server's host once the browser is sent there. One
 * module the panels share, so none of them imports another panel's module for it.
 */
import * as vscode from 'vscode';
import type { ServerConnection } from '../connections';

/**
 * Runs `fn` (a sign-in or step-up, possibly a call that may step up further) under a cancellable
 * progress notification that names the authorization server's host once the browser is sent there.
 * Cancel ends the wait for the browser (authorization_cancelled); the session stays connected.
 */
export function withSignInProgress<T>(c: ServerConnection, what: string, fn: () => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MCP Inspector: ${c.entry.name}`, cancellable: true }, async (progress, token) => {
      progress.report({ message: `${what}…` });
      const sub = c.onDidChange(() => {
        if (c.authHost) progress.report({ message: `${what}: sign in at ${c.authHost} in your browser…` });
      });
      const cancel = token.onCancellationRequested(() => c.cancelSignIn());
      try {
        return await fn();
      } finally {
        sub.dispose();
        cancel.dispose();
      }
    }),
  );
}

/** Signs in (or steps up) for `scopes` on top of what the token holds; returns when tokens are stored. */
export async function signInFor(c: ServerConnection, scopes: string[]): Promise<void> {
  await withSignInProgress(c, scopes.length ? `signing in for ${scopes.join(' ')}` : 'signing in', () => c.signInFor(scopes));
}
