/**
 * The MCP Messages panel's host side: the state is the server's message log (src/core/mcp/messageLog.ts,
 * one per engine connection), new entries go to the webview in batches, and the panel's requests
 * clear, export (save dialog; src/present/messages.ts renders, as for the CLI) and copy a request as
 * curl or fetch (src/present/curl.ts) to the clipboard. The flow panel's Copy buttons come here too.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { MessageLog } from '../../core/mcp/messageLog';
import type { TraceExchange } from '../../core/http/trace';
import { copyRequest, requestOfMessage, type CopyFormat } from '../../present/curl';
import { messagesJsonl, messagesMarkdown } from '../../present/messages';
import { serverSummary } from '../../present/summaries';
import type { MessageEntry, MessageExportFormat, MessagesState } from '../../shared/messages';
import type { ServerConnection } from '../connections';
import type { InspectorPanel, PanelController } from './panels';

/** How long new entries wait before they go to the webview (messages come in bursts). */
const APPEND_DELAY_MS = 100;
/** Characters of a payload sent to the webview (the log keeps more; the exports have that). */
const VIEW_PAYLOAD_CHARS = 16 * 1024;
export const MAX_ENTRIES_SETTING = 'messageLog.maxEntries';

/** A generation per (log, clear): the webview replaces its entries when it changes. */
const generations = new WeakMap<MessageLog, number>();
let nextGeneration = 1;
function generationOf(log: MessageLog): number {
  let g = generations.get(log);
  if (g === undefined) {
    g = nextGeneration++;
    generations.set(log, g);
  }
  return g;
}

function forView(e: MessageEntry): MessageEntry {
  if (e.payload.length <= VIEW_PAYLOAD_CHARS) return e;
  return { ...e, payload: e.payload.slice(0, VIEW_PAYLOAD_CHARS), truncatedFrom: e.truncatedFrom ?? e.payload.length };
}

/** The setting, within the engine's bounds (the engine clamps again). */
export function maxEntriesSetting(): number {
  const v = vscode.workspace.getConfiguration('mcpOAuthInspector').get<number>(MAX_ENTRIES_SETTING, 2000);
  return typeof v === 'number' && Number.isFinite(v) ? v : 2000;
}

export function messagesState(c: ServerConnection): MessagesState {
  const log = c.conn?.session.messages;
  if (!log) return { server: serverSummary(c), generation: 0, entries: [], dropped: 0, maxEntries: maxEntriesSetting() };
  const snap = log.snapshot();
  return { server: serverSummary(c), generation: generationOf(log), entries: snap.entries.map(forView), dropped: snap.dropped, maxEntries: snap.maxEntries };
}

const EXPORTS: Record<MessageExportFormat, { ext: string; filter: string }> = { jsonl: { ext: 'jsonl', filter: 'JSON Lines' }, markdown: { ext: 'md', filter: 'Markdown' } };

/** Saves the server's log where the person picks; the webview never names a path. */
export async function exportMessages(c: ServerConnection, format: MessageExportFormat, pick?: (defaultUri: vscode.Uri) => Thenable<vscode.Uri | undefined>): Promise<{ saved: boolean; file?: string }> {
  const log = c.conn?.session.messages;
  if (!log || log.entries().length === 0) throw new Error(`There are no messages of ${c.entry.name} to export yet: connect to it first.`);
  const f = EXPORTS[format];
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
  const safeName = c.entry.name.replace(/[^\w.-]+/g, '-').slice(0, 60) || 'server';
  const defaultUri = vscode.Uri.joinPath(folder, `mcp-messages-${safeName}.${f.ext}`);
  const target = await (pick ?? ((d) => vscode.window.showSaveDialog({ defaultUri: d, filters: { [f.filter]: [f.ext] }, title: `Export the MCP messages as ${f.filter}`, saveLabel: 'Export' })))(defaultUri);
  if (!target) return { saved: false };
  const snap = log.snapshot();
  const text = format === 'jsonl' ? messagesJsonl(snap.entries) : messagesMarkdown(c.entry, snap);
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  return { saved: true, file: target.path.split('/').pop() ?? target.path };
}

