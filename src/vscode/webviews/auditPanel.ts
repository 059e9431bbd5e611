import * as os from 'node:os';
import * as vscode from 'vscode';
import { auditJson, auditJunit, auditMarkdown } from '../../present/audit';
import { auditReportView, exportFileName } from '../../present/auditView';
import { serverSummary } from '../../present/summaries';
import type { AuditReport } from '../../shared/audit';
import type { AuditExportFormat, AuditState } from '../../shared/protocol';
import { auditRun } from '../audits';
import type { ServerConnection } from '../connections';
import { revealExchange } from './flowPanel';
import type { PanelController } from './panels';

/**
 * The Audit panel's state: the last report of this server grouped for reading (src/present/auditView.ts),
 * whether an audit is running, why the last one produced no report. The report holds no secret.
 */
export function auditState(c: ServerConnection): AuditState {
  const run = auditRun(c);
  return {
    server: serverSummary(c),
    running: run?.running,
    report: run?.report ? auditReportView(run.report) : undefined,
    callTools: run?.report ? run.callTools : undefined,
    error: run?.error,
    exchangesShown: !!run?.trace && run.trace === c.conn?.trace,
  };
}

/** Which filter the save dialog offers. */
const EXPORT_FILES: Record<AuditExportFormat, { ext: string; filter: string }> = {
  markdown: { ext: 'md', filter: 'Markdown' },
  json: { ext: 'json', filter: 'JSON' },
  junit: { ext: 'xml', filter: 'JUnit XML' },
};

/** Where the save dialog starts: the first workspace folder, else the home directory. */
function exportFolder(): vscode.Uri {
  return vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
}

/** Saves the last report where the person picks; the webview never names a path. */
export async function exportAudit(c: ServerConnection, format: AuditExportFormat, pick: (defaultUri: vscode.Uri) => Thenable<vscode.Uri | undefined> = defaultPick(format)): Promise<{ saved: boolean; file?: string }> {
  const report = auditRun(c)?.report;
  if (!report) throw new Error(`There is no audit of ${c.entry.name} to export yet: run "MCP Inspector: Audit Server" first.`);
  const target = await pick(vscode.Uri.joinPath(exportFolder(), exportFileName(report.server, format)));
  if (!target) return { saved: false };
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(renderReport(report, format)));
  const file = target.path.split('/').pop() ?? target.path;
  void vscode.window.showInformationMessage(`Saved the audit of ${c.entry.name} as ${file}.`, 'Open').then((x) => x && vscode.window.showTextDocument(target));
  return { saved: true, file };
}

function defaultPick(format: AuditExportFormat): (defaultUri: vscode.Uri) => Thenable<vscode.Uri | undefined> {
  const f = EXPORT_FILES[format];
  return (defaultUri) => vscode.window.showSaveDialog({ defaultUri, filters: { [f.filter]: [f.ext] }, title: `Export the audit as ${f.filter}`, saveLabel: 'Export' });
}

/** The exports are the CLI's (--markdown, --json, --junit): one renderer each, in src/present/audit.ts. */
const RENDERERS: Record<AuditExportFormat, (r: AuditReport) => string> = { markdown: auditMarkdown, json: auditJson, junit: auditJunit };

export function renderReport(report: AuditReport, format: AuditExportFormat): string {
  return RENDERERS[format](report);
}

export function auditController(): PanelController {
  return {
    kind: 'audit',
    title: (c) => `Audit — ${c.entry.name}`,
    async state(panel) {
      return { method: 'state/audit', params: auditState(panel.server) };
    },
    requests: {
      'audit/run': async (panel) => {
        // The command asks before calling tools with side effects, runs under its progress
        // notification and updates this panel through the server's change event.
        const r = await vscode.commands.executeCommand<unknown>('mcpOAuthInspector.auditServer', panel.server.entry.id);
        return { ran: !!r && typeof r === 'object' && 'checks' in r };
      },
      'audit/export': async (panel, params) => exportAudit(panel.server, params.format),
      'audit/showExchange': async (panel, params) => {
        const run = auditRun(panel.server);
        if (!run?.trace || run.trace !== panel.server.conn?.trace) {
          throw new Error('This exchange was recorded by a connection that is gone (the server was reconnected or the window reloaded since). Run the audit again to record its exchanges.');
        }
        const flow = panel.s.panels.show('flow', panel.server, { beside: true });
        revealExchange(flow, params.exchange);
        return { shown: true };
      },
    },
  };
}
