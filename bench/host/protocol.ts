/** What the in-host bench (inHost.ts, in the extension host) and its runner (runHost.ts, in Node) share. No vscode. */

export const BENCH_OUT_ENV = 'MCP_BENCH_OUT';
export const BENCH_LARGE_URL_ENV = 'MCP_BENCH_LARGE_URL';

export interface HostRun {
  pid: number;
  /** The extension was already active before this load measured it (then activateMs means nothing). */
  wasActive?: boolean;
  /** ext.activate(): module load + activate(). */
  activateMs?: number;
  /** ServerConnection.connect(): initialize, tools/list (1 page), per-tool security, lists. */
  connectListMs?: number;
  tools?: number;
  /** getChildren + getTreeItem for every node under the server, first pass and repeated passes. */
  treeFirstMs?: number;
  treeMs?: number[];
  treeItems?: number;
  /** The tools webview's first render of all the tools, measured in the webview (DOM, style, layout). */
  webviewRenderMs?: number;
  /** The same state pushed again, measured likewise. */
  webviewRerenderMs?: number[];
  /** In the host: opening the panel until the webview reports that first render (webview load included). */
  webviewOpenMs?: number;
  error?: string;
}

