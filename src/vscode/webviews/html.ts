import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { PanelKind } from '../../shared/protocol';
import { PANEL_SCRIPT, PANEL_STYLESHEETS } from './assets';

/** The folders a panel may load from (docs/ARCHITECTURE.md: `dist/` and `media/`, nothing else). */
export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}

/**
 * The panel's page: no inline script or style, one bundle loaded by a fresh nonce, and a CSP of
 * `default-src 'none'` (docs/SECURITY.md). Images and audio from tool results are shown as `data:` URIs
 * the webview builds from the result's base64 (`img-src`/`media-src data:`); nothing is fetched
 * from a server by the webview, so there is no network source at all.
 */
export function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, kind: PanelKind, title: string): string {
  const nonce = randomBytes(18).toString('base64');
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    'media-src data:',
    `script-src 'nonce-${nonce}'`,
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  return panelPage(webview, extensionUri, { kind, title, csp, script: PANEL_SCRIPT, nonce });
}

/**
 * The page every panel shares: the CSP, the stylesheets, an empty `#app` and one bundle. The panel
 * picks its CSP and bundle (the App view panel has its own, without a nonce: see viewPanelCsp).
 */
export function panelPage(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  page: { kind: PanelKind; title: string; csp: string; script: readonly string[]; nonce?: string },
): string {
  const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const esc = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const nonce = page.nonce === undefined ? '' : ` nonce="${page.nonce}"`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${esc(page.csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${PANEL_STYLESHEETS.map((p) => `<link rel="stylesheet" href="${uri(...p)}">`).join('\n')}
<title>${esc(page.title)}</title>
</head>
<body data-panel="${page.kind}">
<main id="app" aria-live="polite"><p class="muted">Loading…</p></main>
<script${nonce} src="${uri(...page.script)}"></script>
</body>
</html>`;
}
