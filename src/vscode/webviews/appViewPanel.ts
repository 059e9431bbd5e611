/**
 * The App view panel: an MCP App's `ui://` view (SEP-1865) in a sandboxed frame, with the official
 * host bridge (`@modelcontextprotocol/ext-apps` AppBridge) in the panel's script (webview-ui/app/).
 * This is the host end: it reads and checks the view (src/core/mcp/apps.ts), builds the panel's page
 * with the view's CSP, and decides every request the view makes — a tool call goes through the same
 * connection as the tools panel (same token, same sign-in / step-up offer), only to a tool the server
 * lists and not to one visible only to the model; a resource read only of `ui://`; a link only
 * through the URL policy and after the user confirms. docs/SECURITY.md "MCP App views".
 */
import * as vscode from 'vscode';
import { appViewFromRead, toolViewOf, viewPanelCsp, VIEW_SANDBOX, viewAllowAttribute, viewCspHeader, viewLinkDecision, viewResourceReadDecision, viewToolCallDecision, type AppView, type ToolView } from '../../core/mcp/apps';
import { errorView } from '../../present/errorView';
import { serverSummary } from '../../present/summaries';
import type { AppCallResult, AppCallView, AppRefusalView } from '../../shared/appView';
import { errorText, type ErrorView } from '../../shared/codes';
import { engine } from '../engine';
import type { ServerConnection } from '../connections';
import { APP_VIEW_SCRIPT } from './assets';
import { panelPage } from './html';
import type { InspectorPanel, PanelController } from './panels';
import { signInFor, withSignInProgress } from './signInProgress';
import type { CallHistory } from '../../present/callRecords';

const MAX_CALLS = 50;

/** What one open view holds on the host: the checked view, the call it was opened for, what it did. */
interface OpenView {
  tool: string;
  source: ToolView;
  view?: AppView;
  error?: ErrorView;
  input?: Record<string, unknown>;
  result?: unknown;
  refused: AppRefusalView[];
  calls: AppCallView[];
}

/** The open views, by server id (one App view panel per server, like every panel kind; a new Open view replaces it). */
const views = new Map<string, OpenView>();

function note(v: OpenView, call: Omit<AppCallView, 'at'>, c?: ServerConnection): void {
  v.calls.unshift({ ...call, at: Date.now() });
  v.calls.length = Math.min(v.calls.length, MAX_CALLS);
  // the flow's trace marks what the view asked for, next to the exchanges it caused
  const how = call.authenticated === undefined ? '' : call.authenticated ? ', with the token' : ', without a token';
  c?.conn?.trace.note('MCP app view', call.outcome === 'ok' ? 'info' : call.outcome === 'refused' || call.outcome === 'failed' ? 'warn' : 'info', `${call.what} from the view of ${v.tool} (${v.source.uri.slice(0, 120)}): ${call.outcome}${how}${call.detail ? ` — ${call.detail.slice(0, 300)}` : ''}`);
}

/** The App view panel's page: the AppView CSP below, no common panel script (its own bundle). */
export function appPanelHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, v: AppView | undefined): string {
  return panelPage(webview, extensionUri, { kind: 'app', title, csp: viewPanelCsp(webview.cspSource, v?.csp), script: APP_VIEW_SCRIPT });
}

async function connected(c: ServerConnection) {
  if (c.state !== 'connected' || !c.conn) await c.connect();
  return c.conn!;
}

/** Reads and checks the view of `tool`; a failure is kept as the panel's error. */
async function loadView(panel: { server: ServerConnection; s: InspectorPanel['s'] }, v: OpenView): Promise<void> {
  try {
    const conn = await connected(panel.server);
    const read = await engine().readResource(conn.session, v.source.uri, { authorize: false });
    v.view = appViewFromRead(v.source, panel.s.redactor.json(read) as { contents?: unknown; _meta?: unknown });
    v.refused = [...v.view.refused];
    v.error = undefined;
  } catch (err) {
    v.error = errorView(err, (t) => panel.s.redactor.text(t));
    panel.s.log.warn(`app view: ${v.source.uri.slice(0, 120)} of ${panel.server.entry.name} not shown: ${errorText(v.error)}`);
  }
}

