/**
 * The tools panel: the server's tools (searchable, keyboard navigable) with their annotations and
 * securitySchemes against the current token; a form generated from the selected tool's input schema
 * (form/), with a raw-JSON editor; Send, or "Sign in and call" when the token does not cover the
 * tool (and after a 401/403/tool-level challenge, which the host reports instead of opening a
 * browser); the result by content type; the history of calls.
 *
 * The parts: state.ts (the panel's state and its pure transitions), list.ts, detail.ts and
 * history.ts (what each part shows, as data), and their DOM in listView.ts, detailView.ts,
 * historyView.ts and signInView.ts. This file holds the state, wires events and the host's
 * messages to transitions, and renders by key.
 *
 * The host pushes `state/tools` on every connection change; the form is rebuilt only when the
 * selected tool or its schema changes, so what the user typed survives sign-ins and refreshes.
 * Everything else is keyed too: list items by tool name (a push rebuilds only the items whose view
 * changed), the bar, header, actions and history by what they show, so re-rendering the same state
 * touches no node and a token change only the items and lines it changes.
 */
import { isAuthProblem } from '../../src/shared/codes';
import type { CallRecord, ToolsState, ToolView } from '../../src/shared/protocol';
import { serverBar } from '../common';
import { h, icon, mount, relativeTime } from '../dom';
import { renderForm, type FormView } from '../form/view';
import { callDuration, renderRecord } from '../result';
import { RpcError, type Rpc } from '../rpc';
import { actionsModel, authNotice, callingText, callSummary, editorFor, fixFieldsText, headerKey, jsonArguments, switchMode, tooLarge, withArguments, type ToolEditor } from './detail';
import { actionButtons, authNoticeEl, connectRow, errorLine, jsonEditor, modeToggle, toolHeader } from './detailView';
import { historyModel, RecordCache, type RecordReading } from './history';
import { HistoryView } from './historyView';
import { ListView } from './listView';
import { SignInView } from './signInView';
import * as S from './state';

