/**
 * DOM builders for the tools panel's detail side and its notices: the tool header, the sign-in
 * notice before a call, the JSON editor with the mode toggle, the call buttons, the sign-in wait
 * notice and the connect row. Each takes its model (detail.ts, state.ts) and callbacks; keyed
 * re-rendering and focus are tools/index.ts's job.
 */
import type { ServerSummary, ToolView } from '../../src/shared/protocol';
import { h, icon } from '../dom';
import { scopeList } from '../result';
import { annotationLabels, mismatchText, securitySource, type ActionsModel, type AuthNotice, type ToolEditor } from './detail';
import { coverageBadge, securityBadge } from './list';
import { badge } from './render';
import type { SignInAction, SignInWait } from './state';
import { clip } from './text';

export function toolHeader(t: ToolView, server: ServerSummary): HTMLElement {
  const s = t.security;
  const mismatch = mismatchText(s);
  return h(
    'div',
    null,
    h('h2', { class: 'tool-title' }, t.title ? [clip(t.title, 200), ' ', h('span', { class: 'muted mono' }, clip(t.name, 120))] : h('span', { class: 'mono' }, clip(t.name, 200))),
    t.description ? h('p', { class: 'tool-description' }, clip(t.description, 10_000)) : null,
    h(
      'div',
      { class: 'labels' },
      annotationLabels(t.annotations).map((l) => h('span', { class: `label${l.warn ? ' label-warn' : ''}`, title: l.title }, l.text)),
    ),
    h('div', { class: 'security-line' }, h('span', { class: 'muted' }, 'Security: '), badge(securityBadge(s, false)), ' ', badge(coverageBadge(s, server.signedIn)), h('span', { class: 'muted' }, securitySource(s))),
    mismatch !== undefined
      ? h(
          'div',
          { class: 'notice level-warn-box security-mismatch', role: 'note', 'data-testid': 'security-mismatch' },
          icon('warning'),
          h('span', null, h('strong', null, 'Declared and observed security disagree: '), mismatch),
        )
      : null,
    h('div', { class: 'token-line muted' }, server.signedIn ? ['Your token: ', server.scopes.length ? scopeList(server.scopes) : 'no scopes'] : 'Not signed in: calls go without a token.'),
  );
}

/** Before calling: what the tool needs that the token lacks, and the offer to sign in first. */
export function authNoticeEl(n: AuthNotice | null): HTMLElement | null {
  if (!n) return null;
  return h(
    'div',
    { class: 'notice level-warn-box', role: 'note' },
    icon('lock'),
    h(
      'span',
      null,
      h('span', { class: 'mono' }, n.name),
      n.missing.length ? [' needs ', scopeList(n.missing), '. '] : ' needs a signed-in token. ',
      n.held ? (n.held.length ? ['Your token has ', scopeList(n.held), '. '] : 'Your token has no scopes. ') : 'You are not signed in. ',
      n.asks,
    ),
  );
}

/** Form / JSON buttons. */
export function modeToggle(ui: ToolEditor, switchTo: (mode: 'form' | 'json') => void): HTMLElement {
  return h(
    'div',
    { class: 'mode-toggle', role: 'group', 'aria-label': 'Edit arguments as' },
    h('button', { type: 'button', class: 'toggle', 'aria-pressed': ui.mode === 'form' ? 'true' : 'false', disabled: !!ui.model.fallback, onclick: () => switchTo('form') }, icon('list-flat'), ' Form'),
    h('button', { type: 'button', class: 'toggle', 'aria-pressed': ui.mode === 'json' ? 'true' : 'false', onclick: () => switchTo('json') }, icon('json'), ' JSON'),
  );
}

