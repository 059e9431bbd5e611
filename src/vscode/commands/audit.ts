/**
 * "MCP Inspector: Audit Server": the engine's audit (src/core/audit) of one server, as the CLI's
 * `audit` runs it, with the server's stored configuration and SecretStorage — the connection the
 * editor connects with, so one sign-in serves the tree, the panels and every probe that needs a
 * token, and the audit's requests land in that connection's trace (the OAuth flow panel shows them).
 *
 * Tool calls have side effects: the audit calls only tools annotated `readOnlyHint: true` unless
 * the person agrees, in a modal that names the others, to calling every tool (docs/SECURITY.md).
 */
import * as vscode from 'vscode';
import { auditTreeLine, CALL_ALL_TOOLS, callToolsQuestion, toolsWithSideEffects } from '../../present/auditView';
import { errorView } from '../../present/errorView';
import { errorText } from '../../shared/codes';
import type { AuditReport } from '../../shared/audit';
import { auditRun, updateAuditRun } from '../audits';
import type { Trace } from '../../core/http/trace';
import type { ServerConnection } from '../connections';
import { engine } from '../engine';
import type { Services } from '../services';

export type CallTools = 'read-only' | 'all';

/** What code (tests, the panel's Re-run) may pass instead of the questions: `{ callTools }`. */
export interface AuditCommandOptions {
  callTools?: CallTools;
}

function parseOptions(v: unknown): AuditCommandOptions {
  const callTools = v && typeof v === 'object' ? (v as { callTools?: unknown }).callTools : undefined;
  return callTools === 'all' || callTools === 'read-only' ? { callTools } : {};
}

const CALL_ALL = CALL_ALL_TOOLS;
const READ_ONLY = 'Read-Only Tools Only';

async function askCallTools(c: ServerConnection): Promise<CallTools | undefined> {
  const names = toolsWithSideEffects(c.tools);
  if (names.length === 0) return 'read-only';
  const q = callToolsQuestion(c.entry.name, names);
  const choice = await vscode.window.showWarningMessage(q.message, { modal: true, detail: q.detail }, CALL_ALL, READ_ONLY);
  return choice === CALL_ALL ? 'all' : choice === READ_ONLY ? 'read-only' : undefined;
}

/**
 * Audits `c`: connects first when it is not connected (to know its tools; a server so misconfigured
 * that this fails is audited all the same, and its report says why), asks about tools with side
 * effects, runs the audit under a cancellable progress notification, keeps the report for the tree
 * and the Audit panel. Returns the report, or undefined when the person cancelled.
 */
export async function auditServer(s: Services, c: ServerConnection, arg?: unknown): Promise<AuditReport | undefined> {
  s.panels.show('audit', c);
  if (auditRun(c)?.running) {
    void vscode.window.showInformationMessage(`An audit of ${c.entry.name} is already running.`);
    return undefined;
  }
  const given = parseOptions(arg);
  updateAuditRun(c, { running: { since: Date.now() }, error: undefined });
  try {
    // (a connect already under way is left to finish: its tools are not known yet, so nothing is called)
    if (c.state !== 'connected' && c.state !== 'connecting') {
      const connected = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Audit of ${c.entry.name}`, cancellable: true },
        async (progress, token) => {
          progress.report({ message: 'connecting, to list its tools…' });
          const cancelled = new Promise<false>((resolve) =>
            token.onCancellationRequested(() => {
              c.cancelSignIn(); // a sign-in waiting for the browser ends as cancelled
              resolve(false);
            }),
          );
          // A failed connect is not the end of the audit: the report says what failed, and why.
          return Promise.race([c.connect().then(() => true, () => true), cancelled]);
        },
      );
      if (!connected) return cancelledRun(c, 'The audit was cancelled while connecting.');
    }
    const callTools = given.callTools ?? (await askCallTools(c));
    if (!callTools) return cancelledRun(c, 'The audit was cancelled: no tool was called.');
    const trace = c.ensureConn().trace;
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Auditing ${c.entry.name}`, cancellable: true },
      async (progress, token) => {
        progress.report({ message: callTools === 'all' ? 'every check, every tool…' : 'every check, read-only tools…' });
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          return await runEngineAudit(c, trace, callTools, abort.signal, (message) => progress.report({ message }));
        } finally {
          sub.dispose();
        }
      },
    );
    if (!report) return cancelledRun(c, 'The audit was cancelled before it finished: run it again for a report.');
    updateAuditRun(c, { running: undefined, report, callTools, trace, error: undefined });
    s.log.info(`Audited ${c.entry.name} in ${report.durationMs} ms (${report.requests} requests): ${auditTreeLine(report.summary)}, ${report.summary.skip} skip`);
    return report;
  } catch (err) {
    // The panel shows `message`, then `hint` apart: the message is the error without its hint
    // (errorText of the fields), so the hint is not shown twice.
    const { code, hint, ...where } = errorView(err, (t) => s.redactor.text(t));
    updateAuditRun(c, { running: undefined, error: { code, message: errorText(where), hint } });
    throw err;
  } finally {
    if (auditRun(c)?.running) updateAuditRun(c, { running: undefined });
  }
}

function cancelledRun(c: ServerConnection, message: string): undefined {
  updateAuditRun(c, { running: undefined, error: { code: 'cancelled', message } });
  return undefined;
}

/**
 * The engine's audit with the server's own connection options (its entry, the settings, SecretStorage,
 * the editor's browser and redirect receiver) and the server connection's trace, so the OAuth flow
 * panel shows the audit's requests as they are made and "show exchange" finds them there. The audit
 * reuses the sign-in SecretStorage holds for the server (the connection's, made when it connected),
 * so a connected server is audited without a second sign-in; one it signs in for itself is stored
 * there too, and the connection picks it up. Cancel aborts the run: no request is sent after it, a
 * sign-in waiting for the browser ends. Undefined when cancelled.
 */
async function runEngineAudit(c: ServerConnection, trace: Trace, callTools: CallTools, signal: AbortSignal, onProgress: (message: string) => void): Promise<AuditReport | undefined> {
  const base = c.connectionOptions();
  try {
    return await engine().runAudit({
      serverUrl: base.serverUrl,
      headless: base.headless,
      browser: base.browser,
      secrets: base.secrets,
      client: base.client,
      protocolVersion: base.protocolVersion,
      timeoutMs: base.timeoutMs,
      logger: base.logger,
      trace,
      redactor: base.redactor,
      // the rest as Connect has it (scopes, transport, allowed http hosts, redirect receiver, prompt…); not
      // the list-changed refresh, which belongs to the server's own session
      connection: { ...base, onListChanged: undefined },
      callTools,
      waitExpiry: false,
      clientId: c.entry.clientId,
      signal,
      reuseSignIn: true,
      onCheck: (check) => onProgress(`${check.level === 'skip' ? 'skipped' : check.level}: ${check.title}`),
    });
  } catch (err) {
    if (signal.aborted && (err as { code?: unknown })?.code === 'audit_cancelled') return undefined;
    throw err;
  }
}
