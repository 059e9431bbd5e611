import * as vscode from 'vscode';
import { checkUrl } from '../../core/http/urlPolicy';
import type { CallRecord, ContentPart } from '../../shared/protocol';
import type { ServerConnection } from '../connections';
import type { AuthStatusBar } from '../statusBar';
import { historyForState, splitDuration, type CallHistory } from '../../present/callRecords';
import { errorView } from '../../present/errorView';
import { errorText } from '../../shared/codes';
import type { InspectorPanel, PanelController } from './panels';
import { signInFor, withSignInProgress } from './signInProgress';
import { openToolView } from './appViewPanel';
import { serverSummary, toolView } from '../../present/summaries';

/**
 * The sign-in time the engine counts from now on, for this server — across a reconnect, which builds
 * a new engine connection (with its own count) in the middle of a call.
 */
function signInClock(c: ServerConnection): () => number {
  const first = c.conn?.auth;
  const base = first?.authorizationTime() ?? 0;
  return () => {
    const grown = first ? first.authorizationTime() - base : 0;
    const now = c.conn?.auth;
    return now && now !== first ? grown + now.authorizationTime() : grown;
  };
}

/** Connects first when the server is not connected (the panel can outlive a connection). */
async function ensureConnected(c: ServerConnection): Promise<void> {
  if (c.state !== 'connected' || !c.conn) await c.connect();
}

/**
 * One tools/call from the panel, recorded: the result by content type, the outputSchema check, the
 * JSON-RPC request and response (redacted), timing, and whether a token was sent. Errors that are
 * not tool results (transport, OAuth) are recorded with their step and hint, not thrown, so the
 * panel shows them in the history like any other outcome.
 *
 * Without `signIn` the call never starts a sign-in: a 401/403 or tool-level challenge comes back as
 * an 'authorization_required' / 'insufficient_scope' record with the scopes the server asks for,
 * and the panel offers "Sign in and call". With `signIn` (the user chose that), the tool's missing
 * declared scopes are obtained first and the engine may step up further if the server asks.
 */
export async function recordCall(panel: InspectorPanel, history: CallHistory, status: AuthStatusBar, tool: string, args: Record<string, unknown>, signIn: boolean): Promise<CallRecord> {
  const c = panel.server;
  const redactor = panel.s.redactor;
  const request = { jsonrpc: '2.0', method: 'tools/call', params: { name: tool, arguments: args } };
  const started = Date.now();
  // the call's own time is shown apart from the time spent signing in (minutes in a browser, maybe)
  const signedIn = signInClock(c);
  const timing = () => splitDuration(Date.now() - started, signedIn());
  let authenticated = false;
  try {
    await ensureConnected(c);
    const info = c.tools.find((t) => t.tool.name === tool);
    if (!info) throw new Error(`${c.entry.name} has no tool named ${JSON.stringify(tool.slice(0, 80))} (refresh the list)`);
    if (signIn && info.security.requiresAuth && !info.security.covered) await signInFor(c, info.security.scopesNeeded);
    const conn = c.conn!;
    // With signIn the engine may step up further if the server asks: under the same cancellable progress.
    const call = () => c.inspectToolCall(tool, args, { authorize: signIn });
    const { result, outputCheck } = signIn ? await withSignInProgress(c, `calling ${tool}`, call) : await call();
    authenticated = !!conn.auth.tokens;
    status.setActive(c);
    const safe = redactor.json(result) as typeof result;
    return history.add(c.entry.id, {
      tool,
      at: started,
      ...timing(),
      args: redactor.json(args) as Record<string, unknown>,
      authenticated,
      ok: true,
      isError: safe.isError === true,
      content: (safe.content ?? []) as ContentPart[],
      structuredContent: safe.structuredContent,
      // the SDK's validator for the tool's outputSchema, as data (a mismatch is shown, not thrown)
      outputCheck: outputCheck && { valid: outputCheck.valid, errors: outputCheck.errors.map((e) => redactor.text(e)) },
      rpc: { request: redactor.json(request), response: { jsonrpc: '2.0', result: safe } },
    });
  } catch (err) {
    // The parts as fields (the panel composes them); the JSON-RPC view and the log get the composed text.
    const error = errorView(err, (t) => redactor.text(t));
    const message = errorText(error);
    panel.s.log.warn(`tools panel: ${tool} on ${c.entry.name} failed: ${message}`);
    const took = timing();
    return history.add(c.entry.id, {
      tool,
      at: started,
      ...took,
      args: redactor.json(args) as Record<string, unknown>,
      authenticated: !!c.conn?.auth.tokens,
      ok: false,
      error,
      rpc: { request: redactor.json(request), response: { jsonrpc: '2.0', error: { code: error.code, message } } },
    });
  }
}

export function toolsController(history: CallHistory, status: AuthStatusBar): PanelController {
  return {
    kind: 'tools',
    title: (c) => `Tools — ${c.entry.name}`,
    async state(panel) {
      const c = panel.server;
      const pending = c.pendingSignIn;
      return {
        method: 'state/tools',
        params: {
          server: serverSummary(c),
          tools: c.tools.map(toolView),
          history: historyForState(history.for(c.entry.id)),
          selected: panel.state.tool,
          // the host the user signs in at; the URL itself stays here
          signIn: pending ? { host: pending.host } : undefined,
        },
      };
    },
    requests: {
      'server/connect': async (panel) => {
        // the palette's connect, with its progress notification and its error offers
        await vscode.commands.executeCommand('mcpOAuthInspector.connect', panel.server.entry.id);
        if (panel.server.state !== 'connected') throw new Error(panel.server.error ?? `${panel.server.entry.name} is ${panel.server.state}`);
        return serverSummary(panel.server);
      },
      'tools/call': (panel, p) => recordCall(panel, history, status, p.tool, p.args, p.signIn === true),
      // the tool's MCP App view, beside this panel (appViewPanel.ts)
      'tools/openView': (panel, p) => openToolView(panel, history, p.tool, p.record),
      'tools/record': async (panel, p) => {
        // only this panel's server's records: an id from another server is not found
        const rec = history.get(panel.server.entry.id, p.id);
        if (!rec) throw new Error('That call is no longer in the history (it keeps the last 50 calls).');
        return rec;
      },
      'auth/signIn': async (panel, p) => {
        await signInFor(panel.server, p.scopes);
        return serverSummary(panel.server);
      },
      // The browser never came back: the waiting sign-in's own URL — never one the webview names.
      'auth/copyLink': async (panel) => {
        const pending = panel.server.pendingSignIn;
        if (!pending) return { copied: false };
        await vscode.env.clipboard.writeText(checkUrl(pending.url, 'authorization URL').href);
        panel.s.log.info(`tools panel: copied the sign-in link for ${panel.server.entry.name} (sign in at ${pending.host})`);
        return { copied: true };
      },
      'auth/openAgain': async (panel) => {
        // the same Browser port the sign-in used (openExternal after the URL policy)
        const opened = await panel.server.reopenSignIn();
        if (opened) panel.s.log.info(`tools panel: opened the sign-in link for ${panel.server.entry.name} again`);
        return { opened };
      },
      'auth/cancel': async (panel) => {
        // what Cancel in the progress notification does: the wait for the browser ends (authorization_cancelled)
        const waiting = panel.server.signingIn;
        panel.server.cancelSignIn();
        return { cancelled: waiting };
      },
    },
  };
}
