import * as vscode from 'vscode';
import { registerCommands } from './vscode/commands/table';
import { SCHEME } from './vscode/documents';
import { createServices, type Services } from './vscode/services';

let services: Services | undefined;

/**
 * How long evaluating the bundle took before activate() could run: esbuild.mjs puts
 * `var __bundleEvalStart = performance.now()` at the top of dist/extension.js, and with esbuild's
 * scope hoisting this module's body runs after every module it imports. Undefined from the sources.
 */
declare const __bundleEvalStart: number | undefined;
const bundleEvalMs = typeof __bundleEvalStart === 'number' ? performance.now() - __bundleEvalStart : undefined;

/** Thin by design (house rule 6): build services, register the views and the command table. */
export function activate(context: vscode.ExtensionContext): Services {
  const started = performance.now();
  services = createServices(context);
  const s = services;
  const view = vscode.window.createTreeView('mcpOAuthInspector.servers', { treeDataProvider: s.tree, showCollapseAll: true });
  s.tree.view = view;
  context.subscriptions.push(view, vscode.workspace.registerTextDocumentContentProvider(SCHEME, s.documents));
  // Sign-in callbacks in the 'uriHandler' redirect mode (accepted only while a sign-in waits for one).
  context.subscriptions.push(vscode.window.registerUriHandler(s.uriRedirects));
  // Another window signed in or out: reload what this window shows.
  context.subscriptions.push(
    s.secrets.onDidChange((key) => {
      for (const c of s.registry.all()) c.secretChanged(key);
    }),
  );
  registerCommands(s);
  // The time spent here is what `npm run bench` reports as activate() time (read from this line).
  const evaluated = bundleEvalMs === undefined ? '' : ` (dist/extension.js evaluated in ${bundleEvalMs.toFixed(1)} ms before that)`;
  s.log.info(`MCP OAuth Inspector ${s.version} activated in ${(performance.now() - started).toFixed(1)} ms${evaluated}`);
  return s;
}

export function deactivate(): void {
  // Everything is in context.subscriptions; VS Code disposes it.
  services = undefined;
}
