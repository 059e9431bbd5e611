/**
 * The benchmark's in-host part: VS Code (code-server) loads this bundle as `extensionTestsPath` and
 * awaits `run()` inside the real extension host, once per window load (bench/host/runHost.ts).
 * It measures, in this host:
 *  - `ext.activate()`: loading dist/extension.js and running activate() (the time inside activate()
 *    alone is in the extension's log line "activated in N ms", which the runner reads);
 *  - connecting the extension to the 1,000-tool fixture (initialize, tools/list, per-tool security);
 *  - the Servers tree over those tools: getChildren(root) → getChildren(server) → getTreeItem × 1,000;
 *  - the tools webview over those tools: its own render time (first and repeated) and the host's
 *    time from opening the panel to that first render.
 * The numbers go to a JSON file in MCP_BENCH_OUT; the fixture's URL comes in MCP_BENCH_LARGE_URL.
 * Not a test suite: it never runs in `npm test`.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import pkg from '../../package.json';
import type { ServerConnection } from '../../src/vscode/connections';
import type { ServerEntry } from '../../src/vscode/serverStore';
import type { Services } from '../../src/vscode/services';
import { BENCH_LARGE_URL_ENV, BENCH_OUT_ENV, type HostRun } from './protocol';

/** Re-renders measured after the first (the same state pushed again: what a token change costs). */
const RERENDERS = 5;

/**
 * The tools webview over `server`'s tools, measured inside the webview: from the arrival of a
 * `state/tools` push to the end of DOM building, style and layout (the panel's `tools/rendered`
 * report). The first render of a freshly opened panel, then RERENDERS pushes of the same state;
 * `openMs` is the host's view of the whole thing: show() until the first report (webview load included).
 */
export async function toolsWebviewRender(s: Services, server: ServerConnection): Promise<{ firstMs: number; rerenderMs: number[]; openMs: number }> {
  const t0 = performance.now();
  const panel = s.panels.show('tools', server);
  try {
    const next = (): Promise<number> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          sub.dispose();
          reject(new Error('the tools panel reported no render of all the tools within 60 s'));
        }, 60_000);
        const sub = panel.onDidRender((r) => {
          if (r.tools !== server.tools.length) return; // an earlier, partial state
          clearTimeout(timer);
          sub.dispose();
          resolve(r.ms);
        });
      });
    const firstMs = await next();
    const openMs = performance.now() - t0;
    const rerenderMs: number[] = [];
    for (let i = 0; i < RERENDERS; i++) {
      const p = next();
      panel.refresh();
      rerenderMs.push(await p);
    }
    return { firstMs, rerenderMs, openMs };
  } finally {
    panel.dispose();
  }
}

function write(dir: string, r: HostRun): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `load-${Date.now()}-${process.pid}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(r, null, 2));
  renameSync(`${file}.tmp`, file); // the runner never reads half a file
}

export async function run(): Promise<void> {
  const dir = process.env[BENCH_OUT_ENV];
  const url = process.env[BENCH_LARGE_URL_ENV];
  if (!dir || !url) throw new Error(`${BENCH_OUT_ENV} and ${BENCH_LARGE_URL_ENV} must be set (bench/host/runHost.ts sets them)`);
  const r: HostRun = { pid: process.pid };
  try {
    const ext = vscode.extensions.getExtension<Services>(`${pkg.publisher}.${pkg.name}`);
    if (!ext) throw new Error(`extension ${pkg.publisher}.${pkg.name} is not loaded in this host`);
    r.wasActive = ext.isActive;
    const t0 = performance.now();
    await ext.activate();
    r.activateMs = performance.now() - t0;
    const s = ext.exports;

    const entry: ServerEntry = { id: 'bench-large-server', name: 'Bench: 1,000 tools', url };
    await s.servers.upsert(entry);
    const server = s.registry.for(entry);
    try {
      const t1 = performance.now();
      await server.connect();
      r.connectListMs = performance.now() - t1;
      r.tools = server.tools.length;

      const pass = (): { ms: number; items: number } => {
        const t = performance.now();
        const root = s.tree.getChildren().find((n) => n.kind === 'server' && n.server.entry.id === entry.id);
        if (!root) throw new Error('the bench server is not in the tree');
        let items = 0;
        for (const node of s.tree.getChildren(root)) {
          s.tree.getTreeItem(node);
          items++;
        }
        return { ms: performance.now() - t, items };
      };
      const first = pass();
      r.treeFirstMs = first.ms;
      r.treeItems = first.items;
      r.treeMs = Array.from({ length: 7 }, () => pass().ms);
      const w = await toolsWebviewRender(s, server);
      r.webviewRenderMs = w.firstMs;
      r.webviewRerenderMs = w.rerenderMs;
      r.webviewOpenMs = w.openMs;
    } finally {
      await s.registry.remove(entry.id);
      await s.servers.remove(entry.id);
    }
  } catch (err) {
    r.error = String((err as Error)?.stack ?? err);
  }
  // Leave nothing the next window load would restore and activate the extension for (the tools
  // panel: onWebviewPanel; the Servers view: onView), so each load measures a cold ext.activate().
  await vscode.commands.executeCommand('workbench.action.closeAllEditors').then(undefined, () => undefined);
  await vscode.commands.executeCommand('workbench.action.closeSidebar').then(undefined, () => undefined);
  await vscode.commands.executeCommand('workbench.action.closePanel').then(undefined, () => undefined);
  write(dir, r);
}
