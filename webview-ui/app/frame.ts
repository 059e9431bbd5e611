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
export function pageWithCsp(html: string, csp: string, prelude = ''): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">${prelude}`;
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

/** The parts of the Apps SDK's `window.openai` the compatibility layer does not offer (listed in the panel). */
export const OPENAI_UNSUPPORTED = ['sendFollowUpMessage', 'requestModal', 'uploadFile', 'getFileDownloadUrl', 'requestClose', 'notifyIntrinsicHeight', 'widgetState persistence across reloads'];

/**
 * The Apps SDK compatibility layer (https://developers.openai.com/apps-sdk/reference): for a view named
 * by `openai/outputTemplate`, a script put before the view's own that gives it the `window.openai`
 * subset a view needs to run — `toolInput`, `toolOutput`, `toolResponseMetadata`, `callTool`,
 * `widgetState`/`setWidgetState` (in memory), `theme`, `displayMode`, `locale`, `maxHeight`,
 * `openExternal`, `requestDisplayMode` — spoken as the MCP Apps `ui/*` protocol to the same AppBridge,
 * so its calls get the same decisions as any view's. Globals changes are announced with the SDK's
 * `openai:set_globals` event. The parts in OPENAI_UNSUPPORTED reject or are absent.
 */
export const OPENAI_SHIM = `<script>(() => {
  let next = 1; const pending = new Map();
  const send = (method, params) => new Promise((resolve, reject) => { const id = next++; pending.set(id, { resolve, reject }); parent.postMessage({ jsonrpc: '2.0', id, method, params }, '*'); });
  const notify = (method, params) => parent.postMessage({ jsonrpc: '2.0', method, params }, '*');
  const unsupported = (name) => () => Promise.reject(new Error(name + ' is not supported by this host (MCP OAuth Inspector)'));
  const o = {
    toolInput: {}, toolOutput: null, toolResponseMetadata: null, widgetState: null, theme: 'light', displayMode: 'inline', locale: navigator.language, maxHeight: 4000, userAgent: { device: { type: 'desktop' }, capabilities: { hover: true, touch: false } }, safeArea: { insets: { top: 0, bottom: 0, left: 0, right: 0 } },
    callTool: (name, args) => send('tools/call', { name, arguments: args || {} }),
    setWidgetState: async (state) => { o.widgetState = state; changed({ widgetState: state }); },
    openExternal: ({ href }) => send('ui/open-link', { url: String(href) }),
    requestDisplayMode: async () => ({ mode: 'inline' }),
    sendFollowUpMessage: unsupported('sendFollowUpMessage'), requestModal: unsupported('requestModal'), uploadFile: unsupported('uploadFile'), getFileDownloadUrl: unsupported('getFileDownloadUrl'), requestClose: unsupported('requestClose'),
  };
  const changed = (globals) => window.dispatchEvent(new CustomEvent('openai:set_globals', { detail: { globals } }));
  Object.defineProperty(window, 'openai', { value: o, configurable: false, writable: false });
  window.addEventListener('message', (ev) => {
    if (ev.source !== parent) return;
    const m = ev.data;
    if (!m || m.jsonrpc !== '2.0') return;
    if (m.id !== undefined && pending.has(m.id) && !m.method) {
      const p = pending.get(m.id); pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error.message)); else p.resolve(m.result);
    } else if (m.method === 'ui/notifications/tool-input') { o.toolInput = (m.params && m.params.arguments) || {}; changed({ toolInput: o.toolInput }); }
    else if (m.method === 'ui/notifications/tool-result') { o.toolOutput = m.params && (m.params.structuredContent !== undefined ? m.params.structuredContent : m.params); o.toolResponseMetadata = (m.params && m.params._meta) || null; changed({ toolOutput: o.toolOutput, toolResponseMetadata: o.toolResponseMetadata }); }
    else if (m.method === 'ui/notifications/host-context-changed') { if (m.params && m.params.theme) { o.theme = m.params.theme; changed({ theme: o.theme }); } }
    else if (m.id !== undefined && m.method === 'ping') parent.postMessage({ jsonrpc: '2.0', id: m.id, result: {} }, '*');
    else if (m.id !== undefined && m.method) parent.postMessage({ jsonrpc: '2.0', id: m.id, result: {} }, '*');
  });
  send('ui/initialize', { appInfo: { name: 'apps-sdk-compat', version: '1' }, appCapabilities: {}, protocolVersion: '2026-01-26' }).then((r) => {
    const c = (r && r.hostContext) || {};
    o.theme = c.theme || o.theme; o.displayMode = c.displayMode || o.displayMode; o.locale = c.locale || o.locale;
    notify('ui/notifications/initialized', {});
    changed({ theme: o.theme, displayMode: o.displayMode, locale: o.locale });
  });
})();</script>`;
