import * as vscode from 'vscode';
import { CallbackDispatcher, type DispatchOutcome } from '../core/oauth/redirect/callbackDispatcher';
import type { RedirectReceiverFactory } from '../core/oauth/redirect/redirectReceiver';
import type { Logger } from '../core/ports';

/** The one path the URI handler accepts callbacks on. */
export const CALLBACK_PATH = '/callback';

/**
 * The `uriHandler` redirect mode: the authorization server sends the browser back to the editor
 * itself. The redirect URI is `asExternalUri(${uriScheme}://publisher.name/callback)`: on desktop that
 * stays `vscode://…` (the operating system hands it to VS Code); in a browser-based editor
 * (code-server, Codespaces) it becomes an https/http URL of the editor whose page forwards the
 * callback to the workbench. Either way VS Code calls `handleUri`, which hands it to the engine's
 * CallbackDispatcher: only the callback path, only while a sign-in is pending, routed by `state`.
 *
 * Registered once in activate (`window.registerUriHandler`); one instance serves every server.
 */
export class UriHandlerRedirects implements vscode.UriHandler, vscode.Disposable {
  /** What VS Code delivers to `handleUri`, e.g. vscode://mcp-oauth-inspector.mcp-oauth-inspector/callback */
  readonly callbackUri: vscode.Uri;
  /** Receiver factory for the engine: a pending sign-in with a fresh external redirect URI. */
  readonly startReceiver: RedirectReceiverFactory;
  private readonly dispatcher: CallbackDispatcher;
  private readonly emitter = new vscode.EventEmitter<DispatchOutcome>();
  /** Fires with what became of each URI VS Code delivered (the log has the same, in words). */
  readonly onDidHandleUri = this.emitter.event;

  constructor(extensionId: string, log: Logger) {
    this.callbackUri = vscode.Uri.from({ scheme: vscode.env.uriScheme, authority: extensionId, path: CALLBACK_PATH });
    this.dispatcher = new CallbackDispatcher({ callbackUri: this.callbackUri.toString(true), logger: log });
    // Per sign-in: in a browser-based editor each asExternalUri call makes a new one-shot callback URL.
    this.startReceiver = this.dispatcher.factory(async () => (await vscode.env.asExternalUri(this.callbackUri)).toString(true));
  }

  handleUri(uri: vscode.Uri): void {
    this.emitter.fire(this.dispatcher.dispatch(uri));
  }

  /**
   * Headless sign-in: the engine's headless browser followed the redirects up to our redirect URI
   * (`vscode://…/callback?code…`, or the editor's external form `…/callback?vscode-reqid=…&code…`).
   * Hand it to VS Code's own URI routing, as the operating system or the editor's callback page does
   * for a real browser: `vscode.open` on a `${uriScheme}://` URI goes through the workbench's URL
   * service to the extension's UriHandler. The target is always our own callback URI; only the
   * OAuth parameters are carried over (the editor's `vscode-*` routing parameters are dropped, and
   * `vscode-query` merged, as its callback page does).
   */
  readonly deliver = async (url: URL): Promise<void> => {
    const params = new URLSearchParams(url.search);
    const inner = params.get('vscode-query');
    for (const key of ['vscode-reqid', 'vscode-scheme', 'vscode-authority', 'vscode-path', 'vscode-query', 'vscode-fragment']) params.delete(key);
    if (inner) for (const [k, v] of new URLSearchParams(inner)) params.set(k, v);
    await vscode.commands.executeCommand('vscode.open', this.callbackUri.with({ query: params.toString() }));
  };

  /** Sign-ins waiting for a callback. */
  get pending(): number {
    return this.dispatcher.size;
  }

  dispose(): void {
    this.dispatcher.dispose();
    this.emitter.dispose();
  }
}
