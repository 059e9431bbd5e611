/**
 * The App view panel's script (its own bundle, dist/appView.js): the host side of an MCP App
 * (SEP-1865) on the official bridge, `AppBridge` from `@modelcontextprotocol/ext-apps`. The view's
 * page runs in a `srcdoc` frame sandboxed with scripts only — an opaque origin of its own, apart from
 * this panel and from every other panel — and talks to the bridge over postMessage. Every request it
 * makes is relayed to the extension host (shared/appView.ts), which decides it; this script only
 * shows what happened: the sign-in offer when a call needs one, and everything refused.
 */
import './jitless';
import { AppBridge, PostMessageTransport, type McpUiHostContext } from '@modelcontextprotocol/ext-apps/app-bridge';
import type { AppCallResult, AppViewState as ViewState } from '../../src/shared/appView';
import type { CommandMethod, Commands, HostToWebview, NotificationMethod, Notifications, RequestMethod, Requests, ServerSummary } from '../../src/shared/protocol';

type AppViewState = ViewState<ServerSummary>;
import { h, icon, mount } from '../dom';
import { RpcError } from '../rpcError';
import { fromHost, OPENAI_SHIM, OPENAI_UNSUPPORTED, pageWithCsp, styleVariables, themeOf } from './frame';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const api = acquireVsCodeApi();

let frame: HTMLIFrameElement | undefined;

/** The webview's end of shared/protocol.ts, accepting only the host's messages (fromHost). */
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: RpcError) => void }>();
let nextId = 1;
function request<M extends RequestMethod>(method: M, params: Requests[M]['params']): Promise<Requests[M]['result']> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    api.postMessage({ type: 'request', id, method, params });
  });
}
function command<M extends CommandMethod>(method: M, params: Commands[M]): void {
  api.postMessage({ type: 'command', method, params });
}
const handlers: { [M in NotificationMethod]?: (p: Notifications[M]) => void } = {};
window.addEventListener('message', (ev: MessageEvent) => {
  if (frame && !fromHost(ev.source, frame.contentWindow)) return;
  const m = ev.data as HostToWebview;
  if (!m || typeof m !== 'object') return;
  if (m.type === 'reply') {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new RpcError(m.error));
  } else if (m.type === 'notify') (handlers[m.method] as ((p: unknown) => void) | undefined)?.(m.params);
});

const root = document.getElementById('app')!;
const header = h('div', { class: 'app-header' });
const offerSlot = h('div', { class: 'app-offer' });
const frameSlot = h('div', { class: 'app-frame' });
const refusedSlot = h('section', { class: 'app-refused', 'aria-label': 'Refused' });
const callsSlot = h('section', { class: 'app-calls', 'aria-label': 'Calls from this view' });
mount(root, header, offerSlot, frameSlot, refusedSlot, callsSlot);

let bridge: AppBridge | undefined;
let shownKey = '';
let state: AppViewState | undefined;

function hostContext(): McpUiHostContext {
  const css = getComputedStyle(document.documentElement);
  return {
    theme: themeOf(document.body.className),
    styles: { variables: styleVariables((n) => css.getPropertyValue(n)) as never },
    displayMode: 'inline',
    availableDisplayModes: ['inline'],
    locale: navigator.language,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    platform: 'desktop',
    userAgent: 'MCP OAuth Inspector (VS Code)',
  };
}

/** A call the server answered with a challenge: the same offer as the tools panel's, here, and the view waits. */
function offerSignIn(tool: string, r: Extract<AppCallResult, { kind: 'needs-sign-in' }>): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (yes: boolean) => {
      mount(offerSlot);
      resolve(yes);
    };
    mount(
      offerSlot,
      h(
        'div',
        { class: 'notice level-warn-box', role: 'alert', 'data-testid': 'app-sign-in-offer' },
        icon('lock'),
        h('span', null, 'The view asks to call ', h('strong', { class: 'mono' }, tool), r.scopes.length ? `, which needs ${r.scopes.join(' ')}. ` : ', which needs you to sign in. ', r.message),
        h('button', { type: 'button', 'data-testid': 'app-sign-in-and-call', onclick: () => done(true) }, 'Sign in and call'),
        h('button', { type: 'button', class: 'secondary', onclick: () => done(false) }, 'Cancel'),
      ),
    );
  });
}

function errorResult(text: string) {
  return { content: [{ type: 'text' as const, text }], isError: true };
}