/** The raw-JSON editor's part of the form slot: its head, why the form cannot show the schema, the editor, its note, the schema. */
export function jsonEditor(t: ToolView, ui: ToolEditor, id: string, toggle: HTMLElement): Array<HTMLElement | null> {
  const ta = h('textarea', {
    id,
    class: 'json-editor',
    rows: Math.min(20, Math.max(6, ui.jsonText.split('\n').length + 1)),
    spellcheck: 'false',
    'aria-describedby': `${id}-note`,
    oninput: (ev: Event) => {
      ui.jsonText = (ev.target as HTMLTextAreaElement).value;
    },
  });
  ta.value = ui.jsonText;
  return [
    h('div', { class: 'form-head' }, h('h3', null, h('label', { for: id }, 'Arguments (JSON)')), toggle),
    ui.model.fallback ? h('p', { class: 'muted' }, icon('info'), ` The form cannot show this schema (${ui.model.fallback}): edit the arguments as JSON.`) : null,
    ta,
    h('div', { class: 'field-msg', id: `${id}-note`, role: 'alert', hidden: !ui.jsonNote }, ui.jsonNote ?? ''),
    h('details', { class: 'schema' }, h('summary', null, 'Input schema'), h('pre', { class: 'json' }, clip(JSON.stringify(t.inputSchema, null, 2) ?? '', 100_000))),
  ];
}

/** The call buttons; `call(signIn)` calls the selected tool as it is when clicked. */
export function actionButtons(a: ActionsModel, call: (signIn: boolean) => void): Array<HTMLElement | string> {
  return [
    ...(a.gate
      ? [
          h('button', { type: 'button', class: 'primary', 'data-testid': 'sign-in-and-call', disabled: a.disabled, onclick: () => call(true) }, icon('sign-in'), ' Sign in and call'),
          ' ',
          h('button', { type: 'button', class: 'secondary', title: 'Call without signing in first (see how the server answers)', disabled: a.disabled, onclick: () => call(false) }, icon('play'), ' Call without signing in'),
        ]
      : [h('button', { type: 'button', class: 'primary', 'data-testid': 'send', disabled: a.disabled, onclick: () => call(false) }, icon('play'), ' Send')]),
    h('span', { class: 'muted key-hint' }, a.hint),
  ];
}

/**
 * While a sign-in waits for the browser — one this panel started ("Signing in and calling …") or
 * one the host reports — what gets the user unstuck when the browser never comes back: copy the
 * sign-in link, open it again, or cancel the wait. The host keeps the URL; these only ask it to act.
 */
export function signInNotice(w: SignInWait, act: (action: SignInAction) => void): HTMLElement {
  const host = w.host;
  return h(
    'div',
    { class: 'notice level-warn-box', role: 'group', 'aria-label': 'Sign-in waiting for the browser' },
    icon('sign-in'),
    h('span', null, host !== undefined ? [`Sign in at `, h('strong', null, clip(host, 200)), ' in your browser. No browser, or it does not come back? '] : 'Waiting for the sign-in… '),
    host !== undefined
      ? [
          h('button', { type: 'button', class: 'secondary', 'data-testid': 'sign-in-copy', 'aria-label': 'Copy sign-in link', title: 'Copy the authorization URL to open it in any browser', onclick: () => act('auth/copyLink') }, icon('copy'), ' Copy sign-in link'),
          ' ',
          h('button', { type: 'button', class: 'secondary', 'data-testid': 'sign-in-open-again', 'aria-label': 'Open again', title: 'Open the same sign-in page in the browser again', onclick: () => act('auth/openAgain') }, icon('link-external'), ' Open again'),
          ' ',
        ]
      : null,
    h('button', { type: 'button', class: 'secondary', 'data-testid': 'sign-in-cancel', 'aria-label': 'Cancel', title: 'Stop waiting for the browser', onclick: () => act('auth/cancel') }, icon('close'), ' Cancel'),
    h('span', { class: 'muted sign-in-note', role: 'status' }, w.note),
  );
}

/** Under the server bar when not connected: the state and a Connect button. */
export function connectRow(server: ServerSummary, connect: () => void): HTMLElement | null {
  if (server.state === 'connected') return null;
  const connecting = server.state === 'connecting';
  return h(
    'div',
    { class: 'notice' },
    icon('debug-disconnect'),
    h('span', null, `${server.name} is ${server.state.replace(/-/g, ' ')}.`),
    h('button', { type: 'button', class: 'primary', disabled: connecting, onclick: connect }, icon('plug'), connecting ? ' Connecting…' : ' Connect'),
  );
}

/** An error line in the status or result slot. */
export function errorLine(text: string, alert = true): HTMLElement {
  return h('p', { class: 'error', role: alert ? 'alert' : undefined }, icon('error'), text);
}
