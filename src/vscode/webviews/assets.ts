/**
 * The files of the extension's own folder that the panels and the extension load at run time, by
 * path segments under the extension root. html.ts and panels.ts build their URIs from these, and the packaging test
 * (test/package/vsix.test.ts) checks that each one is inside the VSIX, so a file left out by
 * .vscodeignore fails a test instead of shipping unstyled panels. No `vscode` import: plain Node reads it.
 */
export const PANEL_STYLESHEETS = [
  ['dist', 'codicons', 'codicon.css'],
  ['media', 'webview.css'],
] as const;
export const PANEL_SCRIPT = ['dist', 'webview.js'] as const;
/** The App view panel's script: the MCP Apps host bridge (esbuild.mjs, webview-ui/app/main.ts). */
export const APP_VIEW_SCRIPT = ['dist', 'appView.js'] as const;
export const PANEL_ICON = ['media', 'activity.svg'] as const;
/**
 * The Client ID Metadata Document this extension publishes (registration.ts DEFAULT_CLIENT_METADATA_URL
 * serves this file); it ships so a user can publish their own copy from the installed extension.
 */
export const CLIENT_METADATA_DOCUMENT = ['media', 'client-metadata.json'] as const;

/**
 * The extension's code besides `main` (dist/extension.js, which the manifest names): the engine
 * bundle that src/vscode/engine.ts loads on the first connect (esbuild.mjs), and both bundles' source
 * maps, which the log reads for stack traces (src/vscode/stackMap.ts).
 */
export const ENGINE_BUNDLE = ['dist', 'engine.js'] as const;
export const SOURCE_MAPS = [
  ['dist', 'extension.js.map'],
  ['dist', 'engine.js.map'],
] as const;

/** Every file above, as a relative path with `/`. */
export const RUNTIME_ASSETS: readonly string[] = [...PANEL_STYLESHEETS, PANEL_SCRIPT, APP_VIEW_SCRIPT, PANEL_ICON, CLIENT_METADATA_DOCUMENT, ENGINE_BUNDLE, ...SOURCE_MAPS].map((p) => p.join('/'));