export function startToolsPanel(rpc: Rpc, app: HTMLElement): void {
  let state: S.PanelState = S.initialState;
  /** Each tool's argument editor (what was typed survives pushes; a changed schema starts afresh). */
  const editors = new Map<string, ToolEditor>();
  /** Arguments as sent, by record id (webview memory only: the host's history keeps them redacted). */
  const sentArgs = new Map<number, Record<string, unknown>>();

  /** Applies a transition; tells the host when the selection it knows changed. */
  function apply(t: S.Transition): void {
    state = t.state;
    if (t.remember !== undefined && state.st) {
      rpc.setState({ kind: 'tools', serverId: state.st.server.id, tool: t.remember });
      rpc.command('tools/select', { tool: t.remember });
    }
  }

  const barSlot = h('div');
  const filterInput = h('input', {
    type: 'search',
    class: 'tool-filter',
    placeholder: 'Filter tools',
    'aria-label': 'Filter tools',
    'aria-controls': 'tool-list',
    oninput: (ev: Event) => {
      state = S.setFilter(state, (ev.target as HTMLInputElement).value);
      list.render(state);
    },
    onkeydown: (ev: Event) => {
      const k = (ev as KeyboardEvent).key;
      if (k === 'ArrowDown' || k === 'Enter') {
        ev.preventDefault();
        const first = list.options()[0];
        if (first) selectTool(first.dataset.tool!, { focus: 'list' });
      }
    },
  });
  const countEl = h('div', { class: 'tool-count muted', role: 'status' });
  const list = new ListView(h('ul', { id: 'tool-list', class: 'tool-list', role: 'listbox', 'aria-label': 'Tools', onkeydown: onListKey, onclick: onListClick }), countEl);
  const headerSlot = h('div', { class: 'tool-header' });
  const authSlot = h('div');
  const formSlot = h('div', { class: 'tool-form', onkeydown: onFormKey });
  const actionsSlot = h('div', { class: 'tool-actions' });
  const statusSlot = h('div', { class: 'call-status', role: 'status', 'aria-live': 'polite' });
  const waitView = new SignInView(h('div', { class: 'sign-in-wait' }), signInAction);
  const resultSlot = h('div', { class: 'result' });
  const history = new HistoryView(h('div', { class: 'history' }), pickRecord);
  const detail = h('section', { class: 'tool-detail', 'aria-label': 'Selected tool' }, headerSlot, authSlot, formSlot, actionsSlot, statusSlot, waitView.slot, resultSlot);
  mount(app, barSlot, h('div', { class: 'tools-layout' }, h('nav', { class: 'tool-nav', 'aria-label': 'Tools' }, filterInput, countEl, list.list, history.slot), detail));

  rpc.on('state/tools', (next: ToolsState) => {
    const t0 = performance.now();
    apply(S.received(state, next));
    render();
    // Reading a layout property forces style and layout now, so the time includes them (not paint).
    void app.offsetHeight;
    rpc.command('tools/rendered', { tools: next.tools.length, ms: performance.now() - t0 });
  });

  const editorOf = (t: ToolView): ToolEditor => {
    const prev = editors.get(t.name);
    const ui = editorFor(t, prev);
    if (ui !== prev) {
      editors.set(t.name, ui);
      if (formFor?.startsWith(`${t.name}\u0000`)) formFor = undefined; // the schema changed: rebuild the form (formFor is name + mode)
    }
    return ui;
  };

  let barKey = '';
  function render(): void {
    const st = state.st;
    if (!st) return;
    // the bar's relative expiry ("in 4 min") is part of its key: it still updates on every push
    const s = st.server;
    const key = JSON.stringify([s, s.signedIn && s.expiresAt ? relativeTime(s.expiresAt) : '']);
    if (key !== barKey) {
      mount(barSlot, serverBar(s), connectRow(s, () => void connect()));
      barKey = key;
    }
    list.render(state);
    renderDetail();
    renderHistory();
    renderSignIn();
  }

  async function connect(): Promise<void> {
    try {
      await rpc.request('server/connect', {});
    } catch (err) {
      mount(statusSlot, errorLine(` ${(err as Error).message}`));
    }
  }

  /* ------------------------------------------------------------ a sign-in waiting for the browser */

  function renderSignIn(): void {
    if (waitView.render(S.signInWait(state))) state = S.setSignInNote(state, '');
  }

  function signInAction(method: S.SignInAction): void {
    rpc.request(method, {}).then(
      (r) => {
        state = S.setSignInNote(state, S.signInNoteFor(method, 'copied' in r ? r.copied : 'opened' in r ? r.opened : r.cancelled));
        renderSignIn();
      },
      (err: unknown) => {
        state = S.setSignInNote(state, err instanceof Error ? err.message : String(err));
        renderSignIn();
      },
    );
  }

  /* ------------------------------------------------------------------------------ the tool list */

  /** A click anywhere in an item selects it (one listener for the list, not one per item). */
  function onListClick(ev: Event): void {
    const li = ev.target instanceof Element ? ev.target.closest('li.tool-item') : null;
    if (li instanceof HTMLElement && li.parentElement === list.list) selectTool(li.dataset.tool!, { focus: 'list' });
  }

  function onListKey(ev: Event): void {
    const e = ev as KeyboardEvent;
    const opts = list.options();
    const i = opts.findIndex((o) => o === document.activeElement);
    let next: HTMLElement | undefined;
    if (e.key === 'ArrowDown') next = opts[Math.min(opts.length - 1, i + 1)];
    else if (e.key === 'ArrowUp') next = i <= 0 ? undefined : opts[i - 1];
    else if (e.key === 'Home') next = opts[0];
    else if (e.key === 'End') next = opts[opts.length - 1];
    else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      const cur = opts[i];
      if (cur) selectTool(cur.dataset.tool!, { focus: 'form' });
      return;
    } else return;
    e.preventDefault();
    if (e.key === 'ArrowUp' && i <= 0) {
      filterInput.focus();
      return;
    }
    if (next) selectTool(next.dataset.tool!, { focus: 'list' });
  }

  function selectTool(name: string, opts: { focus?: 'list' | 'form' } = {}): void {
    apply(S.selectTool(state, name));
    list.render(state);
    renderDetail();
    renderHistory();
    if (opts.focus === 'list') list.options().find((o) => o.dataset.tool === name)?.focus();
    if (opts.focus === 'form') focusForInput();
  }

  /**
   * Where Enter on a tool takes the keyboard: the first field that needs input (the first required
   * field left empty, else the first field), the JSON editor when the form cannot show the schema,
   * else the call button (a tool without arguments).
   */
  function focusForInput(): void {
    if (formView?.focusFirstNeeded()) return;
    const editor = formView ? undefined : formSlot.querySelector<HTMLElement>('textarea');
    if (editor) editor.focus();
    else actionsSlot.querySelector<HTMLElement>('button.primary')?.focus();
  }

  /* ---------------------------------------------------------------------------- the selected tool */

  /** What the header and auth notice, the form (tool name + mode) and the actions were built from: unchanged → left alone. */
  let headerKeyShown = '';
  let actionsKey = '';
  let formFor: string | undefined;
  let formView: FormView | undefined;
  let formSeq = 0;

  function renderDetail(): void {
    const st = state.st;
    const t = S.selectedTool(state);
    if (!st || !t) {
      const key = `none ${st?.tools.length ? 1 : 0}`;
      if (key !== headerKeyShown) mount(headerSlot, h('p', { class: 'muted' }, st?.tools.length ? 'Select a tool.' : ''));
      for (const slot of [authSlot, formSlot, actionsSlot, resultSlot]) if (slot.firstChild) mount(slot);
      headerKeyShown = key;
      actionsKey = '';
      resultKey = '';
      formFor = undefined;
      return;
    }
    const key = headerKey(t, st.server);
    if (key !== headerKeyShown) {
      mount(headerSlot, toolHeader(t, st.server));
      mount(authSlot, authNoticeEl(authNotice(t, st.server)));
      headerKeyShown = key;
    }
    const ui = editorOf(t);
    if (formFor !== `${t.name}\u0000${ui.mode}`) {
      renderFormSlot(t, ui);
      formFor = `${t.name}\u0000${ui.mode}`;
    }
    renderActions(t);
    renderResult();
  }

  function renderFormSlot(t: ToolView, ui: ToolEditor): void {
    formView = undefined;
    const prefix = `f${++formSeq}`; // unique element ids per built form (labels point at them)
    const toggle = modeToggle(ui, (mode) => switchTo(ui, mode));
    if (ui.mode === 'form') {
      formView = renderForm(ui.model, ui.draft, prefix);
      mount(formSlot, h('div', { class: 'form-head' }, h('h3', null, 'Arguments'), toggle), formView.element);
      return;
    }
    mount(formSlot, jsonEditor(t, ui, `${prefix}-json`, toggle));
  }

  function switchTo(ui: ToolEditor, mode: 'form' | 'json'): void {
    if (ui.mode === mode) return;
    const r = switchMode(ui, mode);
    // in place: the form view and the JSON editor's listener hold this object
    Object.assign(ui, r.next);
    if (!r.changed) {
      renderDetail();
      // Refused (not JSON, not an object, keys the form has no field for): the JSON editor stays as
      // typed (formFor is unchanged, so it is not rebuilt) and says why in its note.
      showJsonNote(ui.jsonNote);
      return;
    }
    formFor = undefined;
    renderDetail();
    formSlot.querySelector<HTMLElement>('.mode-toggle button[aria-pressed="true"]')?.focus();
  }

  function renderActions(t: ToolView): void {
    const a = actionsModel(t, state.st!.server, state.busy !== undefined);
    if (a.key === actionsKey && actionsSlot.firstChild) return;
    actionsKey = a.key;
    // a re-render must not drop the keyboard focus from the button the user is on
    const focused = actionsSlot.contains(document.activeElement) ? document.activeElement?.textContent : undefined;
    // the buttons call the selected tool as it is when clicked (they outlive the push that built them)
    mount(
      actionsSlot,
      actionButtons(a, (signIn) => {
        const cur = S.selectedTool(state);
        if (cur) void send(cur, editorOf(cur), signIn);
      }),
    );
    if (focused !== undefined) ([...actionsSlot.querySelectorAll('button')].find((b) => b.textContent === focused) ?? actionsSlot.querySelector('button'))?.focus();
  }

  function onFormKey(ev: Event): void {
    const e = ev as KeyboardEvent;
    if (e.key !== 'Enter' || e.isComposing) return;
    const target = e.target as HTMLElement;
    const isText = target.tagName === 'TEXTAREA';
    if (isText ? !(e.ctrlKey || e.metaKey) : target.tagName !== 'INPUT') return;
    if ((target as HTMLInputElement).type === 'checkbox' && !(e.ctrlKey || e.metaKey)) return;
    e.preventDefault();
    const t = S.selectedTool(state);
    if (t) void send(t, editorOf(t), S.needsSignIn(t, state.st?.server.signedIn));
  }

  /** The arguments from the form or the JSON editor; undefined (with messages shown) when invalid. */
  function argsFrom(ui: ToolEditor): Record<string, unknown> | undefined {
    if (ui.mode === 'form' && formView) {
      const r = formView.validate(true);
      if (r.errors.size) {
        formView.focusFirstError();
        mount(statusSlot, errorLine(fixFieldsText(r.errors.size), false));
        return undefined;
      }
      return r.value;
    }
    const got = jsonArguments(ui.jsonText);
    const ta = formSlot.querySelector<HTMLElement>('textarea');
    if ('args' in got) {
      ta?.removeAttribute('aria-invalid');
      return got.args;
    }
    ui.jsonNote = got.note;
    showJsonNote(got.note);
    return undefined;
  }

  /** The JSON editor's note, shown in place (the editor keeps its text, caret and scroll), and the editor marked invalid and focused. */
  function showJsonNote(text: string | undefined): void {
    if (!text) return;
    const ta = formSlot.querySelector<HTMLElement>('textarea');
    const note = formSlot.querySelector<HTMLElement>('.field-msg');
    if (note) {
      note.textContent = text;
      note.hidden = false;
    }
    ta?.setAttribute('aria-invalid', 'true');
    ta?.focus();
  }

  async function send(t: ToolView, ui: ToolEditor, signIn: boolean, given?: Record<string, unknown>): Promise<void> {
    if (state.busy) return;
    const args = given ?? argsFrom(ui);
    if (!args) return;
    const large = tooLarge(args);
    if (large !== undefined) {
      mount(statusSlot, errorLine(large));
      return;
    }
    // the buttons are disabled while the call runs: remember which one had the focus
    const refocus = actionsSlot.contains(document.activeElement) ? (document.activeElement?.textContent ?? '') : undefined;
    const fromResult = resultSlot.contains(document.activeElement);
    state = S.callStarted(state, t.name, signIn);
    renderSignIn();
    mount(statusSlot, h('p', null, h('span', { class: 'codicon codicon-loading codicon-modifier-spin', 'aria-hidden': 'true' }), callingText(t.name, signIn)));
    renderActions(t);
    let rec: CallRecord | undefined;
    try {
      rec = await rpc.request('tools/call', { tool: t.name, args, signIn });
      sentArgs.set(rec.id, args);
      state = S.callAnswered(state, t.name, rec);
      mount(statusSlot, h('span', { class: 'sr-only' }, callSummary(t.name, rec, callDuration(rec))));
    } catch (err) {
      // the host refused the message itself (not a call outcome: those come back as records)
      mount(statusSlot, errorLine(` ${err instanceof RpcError ? err.message : String(err)}`));
    } finally {
      state = S.callEnded(state);
      renderDetail();
      renderHistory();
      renderSignIn();
    }
    // an offer to sign in takes the focus (Enter accepts it); otherwise the focus stays where it was.
    // Only while this panel has the focus: a call that ends after the person moved on (the command
    // palette, another editor) must not pull the focus back — a quick pick closes when it loses it.
    if (!document.hasFocus()) return;
    const offer = rec?.error ? resultSlot.querySelector<HTMLElement>('.call-error button') : null;
    if (offer) offer.focus();
    else if (refocus !== undefined) ([...actionsSlot.querySelectorAll('button')].find((b) => b.textContent === refocus) ?? actionsSlot.querySelector('button'))?.focus();
    else if (fromResult) resultSlot.querySelector<HTMLElement>('.record')?.focus();
  }

  /* ------------------------------------------------------------------------ result and history */

  const records = new RecordCache(
    (id) => rpc.request('tools/record', { id }),
    () => {
      resultKey = '';
      renderResult();
    },
    (err) => {
      mount(resultSlot, errorLine(` ${err instanceof Error ? err.message : String(err)}`));
      resultKey = 'error';
    },
  );

  let resultKey = '';
  function renderResult(): void {
    const st = state.st;
    const t = S.selectedTool(state);
    const listed = S.resultRecord(state);
    const rec = listed && records.full(listed);
    if (listed && !rec) {
      if (resultKey !== `loading ${listed.id}`) mount(resultSlot, h('p', { class: 'muted' }, 'Loading the result…'));
      resultKey = `loading ${listed.id}`;
      return;
    }
    // unchanged → left alone, so disclosures the user opened stay open across state pushes
    const key = rec && st ? `${rec.id} ${state.busy ?? ''} ${st.server.scopes.join(' ')} ${t ? (editors.get(t.name)?.mode ?? '') : ''}` : '';
    if (key === resultKey && (key !== '' || resultSlot.childElementCount === 0)) return;
    resultKey = key;
    if (!rec || !st) {
      mount(resultSlot);
      return;
    }
    const recTool = st.tools.find((x) => x.name === rec.tool);
    const ui = recTool ? editorOf(recTool) : undefined;
    mount(
      resultSlot,
      h('h3', null, 'Result'),
      // the tool's MCP App view, in its own panel (src/vscode/webviews/appViewPanel.ts)
      recTool?.view && rec.ok
        ? h('button', { type: 'button', class: 'open-view', 'data-testid': 'open-view', title: `Show ${recTool.view.uri} with this result`, onclick: () => void rpc.request('tools/openView', { tool: rec.tool, record: rec.id }).catch((err: unknown) => mount(resultSlot, errorLine(` ${err instanceof Error ? err.message : String(err)}`))) }, icon('window'), ' Open view')
        : null,
      renderRecord(rec, {
        busy: state.busy !== undefined,
        held: st.server.scopes,
        signInAndCall: recTool && ui ? () => void send(recTool, ui, true, sentArgs.get(rec.id) ?? rec.args) : undefined,
        useArguments:
          recTool && ui && rec.args && Object.keys(rec.args).length
            ? () => {
                Object.assign(ui, withArguments(ui, sentArgs.get(rec.id) ?? rec.args));
                formFor = undefined;
                renderDetail();
              }
            : undefined,
      }),
    );
  }

  function pickRecord(r: CallRecord): void {
    apply(S.pickRecord(state, r));
    list.render(state);
    renderDetail();
    renderHistory();
    resultSlot.scrollIntoView?.({ block: 'nearest' });
    history.focusCurrent();
  }

  /** The history reads records as the result does: result.ts's duration, and the one list of authorization problems (codes.ts). */
  const reading: RecordReading = { duration: callDuration, signInNeeded: isAuthProblem };

  function renderHistory(): void {
    if (!state.st) return;
    history.render(historyModel(state.st.history, S.historyCurrent(state), reading));
  }
}