/** Copy the request a logged message went out in; the text has `$MCP_TOKEN`, never a token. */
export async function copyMessage(c: ServerConnection, seq: number, as: CopyFormat): Promise<{ copied: boolean }> {
  const e = c.conn?.session.messages.get(seq);
  if (!e) throw new Error('That message is not in the log any more (it was cleared, dropped as the oldest, or the server reconnected).');
  const request = requestOfMessage(e);
  if (!request) throw new Error(e.direction === 'in' ? 'That message came from the server: there is no request of ours to copy.' : 'That message went over stdio: there is no HTTP request to copy.');
  await vscode.env.clipboard.writeText(copyRequest(request, as));
  return { copied: true };
}

/** The OAuth flow panel's Copy buttons: the request of a trace exchange. */
export async function copyExchange(c: ServerConnection, exchange: number, as: CopyFormat): Promise<{ copied: boolean }> {
  const x = c.conn?.trace.all().find((e): e is TraceExchange => e.kind === 'http' && e.id === exchange);
  if (!x) throw new Error('That exchange is not in the trace any more (a reconnect starts a new one).');
  const r = x.request;
  // The trace caps a body with a marker of ours (http/wire.ts truncate): cut it off and say the copy is incomplete.
  const cut = r.body ? /… \[(\d+) more characters\]$/.exec(r.body) : null;
  const body = cut ? r.body!.slice(0, cut.index) : r.body;
  await vscode.env.clipboard.writeText(copyRequest({ method: r.method, url: r.url, headers: r.headers, body, bodyOmitted: cut ? Number(cut[1]) : undefined, title: `${x.step} (${x.purpose})` }, as));
  return { copied: true };
}

export function messagesController(): PanelController {
  return {
    kind: 'messages',
    title: (c: ServerConnection) => `MCP messages — ${c.entry.name}`,
    async state(panel) {
      return { method: 'state/messages', params: messagesState(panel.server) };
    },
    watch(panel: InspectorPanel, refresh) {
      let log: MessageLog | undefined;
      let offEntry: (() => void) | undefined;
      let offClear: (() => void) | undefined;
      let pending: MessageEntry[] = [];
      let timer: ReturnType<typeof setTimeout> | undefined;
      const flush = () => {
        timer = undefined;
        if (!log || !pending.length) return;
        const entries = pending.map(forView);
        pending = [];
        panel.notify('messages/append', { generation: generationOf(log), entries, dropped: log.dropped });
      };
      const attach = () => {
        offEntry?.();
        offClear?.();
        pending = [];
        log = panel.server.conn?.session.messages;
        if (!log) return;
        const current = log;
        offEntry = current.onEntry((e) => {
          pending.push(e);
          // never more than the log holds, however long a burst
          if (pending.length > current.capacity) pending.splice(0, pending.length - current.capacity);
          timer ??= setTimeout(flush, APPEND_DELAY_MS);
        });
        offClear = current.onClear(() => {
          generations.set(current, nextGeneration++);
          pending = [];
          refresh();
        });
      };
      attach();
      const sub = panel.server.onDidChange(() => {
        if (panel.server.conn?.session.messages !== log) attach();
      });
      const config = vscode.workspace.onDidChangeConfiguration((ev) => {
        if (ev.affectsConfiguration(`mcpOAuthInspector.${MAX_ENTRIES_SETTING}`)) {
          log?.setMaxEntries(maxEntriesSetting());
          refresh();
        }
      });
      return {
        dispose: () => {
          offEntry?.();
          offClear?.();
          sub.dispose();
          config.dispose();
          if (timer) clearTimeout(timer);
        },
      };
    },
    requests: {
      'messages/clear': async (panel) => {
        panel.server.conn?.session.messages.clear();
        return { cleared: true };
      },
      'messages/export': async (panel, params) => exportMessages(panel.server, params.format),
      'messages/copy': async (panel, params) => copyMessage(panel.server, params.seq, params.as),
    },
  };
}
