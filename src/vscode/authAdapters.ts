import * as vscode from 'vscode';
import { InspectorError } from '../core/errors';
import { checkUrl, displayHost } from '../core/http/urlPolicy';
import { startLoopbackReceiver, type LoopbackReceiver, type LoopbackReceiverOptions } from '../core/oauth/redirect/loopback';
import type { RedirectReceiverFactory } from '../core/oauth/redirect/redirectReceiver';
import { engine } from './engine';
import type { Browser, Prompt } from '../core/ports';
import type { RedirectMode, RedirectModeSetting } from './settings';
import type { UriHandlerRedirects } from './uriHandler';
import { STEP } from '../shared/codes';

/**
 * The engine's Browser port: `vscode.env.openExternal` with the URL as one value (never a shell),
 * only after the URL policy. The real host is shown in the progress notification by the caller.
 */
export function editorBrowser(onOpen?: (host: string) => void): Browser {
  return {
    async open(url) {
      const checked = checkUrl(url, 'authorization URL');
      onOpen?.(displayHost(checked));
      // The URL string, not a vscode.Uri: a Uri keeps its query decoded, and openExternal(Uri) re-encodes
      // it, so a parameter whose value holds an encoded '&', '=' or '?' is split or changed on the way —
      // e.g. a redirect_uri with its own query, which the editor's callback URL in a browser-based
      // editor has. The extension host's openExternal also takes the string and then opens it as is
      // (extHostWindow.openUri → MainThreadWindow.$openUri → OpenerService "open the url-string AS IS").
      const ok = await vscode.env.openExternal(checked.href as unknown as vscode.Uri);
      if (!ok) {
        throw new InspectorError('browser_open_failed', `the browser was not opened for ${displayHost(checked)}`, {
          step: STEP.authorizationRequest,
          hint: 'Allow the link, or copy the authorization URL from the log',
        });
      }
    },
  };
}

/**
 * Questions the engine asks: confirm a new authorization host (showing the real host, so
 * `https://good.example@evil.example/` reads `evil.example`), and client credentials when no
 * automatic registration is possible.
 */
export function editorPrompt(): Prompt {
  return {
    async confirmAuthorizationHost(host) {
      const choice = await vscode.window.showInformationMessage(
        `Sign in at ${host}?`,
        { modal: true, detail: `The MCP server sends you to ${host} to sign in. Continue only if you trust this authorization server.` },
        'Open Browser',
      );
      return choice === 'Open Browser';
    },
    async askClientCredentials(issuer, why) {
      const client_id = await vscode.window.showInputBox({
        title: 'Client registration needed',
        prompt: engine().clientIdPromptText(issuer, why),
        ignoreFocusOut: true,
      });
      if (!client_id) return undefined;
      const client_secret = await vscode.window.showInputBox({
        title: 'Client secret (optional)',
        prompt: 'Leave empty for a public client. Stored only in SecretStorage.',
        password: true,
        ignoreFocusOut: true,
      });
      return { client_id, client_secret: client_secret || undefined };
    },
  };
}

/**
 * The loopback receiver, reached through `vscode.env.asExternalUri` in 'external' mode: in
 * Remote-SSH, WSL, Codespaces or code-server the browser cannot reach a port on the extension host
 * directly, and the forwarded URI drops the path, so the receiver also accepts the callback at '/'
 * (the core receiver always does) and any Host header (the forwarder's).
 */
export function externalReceiver(): (opts: LoopbackReceiverOptions) => Promise<LoopbackReceiver> {
  return async (opts) => {
    const inner = await startLoopbackReceiver({ ...opts, allowAnyHost: true });
    const external = await vscode.env.asExternalUri(vscode.Uri.parse(inner.redirectUri));
    const redirectUri = external.toString(true);
    return {
      get redirectUri() {
        return redirectUri;
      },
      get port() {
        return inner.port;
      },
      waitForCallback: () => inner.waitForCallback(),
      close: () => inner.close(),
    };
  };
}

/**
 * The redirect mode a setting means here. 'auto' cannot know whether the user's browser reaches a
 * port on the extension host, so it goes by where the extension host runs: in a remote window
 * (Remote-SSH, WSL, containers, Codespaces, tunnels — `env.remoteName` is set) or a browser-based
 * editor (code-server, vscode.dev — `UIKind.Web`) the port is forwarded ('external'); on a local
 * desktop the browser reaches it directly ('loopback'). 'uriHandler' is never guessed: it is the
 * fallback the user picks when forwarding is not possible.
 */
export function effectiveRedirectMode(setting: RedirectModeSetting): RedirectMode {
  if (setting !== 'auto') return setting;
  return vscode.env.remoteName !== undefined || vscode.env.uiKind === vscode.UIKind.Web ? 'external' : 'loopback';
}

/** The engine's receiver factory (and, for headless sign-in, how the callback is delivered) for a mode. */
export function redirectFor(mode: RedirectMode, uriRedirects: UriHandlerRedirects): { startReceiver: RedirectReceiverFactory; headlessDeliver?: (url: URL) => Promise<void> } {
  switch (mode) {
    case 'uriHandler':
      return { startReceiver: uriRedirects.startReceiver, headlessDeliver: uriRedirects.deliver };
    case 'external':
      return { startReceiver: externalReceiver() };
    case 'loopback':
      return { startReceiver: startLoopbackReceiver };
  }
}
