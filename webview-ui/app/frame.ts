/**
 * The App view's frame, as data: the page the sandboxed frame gets (the view's HTML with its CSP as
 * the first thing in `<head>`), the host context from the editor's theme, and which messages the
 * panel's script accepts as the host's (never the frame's). Pure: tested in plain Node.
 */

/** Escapes an attribute value (the CSP is the host's own text, but an attribute is closed only by us). */
const attr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The view's page with its CSP meta element first in `<head>` (before any script of the view), so
 * the page cannot run anything before the policy applies. The frame also inherits the panel's policy
 * (a `srcdoc` document does): the two together, never less than the panel's.
 */
export function pageWithCsp(html: string, csp: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head && !/<script/i.test(html.slice(0, head.index))) return `${html.slice(0, head.index + head[0].length)}${meta}${html.slice(head.index + head[0].length)}`;
  return `<!DOCTYPE html><html><head>${meta}</head><body>${html}</body></html>`;
}

export type ThemeKind = 'light' | 'dark';

/** VS Code marks the webview's body with its theme kind (vscode-light, vscode-dark, vscode-high-contrast[-light]). */
export function themeOf(bodyClasses: string): ThemeKind {
  return /\bvscode-(dark|high-contrast)\b/.test(bodyClasses) && !/\bvscode-high-contrast-light\b/.test(bodyClasses) ? 'dark' : 'light';
}

/** The MCP Apps style variables (SEP-1865 host context `styles.variables`) from the editor's theme variables. */
export const STYLE_VARIABLES: Record<string, string> = {
  '--color-background-primary': '--vscode-editor-background',
  '--color-background-secondary': '--vscode-input-background',
  '--color-background-tertiary': '--vscode-sideBar-background',
  '--color-background-inverse': '--vscode-button-background',
  '--color-text-primary': '--vscode-editor-foreground',
  '--color-text-secondary': '--vscode-descriptionForeground',
  '--color-text-inverse': '--vscode-button-foreground',
  '--color-text-danger': '--vscode-errorForeground',
  '--color-text-info': '--vscode-textLink-foreground',
  '--color-border-primary': '--vscode-panel-border',
  '--color-border-secondary': '--vscode-input-border',
  '--color-ring-primary': '--vscode-focusBorder',
  '--font-sans': '--vscode-font-family',
  '--font-mono': '--vscode-editor-font-family',
  '--font-text-md-size': '--vscode-font-size',
};

/** The variables' values as the editor sets them now (empty ones left out). */
export function styleVariables(read: (name: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, vscodeVar] of Object.entries(STYLE_VARIABLES)) {
    const v = read(vscodeVar).trim();
    if (v) out[key] = v;
  }
  return out;
}

/**
 * Whether a `message` event is the host's (the extension's reply or push) rather than the view's: the
 * view's frame, and any frame it could open inside itself, post with themselves as the source, so a
 * source that is the view's window or has it among its parents is the view's. The host's messages come
 * from the editor's own frames (which window exactly is the editor's business), or with no source.
 * A cross-origin window's `parent` is readable (HTML: the cross-origin properties), so the walk works
 * on the view's opaque origin.
 */
export function fromHost(source: unknown, frame: unknown): boolean {
  let w = source as { parent?: unknown } | null | undefined;
  for (let i = 0; i < 16 && w; i++) {
    if (w === frame) return false;
    const up = w.parent as { parent?: unknown } | undefined;
    if (!up || up === w) break;
    w = up;
  }
  return true;
}
