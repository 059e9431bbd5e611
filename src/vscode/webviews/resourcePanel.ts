import { homedir } from 'node:os';
import * as vscode from 'vscode';
import type { ResourceSubscription } from '../../core/mcp/resources';
import { blobOf, readView, resourceItems, templateItems } from '../../present/resourceView';
import { serverSummary } from '../../present/summaries';
import type { CompletionView, FeatureSupport, ResourceRequests } from '../../shared/resources';
import type { ServerConnection } from '../connections';
import { engine } from '../engine';
import { hasMore, lastRead, loadMore, rememberRead, resourceTemplates } from '../resourceLists';
import type { InspectorPanel, PanelController } from './panels';
import { signInFor, withSignInProgress } from './signInProgress';

/**
 * The Resources panel of a server (one per server, opened at the resource or template clicked in the
 * tree): resources/read with the content by MIME type, a template's URI variables with completion,
 * subscribe/unsubscribe with live updates, Save for binaries. Reads never start a sign-in by
 * themselves: a challenge comes back as 'authorization_required' / 'insufficient_scope' and the
 * panel offers "Sign in and read", which asks again with `signIn` (the engine signs in or steps up).
 */

/** Connects first when the server is not connected (the panel can outlive a connection). */
export async function ensureConnected(c: ServerConnection): Promise<NonNullable<ServerConnection['conn']>> {
  if (c.state !== 'connected' || !c.conn) await vscode.commands.executeCommand('mcpOAuthInspector.connect', c.entry.id);
  if (c.state !== 'connected' || !c.conn) throw new Error(c.error ?? `${c.entry.name} is ${c.state}`);
  return c.conn;
}

export function completionSupport(c: ServerConnection): FeatureSupport {
  if (c.state !== 'connected' || !c.conn) return { supported: false, message: 'Not connected' };
  return c.conn.session.serverCapabilities?.completions ? { supported: true } : { supported: false, message: 'The server does not offer completions (no completions capability)' };
}

function subscriptionSupport(c: ServerConnection): FeatureSupport {
  if (c.state !== 'connected' || !c.conn) return { supported: false, message: 'Not connected' };
  const s = engine().subscriptionSupport(c.conn.session);
  return s.supported ? { supported: true, via: s.via } : { supported: false, message: s.message };
}

/** completion/complete from a panel: values capped (100, each 1000 characters); a server without completions says so. */
export async function completeFor(panel: InspectorPanel, p: ResourceRequests['completion/complete']['params']): Promise<CompletionView> {
  const conn = await ensureConnected(panel.server);
  const ref = p.ref === 'resource' ? ({ type: 'ref/resource', uri: p.name } as const) : ({ type: 'ref/prompt', name: p.name } as const);
  const r = await engine().complete(conn.session, ref, { name: p.argument, value: p.value }, p.context, { authorize: false });
  if ('supported' in r) return { values: [], unsupported: r.message };
  return { values: r.values.map((v) => panel.s.redactor.text(v.slice(0, 1000))), total: r.total, hasMore: r.hasMore };
}

/** A file name for Save from the resource URI's last segment (letters, digits, dot, dash, underscore only). */
export function saveName(uri: string, mimeType: string | undefined): string {
  const last = uri.split(/[/:?#]/).filter(Boolean).pop() ?? 'resource';
  const base = last.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 80) || 'resource';
  const ext = /\.[A-Za-z0-9]{1,8}$/.test(base) ? '' : mimeType === 'image/png' ? '.png' : mimeType === 'application/pdf' ? '.pdf' : '.bin';
  return `${base}${ext}`;
}

export function resourcesController(): PanelController {
  /** Subscriptions per panel (ended when the panel closes or the connection changes). */
  type Held = { sub: ResourceSubscription; session: unknown };
  const subs = new WeakMap<InspectorPanel, Map<string, Held>>();
  const subsOf = (panel: InspectorPanel) => {
    let m = subs.get(panel);
    if (!m) {
      const map = new Map<string, Held>();
      m = map;
      subs.set(panel, map);
      panel.disposables.push({ dispose: () => void Promise.all([...map.values()].map((h) => h.sub.close())) });
    }
    return m;
  };
  return {
    kind: 'resources',
    title: (c) => `Resources — ${c.entry.name}`,
    async state(panel) {
      const c = panel.server;
      const m = subsOf(panel);
      // a subscription of an engine connection that is gone no longer hears anything
      for (const [uri, held] of m) if (held.session !== c.conn?.session) m.delete(uri);
      return {
        method: 'state/resources',
        params: {
          server: serverSummary(c),
          resources: resourceItems(c.resources),
          templates: templateItems(resourceTemplates(c)),
          more: hasMore(c, 'resources'),
          selected: panel.state.tool,
          subscriptions: subscriptionSupport(c),
          subscribed: [...m.keys()],
          completions: completionSupport(c),
        },
      };
    },
    requests: {
      'server/connect': async (panel) => {
        await ensureConnected(panel.server);
        return serverSummary(panel.server);
      },
      'auth/signIn': async (panel, p) => {
        await signInFor(panel.server, p.scopes);
        return serverSummary(panel.server);
      },
      'resource/read': async (panel, p) => {
        const c = panel.server;
        const conn = await ensureConnected(c);
        const read = () => engine().readResource(conn.session, p.uri, { authorize: p.signIn === true });
        const result = p.signIn ? await withSignInProgress(c, `reading ${p.uri.slice(0, 80)}`, read) : await read();
        const safe = panel.s.redactor.json(result);
        rememberRead(c, p.uri, safe);
        c.changed(); // the tree's sign-in state may have changed
        return readView(p.uri, safe, Date.now());
      },
      'resource/subscribe': async (panel, p) => {
        const c = panel.server;
        const conn = await ensureConnected(c);
        const m = subsOf(panel);
        if (!p.on) {
          await m.get(p.uri)?.sub.close();
          m.delete(p.uri);
          return { subscribed: false };
        }
        if (!m.has(p.uri)) {
          const sub = await engine().subscribe(conn.session, p.uri, (uri) => panel.notify('resource/updated', { uri, at: Date.now() }), { authorize: false });
          m.set(p.uri, { sub, session: conn.session });
        }
        return { subscribed: true };
      },
      'resource/save': async (panel, p) => {
        const blob = blobOf(lastRead(panel.server, p.uri), p.index);
        if (!blob) throw new Error('Read the resource again: its binary content is no longer held (or was not valid base64).');
        const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
        const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, saveName(blob.uri ?? p.uri, blob.mimeType)), title: `Save ${p.uri.slice(0, 80)}` });
        if (!target) return { saved: false };
        await vscode.workspace.fs.writeFile(target, blob.bytes);
        panel.s.log.info(`resources panel: saved ${blob.bytes.length} bytes of ${p.uri.slice(0, 200)} to ${target.fsPath}`);
        return { saved: true };
      },
      'completion/complete': (panel, p) => completeFor(panel, p),
      'list/more': async (panel, p) => ({ more: await loadMore(panel.server, p.what) }),
    },
  };
}