function startBridge(s: AppViewState): void {
  const v = s.view!;
  bridge?.close().catch(() => {});
  frame?.remove();
  frame = document.createElement('iframe');
  // scripts only: no allow-same-origin (an opaque origin apart from this panel), no top navigation,
  // popups, forms or modals (apps.ts VIEW_SANDBOX)
  frame.setAttribute('sandbox', v.sandbox);
  if (v.allow) frame.setAttribute('allow', v.allow);
  frame.setAttribute('referrerpolicy', 'no-referrer');
  frame.setAttribute('title', `View of ${s.tool}`);
  frame.setAttribute('data-testid', 'app-frame');
  frame.className = v.prefersBorder ? 'bordered' : '';
  frameSlot.replaceChildren(frame);
  const b = new AppBridge(null, { name: 'MCP OAuth Inspector', version: '0.1.0' }, { openLinks: {}, serverTools: {}, serverResources: {}, logging: {} }, { hostContext: hostContext() });
  bridge = b;
  b.oncalltool = async (params) => {
    const args = (params.arguments ?? {}) as Record<string, unknown>;
    let r = await request('app/callTool', { tool: params.name, args });
    if (r.kind === 'needs-sign-in') {
      if (!(await offerSignIn(params.name, r))) return errorResult(`${params.name} was not called: it needs a sign-in the user declined.`);
      r = await request('app/callTool', { tool: params.name, args, signIn: true });
    }
    if (r.kind === 'refused') throw new Error(`Refused by the host: ${r.reason}`);
    if (r.kind !== 'result') return errorResult(`${params.name} was not called: it needs a sign-in.`);
    return r.result as never;
  };
  b.onreadresource = async (params) => {
    const r = await request('app/readResource', { uri: params.uri });
    if (r.kind !== 'result') throw new Error(`Refused by the host: ${r.kind === 'refused' ? r.reason : 'needs a sign-in'}`);
    return r.result as never;
  };
  b.onopenlink = async (params) => {
    const r = await request('app/openLink', { url: String(params.url) });
    return r.opened ? {} : { isError: true };
  };
  b.onmessage = async () => {
    await request('app/refused', { what: 'ui/message', reason: 'the editor has no chat to send a view\'s message to' });
    return { isError: true };
  };
  b.onupdatemodelcontext = async () => {
    await request('app/refused', { what: 'ui/update-model-context', reason: 'the editor has no model context to update' });
    return {};
  };
  b.onrequestdisplaymode = async () => {
    await request('app/refused', { what: 'ui/request-display-mode', reason: 'the panel shows views inline only' });
    return { mode: 'inline' };
  };
  b.onsizechange = ({ height }) => {
    // the view's own measure, within bounds the panel sets (a view cannot make itself endless)
    if (frame && typeof height === 'number' && Number.isFinite(height)) frame.style.height = `${Math.max(80, Math.min(Math.ceil(height), 4000))}px`;
  };
  b.oninitialized = () => {
    if (s.input) void b.sendToolInput({ arguments: s.input });
    if (s.result) void b.sendToolResult(s.result as never);
    frameSlot.dataset.initialized = 'true';
  };
  const win = frame.contentWindow!;
  void b.connect(new PostMessageTransport(win, win)).then(() => {
    frame!.srcdoc = pageWithCsp(v.html, v.csp, v.via === 'openai' ? OPENAI_SHIM : '');
  });
}

function render(s: AppViewState): void {
  state = s;
  mount(
    header,
    h('h2', null, 'App view ', h('span', { class: 'mono' }, s.tool), h('span', { class: 'muted' }, ` · ${s.server.name}`)),
    s.view ? h('p', { class: 'muted' }, `${s.view.uri} · sandboxed (${s.view.sandbox}), its own origin · calls go with ${s.server.signedIn ? `your token (${s.server.scopes.join(' ') || 'no scopes'})` : 'no token (not signed in)'}`) : null,
    s.view?.via === 'openai'
      ? h('p', { class: 'muted', 'data-testid': 'app-openai-note' }, `An Apps SDK view (openai/outputTemplate): window.openai is offered in part — toolInput, toolOutput, callTool, widgetState, theme, displayMode. Not supported: ${OPENAI_UNSUPPORTED.join(', ')}.`)
      : null,
    s.error ? h('p', { class: 'level-fail', role: 'alert' }, icon('error'), ` ${s.error.message}${s.error.hint ? `. ${s.error.hint}` : ''}`) : null,
  );
  const key = s.view ? `${s.view.uri}\n${s.view.csp}\n${s.view.html.length}\n${s.view.html.slice(0, 200)}` : '';
  if (key !== shownKey) {
    shownKey = key;
    if (s.view) startBridge(s);
    else {
      frame?.remove();
      frame = undefined;
    }
  }
  mount(
    refusedSlot,
    s.refused.length
      ? [
          h('h3', null, `Refused (${s.refused.length})`),
          h('ul', { 'data-testid': 'app-refused' }, s.refused.map((r) => h('li', null, h('span', { class: 'mono' }, `${r.field}${r.value ? ` ${r.value}` : ''}`), ` — ${r.reason}`))),
        ]
      : null,
  );
  mount(
    callsSlot,
    s.calls.length
      ? [
          h('h3', null, 'Calls from this view'),
          h(
            'ul',
            { 'data-testid': 'app-calls' },
            s.calls.map((c) => h('li', { 'data-kind': c.outcome }, h('span', { class: 'mono' }, c.what), ` — ${c.outcome}`, c.authenticated === undefined ? '' : c.authenticated ? ' · with the token' : ' · anonymous', c.detail ? ` · ${c.detail}` : '')),
          ),
        ]
      : null,
  );
}

handlers['state/app'] = (s) => render(s);
handlers.toast = () => {};

// The editor's theme changed (VS Code rewrites the body's classes and variables): tell the view.
new MutationObserver(() => {
  if (bridge && state?.view) void bridge.sendHostContextChange(hostContext());
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });

command('ready', {});