/**
 * "Open view" in the tools panel: the record's tool must name a view; the view is read before the
 * panel opens, so the panel's page carries the view's CSP from its first load.
 */
export async function openToolView(panel: InspectorPanel, history: CallHistory, tool: string, recordId?: number): Promise<{ opened: boolean }> {
  const c = panel.server;
  const info = c.tools.find((t) => t.tool.name === tool);
  const source = info && toolViewOf(info.tool).view;
  if (!source) throw new Error(`${JSON.stringify(tool.slice(0, 80))} names no MCP App view (_meta.ui.resourceUri).`);
  const rec = recordId !== undefined ? history.get(c.entry.id, recordId) : undefined;
  const v: OpenView = { tool, source, refused: [], calls: [], input: rec?.args, result: rec?.ok ? { content: rec.content ?? [], structuredContent: rec.structuredContent, isError: rec.isError } : undefined };
  await loadView(panel, v);
  views.set(c.entry.id, v);
  // a panel open for another tool (or another read) is replaced: its page's CSP was that view's
  panel.s.panels.get('app', c.entry.id)?.dispose();
  panel.s.panels.show('app', c, { tool, beside: true });
  return { opened: true };
}

/** A view's tool call, decided, then made through the panel's connection (the same as the tools panel). */
async function viewToolCall(panel: InspectorPanel, v: OpenView, tool: string, args: Record<string, unknown>, signIn: boolean): Promise<AppCallResult> {
  const c = panel.server;
  const what = `tools/call ${tool.slice(0, 80)}`;
  const decision = viewToolCallDecision(tool, c.tools.map((t) => t.tool));
  if (!decision.ok) {
    v.refused.unshift({ what: 'request', field: what, value: tool.slice(0, 120), reason: decision.reason });
    note(v, { what, outcome: 'refused', detail: decision.reason }, c);
    panel.s.log.warn(`app view of ${c.entry.name}: refused ${what}: ${decision.reason}`);
    return { kind: 'refused', reason: decision.reason };
  }
  try {
    await connected(c);
    const info = c.tools.find((t) => t.tool.name === tool)!;
    if (signIn && info.security.requiresAuth && !info.security.covered) await signInFor(c, info.security.scopesNeeded);
    // origin: the message log marks this call and its answer as the view's ("from view" in the Messages panel)
    const call = () => c.inspectToolCall(tool, args, { authorize: signIn, origin: 'app-view' });
    const { result } = signIn ? await withSignInProgress(c, `calling ${tool} for the view`, call) : await call();
    const authenticated = !!c.conn?.auth.tokens;
    const safe = panel.s.redactor.json(result) as { isError?: boolean };
    // the log channel names the caller, like the trace: this call came from the view, with the token or without
    panel.s.log.info(`app view of ${c.entry.name}: ${what} (from the view, ${authenticated ? 'with the token' : 'anonymous'})${safe.isError ? ' → tool error' : ''}`);
    note(v, { what, outcome: safe.isError ? 'tool error' : 'ok', authenticated }, c);
    return { kind: 'result', result: safe };
  } catch (err) {
    const e = errorView(err, (t) => panel.s.redactor.text(t));
    if (!signIn && (e.code === 'insufficient_scope' || e.code === 'authorization_required')) {
      note(v, { what, outcome: 'needs sign-in', detail: errorText(e) }, c);
      return { kind: 'needs-sign-in', code: e.code, scopes: e.scopes ?? c.tools.find((t) => t.tool.name === tool)?.security.scopesNeeded ?? [], message: errorText(e) };
    }
    note(v, { what, outcome: 'failed', detail: errorText(e) }, c);
    panel.s.log.warn(`app view of ${c.entry.name}: ${what} failed: ${errorText(e)}`);
    throw err;
  }
}

export function appViewController(): PanelController {
  const current = (panel: InspectorPanel): OpenView => {
    const v = views.get(panel.server.entry.id);
    if (v && v.tool === panel.state.tool) return v;
    throw new Error('This view is no longer open: open it again from the tools panel (Open view).');
  };
  return {
    kind: 'app',
    title: (c) => `App view — ${c.entry.name}`,
    html(panel) {
      const v = views.get(panel.server.entry.id);
      return appPanelHtml(panel.panel.webview, panel.s.extensionUri, panel.panel.title, v && v.tool === panel.state.tool ? v.view : undefined);
    },
    async state(panel) {
      const c = panel.server;
      const v = views.get(c.entry.id);
      const open = v && v.tool === panel.state.tool ? v : undefined;
      return {
        method: 'state/app',
        params: {
          server: serverSummary(c),
          tool: panel.state.tool ?? '',
          view: open?.view && {
            uri: open.view.uri,
            html: open.view.html,
            csp: viewCspHeader(open.view.csp),
            sandbox: VIEW_SANDBOX,
            allow: viewAllowAttribute(open.view.permissions),
            prefersBorder: open.view.prefersBorder,
            via: open.source.via,
          },
          input: open?.input,
          result: open?.result,
          refused: open?.refused ?? [],
          calls: open?.calls ?? [],
          error: open ? open.error : { code: 'not_supported', message: 'this view is no longer open', hint: 'Open it again from the tools panel (Open view)' },
        },
      };
    },
    requests: {
      'app/callTool': (panel, p) => viewToolCall(panel, current(panel), p.tool, p.args, p.signIn === true),
      'app/readResource': async (panel, p) => {
        const v = current(panel);
        const what = `resources/read ${p.uri.slice(0, 120)}`;
        const d = viewResourceReadDecision(p.uri);
        if (!d.ok) {
          v.refused.unshift({ what: 'request', field: 'resources/read', value: p.uri.slice(0, 120), reason: d.reason });
          note(v, { what, outcome: 'refused', detail: d.reason }, panel.server);
          return { kind: 'refused', reason: d.reason };
        }
        const conn = await connected(panel.server);
        const result = panel.s.redactor.json(await conn.session.messages.withOrigin('app-view', () => engine().readResource(conn.session, p.uri, { authorize: false })));
        note(v, { what, outcome: 'ok', authenticated: !!conn.auth.tokens }, panel.server);
        return { kind: 'result', result };
      },
      'app/openLink': async (panel, p) => {
        const v = current(panel);
        const d = viewLinkDecision(p.url);
        if (!d.ok || !d.url) {
          v.refused.unshift({ what: 'request', field: 'open link', value: p.url.slice(0, 120), reason: d.ok ? 'not a URL' : d.reason });
          note(v, { what: 'open link', outcome: 'refused', detail: d.ok ? undefined : d.reason }, panel.server);
          return { opened: false, reason: d.ok ? 'not a URL' : d.reason };
        }
        // the real host, as the user would see it in the browser's address bar
        const open = 'Open';
        const pick = await vscode.window.showWarningMessage(`The view of ${panel.server.entry.name} asks to open ${d.url.host}.`, { modal: true, detail: d.url.href.slice(0, 500) }, open);
        if (pick !== open) {
          note(v, { what: `open link ${d.url.host}`, outcome: 'refused', detail: 'the user declined' });
          return { opened: false, reason: 'declined' };
        }
        const opened = await vscode.env.openExternal(d.url.href as unknown as vscode.Uri);
        note(v, { what: `open link ${d.url.host}`, outcome: opened ? 'ok' : 'failed' });
        return { opened };
      },
      'app/refused': async (panel, p) => {
        const v = current(panel);
        v.refused.unshift({ what: 'request', field: p.what, value: '', reason: p.reason });
        v.refused.length = Math.min(v.refused.length, 100);
        note(v, { what: p.what, outcome: 'refused', detail: p.reason }, panel.server);
        return { listed: true };
      },
      'auth/signIn': async (panel, p) => {
        await signInFor(panel.server, p.scopes);
        return serverSummary(panel.server);
      },
    },
  };
}
